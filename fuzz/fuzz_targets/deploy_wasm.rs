//! Arbitrary modules (wasm-smith, importing the govm host and WASI functions) through the
//! deploy-from-wasm path a chain node takes (`Engine::deploy_prebuilt`: the module check,
//! package initialisation, the snapshot) and then a call: the host never panics, a module is
//! refused or runs, and every limit holds (the call's gas never passes its fuel limit).
//! Run with `cargo xtask fuzz deploy_wasm --seconds 60`.
#![no_main]

use std::sync::OnceLock;

use govm::{
    Address, CallContext, Config, ContractOptions, DeployOptions, Engine, RuntimeConfig, WasiOptions,
};
use govm_abi::{HOST_FUNCTIONS, HOST_MODULE, HostFunction, WASI_FUNCTIONS, WASI_MODULE, WasmType};
use libfuzzer_sys::arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

/// A module importing every function govm provides, for wasm-smith to choose from.
fn available_imports() -> &'static [u8] {
    static WASM: OnceLock<Vec<u8>> = OnceLock::new();
    WASM.get_or_init(|| {
        let ty = |ts: &[WasmType]| {
            ts.iter()
                .map(|t| match t {
                    WasmType::I32 => "i32",
                    WasmType::I64 => "i64",
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let import = |module: &str, f: &HostFunction| {
            format!(
                "(import \"{module}\" \"{}\" (func (param {}) (result {})))\n",
                f.name,
                ty(f.params),
                ty(f.results)
            )
        };
        let mut text = String::from("(module\n");
        for f in HOST_FUNCTIONS {
            text.push_str(&import(HOST_MODULE, f));
        }
        for f in WASI_FUNCTIONS {
            text.push_str(&import(WASI_MODULE, f));
        }
        text.push(')');
        wat::parse_str(&text).expect("the import module assembles")
    })
}

/// The exports a contract with one entry point `F` must have.
fn contract_exports() -> &'static [u8] {
    static WASM: OnceLock<Vec<u8>> = OnceLock::new();
    WASM.get_or_init(|| {
        wat::parse_str(
            r#"(module
                (func (export "_initialize") unreachable)
                (func (export "govm_alloc") (param i32) (result i32) unreachable)
                (func (export "F") (param i32 i32) (result i64) unreachable)
                (memory (export "memory") 1 256))"#,
        )
        .expect("the export module assembles")
    })
}

fn config(shaped: bool) -> wasm_smith::Config {
    wasm_smith::Config {
        available_imports: Some(available_imports().to_vec()),
        exports: shaped.then(|| contract_exports().to_vec()),
        // Mostly the consensus feature set, so that modules get past the check; the check
        // itself refuses the rest when they slip in.
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        reference_types_enabled: false,
        gc_enabled: false,
        exceptions_enabled: false,
        tail_call_enabled: false,
        memory64_enabled: false,
        max_memories: 1,
        max_memory32_bytes: 64 << 20,
        ..wasm_smith::Config::default()
    }
}

fn engine(cache: &std::path::Path) -> Engine {
    let contract = ContractOptions {
        fuel_limit: 20_000_000,
        memory_limit: 16 << 20,
        timeout_ms: 2_000,
        ..ContractOptions::default()
    };
    Engine::new(Config {
        cache_dir: cache.to_path_buf(),
        runtime: RuntimeConfig {
            pooling: false,
            max_instances: 16,
            module_cache_capacity: 4,
            wasi: WasiOptions {
                contract,
                precompiled_cache: false,
                ..WasiOptions::default()
            },
            ..RuntimeConfig::default()
        },
        ..Config::default()
    })
    .expect("an engine")
}

fuzz_target!(|data: &[u8]| {
    static CACHE: OnceLock<tempfile::TempDir> = OnceLock::new();
    let cache = CACHE.get_or_init(|| tempfile::tempdir().expect("a temporary directory"));
    let mut u = Unstructured::new(data);
    let Ok(shaped) = bool::arbitrary(&mut u) else { return };
    let Ok(module) = wasm_smith::Module::new(config(shaped), &mut u) else { return };
    let wasm = module.to_bytes();
    // One source per module, so that each deploy prepares its own module (a source deployed
    // before keeps its stored code).
    let tag = hex::encode(Sha256::digest(&wasm));
    let source = format!("package f\n\n// {tag}\nfunc F() {{}}\n");
    let engine = engine(cache.path());
    let deployer = Address([1; 20]);
    let options = DeployOptions { deployer, ..DeployOptions::default() };
    let Ok(deployed) = engine.deploy_prebuilt(source.as_bytes(), wasm, &options) else { return };
    assert!(deployed.init_gas <= 20_000_000, "initialisation stayed within its fuel");
    let ctx = CallContext { fuel_limit: 1_000_000, ..CallContext::new(deployer) };
    match engine.execute_with_args(&ctx, deployed.address, "F", &[]) {
        Ok(out) => assert!(out.gas_used <= 1_000_000),
        Err(govm::Error::Call { gas_used, .. }) => assert!(gas_used <= 1_000_000),
        Err(_) => {}
    }
});

//! The module check at preparation: imports, exports, and the wasm features a contract may use.

use govm_abi::{ContractAbi, Function};
use govm_runtime::ModuleSource::Unchecked;
use govm_runtime::{ContractOptions, Error, Runtime, RuntimeConfig};
use govm_state::State;

use crate::{CONTRACT, INIT_MODULE, MODULE, abi, call_on, init_abi, store_contract};

#[test]
fn modules_that_import_or_export_the_wrong_things_are_refused() {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let cases = [
        (
            r#"(module (import "env" "now" (func)) (memory (export "memory") 1) (func (export "_initialize")) (func (export "govm_alloc") (param i32) (result i32) i32.const 0))"#,
            "imports env::now",
        ),
        (
            r#"(module (memory (export "memory") 1) (func (export "govm_alloc") (param i32) (result i32) i32.const 0))"#,
            "missing export `_initialize`",
        ),
        (
            r#"(module (func (export "_initialize")) (func (export "govm_alloc") (param i32) (result i32) i32.const 0))"#,
            "missing export `memory`",
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let wasm = wat::parse_str(text).unwrap();
        match runtime.prepare(
            &[i as u8; 32],
            Unchecked(&wasm),
            &ContractAbi::new("x", vec![]),
            &ContractOptions::default(),
        ) {
            Err(Error::InvalidModule(m)) => assert!(m.contains(expected), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    let empty = ContractAbi::new("x", vec![]);
    assert!(matches!(
        runtime.prepare(
            &[9; 32],
            Unchecked(b"not wasm"),
            &empty,
            &ContractOptions::default()
        ),
        Err(Error::InvalidModule(_))
    ));
    // Every entry point of the ABI must be exported.
    let module = wat::parse_str(MODULE).unwrap();
    let mut missing = abi();
    missing.functions[0].name = "NotThere".into();
    match runtime.prepare(
        &[11; 32],
        Unchecked(&module),
        &missing,
        &ContractOptions::default(),
    ) {
        Err(Error::InvalidModule(m)) => assert_eq!(m, "missing export `NotThere`"),
        other => panic!("{other:?}"),
    }
    // SIMD is off for consensus.
    let simd = wat::parse_str(r#"(module (func (result v128) v128.const i64x2 0 0))"#).unwrap();
    assert!(matches!(
        runtime.prepare(
            &[10; 32],
            Unchecked(&simd),
            &empty,
            &ContractOptions::default()
        ),
        Err(Error::InvalidModule(_))
    ));
}

#[test]
fn simd_runs_only_when_the_contract_enables_it() {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let simd = wat::parse_str(
        r#"(module (memory (export "memory") 1) (func (export "_initialize"))
        (func (export "govm_alloc") (param i32) (result i32) (i32.const 1024))
        (func (export "Ok") (param i32 i32) (result i64)
          (v128.store (i32.const 0) (v128.const i64x2 0 0))
          (i32.store8 (i32.const 2048) (i32.const 0))
          (i64.const 0x80000000001)))"#,
    )
    .unwrap();
    let abi = ContractAbi::new(
        "simd",
        vec![Function {
            name: "Ok".into(),
            context: false,
            params: vec![],
            results: vec![],
            error: false,
        }],
    );
    let on = ContractOptions {
        enable_simd: true,
        ..ContractOptions::default()
    };
    assert!(matches!(
        runtime.prepare(
            &[1; 32],
            Unchecked(&simd),
            &abi,
            &ContractOptions::default()
        ),
        Err(Error::InvalidModule(_))
    ));
    runtime
        .prepare(&[1; 32], Unchecked(&simd), &abi, &on)
        .unwrap();
    let state = State::in_memory();
    store_contract(&state, [1; 32], &simd, &abi, &on, &[CONTRACT]);
    assert_eq!(
        call_on(&runtime, &state, "Ok", &[], 1_000_000).result,
        Ok(vec![])
    );
}

#[test]
fn threads_and_disabled_bulk_memory_are_refused_with_a_reason() {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let wasm = wat::parse_str(INIT_MODULE).unwrap();
    for (options, expected) in [
        (
            ContractOptions {
                enable_threads: true,
                ..ContractOptions::default()
            },
            "threads are not supported",
        ),
        (
            ContractOptions {
                enable_bulk_memory: false,
                ..ContractOptions::default()
            },
            "bulk memory cannot be disabled",
        ),
    ] {
        match runtime.prepare(&[2; 32], Unchecked(&wasm), &init_abi(), &options) {
            Err(Error::InvalidOptions(m)) => assert!(m.contains(expected), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}

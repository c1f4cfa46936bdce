//! The compiler with the real toolchain: every test contract, reproducibility, the artifact
//! cache, concurrency and the time limit.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use govm_compiler::{Compiler, CompilerConfig, Error};
use govm_validate::{Config, ValidContract, validate};

fn contracts() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/contracts");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
        let file = dir.join(format!("{name}.go"));
        if file.exists() {
            out.push((name, std::fs::read_to_string(file).unwrap()));
        }
    }
    out.sort();
    out
}

fn valid(source: &str) -> ValidContract {
    validate(source, &Config::default()).unwrap()
}

/// The shared cache of the test run: Go's build cache stays warm across tests.
fn shared_cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("govm-cache")
}

fn token() -> String {
    contracts()
        .into_iter()
        .find(|(n, _)| n == "token")
        .unwrap()
        .1
}

#[test]
fn every_test_contract_compiles_to_a_checked_module() {
    let compiler = Compiler::new(CompilerConfig::new(shared_cache()));
    let all = contracts();
    let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    assert!(all.len() >= 8, "{names:?}");
    for (name, source) in all {
        let contract = valid(&source);
        let artifact = compiler
            .compile(&source, &contract, &format!("{name}.go"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let info = artifact.module.info().clone();
        assert!(info.exports.iter().any(|e| e == "govm_alloc"), "{name}");
        assert!(artifact.toolchain.starts_with("go1.") || artifact.toolchain.starts_with("tinygo"));
    }
}

#[test]
fn the_same_source_gives_the_same_bytes_from_cold_caches() {
    let source = token();
    let contract = valid(&source);
    let build = || {
        let dir = tempfile::tempdir().unwrap();
        let compiler = Compiler::new(CompilerConfig::new(dir.path()));
        let artifact = compiler.compile(&source, &contract, "token.go").unwrap();
        assert!(!artifact.cached);
        assert_eq!(compiler.toolchain_runs(), 1);
        artifact.module.into_bytes()
    };
    let first = build();
    assert!(first == build(), "two cold builds of token.go differ");
}

#[test]
fn a_cache_hit_runs_no_toolchain_and_a_corrupt_artifact_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = CompilerConfig::new(dir.path());
    let source = token();
    let contract = valid(&source);
    let compiler = Compiler::new(config.clone());
    let built = compiler.compile(&source, &contract, "token.go").unwrap();
    // A new compiler on the same cache: no toolchain process at all.
    let again = Compiler::new(config.clone());
    let hit = again.compile(&source, &contract, "token.go").unwrap();
    assert!(hit.cached);
    assert_eq!(hit.module, built.module);
    assert_eq!(again.toolchain_runs(), 0);

    let artifacts: Vec<PathBuf> = std::fs::read_dir(dir.path().join("artifacts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let wasm_file = artifacts
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "wasm"))
        .unwrap();
    let metadata = artifacts
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    let meta = std::fs::read_to_string(metadata).unwrap();
    assert!(
        meta.contains("\"toolchain\": \"go1.") || meta.contains("\"toolchain\": \"tinygo"),
        "{meta}"
    );
    assert!(
        meta.contains(&format!("\"wasm_size\": {}", built.module.bytes().len())),
        "{meta}"
    );

    // Flip one byte in the middle of the cached module: it is detected and rebuilt.
    let mut bytes = std::fs::read(wasm_file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(wasm_file, &bytes).unwrap();
    config.timeout = Duration::from_secs(300);
    let third = Compiler::new(config);
    let rebuilt = third.compile(&source, &contract, "token.go").unwrap();
    assert!(!rebuilt.cached);
    assert_eq!(third.toolchain_runs(), 1);
    assert_eq!(rebuilt.module, built.module);
}

#[test]
fn concurrent_compiles_of_the_same_and_different_contracts_are_safe() {
    let dir = tempfile::tempdir().unwrap();
    let compiler = Compiler::new(CompilerConfig::new(dir.path()));
    let all = contracts();
    let picks: Vec<(String, String)> = all
        .into_iter()
        .filter(|(n, _)| n == "token" || n == "counter")
        .collect();
    let results: Vec<(String, Vec<u8>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let (name, source) = picks[i % picks.len()].clone();
                let compiler = &compiler;
                s.spawn(move || {
                    let contract = valid(&source);
                    (
                        name.clone(),
                        compiler
                            .compile(&source, &contract, &format!("{name}.go"))
                            .unwrap()
                            .module
                            .into_bytes(),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (name, wasm) in &results {
        let same: Vec<&Vec<u8>> = results
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, w)| w)
            .collect();
        assert!(
            same.iter().all(|w| *w == wasm),
            "{name} built differently in parallel"
        );
    }
}

#[test]
fn a_toolchain_that_runs_too_long_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = CompilerConfig::new(dir.path());
    config.timeout = Duration::from_millis(1);
    let source = token();
    let err = Compiler::new(config)
        .compile(&source, &valid(&source), "token.go")
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(err.to_string().contains("timed out"), "{err}");
}

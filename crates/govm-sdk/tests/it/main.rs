//! The wrapper generated from each test contract's golden ABI
//! (`testdata/contracts/<name>/abi.json`), checked against `wrapper.go.golden` beside it.
//! `GOVM_BLESS=1 cargo test -p govm-sdk` rewrites them.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use govm_abi::ContractAbi;
use govm_sdk::generate_wrapper;

/// Every `testdata/contracts/<name>/abi.json`.
fn abis() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/contracts");
    let mut out: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path().join("abi.json"))
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

#[test]
fn wrappers_match_the_golden_files() {
    let abis = abis();
    assert!(abis.len() >= 8, "{abis:?}");
    let mut problems = Vec::new();
    for path in &abis {
        let abi = ContractAbi::from_json(&std::fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let actual = generate_wrapper(&abi);
        let golden = path.with_file_name("wrapper.go.golden");
        if std::env::var_os("GOVM_BLESS").is_some() {
            std::fs::write(&golden, &actual).unwrap();
            continue;
        }
        match std::fs::read_to_string(&golden) {
            Ok(expected) if expected == actual => {}
            Ok(_) => problems.push(format!(
                "{} differs from what the code generates",
                golden.display()
            )),
            Err(_) => problems.push(format!("{} is missing", golden.display())),
        }
    }
    assert!(
        problems.is_empty(),
        "{}\nrun `GOVM_BLESS=1 cargo test -p govm-sdk` to accept the new output",
        problems.join("\n")
    );
}

/// Contracts import the SDK, never its internal package: Go enforces it for packages outside
/// the SDK's path, and govm's validator refuses every `internal` import.
#[test]
fn the_wrapper_runs_on_the_internal_package() {
    for path in abis() {
        let abi = ContractAbi::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let wrapper = generate_wrapper(&abi);
        assert!(
            wrapper.contains(govm_sdk::ENTRY_IMPORT_PATH),
            "{}",
            path.display()
        );
        assert!(!wrapper.contains("govm_vm.Wrapper"), "{}", path.display());
    }
}

//! The ABI of every contract under testdata/contracts, checked against the golden
//! `testdata/contracts/<name>/abi.json` beside it. `GOVM_BLESS=1 cargo test -p govm-validate`
//! rewrites them. (The wrappers generated from these ABIs are govm-sdk's golden files.)

use std::path::{Path, PathBuf};

use govm_validate::{Config, validate};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// Every `testdata/contracts/<name>/<name>.go`.
fn contracts() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(testdata().join("contracts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|dir| {
            let name = dir.file_name()?.to_str()?.to_owned();
            let file = dir.join(format!("{name}.go"));
            file.exists().then_some((name, file))
        })
        .collect();
    out.sort();
    out
}

fn check(path: &Path, actual: &str) -> Option<String> {
    if std::env::var_os("GOVM_BLESS").is_some() {
        std::fs::write(path, actual).unwrap();
        return None;
    }
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => None,
        Ok(_) => Some(format!(
            "{} differs from what the code generates",
            path.display()
        )),
        Err(_) => Some(format!("{} is missing", path.display())),
    }
}

#[test]
fn abis_match_the_golden_files() {
    let contracts = contracts();
    assert!(contracts.len() >= 5, "{contracts:?}");
    let mut problems = Vec::new();
    for (name, file) in &contracts {
        let source = std::fs::read_to_string(file).unwrap();
        let valid = validate(&source, &Config::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        problems.extend(check(
            &file.with_file_name("abi.json"),
            &(valid.abi.to_json() + "\n"),
        ));
    }
    assert!(
        problems.is_empty(),
        "{}\nrun `GOVM_BLESS=1 cargo test -p govm-validate` to accept the new output",
        problems.join("\n")
    );
}

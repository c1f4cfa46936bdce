//! The `govm` binary, run as a user would.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn govm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govm"))
        .args(args)
        .env(
            "GOVM_CACHE_DIR",
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("govm-cache"),
        )
        .output()
        .unwrap()
}

fn token() -> String {
    format!(
        "{}/../../testdata/contracts/token/token.go",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn inspect_prints_the_entry_points() {
    let out = govm(&["inspect", &token()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("package token\n"), "{stdout}");
    assert!(
        stdout.contains("  func Transfer(ctx vm.Context, to vm.Address, amount uint64) error\n"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("  func GetBalance(ctx vm.Context, balanceID vm.ObjectID) (uint64, error)\n"),
        "{stdout}"
    );

    let json = govm(&["inspect", "--json", &token()]);
    assert_eq!(json.status.code(), Some(0));
    assert!(text(&json.stdout).contains("\"name\": \"CreateAccount\""));
}

#[test]
fn a_rejected_contract_shows_the_line_with_a_caret_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.go");
    std::fs::write(
        &file,
        "package bad\n\nimport \"os\"\n\nfunc F() { os.Exit(1) }\n",
    )
    .unwrap();
    let out = govm(&["inspect", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error[import]: import \"os\" is not allowed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bad.go:3:8\n  |\n  | import \"os\"\n  |        ^\n"),
        "{stderr}"
    );
}

#[test]
fn missing_files_and_bad_usage_exit_2() {
    let out = govm(&["inspect", "/nonexistent/contract.go"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read /nonexistent/contract.go"));
    assert_eq!(govm(&[]).status.code(), Some(2));
    assert_eq!(govm(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn build_writes_a_wasm_module() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("token.wasm");
    let out = govm(&["build", &token(), "-o", out_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let wasm = std::fs::read(&out_file).unwrap();
    assert!(wasm.starts_with(b"\0asm"));
    assert!(text(&out.stdout).contains(&format!("({} bytes", wasm.len())));
}

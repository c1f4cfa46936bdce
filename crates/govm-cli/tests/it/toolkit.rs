//! `govm new` and `govm test`: a scaffolded contract's tests pass, and a broken one fails
//! with a readable message.

use crate::Home;

#[test]
fn a_new_contract_tests_green_and_a_broken_one_fails_readably() {
    let home = Home::new();
    let run = |args: &[&str]| home.run_here(args);
    let (code, out, err) = run(&["new", "piggy"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("created piggy/"), "{out}");
    let dir = home.path().join("piggy");
    for file in [
        "piggy.go",
        "piggy_test.go",
        "go.mod",
        "README.md",
        ".govm/sdk/go.mod",
    ] {
        assert!(dir.join(file).is_file(), "{file}");
    }
    // A name that is not a Go package name, and a folder that exists, are refused.
    assert_eq!(run(&["new", "Piggy-Bank"]).0, 2);
    assert_eq!(run(&["new", "piggy"]).0, 2);

    let dir_arg = dir.to_string_lossy().into_owned();
    let (code, out, err) = run(&["test", &dir_arg]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("ok"), "{out}");

    // The scaffolded contract deploys and runs on the engine too.
    let (code, out, err) = run(&["deploy", &format!("{dir_arg}/piggy.go")]);
    assert_eq!(code, 0, "{err}");
    let address = out.trim().to_owned();
    let (code, out, err) = run(&["call", &address, "Add", "2"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("result  2"), "{out}");

    // A broken contract: the failing test names the line and what it saw.
    let source = std::fs::read_to_string(dir.join("piggy.go")).unwrap();
    std::fs::write(
        dir.join("piggy.go"),
        source.replace("total += n", "total += n * 2"),
    )
    .unwrap();
    let (code, out, err) = run(&["test", &dir_arg]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("--- FAIL: TestAddKeepsATotal"), "{out}");
    assert!(out.contains("Add(2) = 4, want 2"), "{out}");

    // A contract govm would refuse at deploy fails before its tests run.
    std::fs::write(dir.join("piggy.go"), source).unwrap();
    std::fs::write(
        dir.join("spawn.go"),
        "package piggy\n\nfunc Spawn() { go func() {}() }\n",
    )
    .unwrap();
    let (code, _, err) = run(&["test", &dir_arg]);
    assert_eq!(code, 2);
    assert!(err.contains("error[goroutine]"), "{err}");
    assert!(err.contains("spawn.go:3:16"), "{err}");

    // Not a contract folder.
    let (code, _, err) = run(&["test", &home.path().to_string_lossy()]);
    assert_eq!(code, 2);
    assert!(err.contains("no readable go.mod"), "{err}");
}

/// `govm new --core` writes a contract in the upstream style: it tests green natively, and
/// on the engine it shows its ABI, runs, and a failed `core.Assert` is a contract error
/// (exit 1) with its message.
#[test]
fn a_new_core_contract_tests_inspects_and_runs() {
    let home = Home::new();
    let run = |args: &[&str]| home.run_here(args);
    let (code, _, err) = run(&["new", "--core", "jar"]);
    assert_eq!(code, 0, "{err}");
    let dir = home.path().join("jar");
    let source = std::fs::read_to_string(dir.join("jar.go")).unwrap();
    assert!(
        source.contains("\"github.com/govm-net/vm/core\""),
        "{source}"
    );
    let dir_arg = dir.to_string_lossy().into_owned();
    let (code, out, err) = run(&["test", &dir_arg]);
    assert_eq!(code, 0, "{out}{err}");

    let file = format!("{dir_arg}/jar.go");
    let (code, out, err) = run(&["inspect", &file]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("func Add(n uint64) uint64"), "{out}");
    assert!(out.contains("func Total() uint64"), "{out}");
    let (code, out, err) = run(&["deploy", &file]);
    assert_eq!(code, 0, "{err}");
    let address = out.trim().to_owned();
    let (code, out, err) = run(&["call", &address, "Add", "5"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("result  5"), "{out}");
    let (code, _, err) = run(&["call", &address, "Add", "0"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("nothing to add"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

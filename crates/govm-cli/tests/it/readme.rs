//! The README's command-line walk through, run exactly as written in a fresh home.

use std::path::Path;
use std::process::Command;

/// The shell block after `marker`.
fn walkthrough<'a>(readme: &'a str, marker: &str) -> &'a str {
    let start = readme
        .find(marker)
        .unwrap_or_else(|| panic!("README has no {marker}"));
    readme[start..]
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap()
}

#[test]
fn every_command_the_readme_shows_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let script = walkthrough(&readme, "<!-- walkthrough -->");
    assert!(
        script.lines().filter(|l| l.contains("govm ")).count() >= 9,
        "{script}"
    );

    let home = crate::Home::new();
    // Link the shared cache in, as every test home does.
    let _ = home.govm(&["--help"]).output();
    let bin = Path::new(env!("CARGO_BIN_EXE_govm"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    // Runs a script with `govm` first on PATH and the test home as GOVM_HOME.
    let run = |script: &str, dir: &Path| {
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", script])
            .current_dir(dir)
            .env("PATH", &path)
            .env("GOVM_HOME", home.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "the walkthrough failed:\n{stdout}\n{stderr}"
        );
        stdout
    };
    let stdout = run(script, &root);
    assert!(stdout.contains("result  5\n"), "{stdout}");
    assert!(stdout.contains("\"result\":7"), "{stdout}");
    assert!(stdout.contains("result  107\n"), "{stdout}");
    assert!(stdout.contains("total = 7"), "{stdout}");
    assert!(stdout.contains("now has 1000\n1000\n"), "{stdout}");

    // The contract authors' walk through runs in an empty folder, with the home each new
    // contract folder gets (`./.govm`), its cache linked to the shared one.
    let script = walkthrough(&readme, "<!-- walkthrough:new -->");
    let work = tempfile::tempdir().unwrap();
    let stdout = run(script, work.path());
    assert!(stdout.contains("created piggy/"), "{stdout}");
    assert!(stdout.contains("ok  \tpiggy"), "{stdout}");
    assert!(
        stdout.lines().last().is_some_and(|l| l.starts_with("0x")),
        "{stdout}"
    );
}

//! Every `testdata/rejected/<case>.go` is rejected with exactly the diagnostics in
//! `testdata/rejected/<case>.diagnostics` beside it (`rule line:column message`, one per line).
//! `GOVM_BLESS=1 cargo test -p govm-validate` rewrites them. A fixture may set a config value
//! on its first line: `// govm-test: max_source_size=64`.

use std::collections::BTreeSet;
use std::path::Path;

use govm_validate::{Config, validate};

const RULES: &[&str] = &[
    "syntax",
    "size",
    "import",
    "directive",
    "goroutine",
    "select",
    "channel",
    "recover",
    "entry-point",
    "reserved-name",
    "name-length",
];

#[test]
fn invalid_contracts_are_rejected_with_the_golden_diagnostics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
    let mut files: Vec<_> = std::fs::read_dir(root.join("rejected"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "go"))
        .collect();
    files.sort();
    assert!(files.len() >= 25, "only {} invalid contracts", files.len());
    let golden_dir = root.join("rejected");
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for file in &files {
        let name = file.file_stem().unwrap().to_str().unwrap();
        let source = std::fs::read_to_string(file).unwrap();
        let mut config = Config::default();
        if let Some(size) = source
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("// govm-test: max_source_size="))
        {
            config.max_source_size = size.trim().parse().unwrap();
        }
        let rendered = match validate(&source, &config) {
            Ok(_) => {
                problems.push(format!("{name}: accepted"));
                continue;
            }
            Err(rejected) => rejected
                .diagnostics
                .iter()
                .map(|d| {
                    seen.insert(d.rule);
                    format!("{} {}:{} {}\n", d.rule, d.line, d.column, d.message)
                })
                .collect::<String>(),
        };
        let golden = golden_dir.join(format!("{name}.diagnostics"));
        if std::env::var_os("GOVM_BLESS").is_some() {
            std::fs::write(&golden, &rendered).unwrap();
        } else if std::fs::read_to_string(&golden).ok().as_deref() != Some(rendered.as_str()) {
            problems.push(format!(
                "{name}: diagnostics differ from {}:\n{rendered}",
                golden.display()
            ));
        }
    }
    let missing: Vec<&&str> = RULES.iter().filter(|r| !seen.contains(**r)).collect();
    assert!(missing.is_empty(), "no fixture exercises {missing:?}");
    assert!(
        problems.is_empty(),
        "{}\nrun `GOVM_BLESS=1 cargo test -p govm-validate` to accept",
        problems.join("\n")
    );
}

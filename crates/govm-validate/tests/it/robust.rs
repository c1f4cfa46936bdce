//! Hostile and mangled sources: validation never panics and finishes quickly.

use std::path::Path;
use std::time::{Duration, Instant};

use govm_validate::{Config, validate};
use proptest::prelude::*;

fn valid_sources() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/contracts");
    [
        "token", "counter", "vote", "registry", "nft", "escrow", "caller",
    ]
    .iter()
    .map(|n| std::fs::read_to_string(root.join(format!("{n}/{n}.go"))).unwrap())
    .collect()
}

/// Runs the validator and checks it answered within a generous bound (a hang or an
/// exponential blow-up shows up as seconds, not milliseconds).
fn bounded(source: &str) {
    let started = Instant::now();
    let result = validate(source, &Config::default());
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "validation of {} bytes took {took:?}: {:?}",
        source.len(),
        result
            .err()
            .map(|e| e.diagnostics.into_iter().take(2).collect::<Vec<_>>())
    );
}

#[test]
fn every_valid_contract_passes() {
    for source in valid_sources() {
        validate(&source, &Config::default()).unwrap();
    }
}

#[test]
fn deep_nesting_huge_literals_and_long_lines_are_survived() {
    let deep_parens = format!(
        "package p\nfunc F() int {{ return {}1{} }}\n",
        "(".repeat(50_000),
        ")".repeat(50_000)
    );
    let deep_blocks = format!(
        "package p\nfunc F() {{ {} }}\n",
        "{".repeat(50_000) + &"}".repeat(50_000)
    );
    let deep_types = format!("package p\nfunc F(x {}int) {{}}\n", "[]".repeat(50_000));
    let huge_literal = format!(
        "package p\nvar s = \"{}\"\nfunc F() {{}}\n",
        "x".repeat(900_000)
    );
    let long_line = format!(
        "package p\nfunc F() {{ x := 0; {} }}\n",
        "x++; ".repeat(150_000)
    );
    let many_imports = format!(
        "package p\nimport (\n{}\n)\nfunc F() {{}}\n",
        "\"os\"\n".repeat(20_000)
    );
    for source in [
        deep_parens,
        deep_blocks,
        deep_types,
        huge_literal,
        long_line,
        many_imports,
    ] {
        bounded(&source);
    }
    let err = validate(
        &format!("package p\n{}", "x".repeat(2 << 20)),
        &Config::default(),
    )
    .unwrap_err();
    assert_eq!(err.diagnostics[0].rule, "size");
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    Duplicate { at: usize, len: usize },
    Truncate { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let fragments = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("(".to_owned()),
        Just("\"".to_owned()),
        Just("`".to_owned()),
        Just("/*".to_owned()),
        Just("go ".to_owned()),
        Just("chan ".to_owned()),
        Just("func".to_owned()),
        Just("[]".to_owned()),
        Just("map[".to_owned()),
        Just("\n".to_owned()),
        Just("//go:".to_owned()),
        Just("import \"os\"\n".to_owned()),
        Just("é".to_owned()),
        "[ -~]{1,8}".prop_map(|s| s),
    ];
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), fragments).prop_map(|(at, text)| Mutation::Insert { at, text }),
        (any::<usize>(), 1usize..200).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn apply(source: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = source.chars().collect();
    for m in mutations {
        let n = chars.len().max(1);
        match m {
            Mutation::Delete { at, len } => {
                let at = at % n;
                chars.drain(at..(at + len).min(chars.len()));
            }
            Mutation::Insert { at, text } => {
                let at = at % (chars.len() + 1);
                chars.splice(at..at, text.chars());
            }
            Mutation::Duplicate { at, len } => {
                let at = at % n;
                let piece: Vec<char> =
                    chars[at.min(chars.len())..(at + len).min(chars.len())].to_vec();
                chars.splice(at.min(chars.len())..at.min(chars.len()), piece);
            }
            Mutation::Truncate { at } => chars.truncate(at % n),
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn mutated_contracts_never_panic(which in 0usize..7, mutations in proptest::collection::vec(mutation(), 1..6)) {
        let sources = valid_sources();
        let mutated = apply(&sources[which % sources.len()], &mutations);
        bounded(&mutated);
    }
}

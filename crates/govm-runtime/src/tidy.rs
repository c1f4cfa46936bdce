//! Tidy checks that tie the two sides of the host interface together: the module interface
//! (`govm_abi::HOST_FUNCTIONS`, `WASI_FUNCTIONS`), what this crate's linker defines, what the
//! Go SDK imports, and what docs/abi.md specifies; and the status codes, in Rust, in Go and in
//! the docs.

use std::collections::BTreeMap;
use std::path::Path;

use govm_abi::{HOST_FUNCTIONS, HOST_MODULE, HostFunction, WASI_FUNCTIONS, WASI_MODULE, WasmType};
use wasmtime::{Engine, Extern, Linker, Store, ValType};

use crate::env::{Frame, HostState};
use crate::host::status;
use crate::options::ContractOptions;

type Signature = (Vec<WasmType>, Vec<WasmType>);

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn interface(list: &[HostFunction]) -> BTreeMap<String, Signature> {
    list.iter()
        .map(|f| (f.name.to_owned(), (f.params.to_vec(), f.results.to_vec())))
        .collect()
}

fn wasm_type(t: &ValType) -> WasmType {
    match t {
        ValType::I32 => WasmType::I32,
        ValType::I64 => WasmType::I64,
        other => panic!("the host interface has no {other} values"),
    }
}

/// What the runtime's linker defines, by module.
fn linker_definitions() -> BTreeMap<String, BTreeMap<String, Signature>> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    crate::host::add_to_linker(&mut linker).unwrap_or_else(|e| panic!("{e}"));
    crate::wasi::add_to_linker(&mut linker).unwrap_or_else(|e| panic!("{e}"));
    let abi = std::sync::Arc::new(govm_abi::ContractAbi::new("tidy", Vec::new()));
    let options = ContractOptions::default();
    let state =
        HostState::for_initialize(Frame::outermost(None), &abi, &options, crate::LogLevel::Off);
    let mut store = Store::new(&engine, state);
    let mut out: BTreeMap<String, BTreeMap<String, Signature>> = BTreeMap::new();
    let items: Vec<(String, String, Extern)> = linker
        .iter(&mut store)
        .map(|(m, n, item)| (m.to_owned(), n.to_owned(), item))
        .collect();
    for (module, name, item) in items {
        let Extern::Func(func) = item else {
            panic!("{module}::{name} is not a function");
        };
        let ty = func.ty(&store);
        let sig = (
            ty.params().map(|t| wasm_type(&t)).collect(),
            ty.results().map(|t| wasm_type(&t)).collect(),
        );
        out.entry(module).or_default().insert(name, sig);
    }
    out
}

#[test]
fn the_linker_defines_exactly_the_module_interface() {
    let defined = linker_definitions();
    assert_eq!(defined.len(), 2, "{:?}", defined.keys());
    assert_eq!(defined[HOST_MODULE], interface(HOST_FUNCTIONS));
    assert_eq!(defined[WASI_MODULE], interface(WASI_FUNCTIONS));
}

/// `//go:wasmimport govm NAME` followed by `func hostX(params) result`, in Go's types.
fn go_imports(source: &str) -> BTreeMap<String, Signature> {
    let go_type = |t: &str| match t.trim() {
        "unsafe.Pointer" | "uint32" | "int32" => WasmType::I32,
        "uint64" | "int64" => WasmType::I64,
        other => panic!("no wasm type for the Go type {other:?}"),
    };
    let mut out = BTreeMap::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("//go:wasmimport ") else {
            continue;
        };
        let (module, name) = rest.split_once(' ').unwrap_or_else(|| panic!("{line}"));
        assert_eq!(module, HOST_MODULE, "{line}");
        let decl = lines
            .by_ref()
            .find(|l| l.starts_with("func "))
            .unwrap_or_else(|| panic!("no func after {line}"));
        let open = decl.find('(').unwrap_or_else(|| panic!("{decl}"));
        let close = decl.find(')').unwrap_or_else(|| panic!("{decl}"));
        let params = decl[open + 1..close]
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|p| go_type(p.trim().rsplit(' ').next().unwrap_or_default()))
            .collect();
        let result = decl[close + 1..].trim();
        let results = if result.is_empty() {
            vec![]
        } else {
            vec![go_type(result)]
        };
        out.insert(name.to_owned(), (params, results));
    }
    out
}

#[test]
fn the_go_sdk_imports_exactly_the_host_functions() {
    let sdk = read("crates/govm-sdk/go/vm/host_wasip1.go");
    assert_eq!(go_imports(&sdk), interface(HOST_FUNCTIONS));
}

/// The rows of the table of docs/abi.md §8 whose first cell is a host function.
fn documented_functions(doc: &str) -> BTreeMap<String, Signature> {
    let section = doc
        .split("\n## 8.")
        .nth(1)
        .and_then(|s| s.split("\n## 9.").next())
        .unwrap_or_else(|| panic!("docs/abi.md has no section 8"));
    let mut out = BTreeMap::new();
    for row in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.split(" | ").collect();
        let name = cells[0].trim_start_matches("| ").trim_matches('`');
        let Some(sig) = cells.get(1).map(|c| c.trim_matches('`')) else {
            continue;
        };
        let Some((params, result)) = sig.split_once(") -> ") else {
            continue;
        };
        let ty = |p: &str| {
            if p.trim().ends_with(": i64") {
                WasmType::I64
            } else {
                WasmType::I32
            }
        };
        let params = params
            .trim_start_matches('(')
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(ty)
            .collect();
        let results = match result {
            "()" => vec![],
            "i32" => vec![WasmType::I32],
            "i64" => vec![WasmType::I64],
            other => panic!("{name}: result {other:?}"),
        };
        out.insert(name.to_owned(), (params, results));
    }
    out
}

#[test]
fn docs_abi_md_specifies_exactly_the_host_functions() {
    assert_eq!(
        documented_functions(&read("docs/abi.md")),
        interface(HOST_FUNCTIONS)
    );
}

#[test]
fn status_codes_agree_in_rust_go_and_the_docs() {
    let rust = BTreeMap::from([
        (status::OK, "ok"),
        (status::NOT_FOUND, "not found"),
        (status::PERMISSION_DENIED, "permission denied"),
        (status::INVALID_INPUT, "invalid input"),
        (status::LIMIT_EXCEEDED, "limit exceeded"),
        (status::INSUFFICIENT_BALANCE, "insufficient balance"),
        (status::CALL_FAILED, "call failed"),
    ]);
    // Go: `statusName = N` constants.
    let sdk = read("crates/govm-sdk/go/vm/host_wasip1.go");
    let go: BTreeMap<u32, String> = sdk
        .lines()
        .filter_map(|l| {
            let (name, value) = l.trim().strip_prefix("status")?.split_once('=')?;
            Some((value.trim().parse().ok()?, name.trim().to_owned()))
        })
        .collect();
    assert_eq!(
        go.keys().collect::<Vec<_>>(),
        rust.keys().collect::<Vec<_>>(),
        "{go:?}"
    );
    // The docs' table: `| code | meaning | Go SDK error |`, and the Go error each maps to.
    let doc = read("docs/abi.md");
    let documented: BTreeMap<u32, String> = doc
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.strip_prefix("| ")?.split(" | ").collect();
            Some((
                cells.first()?.trim().parse().ok()?,
                cells.get(2)?.trim_end_matches(" |").to_owned(),
            ))
        })
        .collect();
    assert_eq!(
        documented.keys().collect::<Vec<_>>(),
        rust.keys().collect::<Vec<_>>(),
        "{documented:?}"
    );
    for (code, name) in &go {
        let error = &documented[code];
        let expected = match name.as_str() {
            "OK" => "nil".to_owned(),
            "CallFailed" => "`*vm.CallError`".to_owned(),
            "Insufficient" => "`vm.ErrInsufficientBalance`".to_owned(),
            other => format!("`vm.Err{other}`"),
        };
        assert_eq!(error, &expected, "status {code} ({name})");
        if !matches!(name.as_str(), "OK" | "CallFailed") {
            let go_error = expected.trim_matches('`').trim_start_matches("vm.");
            assert!(
                sdk.contains(&format!("return {go_error}")),
                "host_wasip1.go's statusError does not map {name} to {go_error}"
            );
        }
    }
}

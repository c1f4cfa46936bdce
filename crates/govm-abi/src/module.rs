//! The module interface between host and contract: the wasm features a contract may use, the
//! functions it may import and the exports it must have; and the check that a module keeps
//! to them, shared by the compiler (after a build) and the runtime (before it runs anything).

use std::fmt;

use crate::model::ContractAbi;
use crate::wrapper::ALLOC_EXPORT;

pub use wasmparser::WasmFeatures;

/// The import module of the govm host functions (docs/abi.md §8).
pub const HOST_MODULE: &str = "govm";

/// The govm host functions.
pub const HOST_FUNCTIONS: &[&str] = &[
    "sender",
    "contract_address",
    "block_height",
    "block_time",
    "object_create",
    "object_get",
    "object_with_owner",
    "object_delete",
    "object_owner",
    "object_set_owner",
    "object_contract",
    "field_get",
    "field_set",
    "field_delete",
    "emit_event",
    "read_return",
    "balance",
    "transfer",
    "call",
];

/// The import module of WASI preview 1.
pub const WASI_MODULE: &str = "wasi_snapshot_preview1";

/// The WASI functions govm provides, deterministically (docs/abi.md §9): exactly those Go's
/// `wasip1` runtime imports.
pub const WASI_FUNCTIONS: &[&str] = &[
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_time_get",
    "random_get",
    "fd_write",
    "fd_close",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "sched_yield",
    "poll_oneoff",
    "proc_exit",
];

/// The wasm features a contract may use: "lime1" (the MVP with mutable globals, multi-value,
/// sign extension, saturating conversions, `memory.copy`/`memory.fill`, extended constants),
/// which is what Go and TinyGo emit, plus full bulk memory. Threads, SIMD, reference types,
/// GC, exceptions, multiple memories and memory64 are off: they add nondeterminism, engine
/// surface Go does not need, or both. `simd` turns SIMD on (an explicit deploy option).
pub fn consensus_features(simd: bool) -> WasmFeatures {
    // GC_TYPES is wasmparser's pseudo-feature for GC reference types, which the MVP set
    // includes; wasmtime without its `gc` feature (ours) has it off, and funcref tables do
    // not need it.
    let mut features = (WasmFeatures::LIME1 | WasmFeatures::BULK_MEMORY) - WasmFeatures::GC_TYPES;
    if simd {
        features |= WasmFeatures::SIMD;
    }
    features
}

/// Why a module is not one govm can run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleError(pub String);

impl fmt::Display for ModuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ModuleError {}

/// What a valid module holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleInfo {
    /// Size in bytes.
    pub size: usize,
    /// Exported names, in module order.
    pub exports: Vec<String>,
    /// Imports as `module::name`, in module order.
    pub imports: Vec<String>,
}

/// Checks a module: the wasm header, full validation under [`consensus_features`], imports
/// only from the govm host module and the WASI subset, and the exports `_initialize`,
/// `memory`, `govm_alloc` and one per entry point of `abi`.
pub fn check_module(wasm: &[u8], abi: &ContractAbi, simd: bool) -> Result<ModuleInfo, ModuleError> {
    if !wasm.starts_with(b"\0asm") {
        return Err(ModuleError("not a wasm module (bad magic number)".into()));
    }
    if wasm.get(4..8) != Some(&[1, 0, 0, 0]) {
        return Err(ModuleError(
            "not a version 1 wasm module (a component, or a future version)".into(),
        ));
    }
    wasmparser::Validator::new_with_features(consensus_features(simd))
        .validate_all(wasm)
        .map_err(|e| ModuleError(format!("invalid wasm: {e}")))?;
    let mut exports = Vec::new();
    let mut imports = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| ModuleError(e.to_string()))? {
            wasmparser::Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(|e| ModuleError(e.to_string()))?;
                    let allowed = match import.module {
                        HOST_MODULE => HOST_FUNCTIONS.contains(&import.name),
                        WASI_MODULE => WASI_FUNCTIONS.contains(&import.name),
                        _ => false,
                    };
                    let is_func = matches!(import.ty, wasmparser::TypeRef::Func(_));
                    if !allowed || !is_func {
                        return Err(ModuleError(format!(
                            "imports {}::{}, which govm does not provide",
                            import.module, import.name
                        )));
                    }
                    imports.push(format!("{}::{}", import.module, import.name));
                }
            }
            wasmparser::Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(|e| ModuleError(e.to_string()))?;
                    exports.push(export.name.to_owned());
                }
            }
            _ => {}
        }
    }
    let entry_points = abi.functions.iter().map(|f| f.name.as_str());
    for required in ["_initialize", "memory", ALLOC_EXPORT]
        .into_iter()
        .chain(entry_points)
    {
        if !exports.iter().any(|e| e == required) {
            return Err(ModuleError(format!("missing export `{required}`")));
        }
    }
    Ok(ModuleInfo {
        size: wasm.len(),
        exports,
        imports,
    })
}

//! The module interface between host and contract: the wasm features a contract may use, the
//! functions it may import and the exports it must have; and the check that a module keeps
//! to them, shared by the compiler (after a build) and the runtime (before it runs anything).

use std::collections::HashSet;

pub use crate::limits::ModuleError;
use crate::limits::{Counter, MODULE_LIMITS, ModuleShape};
use crate::model::ContractAbi;

pub use wasmparser::WasmFeatures;

/// The import module of the govm host functions (docs/abi.md §8).
pub const HOST_MODULE: &str = "govm";

/// The import module of WASI preview 1.
pub const WASI_MODULE: &str = "wasi_snapshot_preview1";

/// The export Go's reactor initialises the package with (run once, at deploy).
pub const INITIALIZE_EXPORT: &str = "_initialize";
/// The contract's linear memory.
pub const MEMORY_EXPORT: &str = "memory";
/// The export the host allocates argument buffers with: `govm_alloc(size i32) -> ptr i32`.
pub const ALLOC_EXPORT: &str = "govm_alloc";

/// A wasm value type of the host interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WasmType {
    /// `i32`: pointers, lengths, status codes.
    I32,
    /// `i64`: heights, times, balances, packed results.
    I64,
}

/// One function the host provides: its name and signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostFunction {
    /// The import name.
    pub name: &'static str,
    /// Parameter types.
    pub params: &'static [WasmType],
    /// Result types.
    pub results: &'static [WasmType],
}

/// The names of the govm host functions, for the runtime that defines them.
pub mod host_fn {
    #![allow(missing_docs)]
    pub const SENDER: &str = "sender";
    pub const CONTRACT_ADDRESS: &str = "contract_address";
    pub const BLOCK_HEIGHT: &str = "block_height";
    pub const BLOCK_TIME: &str = "block_time";
    pub const OBJECT_CREATE: &str = "object_create";
    pub const OBJECT_GET: &str = "object_get";
    pub const OBJECT_WITH_OWNER: &str = "object_with_owner";
    pub const OBJECT_DELETE: &str = "object_delete";
    pub const OBJECT_OWNER: &str = "object_owner";
    pub const OBJECT_SET_OWNER: &str = "object_set_owner";
    pub const OBJECT_CONTRACT: &str = "object_contract";
    pub const FIELD_GET: &str = "field_get";
    pub const FIELD_SET: &str = "field_set";
    pub const FIELD_DELETE: &str = "field_delete";
    pub const EMIT_EVENT: &str = "emit_event";
    pub const READ_RETURN: &str = "read_return";
    pub const BALANCE: &str = "balance";
    pub const TRANSFER: &str = "transfer";
    pub const CALL: &str = "call";
    pub const VALUE: &str = "value";
    pub const SHA256: &str = "sha256";
    pub const KECCAK256: &str = "keccak256";
    pub const ED25519_VERIFY: &str = "ed25519_verify";
    pub const SECP256K1_VERIFY: &str = "secp256k1_verify";
    pub const SECP256K1_RECOVER: &str = "secp256k1_recover";
}

/// The names of the WASI preview 1 functions govm provides, for the runtime that defines them.
pub mod wasi_fn {
    #![allow(missing_docs)]
    pub const ARGS_GET: &str = "args_get";
    pub const ARGS_SIZES_GET: &str = "args_sizes_get";
    pub const ENVIRON_GET: &str = "environ_get";
    pub const ENVIRON_SIZES_GET: &str = "environ_sizes_get";
    pub const CLOCK_TIME_GET: &str = "clock_time_get";
    pub const RANDOM_GET: &str = "random_get";
    pub const FD_WRITE: &str = "fd_write";
    pub const FD_CLOSE: &str = "fd_close";
    pub const FD_FDSTAT_GET: &str = "fd_fdstat_get";
    pub const FD_FDSTAT_SET_FLAGS: &str = "fd_fdstat_set_flags";
    pub const FD_PRESTAT_GET: &str = "fd_prestat_get";
    pub const FD_PRESTAT_DIR_NAME: &str = "fd_prestat_dir_name";
    pub const SCHED_YIELD: &str = "sched_yield";
    pub const POLL_ONEOFF: &str = "poll_oneoff";
    pub const PROC_EXIT: &str = "proc_exit";
}

use WasmType::{I32, I64};

const fn f(
    name: &'static str,
    params: &'static [WasmType],
    results: &'static [WasmType],
) -> HostFunction {
    HostFunction {
        name,
        params,
        results,
    }
}

/// The govm host functions (docs/abi.md §8). The runtime's linker defines exactly these and
/// the Go SDK imports exactly these, with these signatures (checked by the `tidy` tests).
pub const HOST_FUNCTIONS: &[HostFunction] = &[
    f(host_fn::SENDER, &[I32], &[]),
    f(host_fn::CONTRACT_ADDRESS, &[I32], &[]),
    f(host_fn::BLOCK_HEIGHT, &[], &[I64]),
    f(host_fn::BLOCK_TIME, &[], &[I64]),
    f(host_fn::OBJECT_CREATE, &[I32], &[I32]),
    f(host_fn::OBJECT_GET, &[I32, I32], &[I32]),
    f(host_fn::OBJECT_WITH_OWNER, &[I32, I32], &[I32]),
    f(host_fn::OBJECT_DELETE, &[I32], &[I32]),
    f(host_fn::OBJECT_OWNER, &[I32, I32], &[I32]),
    f(host_fn::OBJECT_SET_OWNER, &[I32, I32], &[I32]),
    f(host_fn::OBJECT_CONTRACT, &[I32, I32], &[I32]),
    f(host_fn::FIELD_GET, &[I32, I32, I32], &[I64]),
    f(host_fn::FIELD_SET, &[I32, I32, I32, I32, I32], &[I32]),
    f(host_fn::FIELD_DELETE, &[I32, I32, I32], &[I32]),
    f(host_fn::EMIT_EVENT, &[I32, I32], &[I32]),
    f(host_fn::READ_RETURN, &[I32], &[]),
    f(host_fn::BALANCE, &[I32], &[I64]),
    f(host_fn::TRANSFER, &[I32, I64], &[I32]),
    f(host_fn::CALL, &[I32, I32, I32, I32, I32], &[I64]),
    f(host_fn::VALUE, &[], &[I64]),
    f(host_fn::SHA256, &[I32, I32, I32], &[]),
    f(host_fn::KECCAK256, &[I32, I32, I32], &[]),
    f(host_fn::ED25519_VERIFY, &[I32, I32, I32, I32], &[I32]),
    f(host_fn::SECP256K1_VERIFY, &[I32, I32, I32, I32], &[I32]),
    f(host_fn::SECP256K1_RECOVER, &[I32, I32, I32, I32], &[I32]),
];

/// The WASI functions govm provides, deterministically (docs/abi.md §9): exactly those Go's
/// `wasip1` runtime imports.
pub const WASI_FUNCTIONS: &[HostFunction] = &[
    f(wasi_fn::ARGS_GET, &[I32, I32], &[I32]),
    f(wasi_fn::ARGS_SIZES_GET, &[I32, I32], &[I32]),
    f(wasi_fn::ENVIRON_GET, &[I32, I32], &[I32]),
    f(wasi_fn::ENVIRON_SIZES_GET, &[I32, I32], &[I32]),
    f(wasi_fn::CLOCK_TIME_GET, &[I32, I64, I32], &[I32]),
    f(wasi_fn::RANDOM_GET, &[I32, I32], &[I32]),
    f(wasi_fn::FD_WRITE, &[I32, I32, I32, I32], &[I32]),
    f(wasi_fn::FD_CLOSE, &[I32], &[I32]),
    f(wasi_fn::FD_FDSTAT_GET, &[I32, I32], &[I32]),
    f(wasi_fn::FD_FDSTAT_SET_FLAGS, &[I32, I32], &[I32]),
    f(wasi_fn::FD_PRESTAT_GET, &[I32, I32], &[I32]),
    f(wasi_fn::FD_PRESTAT_DIR_NAME, &[I32, I32, I32], &[I32]),
    f(wasi_fn::SCHED_YIELD, &[], &[I32]),
    f(wasi_fn::POLL_ONEOFF, &[I32, I32, I32, I32], &[I32]),
    f(wasi_fn::PROC_EXIT, &[I32], &[]),
];

/// The function `module::name` imports, if govm provides it.
pub fn provided(module: &str, name: &str) -> Option<&'static HostFunction> {
    let list = match module {
        HOST_MODULE => HOST_FUNCTIONS,
        WASI_MODULE => WASI_FUNCTIONS,
        _ => return None,
    };
    list.iter().find(|f| f.name == name)
}

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

/// What a valid module holds. Two infos are equal when they describe the same module: the
/// counted `shape` is what one way of reading it learnt (a check counts, a listing does not),
/// not a property that tells modules apart.
#[derive(Clone, Debug, Eq)]
pub struct ModuleInfo {
    /// Size in bytes.
    pub size: usize,
    /// Exported names, in module order.
    pub exports: Vec<String>,
    /// Imports as `module::name`, in module order.
    pub imports: Vec<String>,
    /// The exported functions, in module order: what a host could call.
    pub callable: Vec<String>,
    /// What the structural limits counted (docs/abi.md §6.1), when the module was checked;
    /// `None` when it was only listed ([`module_info`]).
    pub shape: Option<ModuleShape>,
}

impl PartialEq for ModuleInfo {
    fn eq(&self, other: &Self) -> bool {
        (self.size, &self.exports, &self.imports, &self.callable)
            == (other.size, &other.exports, &other.imports, &other.callable)
    }
}

type Signature = (Vec<wasmparser::ValType>, Vec<wasmparser::ValType>);

fn signature(f: &HostFunction) -> Option<Signature> {
    let ty = |t: &WasmType| match t {
        I32 => wasmparser::ValType::I32,
        I64 => wasmparser::ValType::I64,
    };
    Some((
        f.params.iter().map(ty).collect(),
        f.results.iter().map(ty).collect(),
    ))
}

/// `(i32, i64) -> i32`, as docs/abi.md writes signatures.
pub fn describe(f: &HostFunction) -> String {
    let list = |ts: &[WasmType]| {
        ts.iter()
            .map(|t| match t {
                I32 => "i32",
                I64 => "i64",
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match f.results {
        [] => format!("({})", list(f.params)),
        [one] => format!("({}) -> {}", list(f.params), list(&[*one])),
        many => format!("({}) -> ({})", list(f.params), list(many)),
    }
}

fn invalid(e: wasmparser::BinaryReaderError) -> ModuleError {
    ModuleError(format!("invalid wasm: {e}"))
}

/// Checks a module, in one pass and in this order: the wasm header; then section by section,
/// the structural limits of [`MODULE_LIMITS`](crate::MODULE_LIMITS) (counted before the
/// section is validated), validation under [`consensus_features`], imports only from the
/// govm host module and the WASI subset, each with its signature, and before any code is
/// read, the exports `_initialize`, `memory`, `govm_alloc` and one per entry point of `abi`;
/// then each function body, counted against the limits and then validated. The work is
/// linear in the module's size, so a module that cannot pass costs no more than its bytes.
pub fn check_module(wasm: &[u8], abi: &ContractAbi, simd: bool) -> Result<ModuleInfo, ModuleError> {
    if !wasm.starts_with(b"\0asm") {
        return Err(ModuleError("not a wasm module (bad magic number)".into()));
    }
    if wasm.get(4..8) != Some(&[1, 0, 0, 0]) {
        return Err(ModuleError(
            "not a version 1 wasm module (a component, or a future version)".into(),
        ));
    }
    let features = consensus_features(simd);
    let mut validator = wasmparser::Validator::new_with_features(features);
    let mut counter = Counter::new(MODULE_LIMITS);
    let mut listing = Listing::default();
    let mut exports_checked = false;
    let mut functions = 0u64;
    let mut allocations = wasmparser::FuncValidatorAllocations::default();
    let mut parser = wasmparser::Parser::new(0);
    parser.set_features(features);
    for payload in parser.parse_all(wasm) {
        let payload = payload.map_err(invalid)?;
        counter.section(&payload)?;
        let valid = validator.payload(&payload).map_err(invalid)?;
        listing.read(&payload, true)?;
        // Every section that can hold an export comes before the code: a module that does
        // not match its ABI is refused before its code is read.
        if !exports_checked
            && matches!(
                payload,
                wasmparser::Payload::CodeSectionStart { .. } | wasmparser::Payload::End(_)
            )
        {
            required_exports(&listing.exports, abi)?;
            exports_checked = true;
        }
        if let wasmparser::ValidPayload::Func(function, body) = valid {
            counter.body(functions, &body)?;
            functions += 1;
            let mut function = function.into_validator(allocations);
            function.validate(&body).map_err(invalid)?;
            allocations = function.into_allocations();
        }
    }
    Ok(ModuleInfo {
        size: wasm.len(),
        exports: listing.exports,
        imports: listing.imports,
        callable: listing.callable,
        shape: Some(counter.shape()),
    })
}

/// Refuses a module without `_initialize`, `memory`, `govm_alloc` or an export per entry
/// point of `abi`.
fn required_exports(exports: &[String], abi: &ContractAbi) -> Result<(), ModuleError> {
    let exported: HashSet<&str> = exports.iter().map(String::as_str).collect();
    let entry_points = abi.functions.iter().map(|f| f.name.as_str());
    for required in [INITIALIZE_EXPORT, MEMORY_EXPORT, ALLOC_EXPORT]
        .into_iter()
        .chain(entry_points)
    {
        if !exported.contains(required) {
            return Err(ModuleError(format!("missing export `{required}`")));
        }
    }
    Ok(())
}

/// Counts a module's shape ([`ModuleShape`]) as [`check_module`] does, without validating it:
/// for a module that passed the check when it was stored and was read back without its
/// counts. Linear in the module; refused, as the check would refuse it, past the limits.
pub fn module_shape(wasm: &[u8]) -> Result<ModuleShape, ModuleError> {
    let mut counter = Counter::new(MODULE_LIMITS);
    let mut functions = 0u64;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(invalid)?;
        counter.section(&payload)?;
        if let wasmparser::Payload::CodeSectionEntry(body) = &payload {
            counter.body(functions, body)?;
            functions += 1;
        }
    }
    Ok(counter.shape())
}

/// Lists a module's imports and exports without checking it: for showing a stored module
/// that was checked when it entered.
pub fn module_info(wasm: &[u8]) -> Result<ModuleInfo, ModuleError> {
    let mut listing = Listing::default();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| ModuleError(e.to_string()))?;
        listing.read(&payload, false)?;
        if let wasmparser::Payload::CodeSectionStart { .. } = payload {
            // Nothing listed comes after the code.
            break;
        }
    }
    Ok(ModuleInfo {
        size: wasm.len(),
        exports: listing.exports,
        imports: listing.imports,
        callable: listing.callable,
        shape: None,
    })
}

/// A module's imports and exports, read section by section.
#[derive(Default)]
struct Listing {
    exports: Vec<String>,
    callable: Vec<String>,
    imports: Vec<String>,
    types: Vec<Option<Signature>>,
}

impl Listing {
    /// Reads the imports and exports of one payload; `strict` refuses an import govm does not
    /// provide, or one with another signature.
    fn read(&mut self, payload: &wasmparser::Payload<'_>, strict: bool) -> Result<(), ModuleError> {
        let bad = |e: wasmparser::BinaryReaderError| ModuleError(e.to_string());
        match payload {
            wasmparser::Payload::TypeSection(reader) => {
                for group in reader.clone() {
                    for sub in group.map_err(bad)?.into_types() {
                        self.types.push(match &sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => {
                                Some((f.params().to_vec(), f.results().to_vec()))
                            }
                            _ => None,
                        });
                    }
                }
            }
            wasmparser::Payload::ImportSection(reader) => {
                for import in reader.clone().into_imports() {
                    let import = import.map_err(bad)?;
                    if strict {
                        check_import(&import, &self.types)?;
                    }
                    self.imports
                        .push(format!("{}::{}", import.module, import.name));
                }
            }
            wasmparser::Payload::ExportSection(reader) => {
                for export in reader.clone() {
                    let export = export.map_err(bad)?;
                    if export.kind == wasmparser::ExternalKind::Func {
                        self.callable.push(export.name.to_owned());
                    }
                    self.exports.push(export.name.to_owned());
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn check_import(
    import: &wasmparser::Import<'_>,
    types: &[Option<Signature>],
) -> Result<(), ModuleError> {
    let (Some(expected), wasmparser::TypeRef::Func(ty)) =
        (provided(import.module, import.name), import.ty)
    else {
        return Err(ModuleError(format!(
            "imports {}::{}, which govm does not provide",
            import.module, import.name
        )));
    };
    if types.get(ty as usize) != Some(&signature(expected)) {
        return Err(ModuleError(format!(
            "imports {}::{} with the wrong signature (expected {})",
            import.module,
            import.name,
            describe(expected)
        )));
    }
    Ok(())
}

/// A module that passed [`check_module`], with what the check learnt: made only by checking,
/// so code that takes one needs no second check. Valid under the feature set it was checked
/// with and every larger one (a module checked without SIMD also runs with SIMD on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedModule {
    wasm: Vec<u8>,
    info: ModuleInfo,
    simd: bool,
}

impl CheckedModule {
    /// Checks `wasm` against `abi` (see [`check_module`]).
    pub fn check(wasm: Vec<u8>, abi: &ContractAbi, simd: bool) -> Result<Self, ModuleError> {
        let info = check_module(&wasm, abi, simd)?;
        Ok(Self { wasm, info, simd })
    }

    /// Checks a module that comes from outside (a deploy of prebuilt wasm): [`check_module`],
    /// and no callable export beyond the ABI's entry points and the module interface's own
    /// (`_initialize`, `govm_alloc`), so that nothing but an entry point can ever be called.
    pub fn check_prebuilt(
        wasm: Vec<u8>,
        abi: &ContractAbi,
        simd: bool,
    ) -> Result<Self, ModuleError> {
        let checked = Self::check(wasm, abi, simd)?;
        let allowed: HashSet<&str> = [INITIALIZE_EXPORT, ALLOC_EXPORT]
            .into_iter()
            .chain(abi.functions.iter().map(|f| f.name.as_str()))
            .collect();
        if let Some(extra) = checked
            .info
            .callable
            .iter()
            .find(|name| !allowed.contains(name.as_str()))
        {
            return Err(ModuleError(format!(
                "exports the function `{extra}`, which is neither an entry point of the source nor part of the module interface"
            )));
        }
        Ok(checked)
    }

    /// Bytes that passed [`check_module`] (with `simd` as given) when they were stored, read
    /// back from a store that verifies its own integrity, such as the compiler's artifact
    /// cache (each artifact carries its sha256): listed again, not validated again. Bytes of
    /// any other origin go through [`CheckedModule::check`].
    pub fn stored(wasm: Vec<u8>, simd: bool) -> Result<Self, ModuleError> {
        let info = module_info(&wasm)?;
        Ok(Self { wasm, info, simd })
    }

    /// The module's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.wasm
    }

    /// Its size, imports and exports.
    pub fn info(&self) -> &ModuleInfo {
        &self.info
    }

    /// What the module check counted ([`ModuleShape`]): from the check itself, or counted
    /// again for a module read back from a store (whose listing does not count).
    pub fn shape(&self) -> Result<ModuleShape, ModuleError> {
        match self.info.shape {
            Some(shape) => Ok(shape),
            None => module_shape(&self.wasm),
        }
    }

    /// Whether it was checked with SIMD allowed.
    pub fn simd(&self) -> bool {
        self.simd
    }

    /// The module's bytes, taken out.
    pub fn into_bytes(self) -> Vec<u8> {
        self.wasm
    }
}

//! The govm wire format: everything that crosses the boundary between a Rust host and a Go
//! contract.
//!
//! - [`Address`], [`ObjectId`], [`Hash`](struct@Hash): fixed-size identifiers with `0x`-hex text
//!   forms.
//! - [`Type`] and [`Value`]: the types an entry point may take and return (basic types,
//!   fixed arrays, slices, maps and the contract's structs), their SCALE encoding ([`Codec`],
//!   whose decoding builds at most [`decoded_size_limit`] of its input) and their JSON form
//!   ([`Codec::from_json`], [`Value::to_json`]).
//! - [`ContractAbi`]: what a contract exports (functions, structs, events), with a stable
//!   JSON form.
//! - [`Envelope`]: the status and payload an entry point returns.
//! - The module interface ([`check_module`], [`HOST_FUNCTIONS`], [`MODULE_LIMITS`]): the wasm
//!   features, imports and exports a contract module has, and how much it may hold. The Go
//!   side (SDK and wrapper) is `govm-sdk`'s.
//!
//! The byte-level specification is `docs/abi.md`.
//!
//! ```
//! use govm_abi::{decode_values, encode_values, Address, Type, Value};
//!
//! let types = [Type::Address, Type::Slice(Box::new(Type::U64))];
//! let args = [Value::Address(Address([1; 20])), Value::list([1000u64, 2000])];
//! let bytes = encode_values("argument", &types, &args).unwrap();
//! assert_eq!(bytes.len(), 20 + 1 + 2 * 8);
//! assert_eq!(decode_values("argument", &types, &bytes).unwrap(), args);
//! ```
#![deny(missing_docs)]

mod codec;
mod decode;
mod envelope;
mod error;
mod json;
mod limits;
mod model;
mod module;
#[cfg(test)]
mod strategies;
mod tagged;
mod types;
mod value;
mod walk;

pub use codec::{Codec, decode_values, encode_values};
pub use envelope::Envelope;
pub use error::{Error, Result};
pub use limits::{MODULE_LIMITS, ModuleLimits, ModuleShape};
pub use model::{
    ABI_VERSION, COMPOSITE_TAG, ContractAbi, EventDef, Function, MAX_ARRAY_LEN, MAX_TYPE_DEPTH,
    Param, StructDef, Type,
};
pub use module::{
    ALLOC_EXPORT, CheckedModule, HOST_FUNCTIONS, HOST_MODULE, HostFunction, INITIALIZE_EXPORT,
    MEMORY_EXPORT, ModuleError, ModuleInfo, WASI_FUNCTIONS, WASI_MODULE, WasmFeatures, WasmType,
    check_module, consensus_features, describe, host_fn, module_info, module_shape, provided,
    wasi_fn,
};

/// The Go import path of the SDK contracts import.
pub const SDK_IMPORT_PATH: &str = "github.com/govm-net/vm";

/// The Go import path of the SDK's `core` package: the upstream govm API, package-level
/// functions over the same host, for contracts written without a `vm.Context` parameter.
pub const CORE_IMPORT_PATH: &str = "github.com/govm-net/vm/core";

/// The longest name, in bytes, that enters an ABI: the package's, an entry point's, a
/// parameter's, a struct's or a struct field's. The validator refuses a longer one: every
/// decoded struct value copies its fields' names, so their length must stay small next to
/// the bytes that encode the value (docs/abi.md §1).
pub const MAX_NAME_LEN: usize = 64;

/// Prefix of every identifier the generated wrapper declares at package level; contracts may
/// not use it. The wrapper also declares the methods `GovmType`, `GovmEncode` and
/// `GovmDecode` on the contract's structs.
pub const RESERVED_PREFIX: &str = "govm_";
pub use types::{Address, Hash, ObjectId};
pub use value::{FromValue, U256, Value};
pub use walk::decoded_size_limit;

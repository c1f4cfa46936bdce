//! The govm wire format: everything that crosses the boundary between a Rust host and a Go
//! contract.
//!
//! - [`Address`], [`ObjectId`], [`Hash`](struct@Hash): fixed-size identifiers with `0x`-hex text
//!   forms.
//! - [`Type`] and [`Value`]: the types an entry point may take and return (basic types,
//!   fixed arrays, slices, maps and the contract's structs), their SCALE encoding ([`Codec`])
//!   and their JSON form ([`Codec::from_json`], [`Value::to_json`]).
//! - [`ContractAbi`]: what a contract exports (functions, structs, events), with a stable
//!   JSON form.
//! - [`Envelope`]: the status and payload an entry point returns.
//! - [`generate_wrapper`] and [`SDK_FILES`]: the Go side, generated and embedded.
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
mod envelope;
mod error;
mod json;
mod model;
mod module;
mod sdk;
mod types;
mod value;
mod wrapper;

pub use codec::{Codec, decode_values, encode_values};
pub use envelope::Envelope;
pub use error::{Error, Result};
pub use model::{
    ABI_VERSION, COMPOSITE_TAG, ContractAbi, EventDef, Function, MAX_ARRAY_LEN, MAX_TYPE_DEPTH,
    Param, StructDef, Type,
};
pub use module::{
    HOST_FUNCTIONS, HOST_MODULE, ModuleError, ModuleInfo, WASI_FUNCTIONS, WASI_MODULE,
    WasmFeatures, check_module, consensus_features,
};
pub use sdk::{SDK_FILES, SDK_IMPORT_PATH, SDK_TEST_FILES, write_sdk};
pub use types::{Address, Hash, ObjectId};
pub use value::{FromValue, Value};
pub use wrapper::{ALLOC_EXPORT, RESERVED_PREFIX, generate_wrapper};

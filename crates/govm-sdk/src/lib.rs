//! The Go side of govm: the SDK contracts import (`github.com/govm-net/vm`, embedded so that
//! every build uses exactly the SDK this host speaks to), its test support for native builds
//! (`vmtest`, docs/testing.md), and [`generate_wrapper`], the Go `main` package that exports a
//! contract's entry points to wasm.
//!
//! The wrapper runs on the SDK's internal package `entry` (argument buffers, the result
//! envelope, the call's Context), which contracts cannot import.
//!
//! ```
//! use govm_abi::{ContractAbi, Function};
//!
//! let abi = ContractAbi::new(
//!     "demo",
//!     vec![Function { name: "Ping".into(), context: false, params: vec![], results: vec![], error: false }],
//! );
//! let wrapper = govm_sdk::generate_wrapper(&abi);
//! assert!(wrapper.contains("//go:wasmexport Ping"));
//! ```
#![deny(missing_docs)]

mod sdk;
mod wrapper;

pub use sdk::{CONTRACT_MODULE_PATH, ENTRY_IMPORT_PATH, SDK_FILES, SDK_TEST_FILES, write_sdk};
pub use wrapper::generate_wrapper;

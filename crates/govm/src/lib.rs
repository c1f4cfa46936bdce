//! govm: deploy and run smart contracts written in Go.
//!
//! A contract is one Go source file whose exported package-level functions are its entry
//! points. [`Engine::deploy_with_options`] validates it, compiles it to wasm with TinyGo or
//! Go, and registers it at a deterministic address; [`Engine::execute_with_args`] runs an
//! entry point in a fresh, metered wasm instance and commits its writes atomically.
//!
//! Two halves, one crate. Running contracts (validation, [`Engine::deploy_prebuilt`] of a
//! module built elsewhere, execute, query, blocks) needs no toolchain. Building them
//! (`deploy` from source, `build`, `verify`, the Go SDK's files) is the default feature
//! `build`, which brings `govm-compiler` and `govm-sdk`: an embedder that only runs contracts,
//! as a chain node does, turns it off (`default-features = false`).
//!
//! ```
//! use govm::{Address, CallContext, Config, ContractOptions, DeployOptions, Engine, Error, Value};
//!
//! let source = r#"
//! package counter
//!
//! import "github.com/govm-net/vm"
//!
//! // Add adds n to the total kept in the contract's own object and returns it.
//! func Add(ctx vm.Context, n uint64) (uint64, error) {
//!     obj, err := ctx.GetObject(vm.ObjectID{})
//!     if err != nil {
//!         return 0, err
//!     }
//!     var total uint64
//!     _ = obj.Get("total", &total)
//!     total += n
//!     if err := obj.Set("total", total); err != nil {
//!         return 0, err
//!     }
//!     ctx.Log("Added", "n", n, "total", total)
//!     return total, nil
//! }
//! "#;
//!
//! // In memory; `StateBackend::Redb` keeps state on disk. Compiled modules are cached in
//! // `config.cache_dir` (by default the user's cache folder).
//! let engine = Engine::new(Config::default())?;
//! let deployer = Address([1; 20]);
//! let options = DeployOptions {
//!     deployer,
//!     // The contract's own limits, stored with it; `None` takes the engine's defaults.
//!     options: Some(ContractOptions { fuel_limit: 10_000_000, ..engine.default_options() }),
//!     ..DeployOptions::default()
//! };
//! let deployment = engine.deploy_with_options(source.as_bytes(), &options)?;
//! let counter = deployment.address;
//! println!("deployed at {counter}; package initialisation cost {} gas", deployment.init_gas);
//!
//! // A call commits its writes when it succeeds.
//! let ctx = CallContext::new(deployer);
//! let outcome = engine.execute_with_args(&ctx, counter, "Add", &[Value::U64(5)])?;
//! assert_eq!(outcome.result::<u64>()?, 5);
//! assert_eq!(outcome.events[0].name, "Added");
//!
//! // A query runs the same way but never writes.
//! let query = engine.query(&ctx, counter, "Add", &[Value::U64(100)])?;
//! assert_eq!(query.result::<u64>()?, 105);
//! assert_eq!(engine.execute_with_args(&ctx, counter, "Add", &[Value::U64(1)])?.result::<u64>()?, 6);
//!
//! // Failures say which: here an argument that does not fit the ABI.
//! match engine.execute_with_args(&ctx, counter, "Add", &["five".into()]) {
//!     Err(Error::Abi(e)) => println!("refused: {e}"),
//!     other => panic!("{other:?}"),
//! }
//!
//! // A block: calls in one transaction, committed together, with the new state hash.
//! let mut block = engine.begin_block(2, 1_700_000_010);
//! block.execute_with_args(deployer, 1_000_000, counter, "Add", &[Value::U64(1)])?;
//! let state_hash = block.commit()?;
//! println!("state hash after block 2: {state_hash}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod block;
#[cfg(feature = "build")]
mod builder;
mod class;
mod config;
mod engine;
mod error;
mod json;
mod records;

pub use block::{Block, FinalizedBlock};
pub use class::Class;
pub use config::{
    CallContext, Config, DeployOptions, Deployment, EventRecord, Outcome, StateBackend,
};
pub use engine::Engine;
pub use error::{Error, Result};
pub use govm_abi::{
    Address, CheckedModule, ContractAbi, FromValue, Function, Hash, ModuleShape, ObjectId, Param,
    Type, Value, module_shape,
};
#[cfg(feature = "build")]
pub use govm_sdk::write_sdk;
pub use json::fields_json;
pub use records::{ContractInfo, ObjectRecord};

#[cfg(feature = "build")]
pub use govm_compiler::{Error as CompileError, ToolchainConfig};
pub use govm_runtime::gas::{compile_gas, deploy_gas};
pub use govm_runtime::{
    ContractOptions, Error as CallError, LogLevel, MAX_MEMORY_LIMIT, MAX_RESULT_SIZE,
    MAX_TIMEOUT_MS, MIN_MEMORY_LIMIT, RuntimeConfig, WasiOptions,
};
pub use govm_state::{Error as StateError, ObjectCursor, State, Transaction};
pub use govm_validate::{Diagnostic, Rejected, SourceError};

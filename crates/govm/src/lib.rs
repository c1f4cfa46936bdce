//! govm: deploy and run smart contracts written in Go.
//!
//! A contract is one Go source file whose exported package-level functions are its entry
//! points. [`Engine::deploy_with_options`] validates it, compiles it to wasm with TinyGo or
//! Go, and registers it at a deterministic address; [`Engine::execute_with_args`] runs an
//! entry point in a fresh, metered wasm instance and commits its writes atomically.
//!
//! ```no_run
//! use govm::{Address, CallContext, Config, DeployOptions, Engine};
//!
//! let engine = Engine::new(Config::default())?;
//! let deployer = Address([1; 20]);
//! let source = std::fs::read("testdata/contracts/token/token.go")?;
//! let options = DeployOptions { deployer, ..DeployOptions::default() };
//! let token = engine.deploy_with_options(&source, &options)?.address;
//!
//! let ctx = CallContext::new(deployer);
//! let init = engine.execute_with_args(&ctx, token, "Initialize", &[1_000_000u64.into()])?;
//! println!("Initialize used {} gas, events: {:?}", init.gas_used, init.events);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod engine;
mod error;

pub use engine::{
    Block, CallContext, Config, ContractInfo, DeployOptions, Deployment, Engine, EventRecord,
    ObjectRecord, Outcome, StateBackend,
};
pub use error::{Error, Result};
pub use govm_abi::{
    Address, ContractAbi, FromValue, Function, Hash, ObjectId, Param, Type, Value, write_sdk,
};

/// Checks a module the way the runtime will before it runs it (see `docs/abi.md`).
pub fn check_module(
    wasm: &[u8],
    abi: &ContractAbi,
) -> std::result::Result<govm_abi::ModuleInfo, govm_abi::ModuleError> {
    govm_abi::check_module(wasm, abi, false)
}
pub use govm_compiler::{Error as CompileError, ToolchainConfig};
pub use govm_runtime::{
    ContractOptions, Error as CallError, LogLevel, MAX_RESULT_SIZE, RuntimeConfig, WasiOptions,
};
pub use govm_state::State;
pub use govm_validate::{Diagnostic, Rejected};

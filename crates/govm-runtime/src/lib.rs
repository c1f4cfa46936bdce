//! Deterministic, metered, isolated execution of govm contracts.
//!
//! [`Runtime`] owns wasmtime engines configured for consensus (fuel metering, epoch
//! deadlines, NaN canonicalisation; threads, reference types and multi-memory off, SIMD only
//! for contracts that enable it), the `govm` host functions over a
//! [`govm_state::Transaction`], and a deterministic WASI preview 1. [`Runtime::prepare`]
//! (at deploy) runs Go's `_initialize` once under the contract's [`ContractOptions`] and
//! snapshots the instance with wasmtime-wizer; every call then gets a fresh instance made
//! from that snapshot (pooled, copy-on-write), runs under the smaller of the caller's fuel and
//! the contract's fuel limit, and reports all the fuel it consumed, host costs included, as
//! its gas (see [`gas`]).
//!
//! ```no_run
//! use govm_abi::Address;
//! use govm_runtime::{Invocation, Runtime, RuntimeConfig};
//! use govm_state::State;
//!
//! let runtime = Runtime::new(RuntimeConfig::default())?;
//! let state = State::in_memory();
//! let invocation = Invocation {
//!     args: &[],
//!     sender: Address([2; 20]),
//!     block_height: 1,
//!     block_time: 1_700_000_000,
//!     fuel_limit: 10_000_000,
//!     value: 0,
//! };
//! let contract = Address([1; 20]);
//! let (_tx, outcome) = runtime.call(state.begin(), contract, "GetBalance", &invocation);
//! println!("{:?} used {} gas", outcome.result, outcome.gas_used);
//! # Ok::<(), govm_runtime::Error>(())
//! ```
#![deny(missing_docs)]

#[cfg(feature = "bench")]
mod bench;
mod call;
mod engines;
mod env;
mod error;
pub mod gas;
mod host;
mod memory;
mod modules;
mod options;
mod request;
mod runtime;
mod snapshot;
mod stats;
#[cfg(test)]
mod tidy;
mod trap;
mod wasi;
mod wasi_state;

#[cfg(feature = "bench")]
pub use bench::WarmInstance;
pub use call::INLINE_STACK_SIZE;
pub use error::{Error, Result};
pub use host::MAX_CALL_DEPTH;
pub use modules::{ModuleSource, Prepared};
pub use options::{
    ContractOptions, LogLevel, MAX_MEMORY_LIMIT, MAX_TABLE_SIZE, MAX_TIMEOUT_MS, MIN_MEMORY_LIMIT,
    STACK_SIZE_RANGE, WasiOptions,
};
pub use request::{CallOutcome, EmittedEvent, Invocation, MAX_CALL_EVENTS_SIZE, MAX_RESULT_SIZE};
pub use runtime::{Contract, Entry, Runtime, RuntimeConfig};
pub use stats::Stats;
pub use wasi_state::DEBUG_OUTPUT_CAP;

//! What a call takes and what it gives.

use govm_abi::{Address, Value};

use crate::error::Result;

/// The largest result envelope a call may return, in bytes (nested calls included).
pub const MAX_RESULT_SIZE: usize = 1 << 20;

/// The most decoded size ([`EmittedEvent::decoded_size`]) of the events one call keeps, its
/// nested calls' included: an event past it is refused (`emit_event` answers "limit
/// exceeded"), so that what a call holds for its caller is bounded whatever fuel it has.
pub const MAX_CALL_EVENTS_SIZE: u64 = 16 << 20;

/// A call's inputs beside the contract and entry point it runs: see
/// [`Runtime::call`](crate::Runtime::call) and [`Runtime::call_entry`](crate::Runtime::call_entry).
#[derive(Clone, Copy, Debug)]
pub struct Invocation<'a> {
    /// The SCALE-encoded arguments.
    pub args: &'a [u8],
    /// Who calls.
    pub sender: Address,
    /// The block height the call executes in.
    pub block_height: u64,
    /// The block time, in Unix seconds.
    pub block_time: i64,
    /// The most fuel the call may use (capped by the contract's own `fuel_limit`).
    pub fuel_limit: u64,
    /// Native value the call carries: moved from the sender to the contract before the entry
    /// point runs (a failed call's writes, this move included, are discarded by the caller).
    /// Nested calls carry none.
    pub value: u64,
}

/// An event a call emitted, with its fields decoded: the host decodes them once, when the
/// contract emits the event (one whose fields do not decode is refused then), with the ABI
/// the emitting contract runs with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmittedEvent {
    /// The contract that emitted it.
    pub contract: Address,
    /// Its name.
    pub name: String,
    /// Its fields, in order.
    pub fields: Vec<(String, Value)>,
}

impl EmittedEvent {
    /// Its decoded size (docs/abi.md §1: its name, and each field's key and value by the
    /// rule of [`Value::decoded_size`](govm_abi::Value::decoded_size)): what it holds in
    /// memory until whoever reports it is done.
    pub fn decoded_size(&self) -> u64 {
        self.fields
            .iter()
            .fold(self.name.len() as u64, |n, (k, v)| {
                n.saturating_add(24 + k.len() as u64)
                    .saturating_add(v.decoded_size())
            })
    }
}

/// What a call produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallOutcome {
    /// The SCALE-encoded results, or why the call failed.
    pub result: Result<Vec<u8>>,
    /// Fuel used by the call, host costs and nested calls included.
    pub gas_used: u64,
    /// What the contract wrote to stdout and stderr (capped; see `LogLevel`).
    pub debug_output: String,
    /// The events the call emitted, its nested calls' included, in the order the
    /// transaction holds them: the events a call's transaction gained. Empty when the call
    /// failed (its events go with its writes); a failed nested call's are not here, as they
    /// are not in the transaction.
    pub events: Vec<EmittedEvent>,
}

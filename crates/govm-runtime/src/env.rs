//! What one call's host functions see: the per-call host state, where the call sits in a
//! chain of cross-contract calls, and the memory and table limiter.

use std::sync::Arc;
use std::time::{Duration, Instant};

use govm_abi::{Address, ContractAbi};
use govm_state::{AddressBytes, Transaction};
use wasmtime::{Memory, ResourceLimiter};

use crate::LogLevel;
use crate::options::ContractOptions;
use crate::request::{CallOutcome, EmittedEvent, Invocation};
use crate::trap::{HostTrap, Seen, trap};
use crate::wasi_state::WasiState;

/// How often the engines' epoch advances; deadlines are rounded up to whole ticks.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Epoch ticks from now until `deadline`, rounded up.
pub(crate) fn ticks_until(deadline: Instant) -> u64 {
    let remaining = deadline.saturating_duration_since(Instant::now());
    (remaining.as_millis() as u64).div_ceil(EPOCH_TICK.as_millis() as u64) + 1
}

/// Where a call sits in a chain of cross-contract calls.
#[derive(Clone, Debug)]
pub(crate) struct Frame {
    /// 0 for the outermost call.
    pub(crate) depth: usize,
    /// The contracts running below this one, outermost first.
    pub(crate) callers: Vec<AddressBytes>,
    /// When this call must be done by: its own contract's timeout, within its callers'.
    pub(crate) deadline: Option<Instant>,
    /// The decoded size of the events its callers keep already: this call's own count on top
    /// of it toward [`crate::MAX_CALL_EVENTS_SIZE`], which bounds the outermost call's.
    pub(crate) events_held: u64,
}

impl Frame {
    /// The frame of an outermost call.
    pub(crate) fn outermost(deadline: Option<Instant>) -> Self {
        Self {
            depth: 0,
            callers: Vec::new(),
            deadline,
            events_held: 0,
        }
    }
}

/// What the `call` host function needs of the runtime: running another contract, nested.
/// The one way back from a host function into the call path.
pub(crate) trait NestedCalls: Send + Sync {
    /// Runs `function` of `contract` in a fresh instance on a thread of its own, and returns
    /// the transaction, the outcome, and how long preparing the callee's module took (not the
    /// caller's time).
    fn call_nested(
        self: Arc<Self>,
        tx: Transaction,
        contract: Address,
        function: &str,
        invocation: &Invocation<'_>,
        frame: Frame,
    ) -> (Transaction, CallOutcome, Duration);
}

/// What the host functions tell a contract about its call.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CallInfo {
    /// The running contract.
    pub(crate) contract: AddressBytes,
    pub(crate) sender: AddressBytes,
    pub(crate) block_height: u64,
    pub(crate) block_time: i64,
    /// The native value the call carries.
    pub(crate) value: u64,
}

impl CallInfo {
    /// What package initialisation runs with: no contract and no call yet (nothing can ask:
    /// the host functions are refused while it runs).
    pub(crate) const INITIALIZE: Self = Self {
        contract: [0; 20],
        sender: [0; 20],
        block_height: 0,
        block_time: 0,
        value: 0,
    };

    /// A call of `contract` with `invocation`.
    pub(crate) fn new(contract: Address, invocation: &Invocation<'_>) -> Self {
        Self {
            contract: contract.0,
            sender: invocation.sender.0,
            block_height: invocation.block_height,
            block_time: invocation.block_time,
            value: invocation.value,
        }
    }
}

/// Everything one call's host functions see.
pub(crate) struct HostState {
    /// The transaction; lent to a nested call while it runs (the only time it is `None`, and
    /// this call's code cannot run then).
    pub(crate) tx: Option<Transaction>,
    /// The runtime, for nested calls (none while `_initialize` runs at deploy).
    pub(crate) nested: Option<Arc<dyn NestedCalls>>,
    pub(crate) frame: Frame,
    /// Set while Go's `_initialize` runs: the govm host functions refuse to work.
    pub(crate) initializing: bool,
    /// The running contract's ABI: its structs give composite field and event values meaning.
    pub(crate) abi: Arc<ContractAbi>,
    pub(crate) call: CallInfo,
    /// The events this call and its nested calls emitted, decoded (see
    /// [`CallOutcome::events`]).
    pub(crate) events: Vec<EmittedEvent>,
    /// The decoded size of `events` and of the events its callers keep already
    /// (`Frame::events_held`), held to [`crate::MAX_CALL_EVENTS_SIZE`].
    pub(crate) events_size: u64,
    /// The contract's wall-clock limit, for the error a deadline becomes.
    pub(crate) timeout_ms: u64,
    /// The contract's own fuel limit (what package initialisation runs under).
    pub(crate) fuel_limit: u64,
    pub(crate) memory: Option<Memory>,
    /// Data a host function produced for the contract to fetch with `read_return`.
    pub(crate) ret: Vec<u8>,
    pub(crate) limiter: Limiter,
    /// The call's clock, randomness, output and log level.
    pub(crate) wasi: WasiState,
}

impl HostState {
    /// The state one call starts in, every field set once: `call` and `wasi` are the call's
    /// (with snapshots off, `call::instantiate` lends the WASI state to package
    /// initialisation for a moment).
    pub(crate) fn for_call(
        tx: Transaction,
        nested: Arc<dyn NestedCalls>,
        frame: Frame,
        abi: &Arc<ContractAbi>,
        options: &ContractOptions,
        call: CallInfo,
        wasi: WasiState,
    ) -> Self {
        Self::new(Some(tx), Some(nested), frame, abi, options, call, wasi)
    }

    /// The state Go's `_initialize` runs in at deploy: no transaction, no runtime to call,
    /// the fixed clock and seed, `options.fuel_limit` to run under.
    pub(crate) fn for_initialize(
        frame: Frame,
        abi: &Arc<ContractAbi>,
        options: &ContractOptions,
        log_level: LogLevel,
    ) -> Self {
        let wasi = WasiState::for_initialize(log_level);
        Self::new(None, None, frame, abi, options, CallInfo::INITIALIZE, wasi)
    }

    /// A state with package initialisation still to run (or, from a snapshot, just made):
    /// the govm host functions refuse to work until the call path says it is done.
    pub(crate) fn new(
        tx: Option<Transaction>,
        nested: Option<Arc<dyn NestedCalls>>,
        frame: Frame,
        abi: &Arc<ContractAbi>,
        options: &ContractOptions,
        call: CallInfo,
        wasi: WasiState,
    ) -> Self {
        Self {
            tx,
            nested,
            events_size: frame.events_held,
            frame,
            abi: Arc::clone(abi),
            call,
            events: Vec::new(),
            timeout_ms: options.timeout_ms,
            fuel_limit: options.fuel_limit,
            memory: None,
            ret: Vec::new(),
            limiter: Limiter {
                memory_limit: options.memory_limit as usize,
                table_limit: options.table_size as usize,
                memory_limit_hit: false,
            },
            wasi,
            initializing: true,
        }
    }

    pub(crate) fn tx(&self) -> wasmtime::Result<&Transaction> {
        self.tx.as_ref().ok_or_else(lent)
    }

    pub(crate) fn tx_mut(&mut self) -> wasmtime::Result<&mut Transaction> {
        self.tx.as_mut().ok_or_else(lent)
    }

    /// What a failure is classified with.
    pub(crate) fn seen(&self) -> Seen<'_> {
        Seen {
            timeout_ms: self.timeout_ms,
            memory_limit: self.limiter.memory_limit,
            memory_limit_hit: self.limiter.memory_limit_hit,
            stderr_head: &self.wasi.stderr_head,
        }
    }
}

fn lent() -> wasmtime::Error {
    trap(HostTrap::State(
        "the transaction is lent to a nested call".into(),
    ))
}

impl std::fmt::Debug for HostState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostState")
            .field("contract", &Address(self.call.contract))
            .field("sender", &Address(self.call.sender))
            .finish_non_exhaustive()
    }
}

/// Enforces the memory and table limits and remembers whether the memory limit was hit, so
/// that the resulting trap can be reported as a memory limit.
pub(crate) struct Limiter {
    pub(crate) memory_limit: usize,
    pub(crate) table_limit: usize,
    pub(crate) memory_limit_hit: bool,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_limit {
            self.memory_limit_hit = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= self.table_limit)
    }
}

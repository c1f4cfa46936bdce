//! What one call's host functions see: the per-call host state, where the call sits in a
//! chain of cross-contract calls, and the memory and table limiter.

use std::sync::Arc;
use std::time::{Duration, Instant};

use govm_abi::{Address, ContractAbi};
use govm_state::{AddressBytes, Transaction};
use wasmtime::{Memory, ResourceLimiter};

use crate::LogLevel;
use crate::options::ContractOptions;
use crate::request::{CallOutcome, CallRequest};
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
}

impl Frame {
    /// The frame of an outermost call.
    pub(crate) fn outermost(deadline: Option<Instant>) -> Self {
        Self {
            depth: 0,
            callers: Vec::new(),
            deadline,
        }
    }
}

/// What the `call` host function needs of the runtime: running another contract, nested.
/// The one way back from a host function into the call path.
pub(crate) trait NestedCalls: Send + Sync {
    /// Runs `req` in a fresh instance on a thread of its own, and returns the transaction,
    /// the outcome, and how long preparing the callee's module took (not the caller's time).
    fn call_nested(
        self: Arc<Self>,
        tx: Transaction,
        req: &CallRequest<'_>,
        frame: Frame,
    ) -> (Transaction, CallOutcome, Duration);
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
    /// Every contract that ran in this call and its nested calls, with its ABI: what the
    /// call's events are decoded with.
    pub(crate) ran: Vec<(Address, Arc<ContractAbi>)>,
    pub(crate) contract: AddressBytes,
    pub(crate) sender: AddressBytes,
    pub(crate) block_height: u64,
    pub(crate) block_time: i64,
    /// The native value the call carries.
    pub(crate) value: u64,
    /// The contract's wall-clock limit, for the error a deadline becomes.
    pub(crate) timeout_ms: u64,
    /// The contract's own fuel limit (what package initialisation runs under).
    pub(crate) fuel_limit: u64,
    pub(crate) memory: Option<Memory>,
    /// Data a host function produced for the contract to fetch with `read_return`.
    pub(crate) ret: Vec<u8>,
    pub(crate) limiter: Limiter,
    pub(crate) wasi: WasiState,
    pub(crate) log_level: LogLevel,
}

impl HostState {
    /// The state of a call of `req.contract` (or of `_initialize`, with no transaction),
    /// with the clock and seed of package initialisation until the call sets its own.
    pub(crate) fn new(
        tx: Option<Transaction>,
        frame: Frame,
        abi: &Arc<ContractAbi>,
        options: &ContractOptions,
        req: &CallRequest<'_>,
        log_level: LogLevel,
    ) -> Self {
        Self {
            tx,
            nested: None,
            frame,
            abi: Arc::clone(abi),
            ran: vec![(req.contract, Arc::clone(abi))],
            contract: req.contract.0,
            sender: req.sender.0,
            block_height: req.block_height,
            block_time: req.block_time,
            value: req.value,
            timeout_ms: options.timeout_ms,
            fuel_limit: options.fuel_limit,
            memory: None,
            ret: Vec::new(),
            limiter: Limiter {
                memory_limit: options.memory_limit as usize,
                table_limit: options.table_size as usize,
                memory_limit_hit: false,
            },
            wasi: WasiState::for_initialize(log_level),
            initializing: true,
            log_level,
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

    /// Remembers the contracts a nested call ran (each once).
    pub(crate) fn add_ran(&mut self, ran: &[(Address, Arc<ContractAbi>)]) {
        for (address, abi) in ran {
            if !self.ran.iter().any(|(a, _)| a == address) {
                self.ran.push((*address, Arc::clone(abi)));
            }
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
            .field("contract", &Address(self.contract))
            .field("sender", &Address(self.sender))
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

//! One call: a fresh instance from the prepared module, the entry point run under the call's
//! fuel and deadline, the arguments copied in and the result envelope read out; on a thread
//! of its own when its wasm stack needs one. Cross-contract calls come back here through
//! [`NestedCalls`].

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use govm_abi::{ALLOC_EXPORT, Address, Envelope};
use govm_state::Transaction;
use sha2::{Digest, Sha256};
use wasmtime::Store;

use crate::engines::Engines;
use crate::engines::new_store;
use crate::env::{CallInfo, Frame, HostState, NestedCalls};
use crate::error::Error;
use crate::gas;
use crate::memory::{charge, read_bytes, write};
use crate::modules::Modules;
use crate::modules::{Loaded, instantiate_memory, run_initialize};
use crate::request::{CallOutcome, Invocation, MAX_RESULT_SIZE};
use crate::stats::Counters;
use crate::trap::{RunError, classify};
use crate::wasi_state::WasiState;

/// The largest wasm stack a call runs with on its caller's thread; a contract with a larger
/// `StackSize` runs on a thread of its own. A thread that calls the runtime needs this much
/// free stack and some room for the host's frames (Rust threads get 2 MiB by default).
pub const INLINE_STACK_SIZE: usize = 512 << 10;
/// Native stack a call thread gets beyond its contract's wasm stack: the host's frames, and
/// a module preparation (`_initialize`) when a call finds its module not yet prepared.
const HOST_STACK_HEADROOM: usize = 2 << 20;

/// What every call, nested ones included, runs with.
pub(crate) struct Shared {
    /// The node's log level: what a call's debug output keeps.
    pub(crate) log_level: crate::LogLevel,
    pub(crate) engines: Engines,
    pub(crate) modules: Modules,
    pub(crate) permits: Permits,
    /// What the runtime counts (see [`crate::Stats`]); shared with `modules`.
    pub(crate) counters: Arc<Counters>,
}

impl NestedCalls for Shared {
    fn call_nested(
        self: Arc<Self>,
        tx: Transaction,
        contract: Address,
        function: &str,
        invocation: &Invocation<'_>,
        frame: Frame,
    ) -> (Transaction, CallOutcome, Duration) {
        call(&self, tx, contract, function, invocation, frame)
    }
}

/// Runs a call by address, outermost or nested: resolves the contract and its entry point,
/// then [`run`]s it.
///
/// Returns how long resolving took (after a restart, a call may have to prepare the module
/// first): that time is not the contracts', so deadlines are moved by it.
pub(crate) fn call(
    shared: &Arc<Shared>,
    tx: Transaction,
    contract: Address,
    function: &str,
    invocation: &Invocation<'_>,
    mut frame: Frame,
) -> (Transaction, CallOutcome, Duration) {
    let started = Instant::now();
    let loaded = shared.modules.resolve(&shared.engines, &tx, &contract);
    let preparation = started.elapsed();
    let loaded = match loaded {
        Ok(l) => l,
        Err(e) => return (tx, failed(e), preparation),
    };
    if loaded.abi.function(function).is_none() {
        let unknown = Error::UnknownFunction {
            name: function.to_owned(),
        };
        return (tx, failed(unknown), preparation);
    }
    frame.deadline = frame.deadline.map(|d| d + preparation);
    let (tx, outcome) = run(shared, tx, contract, &loaded, function, invocation, frame);
    (tx, outcome, preparation)
}

/// Runs `function` (known to be in the ABI) of `contract`, whose prepared module is `loaded`,
/// in a fresh instance.
///
/// An outermost call runs on this thread when its wasm stack fits beside the host's
/// ([`INLINE_STACK_SIZE`]); else on a thread of its own sized for it. A nested call (depth
/// 1 and more) always gets its own thread: wasmtime gives each store its whole `max_wasm_stack`
/// from wherever the native stack pointer is, so nested stores on one thread would add up
/// past any thread's stack.
pub(crate) fn run(
    shared: &Arc<Shared>,
    mut tx: Transaction,
    contract: Address,
    loaded: &Arc<Loaded>,
    function: &str,
    invocation: &Invocation<'_>,
    frame: Frame,
) -> (Transaction, CallOutcome) {
    // The attached value moves first; a call that fails is discarded with it.
    if invocation.value > 0
        && let Err(e) = tx.transfer(&invocation.sender.0, &contract.0, invocation.value)
    {
        let error = match e {
            govm_state::Error::InsufficientBalance { balance, amount } => {
                Error::InsufficientValue {
                    balance,
                    value: amount,
                }
            }
            // A store limit is the call's deterministic failure; only a failing store stops.
            e @ govm_state::Error::LimitExceeded { .. } => {
                Error::Trap(format!("moving the call's value: {e}"))
            }
            other => Error::State(other.to_string()),
        };
        return (tx, failed(error));
    }
    let stack = loaded.options.stack_size as usize;
    let nested = frame.depth > 0;
    if !nested && stack <= INLINE_STACK_SIZE {
        return run_here(shared, tx, contract, loaded, function, invocation, frame);
    }
    // The transaction stays in `slot` unless the thread takes it, so a thread that cannot
    // start loses nothing.
    let mut slot = Some(tx);
    let mut outcome = None;
    let spawned = std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .name("govm-call".into())
            .stack_size(stack + HOST_STACK_HEADROOM)
            .spawn_scoped(s, || {
                if let Some(tx) = slot.take() {
                    let (tx, out) =
                        run_here(shared, tx, contract, loaded, function, invocation, frame);
                    slot = Some(tx);
                    outcome = Some(out);
                }
            });
        match handle {
            Ok(h) => {
                if let Err(panic) = h.join() {
                    std::panic::resume_unwind(panic)
                }
                Ok(())
            }
            Err(e) => Err(e),
        }
    });
    let tx = slot.unwrap_or_else(|| unreachable_tx());
    let out = match (spawned, outcome) {
        (Ok(()), Some(out)) => out,
        (Err(e), _) => failed(Error::Internal(format!("cannot start a call thread: {e}"))),
        (Ok(()), None) => failed(Error::Internal("the call thread ended early".into())),
    };
    (tx, out)
}

/// Runs a call of a prepared module in a fresh instance on this thread.
fn run_here(
    shared: &Arc<Shared>,
    tx: Transaction,
    contract: Address,
    loaded: &Loaded,
    function: &str,
    invocation: &Invocation<'_>,
    mut frame: Frame,
) -> (Transaction, CallOutcome) {
    let options = loaded.options;
    // The contract's own deadline, within its caller's.
    let own = Instant::now() + Duration::from_millis(options.timeout_ms);
    let deadline = frame.deadline.map_or(own, |d| d.min(own));
    frame.deadline = Some(deadline);
    let variant = match shared.engines.variant(&options) {
        Ok(v) => v,
        Err(e) => return (tx, failed(e)),
    };
    let seed = random_seed(contract, function, invocation);
    let wasi = WasiState::new(invocation.block_time, seed, shared.log_level);
    let state = HostState::for_call(
        tx,
        Arc::clone(shared) as Arc<dyn NestedCalls>,
        frame,
        &loaded.abi,
        &options,
        CallInfo::new(contract, invocation),
        wasi,
    );
    let mut store = new_store(&variant.engine, state, deadline);
    let fuel_limit = invocation.fuel_limit.min(options.fuel_limit);
    let mut gas_used = 0;
    let result = instantiate(loaded, &mut store)
        .inspect(|_| shared.counters.instances.add(1))
        .and_then(|instance| {
            let args = invocation.args;
            invoke(
                &instance,
                &mut store,
                function,
                args,
                fuel_limit,
                &mut gas_used,
            )
        })
        .map_err(|e| classify(e, store.data().seen()));
    let data = store.into_data();
    let mut debug_output = String::from_utf8_lossy(&data.wasi.output).into_owned();
    if data.wasi.output_truncated {
        debug_output.push_str("\n[output truncated]");
    }
    // A call always gets its transaction back before it returns.
    let tx = data.tx.unwrap_or_else(|| unreachable_tx());
    // A failed call's events go with its writes.
    let events = if result.is_ok() {
        data.events
    } else {
        Vec::new()
    };
    let outcome = CallOutcome {
        result,
        gas_used,
        debug_output,
        events,
    };
    (tx, outcome)
}

/// A fresh instance in the state Go's `_initialize` leaves: made from the snapshot, or (with
/// snapshots off) by running `_initialize` exactly as at deploy (same clock and seed, fuel not
/// charged).
pub(crate) fn instantiate(
    loaded: &Loaded,
    store: &mut Store<HostState>,
) -> Result<wasmtime::Instance, RunError> {
    let instance = if loaded.from_snapshot {
        instantiate_memory(&loaded.pre, store)?
    } else {
        // Package initialisation runs with its own clock and seed; the call's WASI state
        // waits aside, untouched, and comes back when it is done. When initialisation fails,
        // what it printed is the call's debug output.
        let level = store.data().wasi.level();
        let call_wasi =
            std::mem::replace(&mut store.data_mut().wasi, WasiState::for_initialize(level));
        // Package initialisation per call (snapshots off) fails as the call itself would: a
        // deadline stays a deadline.
        let (instance, _) = run_initialize(&loaded.pre, store).map_err(|e| match e {
            Error::Initialization(inner) => *inner,
            other => other,
        })?;
        store.data_mut().wasi = call_wasi;
        instance
    };
    store.data_mut().initializing = false;
    Ok(instance)
}

/// Runs `function` on an instance under `fuel_limit`; the store's state is the call's.
pub(crate) fn invoke(
    instance: &wasmtime::Instance,
    store: &mut Store<HostState>,
    function: &str,
    args: &[u8],
    fuel_limit: u64,
    gas_used: &mut u64,
) -> Result<Vec<u8>, RunError> {
    store.set_fuel(fuel_limit)?;
    let result = call_export(instance, store, function, args);
    *gas_used = fuel_limit - store.get_fuel().unwrap_or(0);
    match Envelope::parse(&result?).map_err(|e| Error::Trap(e.to_string()))? {
        Envelope::Ok(results) => Ok(results),
        Envelope::Error(message) => Err(Error::ContractError { message }.into()),
        Envelope::Panic(message) => Err(Error::Panic { message }.into()),
        Envelope::BadArgs(message) => Err(Error::BadArguments { message }.into()),
    }
}

/// Copies the arguments in (through `govm_alloc`), calls the export and copies the result
/// envelope out; both copies are charged like any host copy.
fn call_export(
    instance: &wasmtime::Instance,
    store: &mut Store<HostState>,
    function: &str,
    args: &[u8],
) -> Result<Vec<u8>, RunError> {
    let len = u32::try_from(args.len()).map_err(|_| Error::BadArguments {
        message: "arguments are too long".into(),
    })?;
    charge(&mut *store, u64::from(len) * gas::PER_BYTE)?;
    let ptr = if len == 0 {
        0
    } else {
        let alloc = instance.get_typed_func::<u32, u32>(&mut *store, ALLOC_EXPORT)?;
        let ptr = alloc.call(&mut *store, len)?;
        write(&mut *store, ptr, args)?;
        ptr
    };
    let entry = instance.get_typed_func::<(u32, u32), u64>(&mut *store, function)?;
    let packed = entry.call(&mut *store, (ptr, len))?;
    let (out_ptr, out_len) = ((packed >> 32) as u32, (packed & 0xffff_ffff) as u32);
    if out_len as usize > MAX_RESULT_SIZE {
        return Err(Error::ResultTooLarge {
            size: out_len as usize,
            limit: MAX_RESULT_SIZE,
        }
        .into());
    }
    Ok(read_bytes(&mut *store, out_ptr, out_len)?)
}

/// The seed of the call's deterministic randomness.
pub(crate) fn random_seed(
    contract: Address,
    function: &str,
    invocation: &Invocation<'_>,
) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"govm/random")
        .chain_update(contract.0)
        .chain_update(invocation.sender.0)
        .chain_update(invocation.block_height.to_le_bytes())
        .chain_update(invocation.block_time.to_le_bytes())
        .chain_update(function.as_bytes())
        .chain_update(invocation.args)
        .finalize()
        .into()
}

/// The outcome of a call refused before any contract ran.
fn failed(error: Error) -> CallOutcome {
    CallOutcome {
        result: Err(error),
        gas_used: 0,
        debug_output: String::new(),
        events: Vec::new(),
    }
}

#[allow(clippy::panic)]
pub(crate) fn unreachable_tx() -> ! {
    panic!("a nested call kept the transaction")
}

/// Counts calls in flight so that the instance pool never runs dry: each outermost call may
/// hold up to `MAX_CALL_DEPTH + 1` instances.
pub(crate) struct Permits {
    free: Mutex<usize>,
    freed: Condvar,
}

pub(crate) struct Permit<'a>(&'a Permits);

impl Permits {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            free: Mutex::new(n),
            freed: Condvar::new(),
        }
    }

    pub(crate) fn acquire(&self) -> Permit<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut free = self.0.free.lock().unwrap_or_else(|e| e.into_inner());
        *free += 1;
        self.0.freed.notify_one();
    }
}

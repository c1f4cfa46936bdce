//! One call: a fresh instance from the prepared module, the entry point run under the call's
//! fuel and deadline, the arguments copied in and the result envelope read out; on a thread
//! of its own when its wasm stack needs one. Cross-contract calls come back here through
//! [`NestedCalls`].

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use govm_abi::{ALLOC_EXPORT, Envelope};
use govm_state::Transaction;
use sha2::{Digest, Sha256};
use wasmtime::Store;

use crate::engines::Engines;
use crate::engines::new_store;
use crate::env::{Frame, HostState, NestedCalls};
use crate::error::Error;
use crate::gas;
use crate::memory::{charge, read_bytes, write};
use crate::modules::Modules;
use crate::modules::{Loaded, instantiate_memory, run_initialize};
use crate::request::{CallOutcome, CallRequest, MAX_RESULT_SIZE};
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
        req: &CallRequest<'_>,
        frame: Frame,
    ) -> (Transaction, CallOutcome, Duration) {
        call(&self, tx, req, frame, true)
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
    req: &CallRequest<'_>,
    mut frame: Frame,
    own_thread: bool,
) -> (Transaction, CallOutcome, Duration) {
    let started = Instant::now();
    let loaded = shared.modules.resolve(&shared.engines, &tx, &req.contract);
    let preparation = started.elapsed();
    let loaded = match loaded {
        Ok(l) => l,
        Err(e) => return (tx, failed(e), preparation),
    };
    if loaded.abi.function(req.function).is_none() {
        let unknown = Error::UnknownFunction {
            name: req.function.to_owned(),
        };
        return (tx, failed(unknown), preparation);
    }
    frame.deadline = frame.deadline.map(|d| d + preparation);
    let (tx, outcome) = run(shared, tx, req, &loaded, frame, own_thread);
    (tx, outcome, preparation)
}

/// Runs an entry point (known to be in the ABI) of a prepared module in a fresh instance.
///
/// The call runs on this thread when its wasm stack fits beside the host's
/// ([`INLINE_STACK_SIZE`]) and `own_thread` is false; else on a thread of its own sized for
/// it. A nested call always gets its own thread: wasmtime gives each store its whole
/// `max_wasm_stack` from wherever the native stack pointer is, so nested stores on one thread
/// would add up past any thread's stack.
pub(crate) fn run(
    shared: &Arc<Shared>,
    mut tx: Transaction,
    req: &CallRequest<'_>,
    loaded: &Arc<Loaded>,
    frame: Frame,
    own_thread: bool,
) -> (Transaction, CallOutcome) {
    // The attached value moves first; a call that fails is discarded with it.
    if req.value > 0
        && let Err(e) = tx.transfer(&req.sender.0, &req.contract.0, req.value)
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
    if !own_thread && stack <= INLINE_STACK_SIZE {
        return run_here(shared, tx, req, frame, loaded);
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
                    let (tx, out) = run_here(shared, tx, req, frame, loaded);
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
    req: &CallRequest<'_>,
    mut frame: Frame,
    loaded: &Loaded,
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
    let log_level = shared.log_level;
    let mut state = HostState::new(Some(tx), frame, &loaded.abi, &options, req, log_level);
    state.nested = Some(Arc::clone(shared) as Arc<dyn NestedCalls>);
    let mut store = new_store(&variant.engine, state, deadline);
    let fuel_limit = req.fuel_limit.min(options.fuel_limit);
    let mut gas_used = 0;
    let result = instantiate(loaded, &mut store)
        .inspect(|_| shared.counters.instances.add(1))
        .and_then(|instance| invoke(&instance, &mut store, req, fuel_limit, &mut gas_used))
        .map_err(|e| classify(e, store.data().seen()));
    let data = store.into_data();
    let mut debug_output = String::from_utf8_lossy(&data.wasi.output).into_owned();
    if data.wasi.output_truncated {
        debug_output.push_str("\n[output truncated]");
    }
    // A call always gets its transaction back before it returns.
    let tx = data.tx.unwrap_or_else(|| unreachable_tx());
    let outcome = CallOutcome {
        result,
        gas_used,
        debug_output,
        contracts: data.ran,
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
        // Package initialisation per call (snapshots off) fails as the call itself would: a
        // deadline stays a deadline.
        run_initialize(&loaded.pre, store)
            .map_err(|e| match e {
                Error::Initialization(inner) => *inner,
                other => other,
            })?
            .0
    };
    store.data_mut().initializing = false;
    Ok(instance)
}

/// Runs one entry point on an instance under `fuel_limit`, with the call's clock and seed.
pub(crate) fn invoke(
    instance: &wasmtime::Instance,
    store: &mut Store<HostState>,
    req: &CallRequest<'_>,
    fuel_limit: u64,
    gas_used: &mut u64,
) -> Result<Vec<u8>, RunError> {
    store.set_fuel(fuel_limit)?;
    let state = store.data_mut();
    state.wasi = WasiState::new(req.block_time, random_seed(req), state.log_level);
    state.sender = req.sender.0;
    state.block_height = req.block_height;
    state.block_time = req.block_time;
    state.value = req.value;
    let result = call_export(instance, store, req);
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
    req: &CallRequest<'_>,
) -> Result<Vec<u8>, RunError> {
    let len = u32::try_from(req.args.len()).map_err(|_| Error::BadArguments {
        message: "arguments are too long".into(),
    })?;
    charge(&mut *store, u64::from(len) * gas::PER_BYTE)?;
    let ptr = if len == 0 {
        0
    } else {
        let alloc = instance.get_typed_func::<u32, u32>(&mut *store, ALLOC_EXPORT)?;
        let ptr = alloc.call(&mut *store, len)?;
        write(&mut *store, ptr, req.args)?;
        ptr
    };
    let entry = instance.get_typed_func::<(u32, u32), u64>(&mut *store, req.function)?;
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
fn random_seed(req: &CallRequest<'_>) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"govm/random")
        .chain_update(req.contract.0)
        .chain_update(req.sender.0)
        .chain_update(req.block_height.to_le_bytes())
        .chain_update(req.block_time.to_le_bytes())
        .chain_update(req.function.as_bytes())
        .chain_update(req.args)
        .finalize()
        .into()
}

/// The outcome of a call refused before any contract ran.
fn failed(error: Error) -> CallOutcome {
    CallOutcome {
        result: Err(error),
        gas_used: 0,
        debug_output: String::new(),
        contracts: Vec::new(),
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

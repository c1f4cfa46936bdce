//! The wasmtime engines configured for consensus (one per stack size and SIMD choice; the
//! default one pooled), their linkers, the epoch ticker that makes deadlines fire, and stores.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;
use std::time::Instant;

use dashmap::DashMap;
use govm_abi::consensus_features;
use wasmtime::{Engine, Linker, Store};

use crate::env::{EPOCH_TICK, HostState, ticks_until};
use crate::error::{Error, Result};
use crate::options::{ContractOptions, MAX_MEMORY_LIMIT, MAX_TABLE_SIZE};
use crate::{gas, host, wasi};

/// The most Cranelift's per-function cache holds (keys and compiled functions) before it
/// starts over.
const FUNCTION_CACHE_BYTES: usize = 64 << 20;

/// How much of a pooled instance's memory (and table) stays mapped between instances.
const KEEP_RESIDENT: usize = 16 << 20;
/// Idle pool slots that keep their resident pages (and their module's image) warm.
const WARM_SLOTS: u32 = 32;

/// Version of the module cache keys, and the engine settings wasmtime's compatibility hash
/// does not cover (it ignores, for one, whether address maps were generated): change it with
/// any setting in `Variant::new`.
pub(crate) const MODULE_CACHE_VERSION: &str =
    "govm-module-4/fuel-priced/epoch/nan-canonicalization/no-address-map/no-backtraces";

/// One wasmtime engine: the consensus configuration for one stack size and SIMD choice.
pub(crate) struct Variant {
    pub(crate) engine: Engine,
    pub(crate) linker: Linker<HostState>,
    /// The engine's Cranelift cache: it serves a deploy's second compile, then is emptied.
    pub(crate) functions: Arc<FunctionCache>,
    /// The digest of the operator prices its code is compiled with
    /// ([`gas::operator_schedule_digest`]): part of every key of its compiled modules.
    pub(crate) gas_schedule: [u8; 32],
}

/// Engines by (stack size, SIMD): the default one is made at start and pooled, the others on
/// first use, on demand.
pub(crate) struct Engines {
    variants: DashMap<(u32, bool), Arc<Variant>>,
    /// Every engine, for the epoch ticker.
    all: Arc<RwLock<Vec<Engine>>>,
    /// Whether the default engine got its pool.
    pub(crate) pooled: bool,
    default: (u32, bool),
    _ticker: Ticker,
}

impl Engines {
    /// The default engine for `default` options (pooled with `pool` slots when given and
    /// possible) and the epoch ticker.
    pub(crate) fn new(default: &ContractOptions, pool: Option<u32>) -> Result<Self> {
        let key = (default.stack_size, default.enable_simd);
        let (variant, pooled) = match pool {
            Some(slots) => match Variant::new(key, Some(slots)) {
                Ok(v) => (v, true),
                Err(_) => (Variant::new(key, None)?, false),
            },
            None => (Variant::new(key, None)?, false),
        };
        let all = Arc::new(RwLock::new(vec![variant.engine.clone()]));
        // Without the ticker no deadline would ever fire.
        let ticker = Ticker::start(Arc::clone(&all))
            .map_err(|e| Error::Internal(format!("cannot start the epoch thread: {e}")))?;
        Ok(Self {
            variants: DashMap::from_iter([(key, Arc::new(variant))]),
            all,
            pooled,
            default: key,
            _ticker: ticker,
        })
    }

    /// The engine for a contract's stack size and SIMD choice.
    pub(crate) fn variant(&self, options: &ContractOptions) -> Result<Arc<Variant>> {
        let key = (options.stack_size, options.enable_simd);
        if let Some(v) = self.variants.get(&key) {
            return Ok(Arc::clone(&v));
        }
        let variant = Arc::new(Variant::new(key, None)?);
        let entry = self.variants.entry(key).or_insert_with(|| {
            if let Ok(mut engines) = self.all.write() {
                engines.push(variant.engine.clone());
            }
            Arc::clone(&variant)
        });
        Ok(Arc::clone(&entry))
    }

    /// The default engine (made with the runtime).
    #[cfg_attr(not(feature = "bench"), allow(dead_code))]
    pub(crate) fn default_engine(&self) -> Option<Engine> {
        self.variants.get(&self.default).map(|v| v.engine.clone())
    }
}

impl Variant {
    /// An engine with exactly the consensus features (SIMD only when asked for), fuel priced
    /// by the gas schedule, epochs and NaN canonicalisation; pooled with `pool` slots when
    /// given.
    fn new((stack_size, simd): (u32, bool), pool: Option<u32>) -> Result<Self> {
        // Threads, GC and the component model are compiled out (wasmtime features off).
        let mut wt = wasmtime::Config::new();
        wt.consume_fuel(true)
            .operator_cost(operator_cost()?)
            .epoch_interruption(true)
            .cranelift_nan_canonicalization(true)
            .wasm_features(!consensus_features(simd), false)
            .wasm_features(consensus_features(simd), true)
            .max_wasm_stack(stack_size as usize)
            // Unused (no async calls), but wasmtime requires it to cover the wasm stack.
            .async_stack_size((stack_size as usize).max(2 << 20))
            .memory_init_cow(true)
            // Errors are classified, never shown as wasm backtraces: no address maps (a
            // smaller compiled module to load and verify) and no backtrace capture on traps.
            .generate_address_map(false)
            .wasm_backtrace_max_frames(None);
        // A deploy compiles twice: the module wizer instrumented for `_initialize`, then the
        // snapshot, whose functions are the same. With Cranelift's incremental cache the second
        // compile reuses the first's functions. The cache changes no compiled byte (its key
        // covers everything a function's code depends on), so no result either.
        let functions = Arc::new(FunctionCache::default());
        wt.enable_incremental_compilation(Arc::clone(&functions) as Arc<dyn wasmtime::CacheStore>)
            .map_err(|e| Error::Internal(format!("engine: {e}")))?;
        if let Some(slots) = pool {
            wt.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pooling(
                slots,
            )));
        }
        let engine = Engine::new(&wt).map_err(|e| Error::Internal(format!("engine: {e}")))?;
        let mut linker = Linker::new(&engine);
        host::add_to_linker(&mut linker).map_err(|e| Error::Internal(e.to_string()))?;
        wasi::add_to_linker(&mut linker).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(Self {
            engine,
            linker,
            functions,
            gas_schedule: gas::operator_schedule_digest(),
        })
    }
}

/// Builds wasmtime's cost table from the gas schedule: every operator at wasmtime's default
/// but SIMD ones at [`gas::SIMD_FUEL`], then [`gas::OPERATOR_PRICES`] in order, and the
/// per-unit prices. An operator name wasmparser does not know is an error (a test builds it).
macro_rules! operator_cost {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        fn operator_cost() -> Result<wasmtime::OperatorCost> {
            let mut cost = wasmtime::OperatorCost::new();
            $(
                if matches!(stringify!($proposal), "simd" | "relaxed_simd") {
                    cost.$op = gas::SIMD_FUEL;
                }
            )*
            for price in gas::OPERATOR_PRICES {
                for name in price.operators {
                    match *name {
                        $( stringify!($op) => cost.$op = price.fuel, )*
                        other => {
                            return Err(Error::Internal(format!(
                                "gas schedule: no wasm operator `{other}`"
                            )));
                        }
                    }
                }
            }
            let v = gas::VARIABLE_PRICES;
            cost.variable.memory_fill_per_byte = v.memory_fill_per_byte;
            cost.variable.memory_copy_per_byte = v.memory_copy_per_byte;
            cost.variable.memory_init_per_byte = v.memory_init_per_byte;
            cost.variable.memory_grow_per_page = v.memory_grow_per_page;
            cost.variable.table_copy_per_element = v.table_copy_per_element;
            cost.variable.table_init_per_element = v.table_init_per_element;
            Ok(cost)
        }
    };
}
wasmparser::for_each_operator!(operator_cost);

/// Cranelift's incremental compilation cache, in memory and bounded by
/// [`FUNCTION_CACHE_BYTES`]: past it, it starts over (a miss costs only a compile). It only
/// pays between the two compiles of one deploy, which empties it when done.
#[derive(Debug, Default)]
pub(crate) struct FunctionCache {
    entries: DashMap<Vec<u8>, Vec<u8>>,
    bytes: AtomicUsize,
}

impl FunctionCache {
    /// Forgets every function (another deploy running meanwhile only compiles more).
    pub(crate) fn clear(&self) {
        self.entries.clear();
        self.bytes.store(0, Ordering::Relaxed);
    }
}

impl wasmtime::CacheStore for FunctionCache {
    fn get(&self, key: &[u8]) -> Option<std::borrow::Cow<'_, [u8]>> {
        self.entries
            .get(key)
            .map(|v| std::borrow::Cow::Owned(v.clone()))
    }

    fn insert(&self, key: &[u8], value: Vec<u8>) -> bool {
        let size = key.len() + value.len();
        if self.bytes.fetch_add(size, Ordering::Relaxed) + size > FUNCTION_CACHE_BYTES {
            self.entries.clear();
            self.bytes.store(size, Ordering::Relaxed);
        }
        self.entries.insert(key.to_vec(), value);
        true
    }
}

/// The pool: `slots` instances, each with room for the largest memory and table a contract
/// may have.
fn pooling(slots: u32) -> wasmtime::PoolingAllocationConfig {
    let mut pooling = wasmtime::PoolingAllocationConfig::new();
    pooling
        .total_core_instances(slots)
        .total_memories(slots)
        .total_tables(slots)
        .max_memory_size(MAX_MEMORY_LIMIT as usize)
        .table_elements(MAX_TABLE_SIZE as usize)
        .max_core_instance_size(64 << 20)
        // Reset a finished instance's memory by copying back only the pages it dirtied
        // (found with Linux's PAGEMAP_SCAN) instead of unmapping them: the next instance in
        // the slot then takes no page faults on the pages Go touches on every call. Without
        // PAGEMAP_SCAN (Linux < 6.7) wasmtime falls back to `madvise`.
        //
        // Measured on a token Transfer (2 vCPUs, Linux 6.18): the reset is 9-12 us of the
        // isolated call's 21-26 us, nearly all of it the kernel's walk of the slot's ~780 page
        // table entries (the call dirties only ~32 pages). With the scan off, the call takes
        // 165 us (every page faults again). Resetting on a background thread cut the single
        // caller's time to 15.5-17.7 us but cost two saturated callers 6-19% of their
        // throughput, and a block of transfers got slower, not faster (40 -> 48 us per
        // transaction, the reset thread competing with the signature checker): not done.
        .pagemap_scan(wasmtime::Enabled::Auto);
    if wasmtime::PoolingAllocationConfig::is_pagemap_scan_available() {
        // Without it, wasmtime would `memset` the whole kept region on every reset: slower
        // than unmapping. Kept pages stay resident: at most WARM_SLOTS idle slots keep
        // theirs, which bounds the memory this costs (the pages a call touches, typically a
        // few MiB, at most KEEP_RESIDENT each).
        pooling
            .linear_memory_keep_resident(KEEP_RESIDENT)
            .table_keep_resident(KEEP_RESIDENT)
            .max_unused_warm_slots(WARM_SLOTS);
    }
    pooling
}

/// A store for one instance: the host state, its limiter, and an epoch deadline.
pub(crate) fn new_store(engine: &Engine, state: HostState, deadline: Instant) -> Store<HostState> {
    let mut store = Store::new(engine, state);
    store.limiter(|s| &mut s.limiter);
    store.set_epoch_deadline(ticks_until(deadline));
    store.epoch_deadline_trap();
    store
}

/// Advances every engine's epoch every [`EPOCH_TICK`] until dropped.
struct Ticker {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Ticker {
    fn start(engines: Arc<RwLock<Vec<Engine>>>) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name("govm-epoch".into())
            .spawn(move || {
                loop {
                    // Parked rather than asleep so that `Drop` can wake it to stop at once;
                    // a spurious wake-up parks again until the tick is due.
                    let due = Instant::now() + EPOCH_TICK;
                    while let Some(left) = due.checked_duration_since(Instant::now())
                        && !left.is_zero()
                        && !flag.load(Ordering::Relaxed)
                    {
                        std::thread::park_timeout(left);
                    }
                    if flag.load(Ordering::Relaxed) {
                        break;
                    }
                    if let Ok(engines) = engines.read() {
                        for engine in engines.iter() {
                            engine.increment_epoch();
                        }
                    }
                }
            })?;
        Ok(Self {
            stop,
            handle: Some(handle),
        })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            // Without this the join waits out the current tick.
            h.thread().unpark();
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cost_table_is_the_gas_schedule() {
        let cost = operator_cost().expect("every operator the schedule names exists");
        // Priced, defaulted, and SIMD at its floor unless priced.
        assert_eq!(cost.MemoryGrow, 90);
        assert_eq!(cost.I64Load, 4);
        assert_eq!(cost.F64x2Sqrt, 25);
        assert_eq!(cost.I32Add, 1);
        assert_eq!(cost.Nop, 0);
        assert_eq!(cost.I8x16Swizzle, gas::SIMD_FUEL);
        assert_eq!(
            cost.variable.memory_grow_per_page,
            gas::VARIABLE_PRICES.memory_grow_per_page
        );
        // Every price in the schedule is the one wasmtime charges (the last entry naming an
        // operator wins).
        let mut seen = std::collections::HashMap::new();
        for p in gas::OPERATOR_PRICES {
            for op in p.operators {
                seen.insert(*op, p.fuel);
            }
        }
        assert_eq!(seen.get("MemoryFill"), Some(&cost.MemoryFill));
        assert_eq!(seen.get("CallIndirect"), Some(&cost.CallIndirect));
    }
}

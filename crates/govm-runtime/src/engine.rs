//! The wasmtime engines configured for consensus, the module cache, deploy-time preparation
//! (Go's `_initialize` and the snapshot), and one call.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use govm_abi::{
    ALLOC_EXPORT, Address, ContractAbi, Envelope, Hash, check_module, consensus_features,
};
use govm_state::{HashBytes, Transaction};
use sha2::{Digest, Sha256};
use wasmtime::{Engine, InstancePre, Linker, Module, Store, Trap};

use crate::cache::{DiskCache, Meta};
use crate::error::{Error, HostTrap, Result};
use crate::gas;
use crate::host::{self, Frame, HostState, Limiter, MAX_CALL_DEPTH};
use crate::options::{ContractOptions, MAX_MEMORY_LIMIT, MAX_TABLE_SIZE, WasiOptions};
use crate::snapshot;
use crate::wasi::{self, WasiState};

/// How a [`Runtime`] is built: the node's [`WasiOptions`] and how instances are made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// The default options of deploys and the node's own settings (cache, log level).
    pub wasi: WasiOptions,
    /// Start every call from the snapshot taken after Go's `_initialize` (the default).
    /// Off, every call runs `_initialize` in its fresh instance first: about ten times
    /// slower, with identical results and gas. For measurements and tests.
    pub snapshots: bool,
    /// Make instances from a pool of pre-reserved slots with copy-on-write memory images
    /// (the default). Falls back to on-demand allocation when the pool's address space
    /// cannot be reserved.
    pub pooling: bool,
    /// Most instances alive at once (the pool's size). Calls beyond
    /// `max_instances / (MAX_CALL_DEPTH + 1)` at once wait for one to finish. Default 256.
    pub max_instances: u32,
    /// Most prepared modules kept in memory; the least recently used goes first. Default 256.
    pub module_cache_capacity: usize,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            wasi: WasiOptions::default(),
            snapshots: true,
            pooling: true,
            max_instances: 256,
            module_cache_capacity: 256,
        }
    }
}

/// The largest result envelope a call may return, in bytes (nested calls included).
pub const MAX_RESULT_SIZE: usize = 1 << 20;

/// The largest wasm stack a call runs with on its caller's thread; a contract with a larger
/// `StackSize` runs on a thread of its own. A thread that calls the runtime needs this much
/// free stack and some room for the host's frames (Rust threads get 2 MiB by default).
pub const INLINE_STACK_SIZE: usize = 512 << 10;
/// Native stack a call thread gets beyond its contract's wasm stack: the host's frames, and
/// a module preparation (`_initialize`) when a call finds its module not yet prepared.
const HOST_STACK_HEADROOM: usize = 2 << 20;

/// How much of a pooled instance's memory (and table) stays mapped between instances.
const KEEP_RESIDENT: usize = 16 << 20;
/// Idle pool slots that keep their resident pages (and their module's image) warm.
const WARM_SLOTS: u32 = 32;

/// How often the epoch advances; deadlines are rounded up to whole ticks.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The clock Go's `_initialize` sees (Unix time 0) and the seed of its randomness: fixed, so
/// that a snapshot depends on the code and the options only.
const INIT_BLOCK_TIME: i64 = 0;
const INIT_SEED: &[u8] = b"govm/initialize";

/// One call of an entry point.
#[derive(Clone, Copy, Debug)]
pub struct CallRequest<'a> {
    /// The contract to call.
    pub contract: Address,
    /// The entry point.
    pub function: &'a str,
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
}

/// What preparing a module for a contract learnt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prepared {
    /// Fuel Go's `_initialize` used: what the deploy pays. The same on every machine.
    pub init_fuel: u64,
    /// sha256 of the snapshot module calls start from (none when snapshots are off).
    pub snapshot_hash: Option<Hash>,
}

/// A module ready to instantiate for one (code, options) pair.
struct Loaded {
    pre: InstancePre<HostState>,
    abi: Arc<ContractAbi>,
    options: ContractOptions,
    /// Whether instances start from the snapshot (else they run `_initialize` first).
    from_snapshot: bool,
    prepared: Prepared,
    last_used: AtomicU64,
}

/// One wasmtime engine: the consensus configuration for one stack size and SIMD choice.
struct Variant {
    engine: Engine,
    linker: Linker<HostState>,
}

/// Runs contracts: wasmtime engines, the host functions, and the module caches.
/// `Send + Sync`: calls may run on many threads at once.
pub struct Runtime {
    shared: Arc<Shared>,
    _ticker: Ticker,
}

/// What every call, nested ones included, runs with.
pub(crate) struct Shared {
    config: RuntimeConfig,
    /// Engines by (stack size, SIMD); the default one is made at start and pooled.
    variants: DashMap<(u32, bool), Arc<Variant>>,
    /// Every engine, for the epoch ticker.
    engines: Arc<RwLock<Vec<Engine>>>,
    /// Whether the default engine got its pool.
    pooled: bool,
    /// Prepared modules by code hash and options (how instances start is the runtime's, one
    /// setting for all).
    modules: DashMap<ModuleKey, Arc<Loaded>>,
    disk: Option<DiskCache>,
    permits: Permits,
    use_clock: AtomicU64,
    /// Modules compiled by Cranelift (not loaded from the disk cache), for tests and stats.
    compiled: AtomicU64,
}

/// What a prepared module is kept under in memory.
type ModuleKey = (HashBytes, ContractOptions);

/// Version of the module cache keys, and the engine settings wasmtime's compatibility hash
/// does not cover (it ignores, for one, whether address maps were generated): change it with
/// any setting in `Variant::new`.
const MODULE_CACHE_VERSION: &str =
    "govm-module-3/fuel/epoch/nan-canonicalization/no-address-map/no-backtraces";

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("config", &self.shared.config)
            .field("pooled", &self.shared.pooled)
            .field("cached_modules", &self.shared.modules.len())
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// Builds the default engine. Fails when the default options are ones govm cannot honour.
    pub fn new(config: RuntimeConfig) -> Result<Self> {
        config.wasi.contract.check()?;
        if config.max_instances <= MAX_CALL_DEPTH as u32 {
            return Err(Error::InvalidOptions(format!(
                "max_instances must exceed the call depth limit of {MAX_CALL_DEPTH}"
            )));
        }
        let disk = match (&config.wasi.cache_dir, config.wasi.precompiled_cache) {
            (Some(dir), true) => Some(DiskCache::new(dir.clone())),
            _ => None,
        };
        let default = &config.wasi.contract;
        let key = (default.stack_size, default.enable_simd);
        let (variant, pooled) = if config.pooling {
            match Variant::new(key, Some(config.max_instances)) {
                Ok(v) => (v, true),
                Err(_) => (Variant::new(key, None)?, false),
            }
        } else {
            (Variant::new(key, None)?, false)
        };
        let engines = Arc::new(RwLock::new(vec![variant.engine.clone()]));
        // Without the ticker no deadline would ever fire.
        let ticker = Ticker::start(Arc::clone(&engines))
            .map_err(|e| Error::Internal(format!("cannot start the epoch thread: {e}")))?;
        let permits = (config.max_instances as usize / (MAX_CALL_DEPTH + 1)).max(1);
        let shared = Shared {
            variants: DashMap::from_iter([(key, Arc::new(variant))]),
            engines,
            pooled,
            modules: DashMap::new(),
            disk,
            permits: Permits::new(permits),
            use_clock: AtomicU64::new(0),
            compiled: AtomicU64::new(0),
            config,
        };
        Ok(Self {
            shared: Arc::new(shared),
            _ticker: ticker,
        })
    }

    /// How many modules this runtime compiled with Cranelift (rather than loading them from
    /// memory or from the disk cache). Preparing a new module compiles two: the instrumented
    /// module `_initialize` runs in, and the snapshot.
    pub fn modules_compiled(&self) -> u64 {
        self.shared.compiled.load(Ordering::Relaxed)
    }

    /// How many prepared modules are kept in memory.
    pub fn cached_modules(&self) -> usize {
        self.shared.modules.len()
    }

    /// Whether instances come from the pooling allocator.
    pub fn pooled(&self) -> bool {
        self.shared.pooled
    }

    /// How the runtime was built.
    pub fn config(&self) -> &RuntimeConfig {
        &self.shared.config
    }

    /// Checks a module against its ABI and the options, runs Go's `_initialize` under the
    /// options' fuel limit, takes the snapshot calls will start from, compiles it and caches
    /// it. What a deploy does before it stores a contract: a module that cannot initialise is
    /// refused. Calling it again with the same code and options is free.
    pub fn prepare(
        &self,
        code_hash: &HashBytes,
        wasm: &[u8],
        abi: &ContractAbi,
        options: &ContractOptions,
    ) -> Result<Prepared> {
        options.check()?;
        let _permit = self.shared.permits.acquire();
        Ok(self.shared.prepare(code_hash, wasm, abi, options)?.prepared)
    }

    /// Runs one call in a fresh instance against `tx`, and hands the transaction back with
    /// the call's writes and events in it. On failure the caller must discard (or roll back)
    /// those writes. Cross-contract calls it makes run on this thread, nested.
    pub fn call(&self, tx: Transaction, req: &CallRequest<'_>) -> (Transaction, CallOutcome) {
        let _permit = self.shared.permits.acquire();
        let frame = Frame {
            depth: 0,
            callers: Vec::new(),
            deadline: None,
        };
        let (tx, outcome, _) = self.shared.call(tx, req, frame, false);
        (tx, outcome)
    }
}

impl Variant {
    /// An engine with exactly the consensus features (SIMD only when asked for), fuel,
    /// epochs and NaN canonicalisation; pooled with `pool` slots when given.
    fn new((stack_size, simd): (u32, bool), pool: Option<u32>) -> Result<Self> {
        // Threads, GC and the component model are compiled out (wasmtime features off).
        let mut wt = wasmtime::Config::new();
        wt.consume_fuel(true)
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
        if let Some(slots) = pool {
            let mut pooling = wasmtime::PoolingAllocationConfig::new();
            pooling
                .total_core_instances(slots)
                .total_memories(slots)
                .total_tables(slots)
                .max_memory_size(MAX_MEMORY_LIMIT as usize)
                .table_elements(MAX_TABLE_SIZE as usize)
                .max_core_instance_size(64 << 20)
                // Reset a finished instance's memory by copying back only the pages it dirtied
                // (found with Linux's PAGEMAP_SCAN) instead of unmapping them: the next
                // instance in the slot then takes no page faults on the pages Go touches on
                // every call. Without PAGEMAP_SCAN (Linux < 6.7) wasmtime falls back to
                // `madvise`.
                .pagemap_scan(wasmtime::Enabled::Auto);
            if wasmtime::PoolingAllocationConfig::is_pagemap_scan_available() {
                // Without it, wasmtime would `memset` the whole kept region on every reset:
                // slower than unmapping.
                // Kept pages stay resident: at most WARM_SLOTS idle slots keep theirs, which
                // bounds the memory this costs (the pages a call touches, typically a few
                // MiB, at most KEEP_RESIDENT each).
                pooling
                    .linear_memory_keep_resident(KEEP_RESIDENT)
                    .table_keep_resident(KEEP_RESIDENT)
                    .max_unused_warm_slots(WARM_SLOTS);
            }
            wt.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pooling));
        }
        let engine = Engine::new(&wt).map_err(|e| Error::Internal(format!("engine: {e}")))?;
        let mut linker = Linker::new(&engine);
        host::add_to_linker(&mut linker).map_err(|e| Error::Internal(e.to_string()))?;
        wasi::add_to_linker(&mut linker).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(Self { engine, linker })
    }
}

impl Shared {
    /// The engine for a contract's stack size and SIMD choice (made on first use, on demand:
    /// only the default engine is pooled).
    fn variant(&self, options: &ContractOptions) -> Result<Arc<Variant>> {
        let key = (options.stack_size, options.enable_simd);
        if let Some(v) = self.variants.get(&key) {
            return Ok(Arc::clone(&v));
        }
        let variant = Arc::new(Variant::new(key, None)?);
        let entry = self.variants.entry(key).or_insert_with(|| {
            if let Ok(mut engines) = self.engines.write() {
                engines.push(variant.engine.clone());
            }
            Arc::clone(&variant)
        });
        Ok(Arc::clone(&entry))
    }

    /// A prepared module kept in memory, marked as just used.
    fn cached(&self, key: &ModuleKey) -> Option<Arc<Loaded>> {
        let loaded = self.modules.get(key)?;
        let now = self.use_clock.fetch_add(1, Ordering::Relaxed);
        loaded.last_used.store(now, Ordering::Relaxed);
        Some(Arc::clone(&loaded))
    }

    /// The disk cache key: the code hash, every option, how instances start, the module's
    /// bytes, the engine's configuration and wasmtime's version (its compatibility hash), and
    /// the gas schedule.
    fn disk_key(&self, engine: &Engine, (code_hash, options): &ModuleKey, wasm: &[u8]) -> [u8; 32] {
        use std::hash::{Hash as _, Hasher};
        let mut compat = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut compat);
        Sha256::new()
            .chain_update(MODULE_CACHE_VERSION)
            .chain_update(code_hash)
            .chain_update(options.encode())
            .chain_update([u8::from(self.config.snapshots)])
            // The source hash in the module key is cryptographic; this only tells apart the
            // bytes different toolchains make from one source, so a fast hash is enough.
            .chain_update(xxhash_rust::xxh3::xxh3_128(wasm).to_le_bytes())
            .chain_update(compat.finish().to_le_bytes())
            .chain_update(crate::gas::GAS_SCHEDULE_VERSION)
            .finalize()
            .into()
    }

    fn prepare(
        &self,
        code_hash: &HashBytes,
        wasm: &[u8],
        abi: &ContractAbi,
        options: &ContractOptions,
    ) -> Result<Arc<Loaded>> {
        let key = (*code_hash, *options);
        if let Some(l) = self.cached(&key) {
            return Ok(l);
        }
        let variant = self.variant(options)?;
        // The disk key names the module bytes too: a code hash is the hash of the source, and
        // another toolchain (or wasm-opt) makes other bytes from the same source.
        let disk_key = self
            .disk
            .as_ref()
            .map(|_| self.disk_key(&variant.engine, &key, wasm));
        let cached = match (&self.disk, &disk_key) {
            (Some(d), Some(k)) => d.read(&variant.engine, k),
            _ => None,
        };
        let (module, prepared) = match cached {
            Some((module, meta)) => (
                module,
                Prepared {
                    init_fuel: meta.init_fuel,
                    snapshot_hash: meta.snapshot_hash.map(Hash),
                },
            ),
            None => {
                // The same check the compiler makes: never run a module that was not checked
                // here. (A disk cache entry exists only for modules that passed it.)
                check_module(wasm, abi, options.enable_simd)
                    .map_err(|e| Error::InvalidModule(e.to_string()))?;
                let (module, prepared) = self.build(&variant, wasm, abi, options)?;
                if let (Some(d), Some(disk_key)) = (&self.disk, &disk_key) {
                    let meta = Meta {
                        init_fuel: prepared.init_fuel,
                        snapshot_hash: prepared.snapshot_hash.map(|h| h.0),
                    };
                    // A cache that cannot be written only costs the next process a compile.
                    let _ = d.write(disk_key, &module, meta);
                }
                (module, prepared)
            }
        };
        let pre = variant
            .linker
            .instantiate_pre(&module)
            .map_err(|e| Error::InvalidModule(e.to_string()))?;
        let loaded = Arc::new(Loaded {
            pre,
            abi: Arc::new(abi.clone()),
            options: *options,
            from_snapshot: self.config.snapshots,
            prepared,
            last_used: AtomicU64::new(self.use_clock.fetch_add(1, Ordering::Relaxed)),
        });
        self.remember(key, Arc::clone(&loaded));
        Ok(loaded)
    }

    /// Keeps a prepared module, evicting the least recently used beyond the capacity.
    fn remember(&self, key: ModuleKey, loaded: Arc<Loaded>) {
        while self.modules.len() >= self.config.module_cache_capacity.max(1) {
            let oldest = self
                .modules
                .iter()
                .min_by_key(|e| e.value().last_used.load(Ordering::Relaxed))
                .map(|e| *e.key());
            match oldest {
                Some(k) => {
                    self.modules.remove(&k);
                }
                None => break,
            }
        }
        self.modules.insert(key, loaded);
    }

    /// Compiles what calls will instantiate: the snapshot taken after `_initialize` (or, with
    /// snapshots off, the module itself, after checking that `_initialize` succeeds).
    fn build(
        &self,
        variant: &Variant,
        wasm: &[u8],
        abi: &ContractAbi,
        options: &ContractOptions,
    ) -> Result<(Module, Prepared)> {
        let compile = |bytes: &[u8]| {
            let m = Module::new(&variant.engine, bytes)
                .map_err(|e| Error::InvalidModule(e.to_string()));
            self.compiled.fetch_add(1, Ordering::Relaxed);
            m
        };
        let abi = Arc::new(abi.clone());
        if !self.config.snapshots {
            let module = compile(wasm)?;
            let pre = variant
                .linker
                .instantiate_pre(&module)
                .map_err(|e| Error::InvalidModule(e.to_string()))?;
            let mut store = self.init_store(variant, &abi, options);
            let init_fuel = run_initialize(&pre, &mut store, options).map(|(_, fuel)| fuel)?;
            let prepared = Prepared {
                init_fuel,
                snapshot_hash: None,
            };
            return Ok((module, prepared));
        }
        let wizer = snapshot::wizer();
        let (cx, instrumented) = wizer
            .instrument(wasm)
            .map_err(|e| Error::InvalidModule(format!("cannot snapshot: {e}")))?;
        let pre = variant
            .linker
            .instantiate_pre(&compile(&instrumented)?)
            .map_err(|e| Error::InvalidModule(e.to_string()))?;
        let mut store = self.init_store(variant, &abi, options);
        let (instance, init_fuel) = run_initialize(&pre, &mut store, options)?;
        let image = snapshot::complete(wizer.snapshot(
            &cx,
            &mut snapshot::Inspect {
                store: &mut store,
                instance,
            },
        ))?
        .map_err(|e| Error::Internal(format!("snapshot: {e}")))?;
        drop(store);
        let image = snapshot::compact(&image)?;
        wasmparser::Validator::new_with_features(consensus_features(options.enable_simd))
            .validate_all(&image)
            .map_err(|e| Error::Internal(format!("the snapshot is not valid: {e}")))?;
        let prepared = Prepared {
            init_fuel,
            snapshot_hash: Some(Hash(Sha256::digest(&image).into())),
        };
        Ok((compile(&image)?, prepared))
    }

    /// The store Go's `_initialize` runs in: no transaction, the fixed clock and seed.
    fn init_store(
        &self,
        variant: &Variant,
        abi: &Arc<ContractAbi>,
        options: &ContractOptions,
    ) -> Store<HostState> {
        let deadline = Instant::now() + Duration::from_millis(options.timeout_ms);
        let state = self.host_state(
            None,
            Frame {
                depth: 0,
                callers: Vec::new(),
                deadline: Some(deadline),
            },
            abi,
            options,
            &CallRequest {
                contract: Address::ZERO,
                function: "_initialize",
                args: &[],
                sender: Address::ZERO,
                block_height: 0,
                block_time: INIT_BLOCK_TIME,
                fuel_limit: options.fuel_limit,
            },
        );
        new_store(&variant.engine, state, deadline)
    }

    fn host_state(
        &self,
        tx: Option<Transaction>,
        frame: Frame,
        abi: &Arc<ContractAbi>,
        options: &ContractOptions,
        req: &CallRequest<'_>,
    ) -> HostState {
        HostState {
            tx,
            shared: None,
            frame,
            abi: Arc::clone(abi),
            contract: req.contract.0,
            sender: req.sender.0,
            block_height: req.block_height,
            block_time: req.block_time,
            memory: None,
            ret: Vec::new(),
            limiter: Limiter {
                memory_limit: options.memory_limit as usize,
                table_limit: options.table_size as usize,
                memory_limit_hit: false,
            },
            wasi: WasiState::new(INIT_BLOCK_TIME, init_seed(), self.config.wasi.log_level),
            initializing: true,
            log_level: self.config.wasi.log_level,
        }
    }

    /// The prepared module of a deployed contract: from memory, else from its stored code.
    fn loaded_for(&self, tx: &Transaction, contract: &Address) -> Result<Arc<Loaded>> {
        let record = match tx.contract(&contract.0) {
            Ok(Some(r)) => r,
            Ok(None) => {
                return Err(Error::UnknownContract {
                    address: contract.to_string(),
                });
            }
            Err(e) => return Err(Error::State(e.to_string())),
        };
        let options = ContractOptions::decode(&record.options)?;
        if let Some(l) = self.cached(&(record.code_hash, options)) {
            return Ok(l);
        }
        let stored = tx
            .code(&record.code_hash)
            .and_then(|w| Ok((w, tx.code_abi(&record.code_hash)?)));
        let (wasm, abi) = match stored {
            Ok((Some(w), Some(a))) => (w, a),
            Ok(_) => return Err(Error::State("contract code is missing".into())),
            Err(e) => return Err(Error::State(e.to_string())),
        };
        let abi =
            ContractAbi::from_json(&abi).map_err(|e| Error::State(format!("stored ABI: {e}")))?;
        // Deployed code initialised once already; failing now is the node's problem.
        self.prepare(&record.code_hash, &wasm, &abi, &options)
            .map_err(|e| match e {
                e @ (Error::State(_) | Error::Internal(_)) => e,
                other => Error::Internal(format!("preparing deployed code: {other}")),
            })
    }

    /// Runs one call, outermost or nested, in a fresh instance.
    ///
    /// Returns how long preparing the module took (after a restart, a call may have to run
    /// `_initialize` and compile first): that time is not the contracts', so deadlines are
    /// moved by it. The call runs on this thread when its wasm stack fits beside the host's
    /// (`INLINE_STACK_SIZE`) and `own_thread` is false; else on a thread of its own sized for
    /// it. A nested call always gets its own thread: wasmtime gives each store its whole
    /// `max_wasm_stack` from wherever the native stack pointer is, so nested stores on one
    /// thread would add up past any thread's stack.
    pub(crate) fn call(
        self: &Arc<Self>,
        tx: Transaction,
        req: &CallRequest<'_>,
        mut frame: Frame,
        own_thread: bool,
    ) -> (Transaction, CallOutcome, Duration) {
        let started = Instant::now();
        let loaded = self.loaded_for(&tx, &req.contract);
        let preparation = started.elapsed();
        let loaded = match loaded {
            Ok(l) => l,
            Err(e) => return (tx, fail_outcome(e), preparation),
        };
        if loaded.abi.function(req.function).is_none() {
            let unknown = Error::UnknownFunction {
                name: req.function.to_owned(),
            };
            return (tx, fail_outcome(unknown), preparation);
        }
        frame.deadline = frame.deadline.map(|d| d + preparation);
        let stack = loaded.options.stack_size as usize;
        if !own_thread && stack <= INLINE_STACK_SIZE {
            let (tx, out) = self.run_loaded(tx, req, frame, &loaded);
            return (tx, out, preparation);
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
                        let (tx, out) = self.run_loaded(tx, req, frame, &loaded);
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
        let tx = match slot {
            Some(tx) => tx,
            None => unreachable_tx(),
        };
        let out = match (spawned, outcome) {
            (Ok(()), Some(out)) => out,
            (Err(e), _) => {
                fail_outcome(Error::Internal(format!("cannot start a call thread: {e}")))
            }
            (Ok(()), None) => fail_outcome(Error::Internal("the call thread ended early".into())),
        };
        (tx, out, preparation)
    }

    /// Runs a call of a prepared module in a fresh instance on this thread.
    fn run_loaded(
        self: &Arc<Self>,
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
        let variant = match self.variant(&options) {
            Ok(v) => v,
            Err(e) => return (tx, fail_outcome(e)),
        };
        let mut state = self.host_state(Some(tx), frame, &loaded.abi, &options, req);
        state.shared = Some(Arc::clone(self));
        let mut store = new_store(&variant.engine, state, deadline);
        let fuel_limit = req.fuel_limit.min(options.fuel_limit);
        let mut gas_used = 0;
        let result = run(loaded, &mut store, req, fuel_limit, &mut gas_used).map_err(|e| {
            classify(
                e,
                store.data(),
                options.timeout_ms,
                options.memory_limit as usize,
            )
        });
        let data = store.into_data();
        let mut debug_output = String::from_utf8_lossy(&data.wasi.output).into_owned();
        if data.wasi.output_truncated {
            debug_output.push_str("\n[output truncated]");
        }
        // A call always gets its transaction back before it returns.
        let tx = match data.tx {
            Some(tx) => tx,
            None => unreachable_tx(),
        };
        (
            tx,
            CallOutcome {
                result,
                gas_used,
                debug_output,
            },
        )
    }
}

fn fail_outcome(error: Error) -> CallOutcome {
    CallOutcome {
        result: Err(error),
        gas_used: 0,
        debug_output: String::new(),
    }
}

fn init_seed() -> [u8; 32] {
    Sha256::digest(INIT_SEED).into()
}

fn new_store(engine: &Engine, state: HostState, deadline: Instant) -> Store<HostState> {
    let mut store = Store::new(engine, state);
    store.limiter(|s| &mut s.limiter);
    store.set_epoch_deadline(ticks_until(deadline));
    store.epoch_deadline_trap();
    store
}

/// Epoch ticks from now until `deadline`, rounded up.
pub(crate) fn ticks_until(deadline: Instant) -> u64 {
    let remaining = deadline.saturating_duration_since(Instant::now());
    (remaining.as_millis() as u64).div_ceil(EPOCH_TICK.as_millis() as u64) + 1
}

#[allow(clippy::panic)]
fn unreachable_tx() -> ! {
    panic!("a nested call kept the transaction")
}

/// A failure inside [`run`], before it is classified.
enum RunError {
    Wasm(wasmtime::Error),
    Contract(Error),
}

impl From<wasmtime::Error> for RunError {
    fn from(e: wasmtime::Error) -> Self {
        RunError::Wasm(e)
    }
}

/// Instantiates `pre` and runs `_initialize` under the contract's fuel limit; returns the
/// instance and the fuel it used.
fn run_initialize(
    pre: &InstancePre<HostState>,
    store: &mut Store<HostState>,
    options: &ContractOptions,
) -> Result<(wasmtime::Instance, u64)> {
    let mut init = || -> std::result::Result<(wasmtime::Instance, u64), RunError> {
        store.set_fuel(options.fuel_limit)?;
        let instance = pre.instantiate(&mut *store)?;
        let memory = instance.get_memory(&mut *store, "memory").ok_or_else(|| {
            RunError::Contract(Error::InvalidModule("`memory` is not a memory".into()))
        })?;
        store.data_mut().memory = Some(memory);
        instance
            .get_typed_func::<(), ()>(&mut *store, "_initialize")?
            .call(&mut *store, ())?;
        let used = options.fuel_limit - store.get_fuel().unwrap_or(0);
        Ok((instance, used))
    };
    init().map_err(|e| {
        let e = classify(
            e,
            store.data(),
            options.timeout_ms,
            options.memory_limit as usize,
        );
        Error::Initialization(Box::new(e))
    })
}

fn run(
    loaded: &Loaded,
    store: &mut Store<HostState>,
    req: &CallRequest<'_>,
    fuel_limit: u64,
    gas_used: &mut u64,
) -> std::result::Result<Vec<u8>, RunError> {
    let instance = instantiate(loaded, store)?;
    invoke(&instance, store, req, fuel_limit, gas_used)
}

/// A fresh instance in the state Go's `_initialize` leaves: made from the snapshot, or (with
/// snapshots off) by running `_initialize` exactly as at deploy (same clock and seed, fuel not
/// charged).
fn instantiate(
    loaded: &Loaded,
    store: &mut Store<HostState>,
) -> std::result::Result<wasmtime::Instance, RunError> {
    let instance = if loaded.from_snapshot {
        let instance = loaded.pre.instantiate(&mut *store)?;
        let memory = instance.get_memory(&mut *store, "memory").ok_or_else(|| {
            RunError::Contract(Error::InvalidModule("`memory` is not a memory".into()))
        })?;
        store.data_mut().memory = Some(memory);
        instance
    } else {
        run_initialize(&loaded.pre, store, &loaded.options)
            .map_err(RunError::Contract)?
            .0
    };
    store.data_mut().initializing = false;
    Ok(instance)
}

/// Runs one entry point on an instance under `fuel_limit`, with the call's clock and seed.
fn invoke(
    instance: &wasmtime::Instance,
    store: &mut Store<HostState>,
    req: &CallRequest<'_>,
    fuel_limit: u64,
    gas_used: &mut u64,
) -> std::result::Result<Vec<u8>, RunError> {
    store.set_fuel(fuel_limit)?;
    let state = store.data_mut();
    state.wasi = WasiState::new(req.block_time, random_seed(req), state.log_level);
    state.sender = req.sender.0;
    state.block_height = req.block_height;
    state.block_time = req.block_time;
    let result = call_entry(instance, store, req);
    *gas_used = fuel_limit - store.get_fuel().unwrap_or(0);
    let envelope = result?;
    match Envelope::parse(&envelope).map_err(|e| RunError::Contract(Error::Trap(e.to_string())))? {
        Envelope::Ok(results) => Ok(results),
        Envelope::Error(message) => Err(RunError::Contract(Error::ContractError { message })),
        Envelope::Panic(message) => Err(RunError::Contract(Error::Panic { message })),
        Envelope::BadArgs(message) => Err(RunError::Contract(Error::BadArguments { message })),
    }
}

/// One instance reused for many calls: **no isolation** between them (the contract's Go
/// heap and globals carry over). Only a benchmark baseline, to show what a fresh instance per
/// call costs; never use it to run contracts.
#[doc(hidden)]
pub struct WarmInstance {
    store: Store<HostState>,
    instance: wasmtime::Instance,
    options: ContractOptions,
}

impl std::fmt::Debug for WarmInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarmInstance").finish_non_exhaustive()
    }
}

impl Runtime {
    /// An instance of `contract` to call again and again (see [`WarmInstance`]).
    #[doc(hidden)]
    pub fn warm_instance(&self, tx: &Transaction, contract: Address) -> Result<WarmInstance> {
        let loaded = self.shared.loaded_for(tx, &contract)?;
        let options = loaded.options;
        let variant = self.shared.variant(&options)?;
        let req = CallRequest {
            contract,
            function: "",
            args: &[],
            sender: Address::ZERO,
            block_height: 0,
            block_time: 0,
            fuel_limit: 0,
        };
        let frame = Frame {
            depth: 0,
            callers: Vec::new(),
            deadline: None,
        };
        let mut state = self
            .shared
            .host_state(None, frame, &loaded.abi, &options, &req);
        state.shared = Some(Arc::clone(&self.shared));
        // No deadline: a benchmark runs for as long as it runs.
        let mut store = new_store(
            &variant.engine,
            state,
            Instant::now() + Duration::from_secs(3600),
        );
        store.set_epoch_deadline(u64::MAX / 2);
        let instance = instantiate(&loaded, &mut store).map_err(|e| {
            classify(
                e,
                store.data(),
                options.timeout_ms,
                options.memory_limit as usize,
            )
        })?;
        Ok(WarmInstance {
            store,
            instance,
            options,
        })
    }

    /// Forgets every prepared module, so that the next call loads from the disk cache (as
    /// after a restart). For benchmarks.
    #[doc(hidden)]
    pub fn forget_modules(&self) {
        self.shared.modules.clear();
    }

    /// The default engine, for benchmarks that compare against wasmtime alone.
    #[doc(hidden)]
    pub fn default_engine(&self) -> Engine {
        let o = &self.shared.config.wasi.contract;
        match self.shared.variants.get(&(o.stack_size, o.enable_simd)) {
            Some(v) => v.engine.clone(),
            None => unreachable_variant(),
        }
    }
}

#[allow(clippy::panic)]
fn unreachable_variant() -> ! {
    panic!("the default engine is made with the runtime")
}

impl WarmInstance {
    /// Calls an entry point on the instance against `tx` (the caller is `req.sender`).
    pub fn call(&mut self, tx: Transaction, req: &CallRequest<'_>) -> (Transaction, CallOutcome) {
        self.store.data_mut().tx = Some(tx);
        let fuel_limit = req.fuel_limit.min(self.options.fuel_limit);
        let mut gas_used = 0;
        let result = invoke(
            &self.instance,
            &mut self.store,
            req,
            fuel_limit,
            &mut gas_used,
        )
        .map_err(|e| {
            classify(
                e,
                self.store.data(),
                self.options.timeout_ms,
                self.options.memory_limit as usize,
            )
        });
        let tx = match self.store.data_mut().tx.take() {
            Some(tx) => tx,
            None => unreachable_tx(),
        };
        (
            tx,
            CallOutcome {
                result,
                gas_used,
                debug_output: String::new(),
            },
        )
    }
}

/// Counts calls in flight so that the instance pool never runs dry: each outermost call may
/// hold up to `MAX_CALL_DEPTH + 1` instances.
struct Permits {
    free: Mutex<usize>,
    freed: Condvar,
}

struct Permit<'a>(&'a Permits);

impl Permits {
    fn new(n: usize) -> Self {
        Self {
            free: Mutex::new(n),
            freed: Condvar::new(),
        }
    }

    fn acquire(&self) -> Permit<'_> {
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

fn call_entry(
    instance: &wasmtime::Instance,
    store: &mut Store<HostState>,
    req: &CallRequest<'_>,
) -> std::result::Result<Vec<u8>, RunError> {
    let too_long = || {
        RunError::Contract(Error::BadArguments {
            message: "arguments are too long".into(),
        })
    };
    let len = u32::try_from(req.args.len()).map_err(|_| too_long())?;
    // Copying the arguments in is charged like any host copy.
    take_fuel(store, u64::from(len) * gas::PER_BYTE)?;
    let ptr = if len == 0 {
        0
    } else {
        let alloc = instance.get_typed_func::<u32, u32>(&mut *store, ALLOC_EXPORT)?;
        let ptr = alloc.call(&mut *store, len)?;
        let memory = store.data().memory.ok_or_else(too_long)?;
        memory
            .data_mut(&mut *store)
            .get_mut(ptr as usize..ptr as usize + req.args.len())
            .ok_or_else(|| {
                RunError::Contract(Error::Trap(
                    "govm_alloc returned an out-of-bounds buffer".into(),
                ))
            })?
            .copy_from_slice(req.args);
        ptr
    };
    let entry = instance.get_typed_func::<(u32, u32), u64>(&mut *store, req.function)?;
    let packed = entry.call(&mut *store, (ptr, len))?;
    let (out_ptr, out_len) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
    if out_len > MAX_RESULT_SIZE {
        return Err(RunError::Contract(Error::ResultTooLarge {
            size: out_len,
            limit: MAX_RESULT_SIZE,
        }));
    }
    take_fuel(store, out_len as u64 * gas::PER_BYTE)?;
    let memory = store.data().memory.ok_or_else(too_long)?;
    memory
        .data(&*store)
        .get(out_ptr..out_ptr + out_len)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| {
            RunError::Contract(Error::Trap("the result envelope is out of bounds".into()))
        })
}

/// Takes fuel outside wasm code (copies between host and instance), or fails out of fuel.
fn take_fuel(store: &mut Store<HostState>, amount: u64) -> std::result::Result<(), RunError> {
    let fuel = store.get_fuel()?;
    if fuel < amount {
        store.set_fuel(0)?;
        return Err(RunError::Contract(Error::OutOfFuel));
    }
    store.set_fuel(fuel - amount)?;
    Ok(())
}

/// Maps every way a call can fail to one [`Error`]: the one place traps are interpreted.
fn classify(e: RunError, state: &HostState, timeout_ms: u64, memory_limit: usize) -> Error {
    let e = match e {
        RunError::Contract(err) => return err,
        RunError::Wasm(e) => e,
    };
    let memory_hit = state.limiter.memory_limit_hit;
    if let Some(trap) = e.downcast_ref::<Trap>() {
        return match trap {
            Trap::OutOfFuel => Error::OutOfFuel,
            Trap::Interrupt => Error::DeadlineExceeded { timeout_ms },
            Trap::StackOverflow => Error::StackOverflow,
            _ if memory_hit => Error::MemoryLimit {
                limit: memory_limit,
            },
            other => Error::Trap(other.to_string()),
        };
    }
    if let Some(host) = e.downcast_ref::<HostTrap>() {
        return match host {
            HostTrap::OutOfFuel => Error::OutOfFuel,
            HostTrap::Deadline => Error::DeadlineExceeded { timeout_ms },
            HostTrap::Exit(_) if memory_hit => Error::MemoryLimit {
                limit: memory_limit,
            },
            HostTrap::Exit(code) => {
                // What the contract itself wrote to stderr, whatever the log level: the
                // message is a result a calling contract can read.
                let output = String::from_utf8_lossy(&state.wasi.stderr_head);
                let first = output
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or_default();
                Error::Panic {
                    message: if first.is_empty() {
                        format!("the contract exited with code {code}")
                    } else {
                        first.trim().to_owned()
                    },
                }
            }
            HostTrap::State(s) => Error::State(s.clone()),
            other @ (HostTrap::BadPointer { .. } | HostTrap::Refused(_)) => {
                Error::Trap(other.to_string())
            }
        };
    }
    Error::Trap(format!("{e}"))
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
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
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
            let _ = h.join();
        }
    }
}

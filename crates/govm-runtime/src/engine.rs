//! The wasmtime engine configured for consensus, the module cache, and one call.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use govm_abi::{ALLOC_EXPORT, Address, ContractAbi, Envelope, check_module, consensus_features};
use govm_state::{HashBytes, Transaction};
use sha2::{Digest, Sha256};
use wasmtime::{Engine, InstancePre, Linker, Module, Store, Trap};

use crate::error::{Error, HostTrap, Result};
use crate::gas;
use crate::host::{self, Frame, HostState, Limiter};
use crate::wasi::{self, WasiState};

/// The smallest memory limit Go's runtime can start in (its `_initialize` needs 8 MiB).
pub const MIN_MEMORY_LIMIT: usize = 8 << 20;

/// Limits applied to every call (the `WASIOptions` of the design document).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// Largest linear memory a contract may grow to, in bytes. Default 64 MiB; at least 8 MiB.
    pub memory_limit: usize,
    /// Most elements a table may grow to. Default 65,536.
    pub table_limit: usize,
    /// Wall-clock limit of one call, in milliseconds, enforced by epoch interruption.
    /// Default 5,000.
    pub timeout_ms: u64,
    /// Largest wasm call stack, in bytes. Default 512 KiB.
    pub stack_size: usize,
    /// Where compiled modules are kept between processes (Cranelift takes seconds on a Go
    /// module). Default: none, modules are compiled once per process.
    pub cache_dir: Option<std::path::PathBuf>,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            memory_limit: 64 << 20,
            table_limit: 65_536,
            timeout_ms: 5_000,
            stack_size: 512 << 10,
            cache_dir: None,
        }
    }
}

/// How often the epoch advances; deadlines are rounded up to whole ticks.
const EPOCH_TICK: Duration = Duration::from_millis(10);

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
    /// The most fuel the call may use.
    pub fuel_limit: u64,
}

/// What a call produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallOutcome {
    /// The SCALE-encoded results, or why the call failed.
    pub result: Result<Vec<u8>>,
    /// Fuel used by the call, host costs included (the Go runtime's `_initialize` excluded).
    pub gas_used: u64,
    /// Fuel the instance's `_initialize` used (the same for every call of a module): not part
    /// of `gas_used`, but charged to the caller of a nested call.
    pub init_fuel: u64,
    /// What the contract wrote to stdout and stderr (capped).
    pub debug_output: String,
}

/// A compiled module ready to instantiate.
struct Loaded {
    pre: InstancePre<HostState>,
    abi: Arc<ContractAbi>,
}

/// Runs contracts: one wasmtime engine, the host functions, and a cache of compiled modules.
/// `Send + Sync`: calls may run on many threads at once.
pub struct Runtime {
    shared: Arc<Shared>,
    _ticker: Ticker,
}

/// What every call, nested ones included, runs with.
pub(crate) struct Shared {
    engine: Engine,
    linker: Linker<HostState>,
    modules: DashMap<HashBytes, Arc<Loaded>>,
    config: RuntimeConfig,
    /// Modules compiled by Cranelift (not loaded from the disk cache), for tests and stats.
    compiled: std::sync::atomic::AtomicU64,
    temp_files: std::sync::atomic::AtomicU64,
}

/// Version of the on-disk module cache format.
const MODULE_CACHE_VERSION: &str = "govm-module-1";

impl Shared {
    /// The compiled module for `wasm`: from the disk cache when a verified file is there, else
    /// compiled (and written to the cache).
    fn compiled(&self, code_hash: &HashBytes, wasm: &[u8]) -> Result<Module> {
        let path = self.config.cache_dir.as_ref().map(|dir| {
            use std::hash::{Hash, Hasher};
            // The key covers the code, the engine's configuration and wasmtime's version (its
            // compatibility hash), and the gas schedule.
            let mut compat = std::collections::hash_map::DefaultHasher::new();
            self.engine
                .precompile_compatibility_hash()
                .hash(&mut compat);
            let key = Sha256::new()
                .chain_update(MODULE_CACHE_VERSION)
                .chain_update(code_hash)
                .chain_update(compat.finish().to_le_bytes())
                .chain_update(crate::gas::GAS_SCHEDULE_VERSION)
                .finalize();
            (dir.join(format!("{}.cwasm", hex::encode(key))), key)
        });
        if let Some((path, key)) = &path
            && let Some(module) = self.read_cached(path, key)
        {
            return Ok(module);
        }
        let module =
            Module::new(&self.engine, wasm).map_err(|e| Error::InvalidModule(e.to_string()))?;
        self.compiled.fetch_add(1, Ordering::Relaxed);
        if let Some((path, key)) = &path {
            // A cache that cannot be written only costs the next process a compile.
            let _ = self.write_cached(path, key, &module);
        }
        Ok(module)
    }

    /// A cache file is `sha256(payload || key) || payload`: a torn, corrupted or foreign file
    /// fails the check and is never deserialized.
    #[allow(unsafe_code)]
    fn read_cached(&self, path: &std::path::Path, key: &[u8]) -> Option<Module> {
        let bytes = std::fs::read(path).ok()?;
        let (digest, payload) = bytes.split_at_checked(32)?;
        let expected = Sha256::new()
            .chain_update(payload)
            .chain_update(key)
            .finalize();
        if digest != expected.as_slice() {
            return None;
        }
        // SAFETY: the payload is bytes this runtime's `Module::serialize` produced for this
        // key (the digest above matches), and wasmtime checks that they were compiled by a
        // compatible engine before using them.
        unsafe { Module::deserialize(&self.engine, payload) }.ok()
    }

    fn write_cached(&self, path: &std::path::Path, key: &[u8], module: &Module) -> Option<()> {
        let payload = module.serialize().ok()?;
        let dir = path.parent()?;
        std::fs::create_dir_all(dir).ok()?;
        let digest = Sha256::new()
            .chain_update(&payload)
            .chain_update(key)
            .finalize();
        let n = self.temp_files.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".tmp-{}-{n}", std::process::id()));
        let mut bytes = digest.to_vec();
        bytes.extend_from_slice(&payload);
        std::fs::write(&tmp, &bytes).ok()?;
        // The rename is atomic: readers see no file or a whole one.
        std::fs::rename(&tmp, path).ok()
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("config", &self.shared.config)
            .field("cached_modules", &self.shared.modules.len())
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// Builds the engine. Fails when the configuration cannot run Go contracts.
    pub fn new(config: RuntimeConfig) -> Result<Self> {
        if config.memory_limit < MIN_MEMORY_LIMIT {
            return Err(Error::Internal(format!(
                "memory limit of {} bytes is below the {MIN_MEMORY_LIMIT} bytes Go's runtime needs",
                config.memory_limit
            )));
        }
        // Threads, GC and the component model are compiled out (wasmtime features off).
        let mut wt = wasmtime::Config::new();
        wt.consume_fuel(true)
            .epoch_interruption(true)
            .cranelift_nan_canonicalization(true)
            // Exactly the consensus feature set: everything else off.
            .wasm_features(!consensus_features(false), false)
            .wasm_features(consensus_features(false), true)
            .max_wasm_stack(config.stack_size);
        let engine = Engine::new(&wt).map_err(|e| Error::Internal(format!("engine: {e}")))?;
        let mut linker = Linker::new(&engine);
        host::add_to_linker(&mut linker).map_err(|e| Error::Internal(e.to_string()))?;
        wasi::add_to_linker(&mut linker).map_err(|e| Error::Internal(e.to_string()))?;
        let ticker = Ticker::start(engine.clone());
        let shared = Shared {
            engine,
            linker,
            modules: DashMap::new(),
            config,
            compiled: std::sync::atomic::AtomicU64::new(0),
            temp_files: std::sync::atomic::AtomicU64::new(0),
        };
        Ok(Self {
            shared: Arc::new(shared),
            _ticker: ticker,
        })
    }

    /// How many modules this runtime compiled with Cranelift (rather than loading them from
    /// memory or from the disk cache).
    pub fn modules_compiled(&self) -> u64 {
        self.shared.compiled.load(Ordering::Relaxed)
    }

    /// The limits every call runs under.
    pub fn config(&self) -> &RuntimeConfig {
        &self.shared.config
    }

    /// Compiles and checks a module and caches it under its code hash, with the ABI it was
    /// built from. Every entry point of the ABI must be exported. Calling it again for the
    /// same hash is free.
    pub fn load(&self, code_hash: &HashBytes, wasm: &[u8], abi: &ContractAbi) -> Result<()> {
        self.shared.loaded(code_hash, wasm, abi).map(|_| ())
    }

    /// Runs one call in a fresh instance against `tx`, and hands the transaction back with
    /// the call's writes and events in it. On failure the caller must discard (or roll back)
    /// those writes. Cross-contract calls it makes run on this thread, nested.
    pub fn call(&self, tx: Transaction, req: &CallRequest<'_>) -> (Transaction, CallOutcome) {
        let frame = Frame {
            depth: 0,
            callers: Vec::new(),
            deadline: Instant::now() + Duration::from_millis(self.shared.config.timeout_ms),
        };
        self.shared.call(tx, req, frame)
    }
}

impl Shared {
    fn loaded(&self, code_hash: &HashBytes, wasm: &[u8], abi: &ContractAbi) -> Result<Arc<Loaded>> {
        if let Some(l) = self.modules.get(code_hash) {
            return Ok(Arc::clone(&l));
        }
        // The same check the compiler makes: never run a module that was not checked here.
        check_module(wasm, abi, false).map_err(|e| Error::InvalidModule(e.to_string()))?;
        let module = self.compiled(code_hash, wasm)?;
        let pre = self
            .linker
            .instantiate_pre(&module)
            .map_err(|e| Error::InvalidModule(e.to_string()))?;
        let loaded = Arc::new(Loaded {
            pre,
            abi: Arc::new(abi.clone()),
        });
        self.modules.insert(*code_hash, Arc::clone(&loaded));
        Ok(loaded)
    }

    /// Runs one call, outermost or nested, in a fresh instance.
    pub(crate) fn call(
        self: &Arc<Self>,
        tx: Transaction,
        req: &CallRequest<'_>,
        frame: Frame,
    ) -> (Transaction, CallOutcome) {
        let fail = |tx, error| {
            (
                tx,
                CallOutcome {
                    result: Err(error),
                    gas_used: 0,
                    init_fuel: 0,
                    debug_output: String::new(),
                },
            )
        };
        let record = match tx.contract(&req.contract.0) {
            Ok(Some(r)) => r,
            Ok(None) => {
                return fail(
                    tx,
                    Error::UnknownContract {
                        address: req.contract.to_string(),
                    },
                );
            }
            Err(e) => return fail(tx, Error::State(e.to_string())),
        };
        let loaded = match self.modules.get(&record.code_hash).map(|l| Arc::clone(&l)) {
            Some(l) => l,
            None => {
                let stored = tx
                    .code(&record.code_hash)
                    .and_then(|w| Ok((w, tx.code_abi(&record.code_hash)?)));
                let (wasm, abi) = match stored {
                    Ok((Some(w), Some(a))) => (w, a),
                    Ok(_) => return fail(tx, Error::State("contract code is missing".into())),
                    Err(e) => return fail(tx, Error::State(e.to_string())),
                };
                let abi = match ContractAbi::from_json(&abi) {
                    Ok(a) => a,
                    Err(e) => return fail(tx, Error::State(format!("stored ABI: {e}"))),
                };
                match self.loaded(&record.code_hash, &wasm, &abi) {
                    Ok(l) => l,
                    Err(e) => return fail(tx, e),
                }
            }
        };
        if loaded.abi.function(req.function).is_none() {
            return fail(
                tx,
                Error::UnknownFunction {
                    name: req.function.to_owned(),
                },
            );
        }

        let remaining = frame.deadline.saturating_duration_since(Instant::now());
        let state = HostState {
            tx: Some(tx),
            shared: Arc::clone(self),
            frame,
            abi: Arc::clone(&loaded.abi),
            contract: req.contract.0,
            sender: req.sender.0,
            block_height: req.block_height,
            block_time: req.block_time,
            memory: None,
            ret: Vec::new(),
            limiter: Limiter {
                memory_limit: self.config.memory_limit,
                table_limit: self.config.table_limit,
                memory_limit_hit: false,
            },
            wasi: WasiState::new(req.block_time, random_seed(req)),
            initializing: false,
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        let ticks = (remaining.as_millis() as u64).div_ceil(EPOCH_TICK.as_millis() as u64) + 1;
        store.set_epoch_deadline(ticks);
        store.epoch_deadline_trap();
        let (mut gas_used, mut init_fuel) = (0, 0);
        let result = run(&loaded, &mut store, req, &mut gas_used, &mut init_fuel).map_err(|e| {
            classify(
                e,
                store.data(),
                self.config.timeout_ms,
                self.config.memory_limit,
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
                init_fuel,
                debug_output,
            },
        )
    }
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

fn run(
    loaded: &Loaded,
    store: &mut Store<HostState>,
    req: &CallRequest<'_>,
    gas_used: &mut u64,
    init_fuel: &mut u64,
) -> std::result::Result<Vec<u8>, RunError> {
    store.set_fuel(gas::INIT_FUEL)?;
    store.data_mut().initializing = true;
    let instance = loaded.pre.instantiate(&mut *store)?;
    let memory = instance.get_memory(&mut *store, "memory").ok_or_else(|| {
        RunError::Contract(Error::InvalidModule("`memory` is not a memory".into()))
    })?;
    store.data_mut().memory = Some(memory);
    let init = instance
        .get_typed_func::<(), ()>(&mut *store, "_initialize")?
        .call(&mut *store, ());
    *init_fuel = gas::INIT_FUEL - store.get_fuel().unwrap_or(0);
    init?;
    store.data_mut().initializing = false;

    store.set_fuel(req.fuel_limit)?;
    let result = call_entry(&instance, store, req);
    *gas_used = req.fuel_limit - store.get_fuel().unwrap_or(0);
    let envelope = result?;
    match Envelope::parse(&envelope).map_err(|e| RunError::Contract(Error::Trap(e.to_string())))? {
        Envelope::Ok(results) => Ok(results),
        Envelope::Error(message) => Err(RunError::Contract(Error::ContractError { message })),
        Envelope::Panic(message) => Err(RunError::Contract(Error::Panic { message })),
        Envelope::BadArgs(message) => Err(RunError::Contract(Error::BadArguments { message })),
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
    let memory = store.data().memory.ok_or_else(too_long)?;
    memory
        .data(&*store)
        .get(out_ptr..out_ptr + out_len)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| {
            RunError::Contract(Error::Trap("the result envelope is out of bounds".into()))
        })
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
            HostTrap::Exit(_) if memory_hit => Error::MemoryLimit {
                limit: memory_limit,
            },
            HostTrap::Exit(code) => {
                let output = String::from_utf8_lossy(&state.wasi.output);
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

/// Advances the engine's epoch every [`EPOCH_TICK`] until dropped.
struct Ticker {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Ticker {
    fn start(engine: Engine) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name("govm-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .ok();
        Self { stop, handle }
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

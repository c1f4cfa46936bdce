//! Modules ready to instantiate: deploy-time preparation (Go's `_initialize` under the
//! contract's limits, then the snapshot), the in-memory cache of prepared modules (bounded,
//! least recently used out), the disk cache behind it, and resolving a deployed contract to
//! its prepared module.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dashmap::DashMap;
use govm_abi::{
    Address, CheckedModule, ContractAbi, Hash, INITIALIZE_EXPORT, MEMORY_EXPORT, check_module,
    consensus_features,
};
use govm_state::{ContractRecord, HashBytes, Transaction};
use sha2::{Digest, Sha256};
use wasmtime::{InstancePre, Module, Store};

use crate::LogLevel;
use crate::cache::{DiskCache, Meta};
use crate::engines::{Engines, MODULE_CACHE_VERSION, Variant, new_store};
use crate::env::{Frame, HostState};
use crate::error::{Error, Result};
use crate::options::ContractOptions;
use crate::request::CallRequest;
use crate::trap::{RunError, classify};

/// What preparing a module for a contract learnt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prepared {
    /// Fuel Go's `_initialize` used: what the deploy pays. The same on every machine.
    pub init_fuel: u64,
    /// sha256 of the snapshot module calls start from (none when snapshots are off).
    pub snapshot_hash: Option<Hash>,
}

/// A module ready to instantiate for one (code, options) pair.
pub(crate) struct Loaded {
    pub(crate) pre: InstancePre<HostState>,
    pub(crate) abi: Arc<ContractAbi>,
    pub(crate) code_hash: HashBytes,
    pub(crate) options: ContractOptions,
    /// Whether instances start from the snapshot (else they run `_initialize` first).
    pub(crate) from_snapshot: bool,
    pub(crate) prepared: Prepared,
    /// sha256 of the module bytes it was prepared from: a deploy of other bytes for the same
    /// source and options replaces it rather than reusing it.
    wasm_digest: [u8; 32],
    last_used: AtomicU64,
}

/// What a prepared module is kept under in memory.
type ModuleKey = (HashBytes, ContractOptions);

/// The bytes of a module to prepare, and whether they were checked already.
#[derive(Clone, Copy, Debug)]
pub enum ModuleSource<'a> {
    /// Checked where it entered (after govm's compiler built it).
    Checked(&'a CheckedModule),
    /// Bytes from elsewhere (the state, a peer): checked before they are prepared, unless
    /// the prepared module is already cached.
    Unchecked(&'a [u8]),
    /// Stored bytes with the sha256 the state keeps beside them (so it is not computed
    /// again): checked before they are prepared, unless the prepared module is cached.
    Stored(&'a [u8], [u8; 32]),
}

impl ModuleSource<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            ModuleSource::Checked(m) => m.bytes(),
            ModuleSource::Unchecked(b) | ModuleSource::Stored(b, _) => b,
        }
    }

    /// Checks the module unless it was checked under features these options allow.
    fn check(&self, abi: &ContractAbi, options: &ContractOptions) -> Result<()> {
        if let ModuleSource::Checked(m) = self
            && (!m.simd() || options.enable_simd)
        {
            return Ok(());
        }
        check_module(self.bytes(), abi, options.enable_simd)
            .map(drop)
            .map_err(|e| Error::InvalidModule(e.to_string()))
    }
}

/// Prepared modules, in memory and on disk.
pub(crate) struct Modules {
    map: DashMap<ModuleKey, Arc<Loaded>>,
    clock: AtomicU64,
    capacity: usize,
    disk: Option<DiskCache>,
    /// Whether calls start from snapshots (one setting for the whole runtime).
    snapshots: bool,
    log_level: LogLevel,
    /// Modules compiled by Cranelift (not loaded from the disk cache), for tests and stats.
    pub(crate) compiled: AtomicU64,
}

impl Modules {
    /// At most `capacity` prepared modules in memory, behind a disk cache in `disk`; calls
    /// start from snapshots when `snapshots` is set.
    pub(crate) fn new(
        capacity: usize,
        disk: Option<std::path::PathBuf>,
        snapshots: bool,
        log_level: LogLevel,
    ) -> Self {
        Self {
            map: DashMap::new(),
            clock: AtomicU64::new(0),
            capacity: capacity.max(1),
            disk: disk.map(DiskCache::new),
            snapshots,
            log_level,
            compiled: AtomicU64::new(0),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Forgets every prepared module (the next use loads from disk, as after a restart).
    #[cfg_attr(not(feature = "bench"), allow(dead_code))]
    pub(crate) fn clear(&self) {
        self.map.clear();
    }

    fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::Relaxed)
    }

    /// A prepared module kept in memory, marked as just used.
    fn cached(&self, key: &ModuleKey) -> Option<Arc<Loaded>> {
        let loaded = self.map.get(key)?;
        loaded.last_used.store(self.tick(), Ordering::Relaxed);
        Some(Arc::clone(&loaded))
    }

    /// The contract at `address`: its record and prepared module (from memory, else from its
    /// stored code: deployed code initialised once already, so failing now is the node's
    /// problem, not the caller's).
    pub(crate) fn resolve(
        &self,
        engines: &Engines,
        tx: &Transaction,
        address: &Address,
    ) -> Result<Arc<Loaded>> {
        let record = record(tx, address)?;
        let options = ContractOptions::decode(&record.options)?;
        if let Some(l) = self.cached(&(record.code_hash, options)) {
            return Ok(l);
        }
        let (digest, abi) = stored_meta(tx, &record)?;
        let prepare = || {
            let key = (record.code_hash, options);
            let fuel = options.fuel_limit;
            let Some(digest) = digest else {
                let wasm = stored_code(tx, &record)?;
                let source = ModuleSource::Unchecked(&wasm);
                return self.prepare(engines, &key.0, source, &abi, &options, fuel);
            };
            // A module checked before (its digest is stored) may be on disk already: then its
            // megabytes of code are not read.
            let variant = engines.variant(&options)?;
            if let Some(loaded) = self.load_from_disk(&variant, &key, &digest, &abi)? {
                return Ok(loaded);
            }
            let wasm = stored_code(tx, &record)?;
            let source = ModuleSource::Stored(&wasm, digest);
            self.build_and_keep(&variant, key, source, digest, &abi, fuel)
        };
        prepare().map_err(|e| match e {
            e @ (Error::State(_) | Error::Internal(_)) => e,
            other => Error::Internal(format!("preparing deployed code: {other}")),
        })
    }

    /// The ABI of the contract at `address`: its prepared module's when in memory, else read
    /// from the state (no module is prepared for it).
    pub(crate) fn abi(&self, tx: &Transaction, address: &Address) -> Result<Arc<ContractAbi>> {
        let record = record(tx, address)?;
        let options = ContractOptions::decode(&record.options)?;
        if let Some(l) = self.map.get(&(record.code_hash, options)) {
            return Ok(Arc::clone(&l.abi));
        }
        let json = tx
            .code_abi(&record.code_hash)
            .map_err(|e| Error::State(e.to_string()))?
            .ok_or_else(|| Error::State("contract code is missing".into()))?;
        ContractAbi::from_json(&json)
            .map(Arc::new)
            .map_err(|e| Error::State(format!("stored ABI: {e}")))
    }

    /// The prepared module for (code, options) built from exactly these bytes: from memory,
    /// from disk, or built now, with package initialisation allowed at most `init_fuel`
    /// (capped by the options' own fuel limit). A prepared module is the same whatever fuel
    /// it was allowed, so a cached one is returned as it is; the caller compares its
    /// `init_fuel` with what it allowed.
    pub(crate) fn prepare(
        &self,
        engines: &Engines,
        code_hash: &HashBytes,
        wasm: ModuleSource<'_>,
        abi: &ContractAbi,
        options: &ContractOptions,
        init_fuel: u64,
    ) -> Result<Arc<Loaded>> {
        let key = (*code_hash, *options);
        // The bytes may be a submitter's: told apart with a cryptographic hash.
        let wasm_digest: [u8; 32] = match wasm {
            ModuleSource::Stored(_, digest) => digest,
            other => Sha256::digest(other.bytes()).into(),
        };
        if let Some(l) = self.cached(&key)
            && l.wasm_digest == wasm_digest
        {
            return Ok(l);
        }
        let variant = engines.variant(options)?;
        if let Some(loaded) = self.load_from_disk(&variant, &key, &wasm_digest, abi)? {
            return Ok(loaded);
        }
        self.build_and_keep(&variant, key, wasm, wasm_digest, abi, init_fuel)
    }

    /// Checks (unless checked), builds, writes to the disk cache and keeps the module for
    /// `key` whose bytes have `wasm_digest`: what [`Modules::prepare`] does when neither
    /// memory nor disk holds it.
    fn build_and_keep(
        &self,
        variant: &Variant,
        key: ModuleKey,
        wasm: ModuleSource<'_>,
        wasm_digest: [u8; 32],
        abi: &ContractAbi,
        init_fuel: u64,
    ) -> Result<Arc<Loaded>> {
        let options = &key.1;
        // Never prepare a module that was not checked. (A disk cache entry exists only for
        // modules that were.)
        wasm.check(abi, options)?;
        let built = self.build(variant, wasm.bytes(), abi, options, init_fuel);
        // The Cranelift cache pays only between one build's two compiles; emptied whether
        // the build succeeded or not.
        variant.functions.clear();
        let (module, prepared) = built?;
        if let Some(d) = &self.disk {
            let meta = Meta {
                init_fuel: prepared.init_fuel,
                snapshot_hash: prepared.snapshot_hash.map(|h| h.0),
            };
            // A cache that cannot be written only costs the next process a compile.
            let _ = d.write(&self.disk_key(variant, &key, &wasm_digest), &module, meta);
        }
        self.keep(variant, key, module, prepared, abi, wasm_digest)
    }

    /// The prepared module for (code, options) and these module bytes (by their digest) from
    /// the disk cache, kept in memory; `None` when the disk cache does not hold it.
    fn load_from_disk(
        &self,
        variant: &Variant,
        key: &ModuleKey,
        wasm_digest: &[u8; 32],
        abi: &ContractAbi,
    ) -> Result<Option<Arc<Loaded>>> {
        // The disk key names the module bytes too: a code hash is the hash of the source, and
        // another toolchain (or wasm-opt) makes other bytes from the same source.
        let Some(d) = &self.disk else {
            return Ok(None);
        };
        let Some((module, meta)) =
            d.read(&variant.engine, &self.disk_key(variant, key, wasm_digest))
        else {
            return Ok(None);
        };
        let prepared = Prepared {
            init_fuel: meta.init_fuel,
            snapshot_hash: meta.snapshot_hash.map(Hash),
        };
        self.keep(variant, *key, module, prepared, abi, *wasm_digest)
            .map(Some)
    }

    /// Keeps a compiled module ready to instantiate.
    fn keep(
        &self,
        variant: &Variant,
        key: ModuleKey,
        module: Module,
        prepared: Prepared,
        abi: &ContractAbi,
        wasm_digest: [u8; 32],
    ) -> Result<Arc<Loaded>> {
        let pre = variant
            .linker
            .instantiate_pre(&module)
            .map_err(|e| Error::InvalidModule(e.to_string()))?;
        let loaded = Arc::new(Loaded {
            pre,
            abi: Arc::new(abi.clone()),
            code_hash: key.0,
            options: key.1,
            from_snapshot: self.snapshots,
            prepared,
            wasm_digest,
            last_used: AtomicU64::new(self.tick()),
        });
        self.remember(key, Arc::clone(&loaded));
        Ok(loaded)
    }

    /// Keeps a prepared module, evicting the least recently used beyond the capacity.
    fn remember(&self, key: ModuleKey, loaded: Arc<Loaded>) {
        while self.map.len() >= self.capacity {
            let oldest = self
                .map
                .iter()
                .min_by_key(|e| e.value().last_used.load(Ordering::Relaxed))
                .map(|e| *e.key());
            match oldest {
                Some(k) => {
                    self.map.remove(&k);
                }
                None => break,
            }
        }
        self.map.insert(key, loaded);
    }

    /// The disk cache key: the code hash, every option, how instances start, the module's
    /// bytes, the engine's configuration and wasmtime's version (its compatibility hash), and
    /// the gas schedule.
    fn disk_key(
        &self,
        variant: &Variant,
        (code_hash, options): &ModuleKey,
        wasm_digest: &[u8; 32],
    ) -> [u8; 32] {
        use std::hash::{Hash as _, Hasher};
        let mut compat = std::collections::hash_map::DefaultHasher::new();
        variant
            .engine
            .precompile_compatibility_hash()
            .hash(&mut compat);
        Sha256::new()
            .chain_update(MODULE_CACHE_VERSION)
            .chain_update(code_hash)
            .chain_update(options.encode())
            .chain_update([u8::from(self.snapshots)])
            // The module bytes (a submitter's choice), by their sha256.
            .chain_update(wasm_digest)
            .chain_update(compat.finish().to_le_bytes())
            .chain_update(crate::gas::GAS_SCHEDULE_VERSION)
            .finalize()
            .into()
    }

    /// Compiles what calls will instantiate: the snapshot taken after `_initialize` (or, with
    /// snapshots off, the module itself, after checking that `_initialize` succeeds).
    fn build(
        &self,
        variant: &Variant,
        wasm: &[u8],
        abi: &ContractAbi,
        options: &ContractOptions,
        init_fuel: u64,
    ) -> Result<(Module, Prepared)> {
        let compile = |bytes: &[u8]| {
            self.compiled.fetch_add(1, Ordering::Relaxed);
            Module::new(&variant.engine, bytes).map_err(|e| Error::InvalidModule(e.to_string()))
        };
        let instantiable = |module: &Module| {
            variant
                .linker
                .instantiate_pre(module)
                .map_err(|e| Error::InvalidModule(e.to_string()))
        };
        let abi = Arc::new(abi.clone());
        // Each store is made after its compile: the deadline is the initialisation's own.
        if !self.snapshots {
            let module = compile(wasm)?;
            let pre = instantiable(&module)?;
            let mut store = self.init_store(variant, &abi, options, init_fuel);
            let (_, init_fuel) = run_initialize(&pre, &mut store)?;
            let prepared = Prepared {
                init_fuel,
                snapshot_hash: None,
            };
            return Ok((module, prepared));
        }
        let wizer = crate::snapshot::wizer();
        let (cx, instrumented) = wizer
            .instrument(wasm)
            .map_err(|e| Error::InvalidModule(format!("cannot snapshot: {e}")))?;
        let pre = instantiable(&compile(&instrumented)?)?;
        let mut store = self.init_store(variant, &abi, options, init_fuel);
        let (instance, init_fuel) = run_initialize(&pre, &mut store)?;
        let image = crate::snapshot::take(&wizer, &cx, &mut store, instance)?;
        drop(store);
        wasmparser::Validator::new_with_features(consensus_features(options.enable_simd))
            .validate_all(&image)
            .map_err(|e| Error::Internal(format!("the snapshot is not valid: {e}")))?;
        let prepared = Prepared {
            init_fuel,
            snapshot_hash: Some(Hash(Sha256::digest(&image).into())),
        };
        // What calls instantiate is the snapshot with wizer's inspection exports added back:
        // the same code, encoded exactly as in the module `_initialize` ran in, so Cranelift's
        // incremental cache (engines.rs) hands back every function compiled a moment ago
        // instead of compiling them all again. The exports are of globals and memory only and
        // nothing calls them; the snapshot and its hash are wizer's image, unchanged.
        let (_, reinstrumented) = wizer
            .instrument(&image)
            .map_err(|e| Error::Internal(format!("the snapshot cannot be instrumented: {e}")))?;
        Ok((compile(&reinstrumented)?, prepared))
    }

    /// The store Go's `_initialize` runs in: no transaction, the fixed clock and seed.
    fn init_store(
        &self,
        variant: &Variant,
        abi: &Arc<ContractAbi>,
        options: &ContractOptions,
        init_fuel: u64,
    ) -> Store<HostState> {
        let deadline = Instant::now() + Duration::from_millis(options.timeout_ms);
        let request = CallRequest {
            contract: Address::ZERO,
            function: INITIALIZE_EXPORT,
            args: &[],
            sender: Address::ZERO,
            block_height: 0,
            block_time: 0,
            fuel_limit: options.fuel_limit,
            value: 0,
        };
        let frame = Frame::outermost(Some(deadline));
        let mut state = HostState::new(None, frame, abi, options, &request, self.log_level);
        state.fuel_limit = options.fuel_limit.min(init_fuel);
        new_store(&variant.engine, state, deadline)
    }
}

/// The record of the contract at `address`.
fn record(tx: &Transaction, address: &Address) -> Result<ContractRecord> {
    match tx.contract(&address.0) {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(Error::UnknownContract {
            address: address.to_string(),
        }),
        Err(e) => Err(Error::State(e.to_string())),
    }
}

/// A contract's stored module digest (absent for code never checked) and ABI.
fn stored_meta(
    tx: &Transaction,
    record: &ContractRecord,
) -> Result<(Option<[u8; 32]>, ContractAbi)> {
    let hash = &record.code_hash;
    let stored = tx
        .code_digest(hash)
        .and_then(|d| Ok((d, tx.code_abi(hash)?)));
    let (digest, abi) = match stored {
        Ok((d, Some(a))) => (d, a),
        Ok((_, None)) => return Err(missing_code()),
        Err(e) => return Err(Error::State(e.to_string())),
    };
    let abi = ContractAbi::from_json(&abi).map_err(|e| Error::State(format!("stored ABI: {e}")))?;
    Ok((digest, abi))
}

/// The contract's stored module bytes.
fn stored_code(tx: &Transaction, record: &ContractRecord) -> Result<Vec<u8>> {
    tx.code(&record.code_hash)
        .map_err(|e| Error::State(e.to_string()))?
        .ok_or_else(missing_code)
}

fn missing_code() -> Error {
    Error::State("contract code is missing".into())
}

/// Instantiates `pre` and runs `_initialize` under the contract's fuel limit (the store's
/// limits are the contract's); returns the instance and the fuel it used.
pub(crate) fn run_initialize(
    pre: &InstancePre<HostState>,
    store: &mut Store<HostState>,
) -> Result<(wasmtime::Instance, u64)> {
    let fuel_limit = store.data().fuel_limit;
    let mut init = || -> std::result::Result<(wasmtime::Instance, u64), RunError> {
        store.set_fuel(fuel_limit)?;
        let instance = instantiate_memory(pre, store)?;
        instance
            .get_typed_func::<(), ()>(&mut *store, INITIALIZE_EXPORT)?
            .call(&mut *store, ())?;
        let used = fuel_limit - store.get_fuel().unwrap_or(0);
        Ok((instance, used))
    };
    init().map_err(|e| Error::Initialization(Box::new(classify(e, store.data().seen()))))
}

/// Instantiates `pre` and gives the host its memory.
pub(crate) fn instantiate_memory(
    pre: &InstancePre<HostState>,
    store: &mut Store<HostState>,
) -> std::result::Result<wasmtime::Instance, RunError> {
    let instance = pre.instantiate(&mut *store)?;
    let memory = instance
        .get_memory(&mut *store, MEMORY_EXPORT)
        .ok_or_else(|| Error::InvalidModule("`memory` is not a memory".into()))?;
    store.data_mut().memory = Some(memory);
    Ok(instance)
}

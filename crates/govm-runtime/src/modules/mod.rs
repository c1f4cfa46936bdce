//! Modules ready to instantiate, one per (code, options) pair: [`prepare`] builds them at
//! deploy, [`in_memory_cache`] keeps the most recently used, [`file_system_cache`] keeps
//! them on disk across restarts, and [`stored`] reads a deployed contract's code when
//! neither cache holds its module.

mod file_system_cache;
mod in_memory_cache;
mod prepare;
mod stored;

use std::path::PathBuf;
use std::sync::Arc;

use govm_abi::{Address, ContractAbi, Hash};
use govm_state::{ContractRecord, HashBytes, Transaction};
use sha2::{Digest, Sha256};
use wasmtime::{InstancePre, Module};

use crate::engines::{Engines, MODULE_CACHE_VERSION, Variant};
use crate::env::HostState;
use crate::error::{Error, Result};
use crate::options::{ContractOptions, LogLevel};
use crate::stats::Counters;
use file_system_cache::{DiskCache, Meta};
use in_memory_cache::InMemoryCache;
use prepare::Preparation;
use stored::{record, stored_abi, stored_code, stored_meta};

pub use prepare::{ModuleSource, Prepared};
pub(crate) use prepare::{instantiate_memory, run_initialize};

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
}

/// What a prepared module is kept under in memory.
type ModuleKey = (HashBytes, ContractOptions);

/// Prepared modules, in memory and on disk.
pub(crate) struct Modules {
    memory: InMemoryCache<ModuleKey, Loaded>,
    disk: Option<DiskCache>,
    preparation: Preparation,
    counters: Arc<Counters>,
}

impl Modules {
    /// At most `capacity` prepared modules in memory, behind a disk cache in `disk`; calls
    /// start from snapshots when `snapshots` is set. What they do is counted in `counters`.
    pub(crate) fn new(
        capacity: usize,
        disk: Option<PathBuf>,
        snapshots: bool,
        log_level: LogLevel,
        counters: Arc<Counters>,
    ) -> Self {
        let preparation = Preparation::new(snapshots, log_level, Arc::clone(&counters));
        Self {
            memory: InMemoryCache::new(capacity),
            disk: disk.map(DiskCache::new),
            preparation,
            counters,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.memory.len()
    }

    /// Forgets every prepared module (the next use loads from disk, as after a restart).
    #[cfg_attr(not(feature = "bench"), allow(dead_code))]
    pub(crate) fn clear(&self) {
        self.memory.clear();
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
        if let Some(l) = self.memory.get(&(record.code_hash, options)) {
            self.counters.hits_memory_cache.add(1);
            return Ok(l);
        }
        let (digest, abi) = stored_meta(tx, &record)?;
        let prepare = || {
            let key = (record.code_hash, options);
            let fuel = options.fuel_limit;
            let Some(digest) = digest else {
                let wasm = self.read_code(tx, &record)?;
                let source = ModuleSource::Unchecked(&wasm);
                return self.prepare(engines, &key.0, source, &abi, &options, fuel);
            };
            // A module checked before (its digest is stored) may be on disk already: then its
            // megabytes of code are not read.
            let variant = engines.variant(&options)?;
            if let Some(loaded) = self.load_from_disk(&variant, &key, &digest, &abi)? {
                return Ok(loaded);
            }
            let wasm = self.read_code(tx, &record)?;
            let source = ModuleSource::Stored(&wasm, digest);
            self.build_and_keep(&variant, key, source, digest, &abi, fuel)
        };
        prepare().map_err(|e| match e {
            e @ (Error::State(_) | Error::Internal(_)) => e,
            other => Error::Internal(format!("preparing deployed code: {other}")),
        })
    }

    /// A deployed contract's module bytes, read from the state because no cache held its
    /// prepared module.
    fn read_code(&self, tx: &Transaction, record: &ContractRecord) -> Result<Vec<u8>> {
        let wasm = stored_code(tx, record)?;
        self.counters.loads_from_state.add(1);
        Ok(wasm)
    }

    /// The ABI of the contract at `address`: its prepared module's when in memory, else read
    /// from the state (no module is prepared for it).
    pub(crate) fn abi(&self, tx: &Transaction, address: &Address) -> Result<Arc<ContractAbi>> {
        let record = record(tx, address)?;
        let options = ContractOptions::decode(&record.options)?;
        if let Some(l) = self.memory.peek(&(record.code_hash, options)) {
            return Ok(Arc::clone(&l.abi));
        }
        stored_abi(tx, &record).map(Arc::new)
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
        if let Some(l) = self.memory.get(&key)
            && l.wasm_digest == wasm_digest
        {
            self.counters.hits_memory_cache.add(1);
            return within(l, options, init_fuel);
        }
        let variant = engines.variant(options)?;
        if let Some(loaded) = self.load_from_disk(&variant, &key, &wasm_digest, abi)? {
            return within(loaded, options, init_fuel);
        }
        self.build_and_keep(&variant, key, wasm, wasm_digest, abi, init_fuel)
    }

    /// Prepares (checks unless checked, builds), writes to the disk cache and keeps the module
    /// for `key` whose bytes have `wasm_digest`: what [`Modules::prepare`] does when neither
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
        let (module, prepared) = self
            .preparation
            .prepare(variant, wasm, abi, &key.1, init_fuel)?;
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
        self.counters.hits_disk_cache.add(1);
        let prepared = Prepared {
            init_fuel: meta.init_fuel,
            snapshot_hash: meta.snapshot_hash.map(Hash),
        };
        self.keep(variant, *key, module, prepared, abi, *wasm_digest)
            .map(Some)
    }

    /// Keeps a compiled module ready to instantiate, evicting the least recently used
    /// beyond the in-memory cache's capacity.
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
            from_snapshot: self.preparation.snapshots,
            prepared,
            wasm_digest,
        });
        let evicted = self.memory.insert(key, Arc::clone(&loaded));
        self.counters.evictions.add(evicted);
        Ok(loaded)
    }

    /// The disk cache key: the code hash, every option, how instances start, the module's
    /// bytes, the engine's configuration and wasmtime's version (its compatibility hash), and
    /// the gas schedule with the operator prices the engine compiles with (a module compiled
    /// under another table is never reused).
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
            .chain_update([u8::from(self.preparation.snapshots)])
            // The module bytes (a submitter's choice), by their sha256.
            .chain_update(wasm_digest)
            .chain_update(compat.finish().to_le_bytes())
            .chain_update(crate::gas::GAS_SCHEDULE_VERSION)
            .chain_update(variant.gas_schedule)
            .finalize()
            .into()
    }
}

/// A module prepared before (found in memory or on disk), held to the fuel this preparation
/// allows its package initialisation: exactly what running `_initialize` with that fuel would
/// give (it succeeds when it needs less than it is given: `prepare::run_initialize`), so that
/// whether a node has the module cached never changes a deploy's result.
fn within(loaded: Arc<Loaded>, options: &ContractOptions, init_fuel: u64) -> Result<Arc<Loaded>> {
    if loaded.prepared.init_fuel >= options.fuel_limit.min(init_fuel) {
        return Err(Error::Initialization(Box::new(Error::OutOfFuel)));
    }
    Ok(loaded)
}

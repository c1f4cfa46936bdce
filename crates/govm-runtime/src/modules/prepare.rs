//! Preparation: what a deploy does to a module before calls can instantiate it. The module
//! is checked (unless it was), instrumented by wizer, instantiated and Go's `_initialize` run
//! under the contract's limits, the instance snapshotted, and the snapshot compiled.

use std::sync::Arc;
use std::time::{Duration, Instant};

use govm_abi::{
    CheckedModule, ContractAbi, Hash, INITIALIZE_EXPORT, MEMORY_EXPORT, check_module,
    consensus_features,
};
use sha2::{Digest, Sha256};
use wasmtime::{InstancePre, Module, Store};

use crate::engines::{Variant, new_store};
use crate::env::{Frame, HostState};
use crate::error::{Error, Result};
use crate::options::{ContractOptions, LogLevel};
use crate::stats::Counters;
use crate::trap::{RunError, classify};

/// What preparing a module for a contract learnt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prepared {
    /// Fuel Go's `_initialize` used: what the deploy pays. The same on every machine.
    pub init_fuel: u64,
    /// sha256 of the snapshot module calls start from (none when snapshots are off).
    pub snapshot_hash: Option<Hash>,
}

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
    pub(super) fn bytes(&self) -> &[u8] {
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

/// How this runtime prepares modules: one setting for all of them.
pub(super) struct Preparation {
    /// Whether calls start from snapshots (else each runs `_initialize` first).
    pub(super) snapshots: bool,
    log_level: LogLevel,
    /// The runtime's counters: compiles are counted here.
    counters: Arc<Counters>,
}

impl Preparation {
    pub(super) fn new(snapshots: bool, log_level: LogLevel, counters: Arc<Counters>) -> Self {
        Self {
            snapshots,
            log_level,
            counters,
        }
    }

    /// Checks the module (unless checked) and builds what calls will instantiate, with
    /// package initialisation allowed at most `init_fuel`.
    pub(super) fn prepare(
        &self,
        variant: &Variant,
        wasm: ModuleSource<'_>,
        abi: &ContractAbi,
        options: &ContractOptions,
        init_fuel: u64,
    ) -> Result<(Module, Prepared)> {
        // Never prepare a module that was not checked. (A disk cache entry exists only for
        // modules that were.)
        wasm.check(abi, options)?;
        let built = self.build(variant, wasm.bytes(), abi, options, init_fuel);
        // The Cranelift cache pays only between one build's two compiles; emptied whether
        // the build succeeded or not.
        variant.functions.clear();
        built
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
            self.counters.compiles.add(1);
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
        let frame = Frame::outermost(Some(deadline));
        let limits = ContractOptions {
            fuel_limit: options.fuel_limit.min(init_fuel),
            ..*options
        };
        let state = HostState::for_initialize(frame, abi, &limits, self.log_level);
        new_store(&variant.engine, state, deadline)
    }
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
        let left = store.get_fuel().unwrap_or(0);
        // wasmtime checks fuel where it checks it (function entries, loop headers), so a run
        // can end past its fuel with none left instead of trapping: that is out of fuel too.
        // Package initialisation then succeeds exactly when it needs less fuel than it was
        // given, which a module prepared before decides alike from the fuel it recorded
        // (`modules::within`): a node's cache never changes a deploy's result.
        if left == 0 {
            return Err(Error::OutOfFuel.into());
        }
        Ok((instance, fuel_limit - left))
    };
    init().map_err(|e| Error::Initialization(Box::new(classify(e, store.data().seen()))))
}

/// Instantiates `pre` and gives the host its memory.
pub(crate) fn instantiate_memory(
    pre: &InstancePre<HostState>,
    store: &mut Store<HostState>,
) -> std::result::Result<wasmtime::Instance, RunError> {
    // A module that passed the checks, within the limits it was deployed with, instantiates
    // the same way everywhere: what fails here (a trap aside) is this node (its memory, its
    // pool), never the contract, and must not become a result.
    let instance = pre.instantiate(&mut *store).map_err(|e| {
        if e.downcast_ref::<wasmtime::Trap>().is_some() {
            RunError::Wasm(e)
        } else {
            RunError::Contract(Error::Internal(format!("instantiating a module: {e}")))
        }
    })?;
    let memory = instance
        .get_memory(&mut *store, MEMORY_EXPORT)
        .ok_or_else(|| Error::InvalidModule("`memory` is not a memory".into()))?;
    store.data_mut().memory = Some(memory);
    Ok(instance)
}

//! The public face of the crate: [`Runtime`], how it is configured, and what a call takes
//! and gives.

use std::sync::Arc;

use govm_abi::{Address, ContractAbi, Function, Hash};
use govm_state::{HashBytes, Transaction};

use crate::call::{self, Permits, Shared};
use crate::engines::Engines;
use crate::env::Frame;
use crate::error::{Error, Result};
use crate::host::MAX_CALL_DEPTH;
use crate::modules::{Loaded, ModuleSource, Modules, Prepared};
use crate::options::{ContractOptions, WasiOptions};
use crate::request::{CallOutcome, Invocation};
use crate::stats::{Counters, Stats};

/// How a [`Runtime`] is built: the node's [`WasiOptions`] and how instances are made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// The default options of deploys and the node's own settings (cache, log level).
    pub wasi: WasiOptions,
    /// Start every call from the snapshot taken after Go's `_initialize` (the default).
    /// Off, every call runs `_initialize` in its fresh instance first: fifteen times slower
    /// for a token Transfer, with identical results and gas. For measurements and tests.
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

/// A deployed contract resolved once: its record read and its module prepared. Cheap to
/// clone; valid for as long as the contract's code and options do not change (they never do).
#[derive(Clone)]
pub struct Contract {
    address: Address,
    loaded: Arc<Loaded>,
}

impl std::fmt::Debug for Contract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contract")
            .field("address", &self.address)
            .field("code_hash", &self.code_hash())
            .finish_non_exhaustive()
    }
}

impl Contract {
    /// Its address.
    pub fn address(&self) -> Address {
        self.address
    }

    /// Its ABI.
    pub fn abi(&self) -> &Arc<ContractAbi> {
        &self.loaded.abi
    }

    /// The limits it runs under.
    pub fn options(&self) -> ContractOptions {
        self.loaded.options
    }

    /// sha256 of its source.
    pub fn code_hash(&self) -> Hash {
        Hash(self.loaded.code_hash)
    }

    /// Its entry point `name`: the one lookup of a call.
    pub fn entry(&self, name: &str) -> Result<Entry<'_>> {
        self.loaded
            .abi
            .functions
            .iter()
            .position(|f| f.name == name)
            .map(|index| Entry {
                contract: self,
                index,
            })
            .ok_or_else(|| Error::UnknownFunction {
                name: name.to_owned(),
            })
    }
}

/// An entry point of a resolved [`Contract`].
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    contract: &'a Contract,
    index: usize,
}

impl<'a> Entry<'a> {
    /// Its declaration in the ABI: what its arguments encode and its results decode with.
    pub fn function(&self) -> &'a Function {
        &self.contract.loaded.abi.functions[self.index]
    }

    /// The contract it belongs to.
    pub fn contract(&self) -> &'a Contract {
        self.contract
    }
}

/// Runs contracts: wasmtime engines, the host functions, and the module caches.
/// `Send + Sync`: calls may run on many threads at once.
pub struct Runtime {
    config: RuntimeConfig,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("config", &self.config)
            .field("pooled", &self.shared.engines.pooled)
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
        let pool = config.pooling.then_some(config.max_instances);
        let engines = Engines::new(&config.wasi.contract, pool)?;
        let permits = (config.max_instances as usize / (MAX_CALL_DEPTH + 1)).max(1);
        let disk = match (&config.wasi.cache_dir, config.wasi.precompiled_cache) {
            (Some(dir), true) => Some(dir.clone()),
            _ => None,
        };
        let counters = Arc::new(Counters::default());
        let modules = Modules::new(
            config.module_cache_capacity,
            disk,
            config.snapshots,
            config.wasi.log_level,
            Arc::clone(&counters),
        );
        let shared = Shared {
            log_level: config.wasi.log_level,
            engines,
            modules,
            permits: Permits::new(permits),
            counters,
        };
        Ok(Self {
            config,
            shared: Arc::new(shared),
        })
    }

    /// What this runtime has done since it was built: compiles, where prepared modules came
    /// from (memory, the disk cache, the state), evictions from memory, and instances made
    /// for calls. Counting costs no gas and changes no result.
    pub fn stats(&self) -> Stats {
        self.shared.counters.stats()
    }

    /// How many prepared modules are kept in memory.
    pub fn cached_modules(&self) -> usize {
        self.shared.modules.len()
    }

    /// Whether instances come from the pooling allocator.
    pub fn pooled(&self) -> bool {
        self.shared.engines.pooled
    }

    /// How the runtime was built.
    pub fn config(&self) -> &RuntimeConfig {
        &self.config
    }

    /// Runs Go's `_initialize` under the options' fuel limit, takes the snapshot calls will
    /// start from, compiles it and caches it: what a deploy does before it stores a contract
    /// (a module that cannot initialise is refused). A module not checked yet is checked
    /// first; a checked one must have been checked against `abi`. Calling it again with the
    /// same code and options is free.
    pub fn prepare(
        &self,
        code_hash: &HashBytes,
        module: ModuleSource<'_>,
        abi: &ContractAbi,
        options: &ContractOptions,
    ) -> Result<Prepared> {
        self.prepare_within(code_hash, module, abi, options, options.fuel_limit)
    }

    /// [`Runtime::prepare`] with package initialisation allowed at most `init_fuel` (and at
    /// most the options' fuel limit): what a chain's deploy can pay for. It fails out of
    /// fuel when initialisation needs more; a module prepared before is returned as it is
    /// (its `init_fuel` says what initialisation costs).
    pub fn prepare_within(
        &self,
        code_hash: &HashBytes,
        module: ModuleSource<'_>,
        abi: &ContractAbi,
        options: &ContractOptions,
        init_fuel: u64,
    ) -> Result<Prepared> {
        options.check()?;
        let _permit = self.shared.permits.acquire();
        let loaded = self.shared.modules.prepare(
            &self.shared.engines,
            code_hash,
            module,
            abi,
            options,
            init_fuel,
        )?;
        Ok(loaded.prepared)
    }

    /// The contract at `contract`, resolved once: its record read and its module prepared
    /// (from memory, the disk cache, or its stored code).
    pub fn resolve(&self, tx: &Transaction, contract: Address) -> Result<Contract> {
        let loaded = self
            .shared
            .modules
            .resolve(&self.shared.engines, tx, &contract)?;
        Ok(Contract {
            address: contract,
            loaded,
        })
    }

    /// The ABI of a deployed contract, without preparing its module: for showing stored
    /// objects and events.
    pub fn abi(&self, tx: &Transaction, contract: Address) -> Result<Arc<ContractAbi>> {
        self.shared.modules.abi(tx, &contract)
    }

    /// Runs `function` of `contract` in a fresh instance against `tx`, and hands the
    /// transaction back with the call's writes and events in it. On failure the caller must
    /// discard (or roll back) those writes. Cross-contract calls it makes run nested, each on
    /// a thread of its own.
    pub fn call(
        &self,
        tx: Transaction,
        contract: Address,
        function: &str,
        invocation: &Invocation<'_>,
    ) -> (Transaction, CallOutcome) {
        let _permit = self.shared.permits.acquire();
        let frame = Frame::outermost(None);
        let (tx, outcome, _) = call::call(&self.shared, tx, contract, function, invocation, frame);
        (tx, outcome)
    }

    /// Runs an entry point of a contract resolved before (see [`Runtime::call`]): no second
    /// record read or function lookup.
    pub fn call_entry(
        &self,
        tx: Transaction,
        entry: Entry<'_>,
        invocation: &Invocation<'_>,
    ) -> (Transaction, CallOutcome) {
        let _permit = self.shared.permits.acquire();
        call::run(
            &self.shared,
            tx,
            entry.contract.address,
            &entry.contract.loaded,
            &entry.function().name,
            invocation,
            Frame::outermost(None),
        )
    }

    /// Internals for the benchmarks (the `bench` feature).
    #[cfg(feature = "bench")]
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }
}

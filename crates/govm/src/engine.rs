//! The [`Engine`]: deploy, execute and query, wired through every layer.

use std::sync::{Mutex, MutexGuard};

use govm_abi::{Address, CheckedModule, ContractAbi, Hash, Value};
use govm_runtime::{
    CallOutcome, ContractOptions, Invocation, ModuleSource, Runtime, RuntimeConfig,
};
use govm_state::{ContractRecord, State, Transaction, code_hash, contract_address, source_hash};
use govm_validate::prepare_source;

use crate::config::{
    CallContext, Config, DeployOptions, Deployment, EventRecord, Outcome, StateBackend,
};
use crate::error::{Error, Result};

/// Deploys and runs Go contracts. `Send + Sync`; calls that write are serialised.
#[derive(Debug)]
pub struct Engine {
    pub(crate) state: State,
    pub(crate) runtime: Runtime,
    /// The toolchain driver: only where the `build` feature is on (never on a node).
    #[cfg(feature = "build")]
    pub(crate) compiler: govm_compiler::Compiler,
    pub(crate) validation: govm_validate::Config,
    write_lock: Mutex<()>,
}

/// A deploy validated and prepared, not yet written.
#[derive(Debug)]
pub(crate) struct Pending {
    hash: [u8; 32],
    source_hash: [u8; 32],
    source_len: usize,
    valid: govm_validate::ValidContract,
    limits: ContractOptions,
    wasm: Vec<u8>,
    prepared: govm_runtime::Prepared,
    compiled: bool,
    compile_gas: u64,
}

impl Pending {
    /// A deploy of `source` with `wasm`, kept under their code hash (`code_hash` of both);
    /// `compile_gas` is what the module's shape costs ([`govm_runtime::gas::compile_gas`]).
    pub(crate) fn new(
        source: &str,
        valid: govm_validate::ValidContract,
        limits: ContractOptions,
        module: (Vec<u8>, u64),
        prepared: govm_runtime::Prepared,
        compiled: bool,
    ) -> Self {
        let (wasm, compile_gas) = module;
        Self {
            hash: code_hash(source.as_bytes(), &wasm),
            source_hash: source_hash(source.as_bytes()),
            source_len: source.len(),
            valid,
            limits,
            wasm,
            prepared,
            compiled,
            compile_gas,
        }
    }
}

/// What compiling `module` costs, from its shape (counted again when the module was read
/// back from a store rather than checked).
pub(crate) fn compile_gas_of(module: &CheckedModule) -> Result<u64> {
    let shape = module
        .shape()
        .map_err(|e| Error::Runtime(govm_runtime::Error::InvalidModule(e.0)))?;
    Ok(govm_runtime::gas::compile_gas(&shape))
}

/// A call's arguments: values, or one JSON array checked against the ABI.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Args<'a> {
    Values(&'a [Value]),
    Json(&'a serde_json::Value),
    /// Already SCALE-encoded (a transaction's): the contract's wrapper checks them.
    Encoded(&'a [u8]),
}

impl Engine {
    /// An engine over the state its configuration names.
    pub fn new(config: Config) -> Result<Self> {
        let state = match &config.state {
            StateBackend::Memory => State::in_memory(),
            StateBackend::Redb(path) => State::open(path)?,
        };
        Self::with_state(config, state)
    }

    /// An engine over an existing state (the configuration's `state` is not used). Writes
    /// through another handle to the same state are not serialised with the engine's.
    pub fn with_state(config: Config, state: State) -> Result<Self> {
        #[cfg(feature = "build")]
        let compiler = config.compiler();
        let mut runtime_config: RuntimeConfig = config.runtime;
        if runtime_config.wasi.cache_dir.is_none() {
            runtime_config.wasi.cache_dir = Some(config.cache_dir.join("modules"));
        }
        let runtime = Runtime::new(runtime_config).map_err(Error::Runtime)?;
        Ok(Self {
            state,
            runtime,
            #[cfg(feature = "build")]
            compiler,
            validation: config.validation,
            write_lock: Mutex::new(()),
        })
    }

    /// The hash of the committed state.
    pub fn state_hash(&self) -> Result<Hash> {
        Ok(Hash(self.state.state_hash()?))
    }

    /// A transaction over the committed state, for reading it: the engine never commits it,
    /// and nothing else can (committing takes the engine's `State`).
    pub fn read_view(&self) -> Transaction {
        self.state.begin()
    }

    /// The height of the last committed block and the state hash after it (none before the
    /// first block): read back from the same durable write after a restart. It does not wait
    /// for a block being built: it reads what is committed.
    pub fn last_block(&self) -> Result<Option<(u64, Hash)>> {
        Ok(self.state.last_block()?.map(|(h, hash)| (h, Hash(hash))))
    }

    /// The options a deploy gets unless it chooses its own.
    pub fn default_options(&self) -> ContractOptions {
        self.runtime.config().wasi.contract
    }

    /// The runtime (for its configuration and statistics).
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    pub(crate) fn write_lock(&self) -> MutexGuard<'_, ()> {
        self.write_lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Validates Go source (plain or gzip) and returns its ABI, without compiling it. With
    /// the `build` feature, syntax errors are confirmed with Go's own parser when Go is
    /// installed, so that they point where `gofmt -e` does.
    pub fn check(&self, code: &[u8]) -> Result<ContractAbi> {
        let source = prepare_source(code, self.validation.max_source_size)?;
        #[cfg(feature = "build")]
        let valid = self.validate_for_author(&source)?;
        #[cfg(not(feature = "build"))]
        let valid = govm_validate::validate(&source, &self.validation)?;
        Ok(valid.abi)
    }

    /// Deploys source with the wasm its submitter built (`govm build`): what a chain node
    /// does, with no toolchain and no process. The source is validated (which gives the ABI);
    /// the module is checked against the module interface and against that ABI (an export
    /// for every entry point, and no callable export beyond them and the interface's own), its
    /// package initialisation runs under the contract's fuel limit, and the contract is stored
    /// and registered. The contract runs the module given here, whatever was deployed before
    /// with the same source: code is kept under the hash of the source and the module
    /// together. `govm verify` (or [`Engine::verify`]) tells whether a source builds to the
    /// deployed bytes.
    pub fn deploy_prebuilt(
        &self,
        code: &[u8],
        wasm: Vec<u8>,
        options: &DeployOptions,
    ) -> Result<Deployment> {
        let pending = self.prepare_prebuilt(code, wasm, options, None)?;
        self.store_deployment(pending, options)
    }

    /// Stores and registers a prepared deploy and commits it (the write lock is taken only
    /// now: compiling and preparing, which take seconds for new code, happened before).
    pub(crate) fn store_deployment(
        &self,
        pending: Pending,
        options: &DeployOptions,
    ) -> Result<Deployment> {
        let _guard = self.write_lock();
        let mut tx = self.state.begin();
        let deployment = self.register(&mut tx, pending, options)?;
        self.state.commit(tx)?;
        Ok(deployment)
    }

    /// Whether a prebuilt deploy would pass validation and the module check (what a mempool
    /// asks before a block runs it), without preparing or writing anything.
    pub fn check_prebuilt(
        &self,
        code: &[u8],
        wasm: Vec<u8>,
        options: &DeployOptions,
    ) -> Result<()> {
        let (limits, _, valid) = self.deploy_input(code, options)?;
        CheckedModule::check_prebuilt(wasm, &valid.abi, limits.enable_simd)
            .map(drop)
            .map_err(|e| Error::Runtime(govm_runtime::Error::InvalidModule(e.0)))
    }

    /// Validation, the module check and preparation of a prebuilt deploy, before any write.
    /// With `init_fuel`, the deploy has that much gas left once its bytes are paid for:
    /// compiling ([`govm_runtime::gas::compile_gas`]) is charged from it before the module
    /// compiles, and package initialisation gets the rest, at most the options' fuel limit
    /// (without, that limit).
    pub(crate) fn prepare_prebuilt(
        &self,
        code: &[u8],
        wasm: Vec<u8>,
        options: &DeployOptions,
        init_fuel: Option<u64>,
    ) -> Result<Pending> {
        let (limits, source, valid) = self.deploy_input(code, options)?;
        let module = CheckedModule::check_prebuilt(wasm, &valid.abi, limits.enable_simd)
            .map_err(|e| Error::Runtime(govm_runtime::Error::InvalidModule(e.0)))?;
        // Compiling is priced by the module's shape, and charged before any of it is done:
        // package initialisation gets what is left, within the contract's own fuel limit.
        let compile_gas = compile_gas_of(&module)?;
        let init_fuel = match init_fuel {
            None => limits.fuel_limit,
            Some(left) => left
                .checked_sub(compile_gas)
                .ok_or(Error::Runtime(govm_runtime::Error::CompileOutOfFuel {
                    gas: compile_gas,
                    left,
                }))?
                .min(limits.fuel_limit),
        };
        // The code is kept under the hash of the source and the module together: what is
        // stored under it, if anything, is these very bytes, so the module the deployer sent
        // is the contract's code.
        let hash = code_hash(source.as_bytes(), module.bytes());
        let prepared = self.prepare_within(
            &hash,
            ModuleSource::Checked(&module),
            &valid,
            &limits,
            init_fuel,
        )?;
        Ok(Pending::new(
            &source,
            valid,
            limits,
            (module.into_bytes(), compile_gas),
            prepared,
            false,
        ))
    }

    /// The options a deploy runs under (checked before anything is compiled), its source and
    /// its validation: a pure function of the bytes, with no toolchain.
    pub(crate) fn deploy_input(
        &self,
        code: &[u8],
        options: &DeployOptions,
    ) -> Result<(ContractOptions, String, govm_validate::ValidContract)> {
        let limits = options.options.unwrap_or(self.default_options());
        limits.check().map_err(Error::Runtime)?;
        let source = prepare_source(code, self.validation.max_source_size)?;
        let valid = govm_validate::validate(&source, &self.validation)?;
        Ok((limits, source, valid))
    }

    #[cfg(feature = "build")]
    pub(crate) fn prepare(
        &self,
        hash: &[u8; 32],
        wasm: ModuleSource<'_>,
        valid: &govm_validate::ValidContract,
        limits: &ContractOptions,
    ) -> Result<govm_runtime::Prepared> {
        self.prepare_within(hash, wasm, valid, limits, limits.fuel_limit)
    }

    fn prepare_within(
        &self,
        hash: &[u8; 32],
        wasm: ModuleSource<'_>,
        valid: &govm_validate::ValidContract,
        limits: &ContractOptions,
        init_fuel: u64,
    ) -> Result<govm_runtime::Prepared> {
        self.runtime
            .prepare_within(hash, wasm, &valid.abi, limits, init_fuel)
            .map_err(Error::Runtime)
    }

    /// Stores the code (unless stored already) and registers the contract, in `tx`.
    pub(crate) fn register(
        &self,
        tx: &mut Transaction,
        mut pending: Pending,
        options: &DeployOptions,
    ) -> Result<Deployment> {
        let hash = pending.hash;
        // Stored already (by an earlier deploy of the same source and module): the same bytes.
        if tx.has_code(&hash)? {
            pending.compiled = false;
        } else {
            tx.put_code(
                &hash,
                &pending.source_hash,
                &pending.wasm,
                &pending.valid.abi.to_json(),
            )?;
        }
        let nonce = tx.next_deploy_nonce(&options.deployer.0)?;
        // The address derives from the source (its hash), not the module: the deployer and
        // its deploy count make it unique, and Go's native test chain, which has no module,
        // derives the same one.
        let address = contract_address(&options.deployer.0, nonce, &pending.source_hash);
        tx.register_contract(&ContractRecord {
            address,
            code_hash: hash,
            deployer: options.deployer.0,
            deploy_height: options.block_height,
            options: pending.limits.encode(),
        })?;
        let init = pending.prepared.init_fuel;
        Ok(Deployment {
            address: Address(address),
            code_hash: Hash(hash),
            deploy_gas: govm_runtime::gas::deploy_gas(pending.source_len, pending.wasm.len(), init)
                .saturating_add(pending.compile_gas),
            compile_gas: pending.compile_gas,
            abi: pending.valid.abi,
            compiled: pending.compiled,
            options: pending.limits,
            init_gas: init,
            snapshot_hash: pending.prepared.snapshot_hash,
        })
    }

    /// Creates native balance for an address: the development faucet. Commits at once.
    pub fn mint(&self, to: Address, amount: u64) -> Result<Hash> {
        let _guard = self.write_lock();
        let mut tx = self.state.begin();
        tx.mint(&to.0, amount)?;
        Ok(Hash(self.state.commit(tx)?.state_hash))
    }

    /// The native balance of an address.
    pub fn balance(&self, address: Address) -> Result<u64> {
        Ok(self.state.begin().balance(&address.0)?)
    }

    /// Calls an entry point and commits its writes if it succeeds. A failed call changes no
    /// state and returns [`Error::Call`].
    pub fn execute_with_args(
        &self,
        ctx: &CallContext,
        contract: Address,
        function: &str,
        args: &[Value],
    ) -> Result<Outcome> {
        self.commit_call(ctx, contract, function, Args::Values(args))
    }

    /// Calls an entry point without arguments (see [`Engine::execute_with_args`]).
    pub fn execute(&self, ctx: &CallContext, contract: Address, function: &str) -> Result<Outcome> {
        self.execute_with_args(ctx, contract, function, &[])
    }

    /// Like [`Engine::execute_with_args`], with the arguments as one JSON array checked
    /// against the ABI (`[5, "0x…"]`; see docs/abi.md for the JSON forms).
    pub fn execute_json(
        &self,
        ctx: &CallContext,
        contract: Address,
        function: &str,
        args: &serde_json::Value,
    ) -> Result<Outcome> {
        self.commit_call(ctx, contract, function, Args::Json(args))
    }

    /// Calls an entry point and discards its writes, even on success.
    pub fn query(
        &self,
        ctx: &CallContext,
        contract: Address,
        function: &str,
        args: &[Value],
    ) -> Result<Outcome> {
        self.query_call(ctx, contract, function, Args::Values(args))
    }

    /// Like [`Engine::query`], with the arguments as one JSON array.
    pub fn query_json(
        &self,
        ctx: &CallContext,
        contract: Address,
        function: &str,
        args: &serde_json::Value,
    ) -> Result<Outcome> {
        self.query_call(ctx, contract, function, Args::Json(args))
    }

    fn commit_call(
        &self,
        ctx: &CallContext,
        contract: Address,
        function: &str,
        args: Args<'_>,
    ) -> Result<Outcome> {
        let _guard = self.write_lock();
        let (tx, outcome) = self.run_in(self.state.begin(), ctx, contract, function, args);
        let outcome = outcome?;
        let info = self.state.commit(tx)?;
        Ok(Outcome {
            state_hash: Some(Hash(info.state_hash)),
            ..outcome
        })
    }

    fn query_call(
        &self,
        ctx: &CallContext,
        contract: Address,
        function: &str,
        args: Args<'_>,
    ) -> Result<Outcome> {
        let (_discarded, outcome) = self.run_in(self.state.begin(), ctx, contract, function, args);
        Ok(Outcome {
            state_hash: Some(self.state_hash()?),
            ..outcome?
        })
    }

    /// Runs one call in `tx` and hands `tx` back whatever happened; the outcome's events are
    /// the ones this call emitted, and its state hash is not known yet. A failed call's
    /// writes are still in `tx`: the caller rolls back or discards. The contract is resolved
    /// once (one record read, one function lookup); its events come decoded from the runtime,
    /// and its results are decoded here, once, except with encoded arguments (a chain's
    /// transaction), whose caller keeps only the encoded results: those are checked alone.
    pub(crate) fn run_in(
        &self,
        tx: Transaction,
        ctx: &CallContext,
        contract: Address,
        function: &str,
        args: Args<'_>,
    ) -> (Transaction, Result<Outcome>) {
        let contract = match self.runtime.resolve(&tx, contract) {
            Ok(c) => c,
            Err(e) => return (tx, Err(refused(e))),
        };
        let values_wanted = !matches!(args, Args::Encoded(_));
        let encoded = (|| {
            let entry = contract.entry(function).map_err(refused)?;
            let abi = contract.abi();
            let encoded = match args {
                Args::Values(v) => abi.encode_args(entry.function(), v)?,
                Args::Json(json) => {
                    let values = abi.args_from_json(entry.function(), json)?;
                    abi.encode_args(entry.function(), &values)?
                }
                Args::Encoded(bytes) => bytes.to_vec(),
            };
            Ok((entry, encoded))
        })();
        let (entry, encoded) = match encoded {
            Ok(e) => e,
            Err(e) => return (tx, Err(e)),
        };
        let events_before = tx.events().len();
        let invocation = Invocation {
            args: &encoded,
            sender: ctx.sender,
            block_height: ctx.block_height,
            block_time: ctx.block_time,
            fuel_limit: ctx.fuel_limit,
            value: ctx.value,
        };
        let (tx, out) = self.runtime.call_entry(tx, entry, &invocation);
        let CallOutcome {
            result,
            gas_used,
            debug_output,
            events,
        } = out;
        let failed = |error, debug_output| Error::Call {
            error,
            gas_used,
            debug_output,
        };
        let bytes = match result {
            Ok(bytes) => bytes,
            Err(e) => return (tx, Err(failed(e, debug_output))),
        };
        // Results that do not decode are the contract's failure, with its gas.
        let abi = entry.contract().abi();
        let results = if values_wanted {
            abi.decode_results(entry.function(), &bytes)
        } else {
            abi.check_results(entry.function(), &bytes)
                .map(|()| Vec::new())
        };
        let results = match results {
            Ok(results) => results,
            Err(e) => {
                let error = govm_runtime::Error::Trap(format!("the results: {e}"));
                return (tx, Err(failed(error, debug_output)));
            }
        };
        debug_assert!(
            events.len() == tx.events().len() - events_before
                && events
                    .iter()
                    .zip(&tx.events()[events_before..])
                    .all(|(e, stored)| e.contract.0 == stored.contract && e.name == stored.name),
            "the call's events are the ones its transaction gained"
        );
        let outcome = Outcome {
            results,
            encoded_results: bytes,
            events: events.into_iter().map(EventRecord::emitted).collect(),
            gas_used,
            debug_output,
            state_hash: None,
        };
        (tx, Ok(outcome))
    }
}

/// A call refused before it ran: no gas used, no output.
pub(crate) fn refused(error: govm_runtime::Error) -> Error {
    Error::Call {
        error,
        gas_used: 0,
        debug_output: String::new(),
    }
}

//! The [`Engine`]: deploy, execute and query, wired through every layer.

use std::sync::{Mutex, MutexGuard};

use govm_abi::{Address, CheckedModule, ContractAbi, Hash, Value};
use govm_compiler::{Compiler, CompilerConfig, prepare_source};
use govm_runtime::{
    CallOutcome, ContractOptions, Invocation, ModuleSource, Runtime, RuntimeConfig,
};
use govm_state::{ContractRecord, State, Transaction, code_hash, contract_address};

use crate::config::{
    CallContext, Config, DeployOptions, Deployment, EventRecord, Outcome, StateBackend,
};
use crate::error::{Error, Result};

/// Deploys and runs Go contracts. `Send + Sync`; calls that write are serialised.
#[derive(Debug)]
pub struct Engine {
    pub(crate) state: State,
    pub(crate) runtime: Runtime,
    compiler: Compiler,
    validation: govm_validate::Config,
    write_lock: Mutex<()>,
}

/// A call's arguments: values, or one JSON array checked against the ABI.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Args<'a> {
    Values(&'a [Value]),
    Json(&'a serde_json::Value),
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
        let mut runtime_config: RuntimeConfig = config.runtime;
        if runtime_config.wasi.cache_dir.is_none() {
            runtime_config.wasi.cache_dir = Some(config.cache_dir.join("modules"));
        }
        let runtime = Runtime::new(runtime_config).map_err(Error::Runtime)?;
        let mut compiler_config = CompilerConfig::new(config.cache_dir);
        compiler_config.toolchain = config.toolchain;
        compiler_config.wasm_opt = config.wasm_opt;
        Ok(Self {
            state,
            runtime,
            compiler: Compiler::new(compiler_config),
            validation: config.validation,
            write_lock: Mutex::new(()),
        })
    }

    /// The hash of the committed state.
    pub fn state_hash(&self) -> Result<Hash> {
        Ok(Hash(self.state.state_hash()?))
    }

    /// The options a deploy gets unless it chooses its own.
    pub fn default_options(&self) -> ContractOptions {
        self.runtime.config().wasi.contract
    }

    /// The runtime (for its configuration and statistics).
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The compiler (for its toolchain and statistics).
    pub fn compiler(&self) -> &Compiler {
        &self.compiler
    }

    pub(crate) fn write_lock(&self) -> MutexGuard<'_, ()> {
        self.write_lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Validates Go source (plain or gzip) and returns its ABI, without compiling it.
    pub fn check(&self, code: &[u8]) -> Result<ContractAbi> {
        let source = prepare_source(code, self.validation.max_source_size)?;
        Ok(self.validate(&source)?.abi)
    }

    /// Validates source; syntax errors are confirmed with Go's own parser when Go is
    /// installed, so that they point where `gofmt -e` does.
    fn validate(&self, source: &str) -> Result<govm_validate::ValidContract> {
        match govm_validate::validate(source, &self.validation) {
            Ok(valid) => Ok(valid),
            Err(rejected) if rejected.diagnostics.iter().any(|d| d.rule == "syntax") => {
                let diagnostics = self
                    .compiler
                    .syntax_diagnostics(source)
                    .unwrap_or(rejected.diagnostics);
                Err(Error::Rejected(govm_validate::Rejected { diagnostics }))
            }
            Err(rejected) => Err(Error::Rejected(rejected)),
        }
    }

    /// Validates and compiles Go source, without deploying it. Returns the ABI and the module
    /// (checked as the runtime would check it).
    pub fn build(&self, code: &[u8], file_name: &str) -> Result<(ContractAbi, CheckedModule)> {
        let source = prepare_source(code, self.validation.max_source_size)?;
        let valid = self.validate(&source)?;
        let artifact = self.compiler.compile(&source, &valid, file_name)?;
        Ok((valid.abi, artifact.module))
    }

    /// Deploys Go source (plain or gzip) with default options.
    pub fn deploy(&self, code: &[u8]) -> Result<Address> {
        Ok(self
            .deploy_with_options(code, &DeployOptions::default())?
            .address)
    }

    /// Validates, compiles (unless the same source was compiled before), checks the module,
    /// runs Go's package initialization under the contract's fuel limit and snapshots it,
    /// stores the contract, and registers it at a fresh address.
    pub fn deploy_with_options(&self, code: &[u8], options: &DeployOptions) -> Result<Deployment> {
        let limits = options.options.unwrap_or(self.default_options());
        // Checked before compiling, so that a bad option costs no compile.
        limits.check().map_err(Error::Runtime)?;
        let source = prepare_source(code, self.validation.max_source_size)?;
        let valid = self.validate(&source)?;
        let hash = code_hash(source.as_bytes());
        let prepare = |wasm: ModuleSource<'_>| {
            self.runtime
                .prepare(&hash, wasm, &valid.abi, &limits)
                .map_err(Error::Runtime)
        };
        // Compiling and preparing take seconds for new code: done before taking the write
        // lock, so that other writers wait only for the store.
        let stored = self.state.begin().code(&hash)?;
        let (wasm, mut prepared, mut compiled) = match stored {
            Some(wasm) => {
                let prepared = prepare(ModuleSource::Unchecked(&wasm))?;
                (wasm, prepared, false)
            }
            None => {
                let artifact = self.compiler.compile(&source, &valid, &options.file_name)?;
                let prepared = prepare(ModuleSource::Checked(&artifact.module))?;
                (artifact.module.into_bytes(), prepared, true)
            }
        };
        let _guard = self.write_lock();
        let mut tx = self.state.begin();
        match tx.code(&hash)? {
            None => tx.put_code(&hash, &wasm, &valid.abi.to_json())?,
            // Stored meanwhile by another deploy: the stored bytes are the contract's code.
            Some(stored) => {
                if stored != wasm {
                    prepared = prepare(ModuleSource::Unchecked(&stored))?;
                }
                compiled = false;
            }
        }
        let nonce = tx.next_deploy_nonce(&options.deployer.0)?;
        let address = contract_address(&options.deployer.0, nonce, &hash);
        tx.register_contract(&ContractRecord {
            address,
            code_hash: hash,
            deployer: options.deployer.0,
            deploy_height: options.block_height,
            options: limits.encode(),
        })?;
        self.state.commit(tx)?;
        Ok(Deployment {
            address: Address(address),
            code_hash: Hash(hash),
            abi: valid.abi,
            compiled,
            options: limits,
            init_gas: prepared.init_fuel,
            snapshot_hash: prepared.snapshot_hash,
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
    /// once (one record read, one function lookup) and its events decode against the ABIs
    /// the call ran with.
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
        let encoded = (|| {
            let entry = contract.entry(function).map_err(refused)?;
            let abi = contract.abi();
            let values;
            let values = match args {
                Args::Values(v) => v,
                Args::Json(json) => {
                    values = abi.args_from_json(entry.function(), json)?;
                    &values[..]
                }
            };
            Ok((entry, abi.encode_args(entry.function(), values)?))
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
        let outcome = (|| {
            let bytes = out.result.clone().map_err(|error| Error::Call {
                error,
                gas_used: out.gas_used,
                debug_output: out.debug_output.clone(),
            })?;
            let results = entry
                .contract()
                .abi()
                .decode_results(entry.function(), &bytes)?;
            let events = decode_call_events(&out, &tx.events()[events_before..])?;
            Ok(Outcome {
                results,
                events,
                gas_used: out.gas_used,
                debug_output: out.debug_output,
                state_hash: None,
            })
        })();
        (tx, outcome)
    }
}

/// Decodes a call's events, each with the ABI its contract ran with.
fn decode_call_events(out: &CallOutcome, events: &[govm_state::Event]) -> Result<Vec<EventRecord>> {
    events
        .iter()
        .map(|e| {
            let emitter = Address(e.contract);
            let abi = out.abi_of(&emitter).ok_or_else(|| {
                Error::Runtime(govm_runtime::Error::Internal(format!(
                    "an event from {emitter}, which did not run in the call"
                )))
            })?;
            crate::records::event_record(abi, e)
        })
        .collect()
}

/// A call refused before it ran: no gas used, no output.
pub(crate) fn refused(error: govm_runtime::Error) -> Error {
    Error::Call {
        error,
        gas_used: 0,
        debug_output: String::new(),
    }
}

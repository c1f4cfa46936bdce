//! The [`Engine`]: deploy, execute and query, wired through every layer.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use govm_abi::{Address, ContractAbi, Hash, ObjectId, Value};
use govm_compiler::{Compiler, CompilerConfig, ToolchainConfig, prepare_source};
use govm_runtime::{CallRequest, ContractOptions, Runtime, RuntimeConfig};
use govm_state::{ContractRecord, State, Transaction, code_hash, contract_address};

use crate::error::{Error, Result};

/// How an [`Engine`] is built.
#[derive(Clone, Debug)]
pub struct Config {
    /// Holds compiled artifacts and the Go build cache. Default: `$GOVM_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/govm`, else `$HOME/.cache/govm`, else a `govm` folder in the temporary
    /// directory.
    pub cache_dir: PathBuf,
    /// Where to find TinyGo and Go.
    pub toolchain: ToolchainConfig,
    /// The runtime: the default [`ContractOptions`] of deploys and the node's `WASIOptions`
    /// (`config.runtime.wasi`), snapshots, pooling and the module cache.
    pub runtime: RuntimeConfig,
    /// What source the validator accepts.
    pub validation: govm_validate::Config,
    /// Where state lives. Default: in memory.
    pub state: StateBackend,
    /// Binaryen's `wasm-opt` to shrink modules with (`-Oz`). Default: none. A chain must make
    /// the same choice, with the same version, on every node: the module bytes are state.
    pub wasm_opt: Option<PathBuf>,
}

/// Where an engine keeps its state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum StateBackend {
    /// In memory: gone with the engine. The library default, and what tests use.
    #[default]
    Memory,
    /// A redb database file (created when missing): every commit is durable.
    Redb(PathBuf),
}

impl Default for Config {
    fn default() -> Self {
        Self {
            cache_dir: default_cache_dir(),
            toolchain: ToolchainConfig::default(),
            runtime: RuntimeConfig::default(),
            validation: govm_validate::Config::default(),
            state: StateBackend::Memory,
            wasm_opt: None,
        }
    }
}

fn default_cache_dir() -> PathBuf {
    let env = |k| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("GOVM_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("govm")))
        .or_else(|| env("HOME").map(|d| d.join(".cache").join("govm")))
        .unwrap_or_else(|| std::env::temp_dir().join("govm"))
}

/// Options of one deployment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeployOptions {
    /// Who deploys: the contract's address derives from it and its deployment count.
    pub deployer: Address,
    /// The block height recorded with the contract.
    pub block_height: u64,
    /// The file name compiler messages use. Default `contract.go`.
    pub file_name: String,
    /// The limits the contract runs under (stored with it). Default: the runtime's
    /// (`config.runtime.wasi.contract`).
    pub options: Option<ContractOptions>,
}

impl Default for DeployOptions {
    fn default() -> Self {
        Self {
            deployer: Address::ZERO,
            block_height: 0,
            file_name: "contract.go".into(),
            options: None,
        }
    }
}

/// A deployed contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deployment {
    /// Its address.
    pub address: Address,
    /// sha256 of its source.
    pub code_hash: Hash,
    /// Its ABI.
    pub abi: ContractAbi,
    /// Whether the code was compiled now (false when the same source was deployed before).
    pub compiled: bool,
    /// The limits it runs under.
    pub options: ContractOptions,
    /// Fuel Go's package initialization used: the deploy's gas, the same on every machine.
    pub init_gas: u64,
    /// sha256 of the snapshot its calls start from (none when snapshots are off).
    pub snapshot_hash: Option<Hash>,
}

/// Who calls, when, and with how much fuel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallContext {
    /// The caller's address.
    pub sender: Address,
    /// The block height.
    pub block_height: u64,
    /// The block time, in Unix seconds.
    pub block_time: i64,
    /// The most fuel the call may use. Default 50,000,000.
    pub fuel_limit: u64,
}

impl CallContext {
    /// A context for `sender` at height 1, time 1,700,000,000, with the default fuel.
    pub fn new(sender: Address) -> Self {
        Self {
            sender,
            block_height: 1,
            block_time: 1_700_000_000,
            fuel_limit: 50_000_000,
        }
    }
}

/// An event a call emitted, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRecord {
    /// The contract that emitted it.
    pub contract: Address,
    /// Its name.
    pub name: String,
    /// Its fields, in order.
    pub fields: Vec<(String, Value)>,
}

/// What a successful call returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The results, without the trailing `error`.
    pub results: Vec<Value>,
    /// Events, in order.
    pub events: Vec<EventRecord>,
    /// Gas (fuel) used, host costs included.
    pub gas_used: u64,
    /// What the contract printed.
    pub debug_output: String,
    /// The state hash after the commit (for a query, the unchanged hash).
    pub state_hash: Hash,
}

impl Outcome {
    /// The single result, converted: `outcome.result::<u64>()`.
    pub fn result<T: govm_abi::FromValue>(&self) -> Result<T> {
        match self.results.as_slice() {
            [one] => Ok(T::from_value(one)?),
            other => Err(Error::Abi(govm_abi::Error::Arity {
                what: "results".into(),
                expected: 1,
                got: other.len(),
            })),
        }
    }
}

/// Deploys and runs Go contracts. `Send + Sync`; calls that write are serialised.
#[derive(Debug)]
pub struct Engine {
    state: State,
    runtime: Runtime,
    compiler: Compiler,
    validation: govm_validate::Config,
    write_lock: Mutex<()>,
    /// Parsed ABIs by code hash: stored code never changes, so neither does its ABI.
    abis: Mutex<HashMap<[u8; 32], Arc<ContractAbi>>>,
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

    /// An engine over an existing state (the configuration's `state` is not used).
    pub fn with_state(config: Config, state: State) -> Result<Self> {
        let mut runtime_config = config.runtime;
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
            abis: Mutex::new(HashMap::new()),
        })
    }

    /// The state this engine runs on.
    pub fn state(&self) -> &State {
        &self.state
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

    /// Validates and compiles Go source and checks the module the runtime would run, without
    /// deploying it. Returns the ABI and the wasm.
    pub fn build(&self, code: &[u8], file_name: &str) -> Result<(ContractAbi, Vec<u8>)> {
        let source = prepare_source(code, self.validation.max_source_size)?;
        let valid = self.validate(&source)?;
        let artifact = self.compiler.compile(&source, &valid, file_name)?;
        // The runtime's own check, without preparing the module: a build must not put a
        // module into the runtime's cache that is not the code stored for this source.
        govm_abi::check_module(
            &artifact.wasm,
            &valid.abi,
            self.runtime.config().wasi.contract.enable_simd,
        )
        .map_err(|e| Error::Runtime(govm_runtime::Error::InvalidModule(e.0)))?;
        Ok((valid.abi, artifact.wasm))
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
        let limits = options
            .options
            .unwrap_or(self.runtime.config().wasi.contract);
        limits.check().map_err(Error::Runtime)?;
        let source = prepare_source(code, self.validation.max_source_size)?;
        let valid = self.validate(&source)?;
        let hash = code_hash(source.as_bytes());
        // Compiling and preparing take seconds for new code: done before taking the write
        // lock, so that other writers wait only for the store.
        let (wasm, mut compiled) = match self.state.begin().code(&hash)? {
            Some(wasm) => (wasm, false),
            None => {
                let artifact = self.compiler.compile(&source, &valid, &options.file_name)?;
                (artifact.wasm, true)
            }
        };
        let mut prepared = self
            .runtime
            .prepare(&hash, &wasm, &valid.abi, &limits)
            .map_err(Error::Runtime)?;
        let _guard = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut tx = self.state.begin();
        match tx.code(&hash)? {
            None => {
                tx.put_code(&hash, &wasm, &valid.abi.to_json())?;
            }
            // Stored meanwhile by another deploy: the stored bytes are the contract's code.
            Some(stored) => {
                if stored != wasm {
                    prepared = self
                        .runtime
                        .prepare(&hash, &stored, &valid.abi, &limits)
                        .map_err(Error::Runtime)?;
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
        let _guard = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut tx = self.state.begin();
        tx.mint(&to.0, amount)?;
        Ok(Hash(self.state.commit(tx)?.state_hash))
    }

    /// The native balance of an address.
    pub fn balance(&self, address: Address) -> Result<u64> {
        Ok(self.state.begin().balance(&address.0)?)
    }

    /// The ABI of a deployed contract.
    pub fn abi(&self, contract: Address) -> Result<ContractAbi> {
        let tx = self.state.begin();
        Ok((*self.load_abi(&tx, contract)?).clone())
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
        let _guard = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let (tx, outcome) = self.run(ctx, contract, function, args)?;
        let info = self.state.commit(tx)?;
        Ok(Outcome {
            state_hash: Hash(info.state_hash),
            ..outcome
        })
    }

    /// Calls an entry point without arguments (see [`Engine::execute_with_args`]).
    pub fn execute(&self, ctx: &CallContext, contract: Address, function: &str) -> Result<Outcome> {
        self.execute_with_args(ctx, contract, function, &[])
    }

    /// Calls an entry point and discards its writes, even on success.
    pub fn query(
        &self,
        ctx: &CallContext,
        contract: Address,
        function: &str,
        args: &[Value],
    ) -> Result<Outcome> {
        let (_discarded, outcome) = self.run(ctx, contract, function, args)?;
        Ok(Outcome {
            state_hash: Hash(self.state.state_hash()?),
            ..outcome
        })
    }

    fn run(
        &self,
        ctx: &CallContext,
        contract: Address,
        function: &str,
        args: &[Value],
    ) -> Result<(Transaction, Outcome)> {
        let (tx, outcome) = self.run_in(self.state.begin(), ctx, contract, function, args);
        Ok((tx, outcome?))
    }

    /// Runs one call in `tx` and hands `tx` back whatever happened; the outcome's events are
    /// the ones this call emitted. A failed call's writes are still in `tx`: the caller rolls
    /// back or discards.
    fn run_in(
        &self,
        tx: Transaction,
        ctx: &CallContext,
        contract: Address,
        function: &str,
        args: &[Value],
    ) -> (Transaction, Result<Outcome>) {
        let prepared = self.load_abi(&tx, contract).and_then(|abi| {
            let f = abi.function(function).ok_or_else(|| {
                refused(govm_runtime::Error::UnknownFunction {
                    name: function.to_owned(),
                })
            })?;
            let encoded = abi.encode_args(f, args)?;
            Ok((abi, encoded))
        });
        let (abi, encoded) = match prepared {
            Ok(p) => p,
            Err(e) => return (tx, Err(e)),
        };
        let events_before = tx.events().len();
        let request = CallRequest {
            contract,
            function,
            args: &encoded,
            sender: ctx.sender,
            block_height: ctx.block_height,
            block_time: ctx.block_time,
            fuel_limit: ctx.fuel_limit,
        };
        let (tx, out) = self.runtime.call(tx, &request);
        let outcome = (|| {
            let bytes = out.result.map_err(|error| Error::Call {
                error,
                gas_used: out.gas_used,
                debug_output: out.debug_output.clone(),
            })?;
            // The function was found above; it cannot have gone since.
            let results = match abi.function(function) {
                Some(f) => abi.decode_results(f, &bytes)?,
                None => Vec::new(),
            };
            let events = self.decode_events(&tx, &tx.events()[events_before..])?;
            Ok(Outcome {
                results,
                events,
                gas_used: out.gas_used,
                debug_output: out.debug_output,
                state_hash: Hash::ZERO,
            })
        })();
        (tx, outcome)
    }

    /// Starts a block: calls execute in one transaction, each in its own savepoint (a failed
    /// call is rolled back and the block goes on), and [`Block::commit`] applies them all at
    /// once. Other writers wait until the block is committed or dropped.
    pub fn begin_block(&self, height: u64, time: i64) -> Block<'_> {
        Block {
            engine: self,
            _guard: self.write_lock.lock().unwrap_or_else(|e| e.into_inner()),
            tx: self.state.begin(),
            height,
            time,
            failed: None,
        }
    }

    /// A deployed contract: its record, ABI and module.
    pub fn contract_info(&self, contract: Address) -> Result<ContractInfo> {
        let tx = self.state.begin();
        let record = tx.contract(&contract.0)?.ok_or_else(|| {
            refused(govm_runtime::Error::UnknownContract {
                address: contract.to_string(),
            })
        })?;
        let abi = self.load_abi(&tx, contract)?;
        let wasm = tx.code(&record.code_hash)?.unwrap_or_default();
        let options = ContractOptions::decode(&record.options).map_err(Error::Runtime)?;
        let module = govm_abi::check_module(&wasm, &abi, options.enable_simd)
            .map_err(|e| Error::Runtime(govm_runtime::Error::InvalidModule(e.0)))?;
        Ok(ContractInfo {
            address: contract,
            code_hash: Hash(record.code_hash),
            deployer: Address(record.deployer),
            deploy_height: record.deploy_height,
            options,
            abi: (*abi).clone(),
            wasm_size: module.size,
            exports: module.exports,
            imports: module.imports,
        })
    }

    /// The objects a contract created, oldest first, with their fields decoded.
    pub fn objects(&self, contract: Address) -> Result<Vec<ObjectRecord>> {
        let tx = self.state.begin();
        let abi = self.load_abi(&tx, contract)?;
        tx.objects_of(&contract.0)?
            .into_iter()
            .map(|meta| object_record(&tx, &abi, meta))
            .collect()
    }

    /// One object, with its fields decoded by its contract's ABI.
    pub fn object(&self, id: ObjectId) -> Result<Option<ObjectRecord>> {
        let tx = self.state.begin();
        let Some(meta) = tx.object(&id.0)? else {
            return Ok(None);
        };
        let abi = self.load_abi(&tx, Address(meta.contract))?;
        object_record(&tx, &abi, meta).map(Some)
    }

    /// Every committed event, oldest first; with `contract`, only that contract's.
    pub fn events(&self, contract: Option<Address>) -> Result<Vec<EventRecord>> {
        let events = self.state.events(contract.as_ref().map(|c| &c.0))?;
        self.decode_events(&self.state.begin(), &events)
    }

    /// The ABI of a contract, parsed once per code hash.
    fn load_abi(&self, tx: &Transaction, contract: Address) -> Result<Arc<ContractAbi>> {
        let unknown = || {
            refused(govm_runtime::Error::UnknownContract {
                address: contract.to_string(),
            })
        };
        let record = tx.contract(&contract.0)?.ok_or_else(unknown)?;
        let cache = || self.abis.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(abi) = cache().get(&record.code_hash) {
            return Ok(Arc::clone(abi));
        }
        let json = tx.code_abi(&record.code_hash)?.ok_or_else(unknown)?;
        let abi = Arc::new(ContractAbi::from_json(&json)?);
        cache().insert(record.code_hash, Arc::clone(&abi));
        Ok(abi)
    }

    /// Decodes events, each with the structs of the contract that emitted it.
    fn decode_events(
        &self,
        tx: &Transaction,
        events: &[govm_state::Event],
    ) -> Result<Vec<EventRecord>> {
        events
            .iter()
            .map(|e| {
                let emitter = Address(e.contract);
                let fields = self
                    .load_abi(tx, emitter)?
                    .codec()
                    .decode_event_fields(&e.data)?;
                Ok(EventRecord {
                    contract: emitter,
                    name: e.name.clone(),
                    fields,
                })
            })
            .collect()
    }
}

/// Calls that commit together: see [`Engine::begin_block`].
#[derive(Debug)]
pub struct Block<'a> {
    engine: &'a Engine,
    _guard: std::sync::MutexGuard<'a, ()>,
    tx: Transaction,
    height: u64,
    time: i64,
    /// Set when the store failed under a call: the block cannot be committed.
    failed: Option<String>,
}

impl Block<'_> {
    /// Runs a call in the block. A failed call is rolled back (its gas is still reported in
    /// the error) and the block goes on.
    pub fn execute_with_args(
        &mut self,
        sender: Address,
        fuel_limit: u64,
        contract: Address,
        function: &str,
        args: &[Value],
    ) -> Result<Outcome> {
        let ctx = CallContext {
            sender,
            block_height: self.height,
            block_time: self.time,
            fuel_limit,
        };
        let savepoint = self.tx.savepoint();
        let tx = std::mem::replace(&mut self.tx, self.engine.state.begin());
        let (mut tx, outcome) = self.engine.run_in(tx, &ctx, contract, function, args);
        if let Err(e) = &outcome {
            tx.rollback_to(savepoint);
            // A failing store is not a failed call: it would make this node's block differ.
            let storage = matches!(
                e,
                Error::State(_)
                    | Error::Call {
                        error: govm_runtime::Error::State(_) | govm_runtime::Error::Internal(_),
                        ..
                    }
            );
            if storage && self.failed.is_none() {
                self.failed = Some(e.to_string());
            }
        }
        self.tx = tx;
        outcome
    }

    /// Commits every successful call of the block at once and returns the new state hash.
    /// Refused when the store failed under one of its calls.
    pub fn commit(self) -> Result<Hash> {
        if let Some(reason) = self.failed {
            return Err(Error::State(govm_state::Error::Storage(format!(
                "the block cannot be committed: {reason}"
            ))));
        }
        Ok(Hash(self.engine.state.commit(self.tx)?.state_hash))
    }
}

/// A deployed contract, as `govm inspect` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractInfo {
    /// Its address.
    pub address: Address,
    /// sha256 of its source.
    pub code_hash: Hash,
    /// Who deployed it.
    pub deployer: Address,
    /// The block height of the deployment.
    pub deploy_height: u64,
    /// The limits it runs under.
    pub options: ContractOptions,
    /// Its ABI.
    pub abi: ContractAbi,
    /// Size of its wasm module in bytes.
    pub wasm_size: usize,
    /// The module's exports.
    pub exports: Vec<String>,
    /// The module's imports, as `module::name`.
    pub imports: Vec<String>,
}

/// An object and its decoded fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRecord {
    /// Its ID.
    pub id: ObjectId,
    /// Its owner.
    pub owner: Address,
    /// The contract that created it.
    pub contract: Address,
    /// Its fields by name, in name order.
    pub fields: Vec<(String, Value)>,
}

fn object_record(
    tx: &Transaction,
    abi: &ContractAbi,
    meta: govm_state::ObjectMeta,
) -> Result<ObjectRecord> {
    let fields = tx
        .fields(&meta.id)?
        .into_iter()
        .map(|(name, bytes)| Ok((name, abi.codec().decode_tagged(&bytes)?.1)))
        .collect::<Result<Vec<_>>>()?;
    Ok(ObjectRecord {
        id: ObjectId(meta.id),
        owner: Address(meta.owner),
        contract: Address(meta.contract),
        fields,
    })
}

/// A call refused before it ran: no gas used, no output.
fn refused(error: govm_runtime::Error) -> Error {
    Error::Call {
        error,
        gas_used: 0,
        debug_output: String::new(),
    }
}

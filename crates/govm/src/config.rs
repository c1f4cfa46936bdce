//! What the facade takes and gives: how an [`Engine`](crate::Engine) is built, deploy
//! options, call contexts, and what deploys and calls return.

use std::path::PathBuf;

use govm_abi::{Address, ContractAbi, Hash, Value};
#[cfg(feature = "build")]
use govm_compiler::ToolchainConfig;
use govm_runtime::{ContractOptions, RuntimeConfig};

use crate::error::{Error, Result};

/// How an [`Engine`](crate::Engine) is built.
#[derive(Clone, Debug)]
pub struct Config {
    /// Holds compiled modules (and, with the `build` feature, compiled artifacts and the Go
    /// build cache). Default: `$GOVM_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/govm`, else `$HOME/.cache/govm`, else a `govm` folder in the temporary
    /// directory.
    pub cache_dir: PathBuf,
    /// Where to find TinyGo and Go (feature `build`).
    #[cfg(feature = "build")]
    pub toolchain: ToolchainConfig,
    /// The runtime: the default [`ContractOptions`] of deploys and the node's `WASIOptions`
    /// (`config.runtime.wasi`), snapshots, pooling and the module cache.
    pub runtime: RuntimeConfig,
    /// What source the validator accepts.
    pub validation: govm_validate::Config,
    /// Where state lives. Default: in memory.
    pub state: StateBackend,
    /// Binaryen's `wasm-opt` to shrink modules with (`-Oz`; feature `build`). Default: none.
    /// Everyone who builds a chain's modules should make the same choice, with the same
    /// version: the module bytes are what `govm verify` compares.
    #[cfg(feature = "build")]
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
            #[cfg(feature = "build")]
            toolchain: ToolchainConfig::default(),
            runtime: RuntimeConfig::default(),
            validation: govm_validate::Config::default(),
            state: StateBackend::Memory,
            #[cfg(feature = "build")]
            wasm_opt: None,
        }
    }
}

impl Config {
    /// The compiler this configuration describes.
    #[cfg(feature = "build")]
    pub(crate) fn compiler(&self) -> govm_compiler::Compiler {
        let mut compiler = govm_compiler::CompilerConfig::new(self.cache_dir.clone());
        compiler.toolchain = self.toolchain.clone();
        compiler.wasm_opt = self.wasm_opt.clone();
        govm_compiler::Compiler::new(compiler)
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
    /// What its code is kept under: the hash of its source and its module together.
    pub code_hash: Hash,
    /// Its ABI.
    pub abi: ContractAbi,
    /// Whether the code is new (false when the same source and module were deployed before).
    pub compiled: bool,
    /// The limits it runs under.
    pub options: ContractOptions,
    /// Fuel Go's package initialization used, the same on every machine.
    pub init_gas: u64,
    /// What the deploy costs (`govm_runtime::gas::deploy_gas`: a base cost, the stored source
    /// and wasm bytes, and `init_gas`; and `compile_gas`); docs/gas.md.
    pub deploy_gas: u64,
    /// What compiling the module costs, from its shape (`govm_runtime::gas::compile_gas`),
    /// whether or not this deploy compiled it: a part of `deploy_gas`.
    pub compile_gas: u64,
    /// sha256 of the snapshot its calls start from (none when snapshots are off).
    pub snapshot_hash: Option<Hash>,
}

/// Who calls, when, with how much fuel, and what value the call carries.
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
    /// Native value the call carries, moved from the sender to the contract before the entry
    /// point runs (`ctx.Value()` in Go) and back when the call fails. Default 0.
    pub value: u64,
}

impl CallContext {
    /// A context for `sender` at height 1, time 1,700,000,000, with the default fuel.
    pub fn new(sender: Address) -> Self {
        Self {
            sender,
            block_height: 1,
            block_time: 1_700_000_000,
            fuel_limit: 50_000_000,
            value: 0,
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

impl EventRecord {
    /// An event a call emitted, as the runtime decoded it.
    pub(crate) fn emitted(e: govm_runtime::EmittedEvent) -> Self {
        Self {
            contract: e.contract,
            name: e.name,
            fields: e.fields,
        }
    }

    /// A stored event decoded with its contract's ABI.
    pub(crate) fn decode(abi: &ContractAbi, e: &govm_state::Event) -> Result<Self> {
        Ok(Self {
            contract: Address(e.contract),
            name: e.name.clone(),
            fields: abi.codec().decode_event_fields(&e.data)?,
        })
    }
}

/// What a successful call returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The results, without the trailing `error`. Empty from
    /// [`Block::execute_encoded`](crate::Block::execute_encoded), whose caller keeps the
    /// encoded results: they are checked there (results that do not decode fail the call), not
    /// decoded.
    pub results: Vec<Value>,
    /// The same results as the contract encoded them (the SCALE tuple of docs/abi.md §2).
    pub encoded_results: Vec<u8>,
    /// Events, in order.
    pub events: Vec<EventRecord>,
    /// Gas (fuel) used, host costs included.
    pub gas_used: u64,
    /// What the contract printed.
    pub debug_output: String,
    /// The state hash after the call: after its commit, or for a query the unchanged hash.
    /// `None` for a call in a [`Block`](crate::Block): the hash is known only when the
    /// block commits ([`Block::commit`](crate::Block::commit) returns it).
    pub state_hash: Option<Hash>,
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

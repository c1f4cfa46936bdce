//! A validator's home: the govm application's files beside a CometBFT home
//! (docs/node.md, "A validator's home").
//!
//! ```text
//! <home>/genesis.json      the govm genesis (chain id, time, parameters, balances, contracts)
//! <home>/node.json         this node's own settings (the ABCI address)
//! <home>/state.redb        the chain state
//! <home>/cache/            compiled modules
//! <home>/cometbft/         the CometBFT home (config/, data/, keys)
//! ```

use std::path::{Path, PathBuf};

use govm::{Address, Config, Engine, StateBackend};
use govm_chain::{Chain, ChainParams, Genesis, GenesisBalance, address_of};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

/// Why a home could not be set up or opened.
#[derive(Debug, thiserror::Error)]
pub enum HomeError {
    /// A file is missing or unreadable.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// The chain refused the genesis or the state.
    #[error(transparent)]
    Chain(#[from] govm_chain::Error),
    /// The engine could not be built.
    #[error(transparent)]
    Engine(#[from] govm::Error),
}

/// This node's own settings (`node.json`): not consensus, may differ between validators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// Where the application listens for CometBFT (its `proxy_app`), `host:port`.
    pub abci: String,
}

impl Default for NodeConfig {
    fn default() -> Self {
        Self {
            abci: "127.0.0.1:26658".into(),
        }
    }
}

/// A validator's home.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeHome {
    root: PathBuf,
}

impl NodeHome {
    /// The home at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Its folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The govm genesis.
    pub fn genesis_path(&self) -> PathBuf {
        self.root.join("genesis.json")
    }

    /// This node's settings.
    pub fn config_path(&self) -> PathBuf {
        self.root.join("node.json")
    }

    /// The CometBFT home.
    pub fn cometbft(&self) -> PathBuf {
        self.root.join("cometbft")
    }

    /// The chain state.
    pub fn state_path(&self) -> PathBuf {
        self.root.join("state.redb")
    }

    /// Reads `node.json`.
    pub fn config(&self) -> Result<NodeConfig, HomeError> {
        let path = self.config_path();
        let text = read(&path)?;
        serde_json::from_str(&text).map_err(|e| file_error(&path, e))
    }

    /// Writes `node.json`.
    pub fn write_config(&self, config: &NodeConfig) -> Result<(), HomeError> {
        let text = serde_json::to_string_pretty(config).unwrap_or_default();
        write(&self.config_path(), &text)
    }

    /// Reads the govm genesis.
    pub fn genesis(&self) -> Result<Genesis, HomeError> {
        Ok(Genesis::from_json(&read(&self.genesis_path())?)?)
    }

    /// Writes the govm genesis.
    pub fn write_genesis(&self, genesis: &Genesis) -> Result<(), HomeError> {
        write(&self.genesis_path(), &genesis.to_json())
    }

    /// Opens the chain over the home's state, initialising it from the genesis when fresh.
    pub fn open_chain(&self) -> Result<Chain, HomeError> {
        let genesis = self.genesis()?;
        let config = Config {
            cache_dir: self.root.join("cache"),
            state: StateBackend::Redb(self.state_path()),
            ..Config::default()
        };
        Ok(Chain::new(Engine::new(config)?, &genesis)?)
    }
}

/// Creates a CometBFT home (keys, config, genesis) with `cometbft init`, unless it has a
/// genesis already.
pub fn init_cometbft(cometbft: &Path, home: &Path) -> Result<(), HomeError> {
    if home.join("config/genesis.json").exists() {
        return Ok(());
    }
    let out = std::process::Command::new(cometbft)
        .arg("init")
        .arg("--home")
        .arg(home)
        .output()
        .map_err(|e| {
            file_error(
                cometbft,
                format!(
                    "cannot run it ({e}); install CometBFT {} (cargo xtask setup) or name it \
                     with --cometbft",
                    crate::COMETBFT_VERSION
                ),
            )
        })?;
    if !out.status.success() {
        return Err(file_error(
            cometbft,
            format!(
                "cometbft init failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        ));
    }
    Ok(())
}

/// The govm genesis of a CometBFT genesis (`cometbft/config/genesis.json`): its chain id,
/// its genesis time as the time of block 0, `params`, and `balances` (each validator's
/// address, derived from its key as CometBFT does, gets `validator_balance`).
pub fn genesis_from_cometbft(
    cometbft_genesis: &Path,
    params: ChainParams,
    balances: &[(Address, u64)],
    validator_balance: u64,
) -> Result<Genesis, HomeError> {
    let text = read(cometbft_genesis)?;
    let json: Json = serde_json::from_str(&text).map_err(|e| file_error(cometbft_genesis, e))?;
    let bad = |what: &str| file_error(cometbft_genesis, what);
    let chain_id = json["chain_id"]
        .as_str()
        .ok_or_else(|| bad("no chain_id"))?;
    let time = json["genesis_time"]
        .as_str()
        .and_then(|t| humantime::parse_rfc3339_weak(t).ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .ok_or_else(|| bad("no readable genesis_time"))?;
    let mut all: Vec<GenesisBalance> = Vec::new();
    if validator_balance > 0 {
        for v in json["validators"].as_array().into_iter().flatten() {
            let key = v["pub_key"]["value"]
                .as_str()
                .and_then(|k| BASE64.decode(k).ok())
                .and_then(|k| <[u8; 32]>::try_from(k).ok())
                .ok_or_else(|| bad("a validator without an ed25519 key"))?;
            all.push(GenesisBalance {
                address: address_of(&key).to_string(),
                amount: validator_balance,
            });
        }
    }
    all.extend(balances.iter().map(|(a, amount)| GenesisBalance {
        address: a.to_string(),
        amount: *amount,
    }));
    let genesis = Genesis {
        chain_id: chain_id.into(),
        time: i64::try_from(time.as_secs()).unwrap_or(0),
        params,
        balances: all,
        contracts: Vec::new(),
    };
    // A genesis no chain can run on is refused here, before any validator starts.
    genesis.check()?;
    Ok(genesis)
}

/// Block and timing settings written into a CometBFT home's `config.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CometSettings {
    /// The application's address (`proxy_app`).
    pub abci: String,
    /// The JSON-RPC address (`rpc.laddr`).
    pub rpc: String,
    /// The peer-to-peer address (`p2p.laddr`).
    pub p2p: String,
    /// Peers, `id@host:port` joined by commas.
    pub persistent_peers: String,
    /// Wait after a commit before the next height (`consensus.timeout_commit`), e.g. `"1s"`.
    pub timeout_commit: String,
    /// How long to wait for a proposal (`consensus.timeout_propose`).
    pub timeout_propose: String,
    /// The chain's `max_tx_bytes`: the mempool admits transactions up to it
    /// (`mempool.max_tx_bytes`) and the JSON-RPC takes requests that carry one
    /// (`rpc.max_body_bytes`, base64 and JSON around it).
    pub max_tx_bytes: u64,
}

/// Points a CometBFT home's `config.toml` at the application (`proxy_app`) and lets its
/// mempool and JSON-RPC carry transactions up to the chain's `max_tx_bytes`
/// (`mempool.max_tx_bytes`, `rpc.max_body_bytes`: CometBFT's defaults stop at 1 MB, below a
/// deploy). Other keys stay as they are.
pub fn configure_cometbft_for_app(
    cometbft_home: &Path,
    abci: &str,
    max_tx_bytes: u64,
) -> Result<(), HomeError> {
    edit_config(cometbft_home, |doc| {
        doc["proxy_app"] = toml_edit::value(format!("tcp://{abci}"));
        let tx_bytes = i64::try_from(max_tx_bytes).unwrap_or(i64::MAX / 4);
        doc["rpc"]["max_body_bytes"] =
            toml_edit::value(tx_bytes.saturating_mul(2).saturating_add(1 << 20));
        doc["mempool"]["max_tx_bytes"] = toml_edit::value(tx_bytes);
    })
}

/// Writes `settings` into `<cometbft home>/config/config.toml` (other keys stay as they are),
/// for peers on one host (duplicate IPs allowed, the address book not strict).
pub fn configure_cometbft(cometbft_home: &Path, settings: &CometSettings) -> Result<(), HomeError> {
    configure_cometbft_for_app(cometbft_home, &settings.abci, settings.max_tx_bytes)?;
    edit_config(cometbft_home, |doc| {
        doc["rpc"]["laddr"] = toml_edit::value(format!("tcp://{}", settings.rpc));
        doc["rpc"]["pprof_laddr"] = toml_edit::value("");
        doc["p2p"]["laddr"] = toml_edit::value(format!("tcp://{}", settings.p2p));
        doc["p2p"]["external_address"] = toml_edit::value("");
        doc["p2p"]["persistent_peers"] = toml_edit::value(settings.persistent_peers.clone());
        doc["p2p"]["addr_book_strict"] = toml_edit::value(false);
        doc["p2p"]["allow_duplicate_ip"] = toml_edit::value(true);
        doc["consensus"]["timeout_commit"] = toml_edit::value(settings.timeout_commit.clone());
        doc["consensus"]["timeout_propose"] = toml_edit::value(settings.timeout_propose.clone());
        doc["instrumentation"]["prometheus"] = toml_edit::value(false);
        doc["tx_index"]["indexer"] = toml_edit::value("kv");
    })
}

fn edit_config(
    cometbft_home: &Path,
    edit: impl FnOnce(&mut toml_edit::DocumentMut),
) -> Result<(), HomeError> {
    let path = cometbft_home.join("config/config.toml");
    let text = read(&path)?;
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e| file_error(&path, e))?;
    edit(&mut doc);
    write(&path, &doc.to_string())
}

fn read(path: &Path) -> Result<String, HomeError> {
    std::fs::read_to_string(path).map_err(|e| file_error(path, e))
}

fn write(path: &Path, text: &str) -> Result<(), HomeError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
    }
    std::fs::write(path, text).map_err(|e| file_error(path, e))
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> HomeError {
    HomeError::File {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

//! The genesis: what a chain starts from (docs/chain.md, "Genesis").

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::params::ChainParams;

/// A chain's starting point, read from JSON. The same genesis gives the same initial state
/// hash on every node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// The chain's name; every transaction names it.
    pub chain_id: String,
    /// The genesis time, Unix seconds (the time of block 0).
    pub time: i64,
    /// The chain's parameters (defaults for those left out).
    #[serde(default)]
    pub params: ChainParams,
    /// Native balances at genesis.
    #[serde(default)]
    pub balances: Vec<GenesisBalance>,
    /// Contracts deployed at height 0, in order.
    #[serde(default)]
    pub contracts: Vec<GenesisContract>,
}

/// A balance at genesis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisBalance {
    /// The account, `0x`-hex.
    pub address: String,
    /// Its balance.
    pub amount: u64,
}

/// A contract deployed at genesis: its source and the wasm built from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisContract {
    /// Who deploys it, `0x`-hex (its address derives from the deployer and the source).
    pub deployer: String,
    /// The Go source.
    pub source: String,
    /// The module, `0x`-hex.
    pub wasm: String,
}

impl Genesis {
    /// Reads a genesis from JSON, refusing unknown fields and an empty chain id.
    pub fn from_json(text: &str) -> Result<Self> {
        let genesis: Genesis =
            serde_json::from_str(text).map_err(|e| Error::Genesis(e.to_string()))?;
        if genesis.chain_id.is_empty() {
            return Err(Error::Genesis("the chain id is empty".into()));
        }
        Ok(genesis)
    }

    /// The genesis as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

//! The genesis: what a chain starts from (docs/chain.md, "Genesis").

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::params::{ChainParams, TRANSFER_GAS, intrinsic_gas};

/// The longest chain id CometBFT accepts.
const MAX_CHAIN_ID_LEN: usize = 50;

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
    /// Reads a genesis from JSON, refusing unknown fields and an empty chain id. What makes a
    /// genesis fit to start a chain is [`Genesis::check`], which a new chain's genesis must
    /// pass (`Chain::new` on an empty state, `govm node init`); a chain already running is
    /// never refused a restart by it.
    pub fn from_json(text: &str) -> Result<Self> {
        let genesis: Genesis =
            serde_json::from_str(text).map_err(|e| Error::Genesis(e.to_string()))?;
        if genesis.chain_id.is_empty() {
            return Err(Error::Genesis("the chain id is empty".into()));
        }
        Ok(genesis)
    }

    /// Checks that the genesis makes a chain that can run, with a message for each refusal:
    /// a chain id CometBFT accepts, parameters that pass [`ChainParams::check`], addresses
    /// that parse, each listed once, and a total supply that fits in 64 bits (so that no
    /// balance, and no fee credited to a proposer, can ever overflow).
    pub fn check(&self) -> Result<()> {
        let refuse = |why: String| Err(Error::Genesis(why));
        if self.chain_id.is_empty() {
            return refuse("the chain id is empty".into());
        }
        if self.chain_id.len() > MAX_CHAIN_ID_LEN {
            return refuse(format!(
                "the chain id is {} bytes; CometBFT allows at most {MAX_CHAIN_ID_LEN}",
                self.chain_id.len()
            ));
        }
        self.params
            .check()
            .map_err(|why| Error::Genesis(format!("params: {why}")))?;
        // The smallest transfer of this chain (its id is in every transaction) must fit.
        let transfer = crate::tx::UnsignedTx {
            chain_id: self.chain_id.clone(),
            nonce: 0,
            fuel_limit: 0,
            gas_price: 0,
            body: crate::tx::transfer_body(govm::Address::ZERO, 0),
        };
        let smallest = intrinsic_gas(transfer.encode_unsigned().len() + 96) + TRANSFER_GAS;
        if self.params.max_tx_fuel < smallest {
            return refuse(format!(
                "params: max_tx_fuel {} is below {smallest}, the gas of the smallest transfer \
                 on chain {:?}",
                self.params.max_tx_fuel, self.chain_id
            ));
        }
        let mut seen = std::collections::HashSet::new();
        let mut supply: u64 = 0;
        for (i, b) in self.balances.iter().enumerate() {
            let address = govm::Address::from_hex(&b.address).map_err(|e| {
                Error::Genesis(format!("balance {i}: address {:?}: {e}", b.address))
            })?;
            if !seen.insert(address) {
                return refuse(format!("balance {i}: {address} is listed twice"));
            }
            supply = supply.checked_add(b.amount).ok_or_else(|| {
                Error::Genesis(format!(
                    "balance {i}: the total supply passes {} (balances and fees are 64-bit)",
                    u64::MAX
                ))
            })?;
        }
        for (i, c) in self.contracts.iter().enumerate() {
            govm::Address::from_hex(&c.deployer).map_err(|e| {
                Error::Genesis(format!("contract {i}: deployer {:?}: {e}", c.deployer))
            })?;
        }
        Ok(())
    }

    /// The genesis as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn genesis(balances: &str, params: &str) -> Result<Genesis> {
        let genesis = Genesis::from_json(&format!(
            r#"{{"chain_id": "g", "time": 0, "params": {{{params}}}, "balances": [{balances}]}}"#
        ))?;
        genesis.check()?;
        Ok(genesis)
    }

    fn refusal(balances: &str, params: &str) -> String {
        genesis(balances, params)
            .expect_err("a bad genesis must be refused")
            .to_string()
    }

    #[test]
    fn bad_genesis_files_are_refused_with_a_message_each() {
        let a = r#"{"address": "0x0101010101010101010101010101010101010101", "amount": 5}"#;
        let b = r#"{"address": "0x0202020202020202020202020202020202020202", "amount": 18446744073709551615}"#;
        assert!(genesis(a, "").is_ok());
        assert!(refusal(&format!("{a}, {b}"), "").contains("total supply"));
        assert!(refusal(&format!("{a}, {a}"), "").contains("listed twice"));
        let bad_address = r#"{"address": "0x01", "amount": 5}"#;
        assert!(refusal(bad_address, "").contains("balance 0: address"));
        assert!(refusal(a, r#""min_gas_price": 0"#).contains("params: min_gas_price"));
        assert!(
            refusal(a, r#""max_block_fuel": 1000, "max_tx_fuel": 100000"#)
                .contains("params: max_block_fuel")
        );
        assert!(refusal(a, r#""min_timeout_ms": 3600000"#).contains("params: min_timeout_ms"));
        // A transfer of chain "g" is 152 bytes: 10,000 + 1,520 + 10,000 gas.
        assert!(refusal(a, r#""max_tx_fuel": 21519"#).contains("smallest transfer"));
        assert!(genesis(a, r#""max_tx_fuel": 21520"#).is_ok());
        let long = "x".repeat(51);
        let err = Genesis::from_json(&format!(r#"{{"chain_id": "{long}", "time": 0}}"#))
            .and_then(|g| g.check())
            .expect_err("a long chain id")
            .to_string();
        assert!(err.contains("at most 50"), "{err}");
    }
}

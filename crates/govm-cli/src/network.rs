//! `--node URL`: the commands against a network. Transactions are signed with a key of the
//! home (`--from NAME`), their nonce fetched from the node, and the command waits until the
//! transaction is in a block; reads are ABCI queries (docs/node.md, "Queries").

use std::time::Duration;

use govm::{Address, ContractAbi};
use govm_chain::{Body, SigningKey, UnsignedTx};
use govm_node::rpc::{Client, Included};
use serde_json::{Value as Json, json};

use crate::exit::{Exit, Failure};

/// A connection to a node.
#[derive(Debug)]
pub(crate) struct Network {
    client: Client,
    wait: Duration,
}

/// A transaction in a block.
#[derive(Debug)]
pub(crate) struct Sent {
    pub(crate) hash: String,
    pub(crate) included: Included,
}

impl Network {
    pub(crate) fn new(url: &str, wait: Duration) -> Result<Self, Failure> {
        if url.starts_with("https://") {
            return Err(Failure::input(format!(
                "--node {url:?}: this govm speaks plain HTTP to a node (reach a remote one through \
                 a tunnel, e.g. ssh -L 26657:127.0.0.1:26657)"
            )));
        }
        if !url.starts_with("http://") {
            return Err(Failure::input(format!(
                "--node {url:?}: give the node's JSON-RPC address, like http://127.0.0.1:26657"
            )));
        }
        Ok(Self {
            client: Client::new(url, Duration::from_secs(10)),
            wait,
        })
    }

    /// An ABCI query's JSON value; its code becomes the exit code.
    pub(crate) fn query(&self, path: &str, data: &[u8]) -> Result<Json, Failure> {
        match self.query_raw(path, data)? {
            (0, _, value) => Ok(value),
            (code, log, _) => Err(query_failure(code, &log)),
        }
    }

    /// An ABCI query: its code, log and JSON value (`Null` when empty).
    pub(crate) fn query_raw(
        &self,
        path: &str,
        data: &[u8],
    ) -> Result<(u32, String, Json), Failure> {
        let answer = self.client.query(path, data).map_err(Failure::internal)?;
        let value = if answer.value.is_empty() {
            Json::Null
        } else {
            serde_json::from_slice(&answer.value)
                .map_err(|e| Failure::internal(format!("the node's answer to {path}: {e}")))?
        };
        Ok((answer.code, answer.log, value))
    }

    /// A deployed contract's ABI.
    pub(crate) fn abi(&self, contract: Address) -> Result<ContractAbi, Failure> {
        let json = self.query(&format!("/abi/{contract}"), &[])?;
        ContractAbi::from_json(&json.to_string())
            .map_err(|e| Failure::internal(format!("the contract's ABI: {e}")))
    }

    /// Signs `body` with `key` at the sender's next nonce and the chain's minimum gas price
    /// (or `gas_price`), sends it and waits until it is in a block.
    pub(crate) fn submit(
        &self,
        key: &SigningKey,
        body: Body,
        fuel_limit: u64,
        gas_price: Option<u64>,
    ) -> Result<Sent, Failure> {
        let info = self.query("/info", &[])?;
        let chain_id = info["chain_id"].as_str().unwrap_or_default().to_owned();
        let gas_price = gas_price.unwrap_or(info["params"]["min_gas_price"].as_u64().unwrap_or(1));
        let sender = govm_chain::address_of(&key.verifying_key().to_bytes());
        let account = self.query(&format!("/account/{sender}"), &[])?;
        let nonce = account["nonce"].as_u64().unwrap_or(0);
        let tx = UnsignedTx {
            chain_id,
            nonce,
            fuel_limit,
            gas_price,
            body,
        }
        .sign(key)
        .encode();
        let broadcast = self.client.broadcast(&tx).map_err(|e| match e {
            // CometBFT's own refusals: already in its cache, mempool full, too large.
            govm_node::rpc::RpcError::Refused { message, .. } => {
                Failure::input(format!("the node refused the transaction: {message}"))
            }
            other => Failure::internal(other),
        })?;
        if broadcast.code != 0 {
            return Err(Failure::input(format!(
                "the node refused the transaction (code {}): {}",
                broadcast.code, broadcast.log
            )));
        }
        let hash = govm_chain::tx_hash(&tx);
        match self
            .client
            .wait_for_tx(&hash, self.wait)
            .map_err(Failure::internal)?
        {
            Some(included) => Ok(Sent {
                hash: format!("0x{}", hex::encode(hash)),
                included,
            }),
            None => Err(Failure::internal(format!(
                "transaction 0x{} was accepted but is not in a block after {} ms (--wait-ms); \
                 `govm tx` shows it once it is",
                hex::encode(hash),
                self.wait.as_millis()
            ))),
        }
    }
}

/// The exit code of a transaction's result code (docs/chain.md, "Result codes").
pub(crate) fn tx_exit(code: u32) -> Exit {
    Exit::of_tx_code(code)
}

/// A query's code as a failure.
pub(crate) fn query_failure(code: u32, log: &str) -> Failure {
    Failure::new(Exit::of_query_code(code), log)
}

/// The JSON form of a transaction in a block.
pub(crate) fn sent_json(sent: &Sent) -> Json {
    json!({
        "tx": sent.hash,
        "height": sent.included.height,
        "code": sent.included.code,
        "gas_used": sent.included.gas_used,
    })
}

/// The contract events of a transaction (its `info`), in their JSON form.
pub(crate) fn events_of(included: &Included) -> Vec<Json> {
    serde_json::from_str::<Json>(&included.info)
        .ok()
        .and_then(|j| j["events"].as_array().cloned())
        .unwrap_or_default()
}

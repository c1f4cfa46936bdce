//! A client of CometBFT's JSON-RPC (plain HTTP, JSON-RPC 2.0 over POST): what the `govm`
//! command, the local network and the tests send to a node.

use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value as Json, json};

/// Why a request to a node failed.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// The node could not be reached (wrong address, not running).
    #[error("cannot reach the node at {url}: {message}")]
    Unreachable {
        /// The node's address.
        url: String,
        /// What failed.
        message: String,
    },
    /// The node answered with a JSON-RPC error.
    #[error("the node refused {method}: {message}")]
    Refused {
        /// The method.
        method: String,
        /// Its message and data.
        message: String,
    },
    /// The answer is not what CometBFT sends.
    #[error("unexpected answer to {method}: {message}")]
    Unexpected {
        /// The method.
        method: String,
        /// What was wrong.
        message: String,
    },
}

/// A node's status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// The chain id (CometBFT's `network`).
    pub chain_id: String,
    /// The latest committed height.
    pub height: u64,
    /// The app hash after it, upper-case hex.
    pub app_hash: String,
    /// Whether the node is still syncing.
    pub catching_up: bool,
    /// The time in the header of the latest block (`None` before the first block, or when
    /// the node sent no time it could read).
    pub latest_block_time: Option<SystemTime>,
}

/// What `broadcast_tx_sync` says (the mempool's `CheckTx`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broadcast {
    /// `CheckTx`'s code (0: admitted to the mempool).
    pub code: u32,
    /// Why not.
    pub log: String,
    /// The transaction's hash, upper-case hex.
    pub hash: String,
}

/// A committed transaction, from CometBFT's transaction index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Included {
    /// Its block.
    pub height: u64,
    /// Its result code (docs/chain.md, "Result codes").
    pub code: u32,
    /// Its data (a call's SCALE results, a deploy's address).
    pub data: Vec<u8>,
    /// Its log.
    pub log: String,
    /// Its info (the contract events' JSON).
    pub info: String,
    /// Gas used.
    pub gas_used: u64,
}

/// An ABCI query's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryAnswer {
    /// Its code ([`QueryCode`](crate::QueryCode)).
    pub code: u32,
    /// Why it failed.
    pub log: String,
    /// The value (JSON).
    pub value: Vec<u8>,
    /// The height it was answered at.
    pub height: u64,
}

/// A JSON-RPC client of one node.
#[derive(Clone, Debug)]
pub struct Client {
    url: String,
    agent: ureq::Agent,
}

impl Client {
    /// A client of the node at `url` (`http://127.0.0.1:26657`); each request gives up after
    /// `timeout`.
    pub fn new(url: &str, timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            url: url.trim_end_matches('/').to_owned(),
            agent,
        }
    }

    /// The node's address.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls `method` with `params`; returns its `result`.
    pub fn call(&self, method: &str, params: Json) -> Result<Json, RpcError> {
        let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
        let unreachable = |e: ureq::Error| RpcError::Unreachable {
            url: self.url.clone(),
            message: e.to_string(),
        };
        let mut response = self
            .agent
            .post(&self.url)
            .send_json(&body)
            .map_err(unreachable)?;
        let answer: Json = response.body_mut().read_json().map_err(|e| {
            // Something answered HTTP, but not a CometBFT node.
            RpcError::Unreachable {
                url: self.url.clone(),
                message: format!("not a CometBFT JSON-RPC endpoint ({e})"),
            }
        })?;
        if let Some(error) = answer.get("error").filter(|e| !e.is_null()) {
            let message = [&error["message"], &error["data"]]
                .iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(": ");
            return Err(RpcError::Refused {
                method: method.into(),
                message,
            });
        }
        answer
            .get("result")
            .cloned()
            .ok_or_else(|| unexpected(method, "no result"))
    }

    /// The node's chain id, latest height and app hash.
    pub fn status(&self) -> Result<Status, RpcError> {
        let r = self.call("status", json!({}))?;
        let sync = &r["sync_info"];
        Ok(Status {
            chain_id: text(&r["node_info"]["network"]),
            height: number(&sync["latest_block_height"])
                .ok_or_else(|| unexpected("status", "height"))?,
            app_hash: text(&sync["latest_app_hash"]),
            catching_up: sync["catching_up"].as_bool().unwrap_or(false),
            latest_block_time: sync["latest_block_time"]
                .as_str()
                .and_then(|t| humantime::parse_rfc3339(t).ok()),
        })
    }

    /// The heights the node's peers are deciding, as it last heard from them (their round
    /// state in `dump_consensus_state`: one past what each has committed); empty while the
    /// node is not in consensus (block sync) or has no peers.
    pub fn peer_heights(&self) -> Result<Vec<u64>, RpcError> {
        let r = self.call("dump_consensus_state", json!({}))?;
        Ok(r["peers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| number(&p["peer_state"]["round_state"]["height"]))
            .collect())
    }

    /// Sends a transaction to the mempool (`broadcast_tx_sync`: after `CheckTx`).
    pub fn broadcast(&self, tx: &[u8]) -> Result<Broadcast, RpcError> {
        let r = self.call("broadcast_tx_sync", json!({ "tx": BASE64.encode(tx) }))?;
        Ok(Broadcast {
            code: r["code"].as_u64().unwrap_or(0) as u32,
            log: text(&r["log"]),
            hash: text(&r["hash"]),
        })
    }

    /// A committed transaction by hash, from the node's transaction index (`None` while it
    /// is not in a block).
    pub fn tx(&self, hash: &[u8; 32]) -> Result<Option<Included>, RpcError> {
        let r = match self.call("tx", json!({ "hash": BASE64.encode(hash), "prove": false })) {
            Ok(r) => r,
            Err(RpcError::Refused { message, .. }) if message.contains("not found") => {
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let result = &r["tx_result"];
        let data = match result["data"].as_str() {
            Some(d) => BASE64
                .decode(d)
                .map_err(|e| unexpected("tx", &format!("data: {e}")))?,
            None => Vec::new(),
        };
        Ok(Some(Included {
            height: number(&r["height"]).ok_or_else(|| unexpected("tx", "height"))?,
            code: result["code"].as_u64().unwrap_or(0) as u32,
            data,
            log: text(&result["log"]),
            info: text(&result["info"]),
            gas_used: number(&result["gas_used"]).unwrap_or(0),
        }))
    }

    /// Waits up to `timeout` for a transaction to be committed.
    pub fn wait_for_tx(
        &self,
        hash: &[u8; 32],
        timeout: Duration,
    ) -> Result<Option<Included>, RpcError> {
        let started = Instant::now();
        loop {
            if let Some(included) = self.tx(hash)? {
                return Ok(Some(included));
            }
            if started.elapsed() >= timeout {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// An ABCI query of the application (docs/node.md, "Queries").
    pub fn query(&self, path: &str, data: &[u8]) -> Result<QueryAnswer, RpcError> {
        let r = self.call(
            "abci_query",
            json!({ "path": path, "data": hex::encode(data), "prove": false }),
        )?;
        let response = &r["response"];
        let value = match response["value"].as_str() {
            Some(v) => BASE64
                .decode(v)
                .map_err(|e| unexpected("abci_query", &format!("value: {e}")))?,
            None => Vec::new(),
        };
        Ok(QueryAnswer {
            code: response["code"].as_u64().unwrap_or(0) as u32,
            log: text(&response["log"]),
            value,
            height: number(&response["height"]).unwrap_or(0),
        })
    }

    /// The app hash in the header of each block of `from..=to` (the state after the block
    /// before it), oldest first; blocks the node does not have are left out.
    pub fn app_hashes(&self, from: u64, to: u64) -> Result<Vec<(u64, String)>, RpcError> {
        let mut out = Vec::new();
        let mut low = from.max(1);
        while low <= to {
            let high = (low + 19).min(to);
            let r = self.call(
                "blockchain",
                json!({ "minHeight": low.to_string(), "maxHeight": high.to_string() }),
            )?;
            let mut batch: Vec<(u64, String)> = r["block_metas"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| {
                    let header = &m["header"];
                    Some((number(&header["height"])?, text(&header["app_hash"])))
                })
                .collect();
            batch.sort();
            out.extend(batch);
            low = high + 1;
        }
        Ok(out)
    }
}

fn unexpected(method: &str, message: &str) -> RpcError {
    RpcError::Unexpected {
        method: method.into(),
        message: message.into(),
    }
}

fn text(v: &Json) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// CometBFT writes 64-bit integers as decimal strings.
fn number(v: &Json) -> Option<u64> {
    match v {
        Json::String(s) => s.parse().ok(),
        other => other.as_u64(),
    }
}

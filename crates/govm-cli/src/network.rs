//! `--node URL`: the commands against a network. Transactions are signed with a key of the
//! home (`--from NAME`) and the command waits until the transaction is in a block; reads are
//! ABCI queries (docs/node.md, "Queries").
//!
//! A transaction is signed only against a node that is in step with the network (not
//! catching up, its latest block recent, not below a height this home has seen), at a nonce
//! this home has not used (`last_tx`), with a fuel limit that fits it (`fuel`); one whose hash
//! the chain knows before it is sent, or that CometBFT has seen already, is an error, never a
//! success: the command reports only transactions it made.

mod fuel;
mod last_tx;

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use govm::{Address, ContractAbi};
use govm_chain::{Body, Code, SigningKey, UnsignedTx};
use govm_node::rpc::{Client, Included, RpcError, Status};
use serde_json::{Value as Json, json};

pub(crate) use fuel::{DEPLOY_INIT_ALLOWANCE, Fuel};
use last_tx::{KeyRecord, LastTx, LastTxs, Stale, next_nonce};

use crate::exit::{Exit, Failure};

/// How long a transaction waits for a node whose peers have committed more than it has.
const PEER_WAIT: Duration = Duration::from_secs(3);

/// A connection to a node.
#[derive(Debug)]
pub(crate) struct Network {
    client: Client,
    wait: Duration,
    /// Where this home records each key's last transaction (`None`: not recorded, for
    /// `govm node testnet`'s own keys).
    last_txs: Option<LastTxs>,
    /// The oldest latest block a node may have for the command to sign against it (`None`:
    /// no limit).
    max_block_age: Option<Duration>,
}

/// A transaction in a block.
#[derive(Debug)]
pub(crate) struct Sent {
    pub(crate) hash: String,
    pub(crate) included: Included,
    pub(crate) nonce: u64,
    pub(crate) fuel_limit: u64,
    pub(crate) gas_price: u64,
    /// What it paid (docs/chain.md, "Execution, gas and fees").
    pub(crate) fee: u64,
}

/// What `/info` says of the chain that a transaction needs.
#[derive(Debug)]
struct ChainView {
    chain_id: String,
    min_gas_price: u64,
    max_tx_fuel: u64,
    fee_rules: Option<u64>,
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
            last_txs: None,
            max_block_age: None,
        })
    }

    /// Records each key's last transaction in `home`, so that a lagging node's nonce is never
    /// signed at twice (docs/node.md, "Nonces").
    pub(crate) fn recording_in(mut self, home: &Path) -> Self {
        self.last_txs = Some(LastTxs::new(home));
        self
    }

    /// Refuses to sign against a node whose latest block is older than `age` (`--max-block-age`).
    pub(crate) fn max_block_age(mut self, age: Option<Duration>) -> Self {
        self.max_block_age = age;
        self
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

    /// The options the chain gives a contract deployed without any
    /// (`ChainParams::contract_defaults` of its parameters, from `/info`): what a deploy that
    /// sets only some options starts from, so that the rest suit the chain.
    pub(crate) fn contract_defaults(&self) -> Result<govm::ContractOptions, Failure> {
        let info = self.query("/info", &[])?;
        let params: govm_chain::ChainParams = serde_json::from_value(info["params"].clone())
            .map_err(|e| Failure::internal(format!("the chain's parameters in /info: {e}")))?;
        Ok(params.contract_defaults())
    }

    fn chain(&self) -> Result<ChainView, Failure> {
        let info = self.query("/info", &[])?;
        Ok(ChainView {
            chain_id: info["chain_id"].as_str().unwrap_or_default().to_owned(),
            min_gas_price: info["params"]["min_gas_price"].as_u64().unwrap_or(1),
            max_tx_fuel: info["params"]["max_tx_fuel"].as_u64().unwrap_or(u64::MAX),
            fee_rules: info["fee_rules"].as_u64(),
        })
    }

    /// The node's status, if it is in step with the network: not catching up, its latest
    /// block no older than `--max-block-age`, and every block its peers have committed
    /// committed too (a node a block or so behind is given [`PEER_WAIT`] to catch up).
    fn status_in_step(&self) -> Result<Status, Failure> {
        let started = Instant::now();
        loop {
            let status = self.client.status().map_err(Failure::internal)?;
            if let Some(why) = out_of_step(&status, SystemTime::now(), self.max_block_age) {
                return Err(self.out_of_step(&why));
            }
            // Unknown (an RPC without the method): the other checks stand alone.
            let peers = self.client.peer_heights().unwrap_or_default();
            let committed = peers.iter().max().map_or(0, |h| h.saturating_sub(1));
            if committed <= status.height {
                return Ok(status);
            }
            if started.elapsed() >= PEER_WAIT {
                return Err(self.out_of_step(&format!(
                    "is behind its peers: it has committed height {}, a peer has committed \
                     {committed}",
                    status.height
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn out_of_step(&self, why: &str) -> Failure {
        Failure::internal(format!(
            "the node at {} {why}: a transaction signed from its state could reuse a nonce the \
             key has used already; nothing was sent (wait until it is in step, or use another \
             node)",
            self.client.url()
        ))
    }

    /// Signs `body` with `key` at the sender's next nonce, with the fuel limit `fuel` gives and
    /// the chain's minimum gas price (or `gas_price`), sends it and waits until it is in a
    /// block: only against a node in step with the network, never at a nonce this home has
    /// used, and never reporting a transaction the chain knew before it was sent.
    pub(crate) fn submit(
        &self,
        key: &SigningKey,
        body: Body,
        fuel: Fuel,
        gas_price: Option<u64>,
    ) -> Result<Sent, Failure> {
        let chain = self.chain()?;
        let status = self.status_in_step()?;
        let gas_price = gas_price.unwrap_or(chain.min_gas_price);
        let sender = govm_chain::address_of(&key.verifying_key().to_bytes());
        let mut record = match &self.last_txs {
            Some(store) => Some(store.open(&chain.chain_id, sender)?),
            None => None,
        };
        if let Some(record) = &mut record {
            self.confirm(record)?;
        }
        let last = record.as_ref().and_then(KeyRecord::last);
        let account = self.query(&format!("/account/{sender}"), &[])?;
        let node_nonce = account["nonce"].as_u64().unwrap_or(0);
        let nonce = match next_nonce(status.height, node_nonce, last.as_ref()) {
            Ok(nonce) => nonce,
            Err(Stale::Behind { node_height, last }) => {
                let file = record.as_ref().map(|r| r.path().display().to_string());
                return Err(Failure::internal(format!(
                    "the node at {} is at height {node_height}, behind height {} this home has \
                     seen: it lags behind the network (this home's last transaction from \
                     {sender}, 0x{}, has nonce {}); nothing was sent (wait until it catches up, \
                     or use another node; if the chain was started anew under the same id, \
                     delete {})",
                    self.client.url(),
                    last.known_height(),
                    hex::encode(last.tx),
                    last.nonce,
                    file.unwrap_or_default()
                )));
            }
        };
        let mut unsigned = UnsignedTx {
            chain_id: chain.chain_id.clone(),
            nonce,
            fuel_limit: 0,
            gas_price,
            body,
        };
        // The fuel limit is a fixed-width field: the size does not depend on it.
        let len = unsigned.encode_unsigned().len() + fuel::SIGNATURE_BYTES;
        unsigned.fuel_limit = fuel.limit(len, chain.max_tx_fuel)?;
        let fuel_limit = unsigned.fuel_limit;
        let tx = unsigned.sign(key).encode();
        let hash = govm_chain::tx_hash(&tx);
        let hex_hash = format!("0x{}", hex::encode(hash));
        // The very transaction this home sent last, which the command did not see in a block
        // (it stopped waiting, or was stopped) and the node has in none: sent again, and
        // waited for. It was never reported, so reporting it now reports it once.
        let again = last.is_some_and(|l| l.tx == hash && l.height.is_none());
        // Known before it was sent: the node gave a nonce the key has used already.
        if let Some(known) = self.client.tx(&hash).map_err(Failure::internal)?
            && !again
        {
            if let Some(record) = &mut record
                && last.is_none_or(|l| nonce > l.nonce)
            {
                record.write(Some(LastTx {
                    nonce,
                    tx: hash,
                    seen_height: status.height,
                    height: Some(known.height),
                }))?;
            }
            return Err(already_in_block(&hex_hash, nonce, known.height, &sender));
        }
        if let Some(record) = &mut record {
            record.write(Some(LastTx {
                nonce,
                tx: hash,
                seen_height: status.height,
                height: None,
            }))?;
        }
        let refused = |failure: Failure, record: &mut Option<KeyRecord>| {
            // Nothing entered a mempool: the record goes back to what it was.
            match record.as_mut().map(|r| r.write(last)) {
                Some(Err(e)) => e,
                _ => failure,
            }
        };
        let broadcast = match self.client.broadcast(&tx) {
            Ok(b) => b,
            // Sent again: the node has it already (pending, or in a block).
            Err(RpcError::Refused { message, .. })
                if again && message.contains("already exists in cache") =>
            {
                govm_node::rpc::Broadcast {
                    code: 0,
                    log: String::new(),
                    hash: String::new(),
                }
            }
            Err(RpcError::Refused { message, .. })
                if message.contains("already exists in cache") =>
            {
                return Err(refused(
                    Failure::internal(format!(
                        "the node has seen this exact transaction before ({hex_hash}: nonce \
                         {nonce} from {sender}; CometBFT: {message}): the key has used nonce \
                         {nonce} already, and the node gave it because it lags behind the \
                         network; nothing new was sent"
                    )),
                    &mut record,
                ));
            }
            // CometBFT's own refusals: mempool full, too large.
            Err(RpcError::Refused { message, .. }) => {
                return Err(refused(
                    Failure::input(format!("the node refused the transaction: {message}")),
                    &mut record,
                ));
            }
            Err(other) => return Err(Failure::internal(other)),
        };
        if broadcast.code != 0 {
            let mut message = format!(
                "the node refused the transaction (code {}): {}",
                broadcast.code, broadcast.log
            );
            if broadcast.code == Code::BadNonce.value()
                && let (Some(last), Some(record)) = (last, &record)
                && nonce > node_nonce
            {
                message.push_str(&format!(
                    " (this home recorded nonce {} as used by 0x{}: if the chain was started \
                     anew under the same id, delete {})",
                    last.nonce,
                    hex::encode(last.tx),
                    record.path().display()
                ));
            }
            return Err(refused(Failure::input(message), &mut record));
        }
        let included = self
            .client
            .wait_for_tx(&hash, self.wait)
            .map_err(Failure::internal)?;
        let Some(included) = included else {
            return Err(Failure::internal(format!(
                "transaction {hex_hash} was accepted but is not in a block after {} ms \
                 (--wait-ms); `govm tx` shows it once it is",
                self.wait.as_millis()
            )));
        };
        if let Some(record) = &mut record {
            record.write(Some(LastTx {
                nonce,
                tx: hash,
                seen_height: status.height,
                height: Some(included.height),
            }))?;
        }
        // In a block the node had before this command sent it: not this command's (unless
        // it is this home's own, sent again).
        if included.height <= status.height && !again {
            return Err(already_in_block(&hex_hash, nonce, included.height, &sender));
        }
        let fee = fuel::fee(
            chain.fee_rules,
            included.code,
            fuel_limit,
            included.gas_used,
            gas_price,
        );
        Ok(Sent {
            hash: hex_hash,
            included,
            nonce,
            fuel_limit,
            gas_price,
            fee,
        })
    }

    /// Checks whether the record's transaction, if the home has not seen it in a block yet, is
    /// in one now, and records where.
    fn confirm(&self, record: &mut KeyRecord) -> Result<(), Failure> {
        let Some(last) = record.last().filter(|l| l.height.is_none()) else {
            return Ok(());
        };
        if let Some(included) = self.client.tx(&last.tx).map_err(Failure::internal)? {
            record.write(Some(LastTx {
                height: Some(included.height),
                ..last
            }))?;
        }
        Ok(())
    }
}

/// Why a node is out of step with the network, judged from its status at `now`: catching up,
/// or its latest block older than `max_age`.
fn out_of_step(status: &Status, now: SystemTime, max_age: Option<Duration>) -> Option<String> {
    if status.catching_up {
        return Some(format!(
            "is catching up (its /status says catching_up, at height {})",
            status.height
        ));
    }
    let (Some(max_age), Some(time)) = (max_age, status.latest_block_time) else {
        return None;
    };
    let age = now.duration_since(time).unwrap_or_default();
    (status.height > 0 && age > max_age).then(|| {
        format!(
            "is behind: its latest block (height {}) is {} s old, more than --max-block-age {}",
            status.height,
            age.as_secs(),
            max_age.as_secs()
        )
    })
}

fn already_in_block(hash: &str, nonce: u64, height: u64, sender: &Address) -> Failure {
    Failure::internal(format!(
        "this transaction ({hash}: nonce {nonce} from {sender}) was already in block {height} \
         before this command sent it: the node gave a nonce the key had used (it lags behind \
         the network), and the transaction it signed is a copy of that earlier one; nothing new \
         was sent"
    ))
}

/// The exit code of a transaction's result code (docs/chain.md, "Result codes").
pub(crate) fn tx_exit(code: u32) -> Exit {
    Exit::of_tx_code(code)
}

/// A query's code as a failure.
pub(crate) fn query_failure(code: u32, log: &str) -> Failure {
    Failure::new(Exit::of_query_code(code), log)
}

/// The JSON form of a transaction in a block: where, its result code, its gas, and what it
/// cost.
pub(crate) fn sent_json(sent: &Sent) -> Json {
    json!({
        "tx": sent.hash,
        "height": sent.included.height,
        "code": sent.included.code,
        "gas_used": sent.included.gas_used,
        "nonce": sent.nonce,
        "fuel_limit": sent.fuel_limit,
        "gas_price": sent.gas_price,
        "fee": sent.fee,
    })
}

/// What a transaction in a block cost, as text: `fee F (fuel limit L × gas price P)`.
pub(crate) fn fee_text(sent: &Sent) -> String {
    format!(
        "fee {} (fuel limit {} × gas price {})",
        sent.fee, sent.fuel_limit, sent.gas_price
    )
}

/// A transaction that ran and failed: its error, gas and cost.
pub(crate) fn ran_failure(out: crate::output::Output, sent: &Sent) -> Exit {
    out.tx_failure(&sent.included.log, &sent_json(sent), &fee_text(sent));
    tx_exit(sent.included.code)
}

/// The contract events of a transaction (its `info`), in their JSON form.
pub(crate) fn events_of(included: &Included) -> Vec<Json> {
    serde_json::from_str::<Json>(&included.info)
        .ok()
        .and_then(|j| j["events"].as_array().cloned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(height: u64, catching_up: bool, time: Option<SystemTime>) -> Status {
        Status {
            chain_id: "c".into(),
            height,
            app_hash: String::new(),
            catching_up,
            latest_block_time: time,
        }
    }

    #[test]
    fn a_node_catching_up_or_with_an_old_block_is_out_of_step() {
        let now = SystemTime::now();
        let minute = Some(Duration::from_secs(60));
        let recent = Some(now - Duration::from_secs(2));
        let old = Some(now - Duration::from_secs(90));
        assert_eq!(out_of_step(&status(9, false, recent), now, minute), None);
        let why = out_of_step(&status(9, true, recent), now, minute);
        assert!(why.is_some_and(|w| w.contains("catching up")));
        let why = out_of_step(&status(9, false, old), now, minute);
        assert!(why.is_some_and(|w| w.contains("90 s old")));
        assert_eq!(out_of_step(&status(9, false, old), now, None), None);
        // No block yet: nothing to be old.
        assert_eq!(out_of_step(&status(0, false, old), now, minute), None);
    }
}

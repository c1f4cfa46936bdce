//! A load of signed transactions for a network: native transfers and, given a token contract,
//! its `Transfer` calls, sent round-robin to the nodes that answer. For `govm node testnet`,
//! the tests and the benchmarks.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use govm::{Address, Type, Value};
use govm_chain::{SigningKey, UnsignedTx, address_of, call_body, transfer_body, tx_hash};

use crate::rpc::Client;

/// What to send.
#[derive(Clone, Debug)]
pub struct LoadSpec {
    /// The nodes' JSON-RPC addresses.
    pub nodes: Vec<String>,
    /// The chain id.
    pub chain_id: String,
    /// The senders (each needs a balance for fees).
    pub keys: Vec<SigningKey>,
    /// A token contract (`Transfer(to Address, amount uint64)`) whose accounts the senders
    /// hold: every other transaction calls it (every one, with `only_calls`).
    pub token: Option<Address>,
    /// Send only token calls.
    pub only_calls: bool,
    /// The pause between two transactions (zero: as fast as the nodes admit them).
    pub interval: Duration,
    /// Fuel limit of each transaction.
    pub fuel_limit: u64,
}

/// What a load sent.
#[derive(Clone, Debug, Default)]
pub struct LoadReport {
    /// Hashes of the transactions a node admitted to its mempool, in order, with when.
    pub admitted: Vec<([u8; 32], Instant)>,
    /// Transactions a node refused (a stale nonce after a crash, mostly).
    pub refused: usize,
    /// Sends that reached no node.
    pub unreachable: usize,
}

/// A running load; [`Load::stop`] ends it and returns its report.
#[derive(Debug)]
pub struct Load {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<LoadReport>,
}

impl Load {
    /// Starts sending.
    pub fn start(spec: LoadSpec) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::spawn(move || send(&spec, &flag));
        Self { stop, handle }
    }

    /// The flag that stops it (to stop many loads at once, then [`Load::stop`] each).
    pub fn stopper(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stop)
    }

    /// Stops sending and returns what was sent.
    pub fn stop(self) -> LoadReport {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or_default()
    }
}

fn send(spec: &LoadSpec, stop: &AtomicBool) -> LoadReport {
    let clients: Vec<Client> = spec
        .nodes
        .iter()
        .map(|u| Client::new(u, Duration::from_secs(2)))
        .collect();
    let mut report = LoadReport::default();
    let mut nonces: Vec<Option<u64>> = vec![None; spec.keys.len()];
    let sink = Address([0x5e; 20]);
    let mut turn = 0usize;
    let mut shift = vec![0usize; spec.keys.len()];
    while !stop.load(Ordering::Relaxed) && !spec.keys.is_empty() && !clients.is_empty() {
        let k = turn % spec.keys.len();
        let key = &spec.keys[k];
        // Each sender keeps to one node while it answers: another node's mempool may not
        // hold the sender's previous transaction yet, and would refuse the next nonce.
        let client = &clients[(k + shift[k]) % clients.len()];
        turn += 1;
        let sender = address_of(&key.verifying_key().to_bytes());
        let nonce = match nonces[k] {
            Some(n) => n,
            None => match fetch_nonce(client, sender) {
                Some(n) => n,
                None => {
                    report.unreachable += 1;
                    shift[k] += 1;
                    std::thread::sleep(Duration::from_millis(100));
                    continue;
                }
            },
        };
        let body = match spec.token {
            Some(token) if spec.only_calls || turn.is_multiple_of(2) => {
                let args = govm_abi::encode_values(
                    "arguments",
                    &[Type::Address, Type::U64],
                    &[Value::Address(sink), Value::U64(1)],
                )
                .unwrap_or_default();
                call_body(token, "Transfer", args, 0)
            }
            _ => transfer_body(sink, 1),
        };
        let tx = UnsignedTx {
            chain_id: spec.chain_id.clone(),
            nonce,
            fuel_limit: spec.fuel_limit,
            gas_price: 1,
            body,
        }
        .sign(key)
        .encode();
        match client.broadcast(&tx) {
            Ok(b) if b.code == 0 => {
                report.admitted.push((tx_hash(&tx), Instant::now()));
                nonces[k] = Some(nonce + 1);
            }
            Ok(_) => {
                report.refused += 1;
                nonces[k] = None;
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(_) => {
                report.unreachable += 1;
                nonces[k] = None;
                shift[k] += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        if !spec.interval.is_zero() {
            std::thread::sleep(spec.interval);
        }
    }
    report
}

fn fetch_nonce(client: &Client, sender: Address) -> Option<u64> {
    let answer = client.query(&format!("/account/{sender}"), &[]).ok()?;
    let json: serde_json::Value = serde_json::from_slice(&answer.value).ok()?;
    json["nonce"].as_u64()
}

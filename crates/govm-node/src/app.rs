//! The ABCI 2.0 application: CometBFT's requests mapped onto [`Chain`] (docs/node.md).
//!
//! CometBFT opens four connections (consensus, mempool, query, snapshot) and the server
//! serves each on its own thread with a clone of [`App`]. Blocks run on one consensus thread
//! that owns the block between `FinalizeBlock` and `Commit`: the block holds the engine's
//! write lock for that whole time, so no other write can slip between the app hash CometBFT
//! was given and the state that is committed.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};

use govm::Address;
use govm_chain::{Chain, ChainParams, Pending, TxResult};
use serde_json::{Value as Json, json};
use tendermint_abci::Application;
use tendermint_proto::v0_38::abci::{
    Event, EventAttribute, ExecTxResult, RequestCheckTx, RequestFinalizeBlock, RequestInfo,
    RequestInitChain, RequestPrepareProposal, RequestProcessProposal, RequestQuery,
    ResponseCheckTx, ResponseCommit, ResponseFinalizeBlock, ResponseInfo, ResponseInitChain,
    ResponsePrepareProposal, ResponseProcessProposal, ResponseQuery, response_process_proposal,
};

use crate::query;

/// The exit code of a node that stops rather than vote for a state its peers may not reach.
pub const HALT_EXIT_CODE: i32 = 70;

/// The event type of a transaction (`govm_tx.sender='0x…'`).
pub const TX_EVENT: &str = "govm_tx";
/// The event type of a contract event (`govm_event.contract='0x…' AND govm_event.name='…'`).
pub const CONTRACT_EVENT: &str = "govm_event";

/// What a node does when it cannot go on with a block (a call met the wall-clock deadline,
/// the store failed, CometBFT sent a block out of order): it must not answer, since any
/// answer could be a vote for a state that its peers do not reach.
pub type HaltHandler = Arc<dyn Fn(&str) + Send + Sync>;

/// govm as a CometBFT application. Cheap to clone: every clone serves the same chain.
#[derive(Clone)]
pub struct App {
    shared: Arc<Shared>,
}

struct Shared {
    chain: Arc<Chain>,
    blocks: Mutex<SyncSender<Job>>,
    /// What the mempool holds of each sender since the last commit: the nonce after its last
    /// transaction and what they may spend together.
    pending: Mutex<HashMap<Address, Pending>>,
    halt: HaltHandler,
    /// Test-only: proposals carry invalid transactions ([`crate::invalid`]).
    invalid_proposals: bool,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("chain_id", &self.shared.chain.chain_id())
            .finish_non_exhaustive()
    }
}

/// How an [`App`] is set up.
#[derive(Clone)]
pub struct AppOptions {
    /// Called when the node must stop (see [`HaltHandler`]). The node binary prints the
    /// reason and exits with [`HALT_EXIT_CODE`]; the request is not answered.
    pub halt: HaltHandler,
    /// Test-only: at this height the node changes its state outside the chain's rules, so
    /// that CometBFT's app-hash check refuses it (the tests of a diverging validator).
    pub diverge_at: Option<u64>,
}

impl std::fmt::Debug for AppOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppOptions")
            .field("diverge_at", &self.diverge_at)
            .finish_non_exhaustive()
    }
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            halt: Arc::new(|reason| {
                eprintln!(
                    "govm node: HALT: {reason}\n\
                     govm node: this node stops instead of voting for a state its peers may not \
                     reach; see docs/node.md, \"Recovery\""
                );
                std::process::exit(HALT_EXIT_CODE);
            }),
            diverge_at: None,
        }
    }
}

/// Work for the consensus thread.
enum Job {
    Finalize {
        request: Box<RequestFinalizeBlock>,
        reply: SyncSender<Result<ResponseFinalizeBlock, String>>,
    },
    Commit {
        reply: SyncSender<Result<u64, String>>,
    },
}

impl App {
    /// The application over `chain`.
    pub fn new(chain: Chain, options: AppOptions) -> Self {
        let chain = Arc::new(chain);
        let (jobs, receiver) = sync_channel(0);
        let block_chain = Arc::clone(&chain);
        let diverge_at = options.diverge_at;
        std::thread::Builder::new()
            .name("govm-blocks".into())
            .spawn(move || run_blocks(&block_chain, &receiver, diverge_at))
            .map(drop)
            .unwrap_or_else(|e| (options.halt)(&format!("cannot start the block thread: {e}")));
        Self {
            shared: Arc::new(Shared {
                chain,
                blocks: Mutex::new(jobs),
                pending: Mutex::new(HashMap::new()),
                halt: options.halt,
                invalid_proposals: crate::invalid::enabled(),
            }),
        }
    }

    /// The chain it serves.
    pub fn chain(&self) -> &Chain {
        &self.shared.chain
    }

    fn halt(&self, reason: &str) {
        (self.shared.halt)(reason);
    }

    fn send(&self, job: Job) -> bool {
        let sender = self
            .shared
            .blocks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        sender.send(job).is_ok()
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<Address, Pending>> {
        self.shared
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// The consensus thread: a block is begun, delivered and finalized on `FinalizeBlock`, and
/// kept (with the engine's write lock) until `Commit` writes it.
fn run_blocks(chain: &Chain, jobs: &Receiver<Job>, diverge_at: Option<u64>) {
    let mut next: Option<Job> = None;
    loop {
        let job = match next.take() {
            Some(job) => job,
            None => match jobs.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
        };
        let (request, reply) = match job {
            Job::Finalize { request, reply } => (request, reply),
            Job::Commit { reply } => {
                let _ = reply.send(Err("Commit without a finalized block".into()));
                continue;
            }
        };
        let height = request.height;
        let (block, response) = match finalize(chain, *request, diverge_at) {
            Ok(done) => done,
            Err(e) => {
                let _ = reply.send(Err(e));
                continue;
            }
        };
        if reply.send(Ok(response)).is_err() {
            continue;
        }
        match jobs.recv() {
            Ok(Job::Commit { reply }) => {
                let committed = block
                    .commit()
                    .map(|_| height as u64)
                    .map_err(|e| format!("committing block {height}: {e}"));
                let _ = reply.send(committed);
            }
            // CometBFT restarted after FinalizeBlock and before Commit, and replays the block:
            // nothing was written, so the finalized block is dropped and the new one runs.
            Ok(again @ Job::Finalize { .. }) => {
                drop(block);
                next = Some(again);
            }
            Err(_) => return,
        }
    }
}

fn finalize(
    chain: &Chain,
    request: RequestFinalizeBlock,
    diverge_at: Option<u64>,
) -> Result<(govm_chain::FinalizedChainBlock<'_>, ResponseFinalizeBlock), String> {
    let height = u64::try_from(request.height)
        .map_err(|_| format!("FinalizeBlock at height {}", request.height))?;
    let time = request.time.map_or(0, |t| t.seconds);
    let proposer: [u8; 20] = request.proposer_address.as_ref().try_into().map_err(|_| {
        format!(
            "block {height}: a proposer address of {} bytes",
            request.proposer_address.len()
        )
    })?;
    let mut block = chain
        .begin_block(height, time, Address(proposer))
        .map_err(|e| format!("block {height}: {e}"))?;
    let results = block
        .deliver_txs(&request.txs)
        .map_err(|e| format!("block {height}: {e}"))?;
    let tx_results = results.into_iter().map(exec_result).collect();
    if diverge_at == Some(height) {
        eprintln!("govm node: diverging on purpose at height {height} (test switch)");
        block
            .diverge_for_tests()
            .map_err(|e| format!("block {height}: {e}"))?;
    }
    let block = block
        .finalize()
        .map_err(|e| format!("block {height}: {e}"))?;
    let response = ResponseFinalizeBlock {
        tx_results,
        app_hash: block.state_hash().0.to_vec().into(),
        ..ResponseFinalizeBlock::default()
    };
    Ok((block, response))
}

/// The most text of its contract events (names, field keys, and field values in their JSON
/// form) one transaction's result renders, in its attributes and again in `info`. Decoding
/// bounds each event next to its bytes, but a transaction may emit many: this keeps what
/// `FinalizeBlock` answers small whatever they hold. Rendering is not consensus (only
/// `code`, `data`, `gas_wanted` and `gas_used` are hashed), and the events are stored whole.
const MAX_RENDERED_EVENT_TEXT: usize = 256 << 10;

/// What an event name past [`MAX_RENDERED_EVENT_TEXT`] is cut to, in bytes.
const CUT_NAME_LEN: usize = 64;

/// A delivered transaction as ABCI reports it: its code, data, log, gas, the events that
/// `tx_search` filters on, and `info` holding the contract events in their JSON form
/// (`EventRecord::to_json`) for clients that print them. Each event field is rendered to JSON
/// once, for both, and only while the transaction's events have rendered less than
/// [`MAX_RENDERED_EVENT_TEXT`]: a field that would go past it is left out, a name is cut, and
/// the event says how many of its fields were left out (`cut`).
fn exec_result(result: TxResult) -> ExecTxResult {
    let mut events = Vec::with_capacity(result.events.len() + 1);
    if let Some(tx) = &result.tx {
        let mut attributes = vec![
            attribute("sender", tx.sender.to_string()),
            attribute("nonce", tx.nonce.to_string()),
            attribute("hash", result.hash.to_string()),
            attribute("code", result.code.value().to_string()),
            attribute("fee", result.fee.to_string()),
            attribute("kind", tx.kind.into()),
        ];
        attributes.extend(tx.details.iter().map(|(k, v)| attribute(k, v.clone())));
        events.push(Event {
            r#type: TX_EVENT.into(),
            attributes,
        });
    }
    let mut left = MAX_RENDERED_EVENT_TEXT;
    // Takes `len` bytes from what is left to render, or nothing when they do not fit.
    let mut fits = |len: usize| match left.checked_sub(len) {
        Some(rest) => {
            left = rest;
            true
        }
        None => false,
    };
    let mut info_events = Vec::with_capacity(result.events.len());
    for e in &result.events {
        let contract = e.contract.to_string();
        let name = if fits(e.name.len()) {
            e.name.clone()
        } else {
            let mut end = CUT_NAME_LEN.min(e.name.len());
            while !e.name.is_char_boundary(end) {
                end -= 1;
            }
            format!("{}…", &e.name[..end])
        };
        let mut attributes = vec![
            attribute("contract", contract.clone()),
            attribute("name", name.clone()),
        ];
        let mut fields = serde_json::Map::new();
        let mut cut = 0usize;
        for (key, value) in &e.fields {
            // Measured before anything is rendered.
            if !fits(key.len().saturating_add(value.json_len())) {
                cut += 1;
                continue;
            }
            let value = value.to_json();
            // Fields are prefixed so that no contract can pose as another through a field
            // named `contract` or `name`.
            let text = match &value {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
            attributes.push(attribute(&format!("field.{key}"), text));
            fields.insert(key.clone(), value);
        }
        let mut info = json!({ "contract": contract, "name": name, "fields": fields });
        if cut > 0 || name.len() != e.name.len() {
            attributes.push(attribute("cut", cut.to_string()));
            info["cut"] = json!(cut);
        }
        events.push(Event {
            r#type: CONTRACT_EVENT.into(),
            attributes,
        });
        info_events.push(info);
    }
    let info = if info_events.is_empty() {
        String::new()
    } else {
        json!({ "events": info_events }).to_string()
    };
    ExecTxResult {
        code: result.code.value(),
        data: result.data.into(),
        log: result.log,
        info,
        gas_wanted: i64::try_from(result.gas_wanted).unwrap_or(i64::MAX),
        gas_used: i64::try_from(result.gas_used).unwrap_or(i64::MAX),
        events,
        codespace: if result.code.value() == 0 {
            String::new()
        } else {
            "govm".into()
        },
    }
}

fn attribute(key: &str, value: String) -> EventAttribute {
    EventAttribute {
        key: key.into(),
        value,
        index: true,
    }
}

/// Running totals of a proposal's transactions against the block's limits: its bytes
/// (CometBFT's, in `PrepareProposal`) and the fuel its transactions take together
/// (`max_block_fuel`).
struct Room {
    max_bytes: u64,
    max_fuel: u64,
    bytes: u64,
    fuel: u64,
}

impl Room {
    fn new(params: &ChainParams, max_bytes: u64) -> Self {
        Self {
            max_bytes,
            max_fuel: params.max_block_fuel,
            bytes: 0,
            fuel: 0,
        }
    }

    /// Adds a transaction of `len` bytes asking for `fuel` if it fits; `Err` says why not
    /// (and adds nothing).
    fn add(&mut self, len: usize, fuel: u64) -> Result<(), String> {
        let bytes = self.bytes.saturating_add(len as u64);
        let fuel = self.fuel.saturating_add(fuel);
        if bytes > self.max_bytes {
            return Err(format!(
                "{bytes} bytes of transactions, over {}",
                self.max_bytes
            ));
        }
        if fuel > self.max_fuel {
            return Err(format!(
                "{fuel} fuel asked for, over the block's {}",
                self.max_fuel
            ));
        }
        (self.bytes, self.fuel) = (bytes, fuel);
        Ok(())
    }
}

impl Application for App {
    fn info(&self, _request: RequestInfo) -> ResponseInfo {
        match self.chain().info() {
            Ok(info) => ResponseInfo {
                data: "govm".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                app_version: govm_chain::PROTOCOL_VERSION,
                last_block_height: i64::try_from(info.height).unwrap_or(i64::MAX),
                last_block_app_hash: info.state_hash.0.to_vec().into(),
            },
            Err(e) => {
                self.halt(&format!("Info: {e}"));
                ResponseInfo::default()
            }
        }
    }

    fn init_chain(&self, request: RequestInitChain) -> ResponseInitChain {
        let chain = self.chain();
        if request.chain_id != chain.chain_id() {
            self.halt(&format!(
                "InitChain for chain {:?}, but the govm genesis is for {:?}",
                request.chain_id,
                chain.chain_id()
            ));
        }
        if request.initial_height > 1 {
            self.halt(&format!(
                "InitChain with initial height {}: govm chains start at 1",
                request.initial_height
            ));
        }
        match chain.info() {
            Ok(info) if info.height == 0 => ResponseInitChain {
                app_hash: info.state_hash.0.to_vec().into(),
                ..ResponseInitChain::default()
            },
            Ok(info) => {
                self.halt(&format!(
                    "InitChain, but the state is at height {}: is this the right home?",
                    info.height
                ));
                ResponseInitChain::default()
            }
            Err(e) => {
                self.halt(&format!("InitChain: {e}"));
                ResponseInitChain::default()
            }
        }
    }

    fn query(&self, request: RequestQuery) -> ResponseQuery {
        query::answer(self.chain(), &request.path, &request.data)
    }

    fn check_tx(&self, request: RequestCheckTx) -> ResponseCheckTx {
        // The mempool's pending nonces and spends, read and updated under one lock.
        let mut pending = self.pending();
        let check = self
            .chain()
            .check_tx_after(&request.tx, &|sender| pending.get(&sender).copied());
        if let (Some(sender), Some(after)) = (check.sender, check.pending) {
            pending.insert(sender, after);
        }
        drop(pending);
        ResponseCheckTx {
            code: check.code.value(),
            log: check.log,
            gas_wanted: i64::try_from(check.gas_wanted).unwrap_or(i64::MAX),
            codespace: if check.code.value() == 0 {
                String::new()
            } else {
                "govm".into()
            },
            ..ResponseCheckTx::default()
        }
    }

    fn prepare_proposal(&self, mut request: RequestPrepareProposal) -> ResponsePrepareProposal {
        let chain = self.chain();
        let max_bytes = u64::try_from(request.max_tx_bytes).unwrap_or(0);
        let txs = std::mem::take(&mut request.txs);
        let checked = chain.check_proposal(&txs);
        // In mempool order, leaving out what fails a stateless check or does not fit. Once a
        // sender's transaction is left out, its later ones are too (their nonces would be
        // wrong without it); other senders' still go in.
        let mut room = Room::new(&chain.params(), max_bytes);
        let mut skipped = HashSet::new();
        let mut kept = Vec::new();
        for (tx, check) in txs.into_iter().zip(checked) {
            match check {
                Ok(p)
                    if !skipped.contains(&p.sender) && room.add(tx.len(), p.fuel_limit).is_ok() =>
                {
                    kept.push(tx);
                }
                Ok(p) => {
                    skipped.insert(p.sender);
                }
                Err(refused) => skipped.extend(refused.sender),
            }
        }
        if self.shared.invalid_proposals {
            crate::invalid::append(&mut kept, &request, chain.chain_id());
        }
        ResponsePrepareProposal { txs: kept }
    }

    fn process_proposal(&self, request: RequestProcessProposal) -> ResponseProcessProposal {
        let chain = self.chain();
        // CometBFT checks the block's size against its own limit; govm checks each
        // transaction without state, and the fuel the block asks for.
        let mut room = Room::new(&chain.params(), u64::MAX);
        let fits = request
            .txs
            .iter()
            .zip(chain.check_proposal(&request.txs))
            .enumerate()
            .try_for_each(|(i, (tx, check))| match check {
                Ok(p) => room
                    .add(tx.len(), p.fuel_limit)
                    .map_err(|why| format!("transaction {i}: {why}")),
                Err(refused) => Err(format!(
                    "transaction {i}: {:?}: {}",
                    refused.code, refused.log
                )),
            });
        let status = match fits {
            Ok(()) => response_process_proposal::ProposalStatus::Accept,
            Err(why) => {
                eprintln!(
                    "govm node: refusing the proposal at height {}: {why}",
                    request.height
                );
                response_process_proposal::ProposalStatus::Reject
            }
        };
        ResponseProcessProposal {
            status: status as i32,
        }
    }

    fn finalize_block(&self, request: RequestFinalizeBlock) -> ResponseFinalizeBlock {
        let height = request.height;
        let (reply, answer) = sync_channel(1);
        if !self.send(Job::Finalize {
            request: Box::new(request),
            reply,
        }) {
            self.halt("the block thread is gone");
        }
        match answer.recv() {
            Ok(Ok(response)) => response,
            Ok(Err(reason)) => {
                self.halt(&reason);
                ResponseFinalizeBlock::default()
            }
            Err(_) => {
                self.halt(&format!("block {height}: the block thread is gone"));
                ResponseFinalizeBlock::default()
            }
        }
    }

    fn commit(&self) -> ResponseCommit {
        let (reply, answer) = sync_channel(1);
        if !self.send(Job::Commit { reply }) {
            self.halt("the block thread is gone");
        }
        match answer.recv() {
            Ok(Ok(_height)) => {
                // CometBFT rechecks the mempool next, which refills the pending nonces and
                // spends against the state just committed.
                self.pending().clear();
            }
            Ok(Err(reason)) => self.halt(&reason),
            Err(_) => self.halt("Commit: the block thread is gone"),
        }
        ResponseCommit::default()
    }
}

#[cfg(test)]
mod tests {
    use govm::{EventRecord, Hash, Value};
    use govm_chain::Code;

    use super::*;

    fn result(events: Vec<EventRecord>) -> TxResult {
        TxResult {
            code: Code::Ok,
            data: Vec::new(),
            log: String::new(),
            gas_wanted: 1,
            gas_used: 1,
            fee: 1,
            events,
            hash: Hash([0; 32]),
            tx: None,
        }
    }

    fn event(name: &str, fields: Vec<(String, Value)>) -> EventRecord {
        EventRecord {
            contract: Address([7; 20]),
            name: name.into(),
            fields,
        }
    }

    /// A transaction's events render at most `MAX_RENDERED_EVENT_TEXT` of names, keys and
    /// values: a field that would go past it is left out and its event says so; fields that
    /// still fit after it are rendered.
    #[test]
    fn what_a_transaction_renders_of_its_events_is_bounded() {
        let huge = Value::List(vec![Value::Bool(true); 200_000]);
        let chunk = Value::String("x".repeat(10_000));
        let events = vec![
            event(
                "Huge",
                vec![("all".into(), huge), ("small".into(), Value::U8(1))],
            ),
            event(
                "Many",
                (0..40).map(|i| (format!("f{i}"), chunk.clone())).collect(),
            ),
            event(&"N".repeat(MAX_RENDERED_EVENT_TEXT), vec![]),
        ];
        let rendered = exec_result(result(events));
        let text: usize = rendered.events[..]
            .iter()
            .flat_map(|e| &e.attributes)
            .map(|a| a.key.len() + a.value.len())
            .sum();
        assert!(
            text < MAX_RENDERED_EVENT_TEXT + 4096,
            "{text} bytes rendered"
        );
        assert!(rendered.info.len() < MAX_RENDERED_EVENT_TEXT + 4096);
        let cut = |event: &Event| {
            event
                .attributes
                .iter()
                .find(|a| a.key == "cut")
                .map(|a| a.value.clone())
        };
        let huge = &rendered.events[0];
        assert_eq!(cut(huge).as_deref(), Some("1"));
        assert!(
            huge.attributes
                .iter()
                .any(|a| a.key == "field.small" && a.value == "1")
        );
        let many = &rendered.events[1];
        let kept = many
            .attributes
            .iter()
            .filter(|a| a.key.starts_with("field."))
            .count();
        assert_eq!((kept, cut(many)), (26, Some("14".to_owned())));
        let long = &rendered.events[2];
        let name = long.attributes.iter().find(|a| a.key == "name").unwrap();
        assert_eq!(name.value, format!("{}…", "N".repeat(CUT_NAME_LEN)));
        assert_eq!(cut(long).as_deref(), Some("0"));
        let info: Json = serde_json::from_str(&rendered.info).unwrap();
        assert_eq!(info["events"][0]["cut"], 1);
        assert_eq!(info["events"][0]["fields"]["small"], 1);
        assert_eq!(info["events"][1]["fields"].as_object().unwrap().len(), 26);
    }

    #[test]
    fn events_that_fit_are_rendered_whole_without_a_mark() {
        let rendered = exec_result(result(vec![event(
            "Transfer",
            vec![("to".into(), Value::Address(Address([1; 20])))],
        )]));
        let attributes = &rendered.events[0].attributes;
        assert!(attributes.iter().all(|a| a.key != "cut"));
        assert_eq!(attributes[2].key, "field.to");
        let info: Json = serde_json::from_str(&rendered.info).unwrap();
        assert_eq!(info["events"][0].get("cut"), None);
    }
}

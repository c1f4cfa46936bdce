//! The ledger: genesis, admission of transactions (`check_tx`), blocks that deliver them in
//! order, and queries of the committed state (docs/chain.md).

use govm::{
    Address, CallError, ContractOptions, DeployOptions, Engine, Error as EngineError, EventRecord,
    Hash, Outcome, Transaction,
};
use parity_scale_codec::{Decode, Encode};

use crate::code::Code;
use crate::error::{Error, Result};
use crate::genesis::Genesis;
use crate::params::{ChainParams, TRANSFER_GAS, intrinsic_gas};
use crate::tx::{Body, Tx, tx_hash};

const CHAIN_ID: &str = "chain_id";
const PARAMS: &str = "params";

/// A chain on an [`Engine`]: the ledger rules every node shares.
#[derive(Debug)]
pub struct Chain {
    engine: Engine,
    chain_id: String,
    params: ChainParams,
    /// Signers' public keys, decompressed: senders come back, and decompressing a key is a
    /// fifth of a signature check. Bounded by [`MAX_KEYS`]; a miss costs the decompression.
    keys: dashmap::DashMap<[u8; 32], ed25519_dalek::VerifyingKey>,
}

/// The most public keys [`Chain`] keeps decompressed before it starts over.
const MAX_KEYS: usize = 1 << 16;

/// Where the committed state stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainInfo {
    /// The last committed height (0: genesis).
    pub height: u64,
    /// The state hash after it.
    pub state_hash: Hash,
}

/// An account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    /// Transactions it has sent: the nonce its next one must carry.
    pub nonce: u64,
    /// Its native balance.
    pub balance: u64,
}

/// What admission (`check_tx`) says of a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxCheck {
    /// [`Code::Ok`] or why it would be refused.
    pub code: Code,
    /// Why, for people.
    pub log: String,
    /// Its fuel limit.
    pub gas_wanted: u64,
    /// Its sender, when it decoded and verified.
    pub sender: Option<Address>,
    /// Its nonce, when it decoded.
    pub nonce: Option<u64>,
}

/// What delivering a transaction did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxResult {
    /// How it ended (or why it was refused).
    pub code: Code,
    /// The call's SCALE-encoded results, or a deploy's contract address.
    pub data: Vec<u8>,
    /// The error message, empty on success.
    pub log: String,
    /// Its fuel limit.
    pub gas_wanted: u64,
    /// The gas it used (and paid for, at its gas price): 0 when refused.
    pub gas_used: u64,
    /// The events the call emitted.
    pub events: Vec<EventRecord>,
    /// sha256 of its bytes.
    pub hash: Hash,
}

/// What is stored of a delivered transaction, by hash.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct TxRecord {
    /// Its code.
    pub code: u32,
    /// Its data.
    pub data: Vec<u8>,
    /// Its log.
    pub log: String,
    /// The gas it used.
    pub gas_used: u64,
    /// The block it was in.
    pub height: u64,
}

impl Chain {
    /// The chain on `engine`'s state: a fresh state is initialised from `genesis` (height
    /// 0); a state that holds a chain must hold this one (same chain id).
    pub fn new(engine: Engine, genesis: &Genesis) -> Result<Self> {
        let chain = Self {
            engine,
            chain_id: genesis.chain_id.clone(),
            params: genesis.params,
            keys: dashmap::DashMap::new(),
        };
        match chain.engine.last_block()? {
            None => chain.init(genesis)?,
            Some(_) => {
                let view = chain.engine.read_view();
                let stored = view.chain_record(CHAIN_ID)?.unwrap_or_default();
                if stored != genesis.chain_id.as_bytes() {
                    return Err(Error::Genesis(format!(
                        "the state holds chain {:?}, not {:?}",
                        String::from_utf8_lossy(&stored),
                        genesis.chain_id
                    )));
                }
                let params = view.chain_record(PARAMS)?.unwrap_or_default();
                if serde_json::from_slice::<ChainParams>(&params).ok() != Some(genesis.params) {
                    return Err(Error::Genesis(
                        "the state's chain parameters differ from the genesis".into(),
                    ));
                }
            }
        }
        Ok(chain)
    }

    fn init(&self, genesis: &Genesis) -> Result<()> {
        let mut block = self.engine.begin_block(0, genesis.time);
        // The store's per-transaction limits count per genesis entry: a genesis may hold more
        // balances than one transaction may write.
        let tx = block.transaction();
        tx.start_scope();
        tx.set_chain_record(CHAIN_ID, genesis.chain_id.as_bytes())?;
        let params = serde_json::to_vec(&genesis.params).unwrap_or_default();
        tx.set_chain_record(PARAMS, &params)?;
        for b in &genesis.balances {
            let to = parse_address(&b.address)?;
            tx.start_scope();
            tx.mint(&to.0, b.amount)?;
        }
        for (i, c) in genesis.contracts.iter().enumerate() {
            block.transaction().start_scope();
            let deployer = parse_address(&c.deployer)?;
            let wasm = hex::decode(c.wasm.trim_start_matches("0x"))
                .map_err(|e| Error::Genesis(format!("contract {i}: wasm: {e}")))?;
            let options = DeployOptions {
                deployer,
                ..DeployOptions::default()
            };
            block
                .deploy_prebuilt(c.source.as_bytes(), wasm, &options, u64::MAX)
                .map_err(|e| Error::Genesis(format!("contract {i}: {e}")))?;
        }
        block.commit()?;
        Ok(())
    }

    /// The chain's id.
    pub fn chain_id(&self) -> &str {
        &self.chain_id
    }

    /// Its parameters.
    pub fn params(&self) -> ChainParams {
        self.params
    }

    /// The engine underneath (its queries, objects and events).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The last committed height and state hash, as stored with the state.
    pub fn info(&self) -> Result<ChainInfo> {
        let (height, state_hash) = self
            .engine
            .last_block()?
            .ok_or_else(|| Error::Genesis("the chain has no genesis".into()))?;
        Ok(ChainInfo { height, state_hash })
    }

    /// Whether a transaction would be admitted now (signature, chain id, nonce, gas price,
    /// fuel limit, fee): what a mempool asks. Cheap, and it never writes.
    pub fn check_tx(&self, bytes: &[u8]) -> TxCheck {
        self.check_tx_after(bytes, &|_| None)
    }

    /// [`Chain::check_tx`] for a mempool that already holds transactions of the sender not
    /// yet in a block: `pending(sender)` is the nonce after the sender's last pending one,
    /// which the transaction must carry instead of the committed one.
    pub fn check_tx_after(
        &self,
        bytes: &[u8],
        pending: &dyn Fn(Address) -> Option<u64>,
    ) -> TxCheck {
        let view = self.engine.read_view();
        match self.admit(bytes, self.stateless(bytes), &view, None, pending) {
            Ok(tx) => {
                // A deploy is validated and its module checked here, so that a block never
                // carries one that would be refused.
                if let Body::Deploy {
                    source,
                    wasm,
                    options,
                } = &tx.unsigned.body
                {
                    let limits = match self.deploy_limits(options) {
                        Ok(limits) => limits,
                        Err((code, log)) => {
                            return TxCheck {
                                code,
                                log,
                                gas_wanted: tx.unsigned.fuel_limit,
                                sender: None,
                                nonce: Some(tx.unsigned.nonce),
                            };
                        }
                    };
                    let deploy = DeployOptions {
                        deployer: tx.sender(),
                        options: limits,
                        ..DeployOptions::default()
                    };
                    if let Err(e) = self.engine.check_prebuilt(source, wasm.clone(), &deploy) {
                        let code = match e {
                            EngineError::Runtime(CallError::InvalidModule(_)) => {
                                Code::InvalidModule
                            }
                            EngineError::Runtime(_) => Code::InvalidDeploy,
                            _ => Code::InvalidSource,
                        };
                        return TxCheck {
                            code,
                            log: e.to_string(),
                            gas_wanted: tx.unsigned.fuel_limit,
                            sender: None,
                            nonce: Some(tx.unsigned.nonce),
                        };
                    }
                }
                TxCheck {
                    code: Code::Ok,
                    log: String::new(),
                    gas_wanted: tx.unsigned.fuel_limit,
                    sender: Some(tx.sender()),
                    nonce: Some(tx.unsigned.nonce),
                }
            }
            Err((code, log, gas_wanted)) => TxCheck {
                code,
                log,
                gas_wanted,
                sender: None,
                nonce: None,
            },
        }
    }

    /// A deploy's options (empty: the chain's defaults), refused when they do not decode or
    /// break the chain's parameters: the same answer in `check_tx` and in a block.
    fn deploy_limits(
        &self,
        options: &[u8],
    ) -> std::result::Result<Option<ContractOptions>, (Code, String)> {
        let limits = if options.is_empty() {
            None
        } else {
            Some(
                ContractOptions::decode(options)
                    .map_err(|e| (Code::InvalidDeploy, e.to_string()))?,
            )
        };
        let params = self.params;
        let effective = limits.unwrap_or(self.engine.default_options());
        if effective.timeout_ms < params.min_timeout_ms || effective.fuel_limit > params.max_tx_fuel
        {
            return Err((
                Code::InvalidDeploy,
                format!(
                    "a contract's deadline must be at least {} ms and its fuel limit at most {}",
                    params.min_timeout_ms, params.max_tx_fuel
                ),
            ));
        }
        Ok(limits)
    }

    /// The checks of a transaction that need no state: its size, its encoding and its
    /// signature. A block runs them on other threads ahead of its transactions
    /// ([`ChainBlock::deliver_txs`]); each is a pure function of the bytes, so where it runs
    /// changes no result.
    fn stateless(&self, bytes: &[u8]) -> std::result::Result<Tx, Refusal> {
        if bytes.len() as u64 > self.params.max_tx_bytes {
            return Err((
                Code::TooLarge,
                format!(
                    "{} bytes, over the limit of {}",
                    bytes.len(),
                    self.params.max_tx_bytes
                ),
                0,
            ));
        }
        let tx = Tx::decode(bytes).map_err(|(code, log)| (code, log, 0))?;
        let key = match self.keys.get(&tx.signer) {
            Some(key) => Some(*key),
            None => {
                let key = ed25519_dalek::VerifyingKey::from_bytes(&tx.signer).ok();
                if let Some(k) = key {
                    if self.keys.len() >= MAX_KEYS {
                        self.keys.clear();
                    }
                    self.keys.insert(tx.signer, k);
                }
                key
            }
        };
        match tx.verify_with(key.as_ref()) {
            Ok(()) => Ok(tx),
            Err((code, log)) => Err((code, log, tx.unsigned.fuel_limit)),
        }
    }

    /// Checks a transaction that passed (or failed) [`Chain::stateless`] against `view`;
    /// `block_room` is the fuel the block has left (none in `check_tx`); `pending` gives the
    /// nonce a mempool expects of a sender with transactions not yet in a block.
    fn admit(
        &self,
        bytes: &[u8],
        stateless: std::result::Result<Tx, Refusal>,
        view: &Transaction,
        block_room: Option<u64>,
        pending: &dyn Fn(Address) -> Option<u64>,
    ) -> std::result::Result<Tx, Refusal> {
        let tx = stateless?;
        let wanted = tx.unsigned.fuel_limit;
        let refuse = |code, log: String| Err((code, log, wanted));
        let u = &tx.unsigned;
        if u.chain_id != self.chain_id {
            return refuse(
                Code::WrongChain,
                format!("for chain {:?}, this is {:?}", u.chain_id, self.chain_id),
            );
        }
        if u.gas_price < self.params.min_gas_price {
            return refuse(
                Code::GasPriceTooLow,
                format!(
                    "gas price {} is below the minimum of {}",
                    u.gas_price, self.params.min_gas_price
                ),
            );
        }
        let intrinsic = intrinsic_gas(bytes.len());
        if u.fuel_limit > self.params.max_tx_fuel || u.fuel_limit < intrinsic {
            return refuse(
                Code::BadFuelLimit,
                format!(
                    "fuel limit {} is outside {intrinsic}..={}",
                    u.fuel_limit, self.params.max_tx_fuel
                ),
            );
        }
        let sender = tx.sender();
        let store = |e: govm::StateError| (Code::Malformed, e.to_string(), wanted);
        let committed = view.nonce(&sender.0).map_err(store)?;
        let nonce = pending(sender).map_or(committed, |p| p.max(committed));
        if u.nonce != nonce {
            return refuse(
                Code::BadNonce,
                format!("nonce {}, the sender's next is {nonce}", u.nonce),
            );
        }
        let sends = match &u.body {
            Body::Call { value, .. } => *value,
            Body::Transfer { amount, .. } => *amount,
            Body::Deploy { .. } => 0,
        };
        let balance = view.balance(&sender.0).map_err(store)?;
        let cost = u
            .fuel_limit
            .checked_mul(u.gas_price)
            .and_then(|fee| fee.checked_add(sends));
        if cost.is_none_or(|c| c > balance) {
            return refuse(
                Code::CannotPayFee,
                format!(
                    "the sender's balance of {balance} cannot pay {} gas at {} and {sends} sent",
                    u.fuel_limit, u.gas_price
                ),
            );
        }
        if let Some(room) = block_room
            && u.fuel_limit > room
        {
            return refuse(
                Code::BlockFull,
                format!(
                    "the block has {room} fuel left, the transaction asks for {}",
                    u.fuel_limit
                ),
            );
        }
        Ok(tx)
    }

    /// Starts block `height` (the one after the last committed) at `time`, with `proposer`
    /// receiving the fees.
    pub fn begin_block(&self, height: u64, time: i64, proposer: Address) -> Result<ChainBlock<'_>> {
        // The height is read under the block's lock: no other block can commit meanwhile.
        let block = self.engine.begin_block(height, time);
        let last = block
            .committed_height()?
            .ok_or_else(|| Error::Genesis("the chain has no genesis".into()))?;
        if height != last + 1 {
            return Err(Error::Height {
                expected: last + 1,
                got: height,
            });
        }
        Ok(ChainBlock {
            chain: self,
            block,
            proposer,
            fuel_left: self.params.max_block_fuel,
            failed: None,
        })
    }

    /// An account's nonce and balance.
    pub fn account(&self, address: Address) -> Result<Account> {
        let view = self.engine.read_view();
        Ok(Account {
            nonce: view.nonce(&address.0)?,
            balance: view.balance(&address.0)?,
        })
    }

    /// A read-only call with JSON arguments, on the committed state at its height.
    pub fn query(
        &self,
        sender: Address,
        contract: Address,
        function: &str,
        args: &serde_json::Value,
    ) -> Result<Outcome> {
        let info = self.info()?;
        let ctx = govm::CallContext {
            block_height: info.height,
            ..govm::CallContext::new(sender)
        };
        Ok(self.engine.query_json(&ctx, contract, function, args)?)
    }

    /// The stored result of a delivered transaction.
    pub fn tx_result(&self, hash: Hash) -> Result<Option<TxRecord>> {
        let Some(bytes) = self.engine.read_view().tx_result(&hash.0)? else {
            return Ok(None);
        };
        TxRecord::decode(&mut bytes.as_slice())
            .map(Some)
            .map_err(|e| Error::Store(format!("a stored transaction result: {e}")))
    }
}

/// A block being built: transactions are delivered in order, then it commits.
#[derive(Debug)]
pub struct ChainBlock<'a> {
    chain: &'a Chain,
    block: govm::Block<'a>,
    proposer: Address,
    fuel_left: u64,
    /// Why the block cannot commit on this node, once a delivery failed.
    failed: Option<String>,
}

impl<'a> ChainBlock<'a> {
    /// Delivers one transaction. A refused one changes nothing; one that runs moves its
    /// sender's nonce on and pays `gas_used × gas_price` to the proposer, even when its body
    /// fails (the body's own writes roll back). `Err` means this node cannot go on with the
    /// block (a call ran past the wall-clock deadline, or the store failed): it must not be
    /// committed, and nothing is recorded for the transaction.
    pub fn deliver_tx(&mut self, bytes: &[u8]) -> Result<TxResult> {
        let stateless = self.chain.stateless(bytes);
        self.deliver_checked(bytes, stateless)
    }

    /// Delivers a block's transactions in order, with exactly the results of
    /// [`ChainBlock::deliver_tx`] one after the other. The checks that need no state (size,
    /// decoding, the ed25519 signature) run on other threads, ahead of the transactions this
    /// thread runs in order: checking and running overlap. `Err` is as for `deliver_tx`, at the
    /// first transaction this node cannot go on with.
    pub fn deliver_txs<B: AsRef<[u8]> + Sync>(&mut self, txs: &[B]) -> Result<Vec<TxResult>> {
        /// Transactions a checker hands over at a time.
        const CHUNK: usize = 32;
        // This thread runs the transactions; the other cores check ahead of it.
        let checkers = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .saturating_sub(1)
            .clamp(1, txs.len().div_ceil(CHUNK).max(1));
        if txs.len() <= CHUNK {
            return txs.iter().map(|b| self.deliver_tx(b.as_ref())).collect();
        }
        let chain = self.chain;
        std::thread::scope(|scope| {
            // Checker c takes chunks c, c + checkers, ... and sends each, in order, on its own
            // channel: chunk k is the next message from checker k % checkers.
            let handed: Vec<_> = (0..checkers)
                .map(|c| {
                    let (send, receive) = std::sync::mpsc::channel();
                    scope.spawn(move || {
                        for chunk in txs.chunks(CHUNK).skip(c).step_by(checkers) {
                            let checked: Vec<_> =
                                chunk.iter().map(|b| chain.stateless(b.as_ref())).collect();
                            // The block stopped early: nobody waits for the rest.
                            if send.send(checked).is_err() {
                                return;
                            }
                        }
                    });
                    receive
                })
                .collect();
            let mut results = Vec::with_capacity(txs.len());
            for (k, chunk) in txs.chunks(CHUNK).enumerate() {
                // A checker that panicked (a bug: the checks are pure) sends nothing more; its
                // chunks are checked here, and the scope re-raises its panic at the end.
                let checked = handed[k % checkers].recv().unwrap_or_else(|_| {
                    chunk.iter().map(|b| chain.stateless(b.as_ref())).collect()
                });
                for (bytes, stateless) in chunk.iter().zip(checked) {
                    results.push(self.deliver_checked(bytes.as_ref(), stateless)?);
                }
            }
            Ok(results)
        })
    }

    fn deliver_checked(
        &mut self,
        bytes: &[u8],
        stateless: std::result::Result<Tx, Refusal>,
    ) -> Result<TxResult> {
        if let Some(reason) = &self.failed {
            return Err(Error::Halt(reason.clone()));
        }
        let result = self.deliver(bytes, stateless);
        if let Err(e) = &result {
            self.failed.get_or_insert_with(|| e.to_string());
        }
        result
    }

    fn deliver(
        &mut self,
        bytes: &[u8],
        stateless: std::result::Result<Tx, Refusal>,
    ) -> Result<TxResult> {
        let hash = Hash(tx_hash(bytes));
        // The store's limits count per transaction, not per block.
        self.block.transaction().start_scope();
        let view = self.block.transaction();
        let admitted = self
            .chain
            .admit(bytes, stateless, view, Some(self.fuel_left), &|_| None);
        let tx = match admitted {
            Ok(tx) => tx,
            Err((code, log, gas_wanted)) => {
                return Ok(TxResult {
                    code,
                    data: Vec::new(),
                    log,
                    gas_wanted,
                    gas_used: 0,
                    events: Vec::new(),
                    hash,
                });
            }
        };
        let u = tx.unsigned.clone();
        let sender = tx.sender();
        let intrinsic = intrinsic_gas(bytes.len());
        let ran = match &u.body {
            Body::Deploy {
                source,
                wasm,
                options,
            } => self.deploy(sender, source, wasm, options, u.fuel_limit - intrinsic)?,
            Body::Call {
                contract,
                function,
                args,
                value,
            } => self.call(
                sender,
                Address(*contract),
                function,
                args,
                *value,
                u.fuel_limit - intrinsic,
            )?,
            Body::Transfer { to, amount } => {
                self.transfer(sender, Address(*to), *amount, u.fuel_limit - intrinsic)?
            }
        };
        let Ran {
            code,
            data,
            log,
            gas,
            events,
        } = match ran {
            Ok(ran) => ran,
            // Refused after all (a deploy that does not check): nothing was written.
            Err((code, log)) => {
                return Ok(TxResult {
                    code,
                    data: Vec::new(),
                    log,
                    gas_wanted: u.fuel_limit,
                    gas_used: 0,
                    events: Vec::new(),
                    hash,
                });
            }
        };
        let gas_used = intrinsic.saturating_add(gas).min(u.fuel_limit);
        let fee = gas_used.saturating_mul(u.gas_price);
        let height = self.block.height();
        let record = TxRecord {
            code: code.value(),
            data: data.clone(),
            log: log.clone(),
            gas_used,
            height,
        };
        let tx_state = self.block.transaction();
        // The ledger's own writes (nonce, fee, result: at most four keys) count in a scope of
        // their own: a body that used the whole per-transaction write limit must not turn
        // them into a node failure.
        tx_state.start_scope();
        tx_state.increment_nonce(&sender.0)?;
        tx_state.transfer(&sender.0, &self.proposer.0, fee)?;
        tx_state.put_tx_result(&hash.0, &record.encode())?;
        self.fuel_left -= u.fuel_limit;
        Ok(TxResult {
            code,
            data,
            log,
            gas_wanted: u.fuel_limit,
            gas_used,
            events,
            hash,
        })
    }

    fn transfer(
        &mut self,
        sender: Address,
        to: Address,
        amount: u64,
        fuel: u64,
    ) -> Result<Refusable> {
        if fuel < TRANSFER_GAS {
            let log =
                format!("a transfer costs {TRANSFER_GAS} gas, the transaction has {fuel} left");
            return Ok(Ok(Ran::failed(Code::OutOfGas, log, fuel)));
        }
        let tx = self.block.transaction();
        let savepoint = tx.savepoint();
        Ok(Ok(match tx.transfer(&sender.0, &to.0, amount) {
            Ok(()) => Ran::ok(Vec::new(), TRANSFER_GAS, Vec::new()),
            Err(
                govm::StateError::InsufficientBalance { .. }
                | govm::StateError::LimitExceeded { .. },
            ) => {
                tx.rollback_to(savepoint);
                Ran::failed(
                    Code::InsufficientFunds,
                    "the sender cannot pay the amount".into(),
                    TRANSFER_GAS,
                )
            }
            Err(other) => return Err(other.into()),
        }))
    }

    fn call(
        &mut self,
        sender: Address,
        contract: Address,
        function: &str,
        args: &[u8],
        value: u64,
        fuel: u64,
    ) -> Result<Refusable> {
        let outcome = self
            .block
            .execute_encoded(sender, fuel, value, contract, function, args);
        Ok(Ok(match outcome {
            Ok(out) => Ran::ok(out.encoded_results, out.gas_used, out.events),
            Err(EngineError::Call {
                error, gas_used, ..
            }) => {
                let code = match &error {
                    CallError::OutOfFuel => Code::OutOfGas,
                    e if e.is_resource_limit() => Code::ResourceLimit,
                    CallError::ResultTooLarge { .. } => Code::ResourceLimit,
                    CallError::InsufficientValue { .. } => Code::InsufficientFunds,
                    _ => Code::CallFailed,
                };
                Ran::failed(code, error.to_string(), gas_used)
            }
            Err(e @ EngineError::Abi(_)) => Ran::failed(Code::CallFailed, e.to_string(), 0),
            Err(other) => return Err(other.into()),
        }))
    }

    fn deploy(
        &mut self,
        sender: Address,
        source: &[u8],
        wasm: &[u8],
        options: &[u8],
        fuel: u64,
    ) -> Result<Refusable> {
        let limits = match self.chain.deploy_limits(options) {
            Ok(limits) => limits,
            Err(refused) => return Ok(Err(refused)),
        };
        // What the bytes cost is known before any work; package initialisation gets the rest.
        let bytes_gas = govm::deploy_gas(source.len(), wasm.len(), 0);
        if bytes_gas > fuel {
            let log =
                format!("the deploy's bytes cost {bytes_gas} gas, the transaction has {fuel} left");
            return Ok(Ok(Ran::failed(Code::OutOfGas, log, fuel)));
        }
        let deploy_options = DeployOptions {
            deployer: sender,
            options: limits,
            ..DeployOptions::default()
        };
        let savepoint = self.block.transaction().savepoint();
        match self
            .block
            .deploy_prebuilt(source, wasm.to_vec(), &deploy_options, fuel - bytes_gas)
        {
            Ok(d) if d.deploy_gas > fuel => {
                self.block.transaction().rollback_to(savepoint);
                Ok(Ok(Ran::failed(
                    Code::OutOfGas,
                    format!(
                        "the deploy costs {} gas, the transaction has {fuel} left",
                        d.deploy_gas
                    ),
                    fuel,
                )))
            }
            Ok(d) => Ok(Ok(Ran::ok(d.address.0.to_vec(), d.deploy_gas, Vec::new()))),
            Err(EngineError::Rejected(r)) => Ok(Err((Code::InvalidSource, r.to_string()))),
            Err(e @ EngineError::Source(_)) => Ok(Err((Code::InvalidSource, e.to_string()))),
            Err(EngineError::Runtime(e @ CallError::InvalidModule(_))) => {
                // A module valid on its own (checked against no entry points) that failed
                // against its source's entry points does not match the source.
                let empty = govm::ContractAbi::new("", Vec::new());
                let simd = limits.is_some_and(|o| o.enable_simd);
                let code = if govm_abi::check_module(wasm, &empty, simd).is_ok() {
                    Code::ModuleMismatch
                } else {
                    Code::InvalidModule
                };
                Ok(Err((code, e.to_string())))
            }
            // Package initialisation ran and failed: deterministic work the sender pays for.
            Err(EngineError::Runtime(CallError::Initialization(inner))) => {
                let code = if matches!(*inner, CallError::OutOfFuel) {
                    Code::OutOfGas
                } else {
                    Code::InitFailed
                };
                let log = format!("package initialization failed: {inner}");
                Ok(Ok(Ran::failed(code, log, fuel)))
            }
            Err(EngineError::Runtime(e)) => Ok(Err((Code::InvalidDeploy, e.to_string()))),
            Err(other) => Err(other.into()),
        }
    }

    /// Changes the block's state outside the chain's rules (credits one unit to the zero
    /// address), so that this node computes another state hash than its peers: for tests of
    /// how a network refuses a diverging node. Never call it otherwise.
    #[doc(hidden)]
    pub fn diverge_for_tests(&mut self) -> Result<()> {
        Ok(self.block.transaction().mint(&[0; 20], 1)?)
    }

    /// Commits the block: its transactions' effects, its height and the state hash, in one
    /// durable write. Refused when a transaction could not be delivered on this node.
    pub fn commit(self) -> Result<Hash> {
        self.finalize()?.commit()
    }

    /// The first half of [`ChainBlock::commit`]: the app hash the block gives, with nothing
    /// written (ABCI's `FinalizeBlock`); [`FinalizedChainBlock::commit`] writes it (`Commit`).
    pub fn finalize(self) -> Result<FinalizedChainBlock<'a>> {
        if let Some(reason) = self.failed {
            return Err(Error::Halt(reason));
        }
        let block = self.block.finalize()?;
        Ok(FinalizedChainBlock { block })
    }
}

/// A block whose app hash is known and whose writes are not yet durable.
#[derive(Debug)]
pub struct FinalizedChainBlock<'a> {
    block: govm::FinalizedBlock<'a>,
}

impl FinalizedChainBlock<'_> {
    /// The state hash (app hash) the block gives.
    pub fn state_hash(&self) -> Hash {
        self.block.state_hash()
    }

    /// Writes the block durably; after a crash before this, the state is the previous
    /// block's.
    pub fn commit(self) -> Result<Hash> {
        Ok(self.block.commit()?)
    }
}

/// Why a transaction is refused, and the fuel it asked for (0 when it did not decode).
type Refusal = (Code, String, u64);

/// A body that ran, or a refusal found only when running it (a deploy that does not check).
type Refusable = std::result::Result<Ran, (Code, String)>;

/// What running a body gave.
struct Ran {
    code: Code,
    data: Vec<u8>,
    log: String,
    gas: u64,
    events: Vec<EventRecord>,
}

impl Ran {
    fn ok(data: Vec<u8>, gas: u64, events: Vec<EventRecord>) -> Self {
        Self {
            code: Code::Ok,
            data,
            log: String::new(),
            gas,
            events,
        }
    }

    fn failed(code: Code, log: String, gas: u64) -> Self {
        Self {
            code,
            data: Vec::new(),
            log,
            gas,
            events: Vec::new(),
        }
    }
}

fn parse_address(text: &str) -> Result<Address> {
    Address::from_hex(text).map_err(|e| Error::Genesis(format!("{text}: {e}")))
}

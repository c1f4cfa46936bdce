//! The ledger: genesis, admission of transactions (`check_tx`), blocks that deliver them in
//! order, and queries of the committed state (docs/chain.md).

use govm::{
    Address, CallError, ContractOptions, DeployOptions, Engine, Error as EngineError, EventRecord,
    Hash, Outcome, Transaction,
};
use parity_scale_codec::{Decode, Encode};

use crate::block::ChainBlock;
use crate::code::Code;
use crate::error::{Error, Result};
use crate::genesis::Genesis;
use crate::params::{ChainParams, intrinsic_gas};
use crate::tx::{Body, Tx};

const CHAIN_ID: &str = "chain_id";
const PARAMS: &str = "params";

/// A chain on an [`Engine`]: the ledger rules every node shares.
#[derive(Debug)]
pub struct Chain {
    engine: Engine,
    chain_id: String,
    params: ChainParams,
    /// Signers' public keys, decompressed: senders come back, and decompressing a key is a
    /// fifth of a signature check. Only keys that verified a signature are kept (anyone may
    /// send junk to `check_tx`). Bounded by [`MAX_KEYS`] (a few MiB); a miss costs the
    /// decompression.
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
    pub(crate) fn deploy_limits(
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
    pub(crate) fn stateless(&self, bytes: &[u8]) -> std::result::Result<Tx, Refusal> {
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
        let cached = self.keys.get(&tx.signer).map(|k| *k);
        let key = cached.or_else(|| ed25519_dalek::VerifyingKey::from_bytes(&tx.signer).ok());
        if let Err((code, log)) = tx.verify_with(key.as_ref()) {
            return Err((code, log, tx.unsigned.fuel_limit));
        }
        // Only a key that signed something valid is kept: junk signers, free to send to
        // `check_tx`, cannot push out the keys of real senders.
        if let (None, Some(k)) = (cached, key) {
            if self.keys.len() >= MAX_KEYS {
                self.keys.clear();
            }
            self.keys.insert(tx.signer, k);
        }
        Ok(tx)
    }

    /// Checks a transaction that passed (or failed) [`Chain::stateless`] against `view`;
    /// `block_room` is the fuel the block has left (none in `check_tx`); `pending` gives the
    /// nonce a mempool expects of a sender with transactions not yet in a block.
    pub(crate) fn admit(
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

/// Why a transaction is refused, and the fuel it asked for (0 when it did not decode).
pub(crate) type Refusal = (Code, String, u64);

fn parse_address(text: &str) -> Result<Address> {
    Address::from_hex(text).map_err(|e| Error::Genesis(format!("{text}: {e}")))
}

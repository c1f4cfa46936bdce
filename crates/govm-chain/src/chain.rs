//! The ledger: a [`Chain`] from its genesis, and queries of the committed state
//! (docs/chain.md). Admission is in `admission.rs`, blocks in `block.rs`.

use govm::{Address, DeployOptions, Engine, Hash, Outcome};
use parity_scale_codec::Decode;

use crate::error::{Error, Result};
use crate::genesis::Genesis;
use crate::params::{ChainParams, PROTOCOL_VERSION};
use crate::results::TxRecord;

const CHAIN_ID: &str = "chain_id";
const PARAMS: &str = "params";
const PROTOCOL: &str = "protocol";

/// A chain on an [`Engine`]: the ledger rules every node shares.
#[derive(Debug)]
pub struct Chain {
    pub(crate) engine: Engine,
    pub(crate) chain_id: String,
    pub(crate) params: ChainParams,
    /// Signers' public keys, decompressed: senders come back, and decompressing a key is a
    /// fifth of a signature check. Only keys that verified a signature are kept (anyone may
    /// send junk to `check_tx`). Bounded by [`MAX_KEYS`] (a few MiB); a miss costs the
    /// decompression.
    pub(crate) keys: dashmap::DashMap<[u8; 32], ed25519_dalek::VerifyingKey>,
}

/// The most fuel a read-only call (`Chain::query`, the node's `/call`) may use (the facade's
/// default for a call): at the gas schedule's worst ns per gas, a few hundredths of a second,
/// so that queries, which nobody pays for, cost their node little.
pub const QUERY_FUEL: u64 = 50_000_000;

/// The most public keys [`Chain`] keeps decompressed before it starts over.
pub(crate) const MAX_KEYS: usize = 1 << 16;

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

impl Chain {
    /// The chain on `engine`'s state: a fresh state is initialised from `genesis` (height
    /// 0), which must pass [`Genesis::check`]; a state that holds a chain must hold this one
    /// (same chain id and parameters), whatever the checks of this version say of its genesis.
    pub fn new(engine: Engine, genesis: &Genesis) -> Result<Self> {
        let chain = Self {
            engine,
            chain_id: genesis.chain_id.clone(),
            params: genesis.params,
            keys: dashmap::DashMap::new(),
        };
        match chain.engine.last_block()? {
            None => {
                genesis.check()?;
                chain.init(genesis)?;
            }
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
                // A state made before the version was stored holds none: version 1.
                let protocol = view
                    .chain_record(PROTOCOL)?
                    .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
                    .map_or(1, u64::from_be_bytes);
                if protocol != PROTOCOL_VERSION {
                    return Err(Error::Genesis(format!(
                        "the state was made under protocol version {protocol}; this node runs \
                         version {PROTOCOL_VERSION}, which would compute other results for its \
                         blocks (start a node of version {protocol}, or a new chain)"
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
        tx.set_chain_record(PROTOCOL, &PROTOCOL_VERSION.to_be_bytes())?;
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
            // The chain's defaults, as for a deploy transaction without options: never the
            // node's own.
            let options = DeployOptions {
                deployer,
                options: Some(genesis.params.contract_defaults()),
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

    /// An account's nonce and balance.
    pub fn account(&self, address: Address) -> Result<Account> {
        let view = self.engine.read_view();
        Ok(Account {
            nonce: view.nonce(&address.0)?,
            balance: view.balance(&address.0)?,
        })
    }

    /// A read-only call with JSON arguments, on the committed state at its height, with at
    /// most [`QUERY_FUEL`] (and the contract's own limit): a query costs its node bounded
    /// work, whatever the contract allows its transactions.
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
            fuel_limit: QUERY_FUEL,
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

fn parse_address(text: &str) -> Result<Address> {
    Address::from_hex(text).map_err(|e| Error::Genesis(format!("{text}: {e}")))
}

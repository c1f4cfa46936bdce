//! Admission: whether a transaction may enter a block. One function for `check_tx` and for
//! delivery ([`Chain::admit`], after the stateless [`Chain::stateless`]), so that a mempool
//! and a block always agree; a mempool's [`Pending`] transactions only add to what it asks.

use govm::{Address, Class, ContractOptions, DeployOptions, Transaction};

use crate::chain::{Chain, MAX_KEYS};
use crate::code::Code;
use crate::params::intrinsic_gas;
use crate::results::{Refusal, TxSummary};
use crate::tx::{Body, Received};

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
    /// What the mempool holds of the sender once this transaction is admitted: the pending
    /// transactions counted for it, and it. `None` when refused.
    pub pending: Option<Pending>,
}

/// What a mempool holds of one sender: its transactions admitted since the last commit,
/// which the next ones must come after and be paid beside ([`Chain::check_tx_after`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pending {
    /// The nonce after the sender's last pending transaction.
    pub next_nonce: u64,
    /// What the pending transactions may take from the sender's balance together: each one's
    /// fee at its fuel limit (`fuel_limit × gas_price`) and the value or amount it sends.
    pub spend: u64,
}

impl Chain {
    /// Whether a transaction would be admitted now (signature, chain id, nonce, gas price,
    /// fuel limit, fee): what a mempool asks. Cheap, and it never writes.
    pub fn check_tx(&self, bytes: &[u8]) -> TxCheck {
        self.check_tx_after(bytes, &|_| None)
    }

    /// [`Chain::check_tx`] for a mempool that already holds transactions of the sender not
    /// yet in a block: `pending(sender)` says what it holds ([`Pending`]). The transaction
    /// must carry the nonce after the pending ones instead of the committed one, and the
    /// committed balance less the pending spend must pay it (else [`Code::CannotPayFee`]).
    /// A `pending` whose `next_nonce` the committed nonce reached is counted as nothing.
    pub fn check_tx_after(
        &self,
        bytes: &[u8],
        pending: &dyn Fn(Address) -> Option<Pending>,
    ) -> TxCheck {
        let view = self.engine.read_view();
        let (received, after) = match self.admit(self.stateless(bytes), &view, None, pending) {
            Ok(admitted) => admitted,
            Err(refusal) => {
                return TxCheck {
                    code: refusal.code,
                    log: refusal.log,
                    gas_wanted: refusal.gas_wanted,
                    sender: None,
                    nonce: None,
                    pending: None,
                };
            }
        };
        let Received { tx, sender, .. } = received;
        let (nonce, gas_wanted) = (tx.unsigned.nonce, tx.unsigned.fuel_limit);
        // A deploy is validated and its module checked here, so that a block never carries
        // one that would be refused.
        if let Body::Deploy {
            source,
            wasm,
            options,
        } = tx.unsigned.body
            && let Err((code, log)) = self.check_deploy(sender, &source, wasm, &options)
        {
            return TxCheck {
                code,
                log,
                gas_wanted,
                sender: None,
                nonce: Some(nonce),
                pending: None,
            };
        }
        TxCheck {
            code: Code::Ok,
            log: String::new(),
            gas_wanted,
            sender: Some(sender),
            nonce: Some(nonce),
            pending: Some(after),
        }
    }

    /// A deploy's options, its source and its module checked without running anything.
    fn check_deploy(
        &self,
        sender: Address,
        source: &[u8],
        wasm: Vec<u8>,
        options: &[u8],
    ) -> Result<(), (Code, String)> {
        let deploy = DeployOptions {
            deployer: sender,
            options: Some(self.deploy_limits(options)?),
            ..DeployOptions::default()
        };
        self.engine
            .check_prebuilt(source, wasm, &deploy)
            .map_err(|e| {
                let code = match e.class() {
                    Class::InvalidModule => Code::InvalidModule,
                    Class::InvalidSource => Code::InvalidSource,
                    _ => Code::InvalidDeploy,
                };
                (code, e.to_string())
            })
    }

    /// A deploy's options (empty: the chain's defaults, [`crate::ChainParams::contract_defaults`]),
    /// refused when they do not decode or break the chain's parameters: the same answer in
    /// `check_tx` and in a block, and never the node's own defaults.
    pub(crate) fn deploy_limits(&self, options: &[u8]) -> Result<ContractOptions, (Code, String)> {
        let params = self.params;
        let limits = if options.is_empty() {
            params.contract_defaults()
        } else {
            ContractOptions::decode(options).map_err(|e| (Code::InvalidDeploy, e.to_string()))?
        };
        if limits.timeout_ms < params.min_timeout_ms
            || limits.fuel_limit > params.max_call_fuel
            || limits.memory_limit > params.max_contract_memory
        {
            return Err((
                Code::InvalidDeploy,
                format!(
                    "a contract's deadline must be at least {} ms, its fuel limit at most {} \
                     and its memory limit at most {} bytes",
                    params.min_timeout_ms, params.max_call_fuel, params.max_contract_memory
                ),
            ));
        }
        Ok(limits)
    }

    /// The checks of a transaction that need no state: its size, its encoding, its signature
    /// (over the bytes as received), then its chain id, gas price and fuel limit against the
    /// chain's parameters. A block runs them on other threads ahead of its transactions
    /// ([`crate::ChainBlock::deliver_txs`]), and a proposal is checked with them
    /// ([`Chain::check_proposal`]); each is a pure function of the bytes, so where it runs
    /// changes no result.
    pub(crate) fn stateless(&self, bytes: &[u8]) -> Result<Received, Refusal> {
        let received = self.verified(bytes)?;
        self.bounds(&received, bytes.len())?;
        Ok(received)
    }

    /// The first stateless checks: size, encoding, signature. A transaction that passes them
    /// was signed by its sender.
    pub(crate) fn verified(&self, bytes: &[u8]) -> Result<Received, Refusal> {
        if bytes.len() as u64 > self.params.max_tx_bytes {
            return Err(Refusal {
                code: Code::TooLarge,
                log: format!(
                    "{} bytes, over the limit of {}",
                    bytes.len(),
                    self.params.max_tx_bytes
                ),
                gas_wanted: 0,
                tx: None,
            });
        }
        let received = Received::decode(bytes).map_err(|(code, log)| Refusal {
            code,
            log,
            gas_wanted: 0,
            tx: None,
        })?;
        let signer = received.tx.signer;
        let cached = self.keys.get(&signer).map(|k| *k);
        let key = cached.or_else(|| ed25519_dalek::VerifyingKey::from_bytes(&signer).ok());
        if let Err((code, log)) = received.verify_with(key.as_ref()) {
            return Err(refusal(&received, code, log));
        }
        // Only a key that signed something valid is kept: junk signers, free to send to
        // `check_tx`, cannot push out the keys of real senders.
        if let (None, Some(k)) = (cached, key) {
            if self.keys.len() >= MAX_KEYS {
                self.keys.clear();
            }
            self.keys.insert(signer, k);
        }
        Ok(received)
    }

    /// The last stateless checks, of a signed transaction of `len` bytes against the chain's
    /// parameters: its chain id, its gas price, its fuel limit.
    pub(crate) fn bounds(&self, received: &Received, len: usize) -> Result<(), Refusal> {
        let refuse = |code, log: String| Err(refusal(received, code, log));
        let u = &received.tx.unsigned;
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
        let intrinsic = intrinsic_gas(len);
        if u.fuel_limit > self.params.max_tx_fuel || u.fuel_limit < intrinsic {
            return refuse(
                Code::BadFuelLimit,
                format!(
                    "fuel limit {} is outside {intrinsic}..={}",
                    u.fuel_limit, self.params.max_tx_fuel
                ),
            );
        }
        Ok(())
    }

    /// Checks a transaction that passed (or failed) [`Chain::stateless`] against `view`: its
    /// nonce, that its sender can pay, and the block's room. `block_room` is the fuel the
    /// block has left (none in `check_tx`); `pending` gives what a mempool holds of a sender
    /// with transactions not yet in a block (nothing in a block). An admitted transaction
    /// comes with what the sender has pending once it is added.
    pub(crate) fn admit(
        &self,
        stateless: Result<Received, Refusal>,
        view: &Transaction,
        block_room: Option<u64>,
        pending: &dyn Fn(Address) -> Option<Pending>,
    ) -> Result<(Received, Pending), Refusal> {
        let received = stateless?;
        let refuse = |code, log: String| Err(refusal(&received, code, log));
        let u = &received.tx.unsigned;
        let sender = received.sender;
        let store = |e: govm::StateError| refusal(&received, Code::Malformed, e.to_string());
        let committed = view.nonce(&sender.0).map_err(store)?;
        // Pending transactions the committed state already holds count for nothing.
        let pending = pending(sender).filter(|p| p.next_nonce > committed);
        let nonce = pending.map_or(committed, |p| p.next_nonce);
        if u.nonce != nonce {
            return refuse(
                Code::BadNonce,
                format!("nonce {}, the sender's next is {nonce}", u.nonce),
            );
        }
        let sends = u.body.sends();
        let balance = view.balance(&sender.0).map_err(store)?;
        let spent = pending.map_or(0, |p| p.spend);
        let spend = u
            .fuel_limit
            .checked_mul(u.gas_price)
            .and_then(|fee| fee.checked_add(sends))
            .and_then(|cost| cost.checked_add(spent))
            .filter(|&all| all <= balance);
        let Some(spend) = spend else {
            let pending = if spent > 0 {
                format!(" after the {spent} its pending transactions may spend")
            } else {
                String::new()
            };
            return refuse(
                Code::CannotPayFee,
                format!(
                    "the sender's balance of {balance} cannot pay {} gas at {} and {sends} \
                     sent{pending}",
                    u.fuel_limit, u.gas_price
                ),
            );
        };
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
        let after = Pending {
            next_nonce: nonce.saturating_add(1),
            spend,
        };
        Ok((received, after))
    }
}

/// What a decoded transaction was.
pub(crate) fn summary(received: &Received) -> TxSummary {
    let (kind, details) = received.tx.unsigned.body.describe();
    TxSummary {
        sender: received.sender,
        nonce: received.tx.unsigned.nonce,
        kind,
        details,
    }
}

fn refusal(received: &Received, code: Code, log: String) -> Refusal {
    Refusal {
        code,
        log,
        gas_wanted: received.tx.unsigned.fuel_limit,
        tx: Some(summary(received)),
    }
}

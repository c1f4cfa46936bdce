//! A block being built on a [`Chain`]: its transactions delivered in order (their stateless
//! checks on other threads, ahead), then finalized and committed.

use govm::{Address, Class, DeployOptions, Error as EngineError, EventRecord, Hash};
use parity_scale_codec::Encode;

use crate::admission::summary;
use crate::chain::Chain;
use crate::code::Code;
use crate::error::{Error, Result};
use crate::params::{
    MAX_BLOCK_EVENTS_SIZE, MAX_BLOCK_RESULT_BYTES, TRANSFER_GAS, events_size, intrinsic_gas,
    result_bytes, result_gas,
};
use crate::results::{Refusal, TxRecord, TxResult};
use crate::tx::{Body, Received, UnsignedTx, tx_hash};

impl Chain {
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
            result_bytes_left: MAX_BLOCK_RESULT_BYTES,
            events_size_left: MAX_BLOCK_EVENTS_SIZE,
            failed: None,
        })
    }
}

/// A block being built: transactions are delivered in order, then it commits.
#[derive(Debug)]
pub struct ChainBlock<'a> {
    pub(crate) chain: &'a Chain,
    pub(crate) block: govm::Block<'a>,
    pub(crate) proposer: Address,
    pub(crate) fuel_left: u64,
    /// The result bytes the block may still take ([`MAX_BLOCK_RESULT_BYTES`] to start with).
    pub(crate) result_bytes_left: u64,
    /// The decoded size of events the block may still hold ([`MAX_BLOCK_EVENTS_SIZE`] to
    /// start with).
    pub(crate) events_size_left: u64,
    /// Why the block cannot commit on this node, once a delivery failed.
    pub(crate) failed: Option<String>,
}

impl<'a> ChainBlock<'a> {
    /// Delivers one transaction. A refused one changes nothing; one that runs moves its
    /// sender's nonce on and pays `fuel_limit × gas_price` (the block fuel it took, whatever
    /// it used) to the proposer, even when its body fails (the body's own writes roll back).
    /// Its result's bytes are paid per byte and taken from the block's budget of them: one
    /// that cannot be paid for ends `OutOfGas`, one that does not fit `ResourceLimit`, its
    /// body rolled back (docs/chain.md §3). `Err` means this node cannot go on with the
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
        // This thread runs the transactions; the other cores check ahead of it. With one
        // core (or a halted block, or a small one) the checks run here, each before its
        // transaction: a checker sharing the only core would slow the contracts' calls.
        let checkers = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .saturating_sub(1)
            .min(txs.len().div_ceil(CHUNK));
        if checkers == 0 || txs.len() <= CHUNK || self.failed.is_some() {
            return txs.iter().map(|b| self.deliver_tx(b.as_ref())).collect();
        }
        let chain = self.chain;
        let check =
            |chunk: &[B]| -> Vec<_> { chunk.iter().map(|b| chain.stateless(b.as_ref())).collect() };
        std::thread::scope(|scope| {
            // Checker c takes chunks c, c + checkers, ... and sends each, in order, on its own
            // channel: chunk k is the next message from checker k % checkers.
            let mut handed: Vec<_> = (0..checkers)
                .map(|c| {
                    let (send, receive) = std::sync::mpsc::channel();
                    let checker = move || {
                        for chunk in txs.chunks(CHUNK).skip(c).step_by(checkers) {
                            // The block stopped early: nobody waits for the rest.
                            if send.send(check(chunk)).is_err() {
                                return;
                            }
                        }
                    };
                    // A thread the system cannot give: this thread checks those chunks.
                    std::thread::Builder::new()
                        .name("govm-check".into())
                        .spawn_scoped(scope, checker)
                        .ok()
                        .map(|handle| (receive, Some(handle)))
                })
                .collect();
            let mut results = Vec::with_capacity(txs.len());
            for (k, chunk) in txs.chunks(CHUNK).enumerate() {
                let checked = match &mut handed[k % checkers] {
                    Some((receive, handle)) => match receive.recv() {
                        Ok(checked) => checked,
                        // It ended without sending: it panicked (a bug, the checks are pure).
                        // Its panic is raised here, with its own message, before this chunk
                        // is delivered.
                        Err(_) => match handle.take().map(std::thread::ScopedJoinHandle::join) {
                            Some(Err(panic)) => std::panic::resume_unwind(panic),
                            _ => check(chunk),
                        },
                    },
                    None => check(chunk),
                };
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
        stateless: std::result::Result<Received, Refusal>,
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
        stateless: std::result::Result<Received, Refusal>,
    ) -> Result<TxResult> {
        let hash = Hash(tx_hash(bytes));
        // The store's limits count per transaction, not per block.
        self.block.transaction().start_scope();
        let view = self.block.transaction();
        let admitted = self
            .chain
            .admit(stateless, view, Some(self.fuel_left), &|_| None);
        let received = match admitted {
            Ok((received, _)) => received,
            Err(refusal) => return Ok(refusal.into_result(hash)),
        };
        let mut summary = summary(&received);
        let sender = received.sender;
        // The body is moved into what runs it: a deploy's wasm is not copied.
        let UnsignedTx {
            fuel_limit,
            gas_price,
            body,
            ..
        } = received.tx.unsigned;
        let fuel = fuel_limit - intrinsic_gas(bytes.len());
        // What the body writes and emits from here on is rolled back if its result cannot be
        // paid for or does not fit in the block.
        let tx_state = self.block.transaction();
        let savepoint = tx_state.savepoint();
        let events_before = tx_state.events().len();
        let ran = match body {
            Body::Deploy {
                source,
                wasm,
                options,
            } => self.deploy(sender, &source, wasm, &options, fuel)?,
            Body::Call {
                contract,
                function,
                args,
                value,
            } => self.call(sender, Address(contract), &function, &args, value, fuel)?,
            Body::Transfer { to, amount } => self.transfer(sender, Address(to), amount, fuel)?,
        };
        let ran = self.pay_for_result(ran, savepoint, events_before, fuel);
        // Once admitted, a transaction runs: whatever its body meets from here on (a deploy
        // that does not check included) is a result that moves its nonce and pays its fee.
        let Ran {
            code,
            data,
            log,
            gas,
            events,
        } = ran;
        let gas_used = (fuel_limit - fuel).saturating_add(gas).min(fuel_limit);
        // The fee is the room the transaction took in the block, not the gas it used: a
        // transaction that declares more fuel than it needs keeps others out of the block and
        // pays for that (admission checked that the sender can pay it without overflow).
        let fee = fuel_limit.saturating_mul(gas_price);
        let height = self.block.height();
        // The state keeps what a client needs, not the whole result: `FinalizeBlock` carries
        // that, and CometBFT keeps it.
        let record = TxRecord::new(code, &data, &log, gas_used, height);
        let tx_state = self.block.transaction();
        // The ledger's own writes (nonce, fee, result: at most four keys) count in a scope of
        // their own: a body that used the whole per-transaction write limit must not turn
        // them into a node failure.
        tx_state.start_scope();
        tx_state.increment_nonce(&sender.0)?;
        tx_state.transfer(&sender.0, &self.proposer.0, fee)?;
        tx_state.put_tx_result(&hash.0, &record.encode())?;
        self.fuel_left -= fuel_limit;
        if summary.kind == "deploy"
            && code == Code::Ok
            && let Ok(contract) = <[u8; 20]>::try_from(data.as_slice())
        {
            summary
                .details
                .push(("contract", Address(contract).to_string()));
        }
        Ok(TxResult {
            code,
            data,
            log,
            gas_wanted: fuel_limit,
            gas_used,
            fee,
            events,
            hash,
            tx: Some(summary),
        })
    }

    /// Charges what `ran` puts into the block (its data, its log and its events' records:
    /// [`result_bytes`]) at [`result_gas`], and takes those bytes from the block's
    /// [`MAX_BLOCK_RESULT_BYTES`]. A result the transaction's `fuel` cannot pay for ends
    /// `OutOfGas` (all its fuel used), one that would pass what the block has left ends
    /// `ResourceLimit`; either way the body's writes and events since `savepoint` are rolled
    /// back, and the result is replaced by a short log of the chain's own (counted in no
    /// budget: it is bounded, like a refusal's).
    fn pay_for_result(
        &mut self,
        ran: Ran,
        savepoint: govm_state::Savepoint,
        events_before: usize,
        fuel: u64,
    ) -> Ran {
        let tx = self.block.transaction();
        let events = tx.events().get(events_before..).unwrap_or_default();
        let bytes = result_bytes(&ran.data, &ran.log, events);
        let cost = result_gas(bytes);
        let gas = ran.gas.saturating_add(cost);
        if gas > fuel {
            tx.rollback_to(savepoint);
            let log = format!(
                "its result's {bytes} bytes (data, log, events) cost {cost} gas, and the \
                 transaction has {} left after its body (which ended {:?})",
                fuel.saturating_sub(ran.gas),
                ran.code
            );
            return Ran::failed(Code::OutOfGas, log, fuel);
        }
        if bytes > self.result_bytes_left {
            tx.rollback_to(savepoint);
            let log = format!(
                "the block's result bytes are spent: its result's {bytes} bytes (data, log, \
                 events) pass the {} the block has left of its {MAX_BLOCK_RESULT_BYTES} (the \
                 body ended {:?})",
                self.result_bytes_left, ran.code
            );
            return Ran::failed(Code::ResourceLimit, log, gas);
        }
        let held = events_size(&ran.events);
        if held > self.events_size_left {
            tx.rollback_to(savepoint);
            let log = format!(
                "the block's events are spent: its events' decoded size of {held} passes the {} \
                 the block has left of its {MAX_BLOCK_EVENTS_SIZE} (the body ended {:?})",
                self.events_size_left, ran.code
            );
            return Ran::failed(Code::ResourceLimit, log, gas);
        }
        self.result_bytes_left -= bytes;
        self.events_size_left -= held;
        Ran { gas, ..ran }
    }

    fn transfer(&mut self, sender: Address, to: Address, amount: u64, fuel: u64) -> Result<Ran> {
        if fuel < TRANSFER_GAS {
            let log =
                format!("a transfer costs {TRANSFER_GAS} gas, the transaction has {fuel} left");
            return Ok(Ran::failed(Code::OutOfGas, log, fuel));
        }
        let tx = self.block.transaction();
        let savepoint = tx.savepoint();
        Ok(match tx.transfer(&sender.0, &to.0, amount) {
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
        })
    }

    fn call(
        &mut self,
        sender: Address,
        contract: Address,
        function: &str,
        args: &[u8],
        value: u64,
        fuel: u64,
    ) -> Result<Ran> {
        let outcome = self
            .block
            .execute_encoded(sender, fuel, value, contract, function, args);
        Ok(match outcome {
            Ok(out) => Ran::ok(out.encoded_results, out.gas_used, out.events),
            Err(EngineError::Call {
                error, gas_used, ..
            }) => match Class::of_call(&error) {
                // The node itself failed under the call (its store, its memory, instantiating
                // a module that passed every check): not the contract's doing, so never a
                // result that this node alone might record.
                Class::Node => {
                    return Err(Error::Halt(format!(
                        "the node failed under a call: {error}"
                    )));
                }
                class => Ran::failed(Code::of_call(class), error.to_string(), gas_used),
            },
            Err(e @ EngineError::Abi(_)) => Ran::failed(Code::CallFailed, e.to_string(), 0),
            Err(other) => return Err(other.into()),
        })
    }

    /// Deploys `source` with `wasm` (moved in). Whatever fails once the deploy was admitted
    /// is a result that ran (docs/chain.md §3): its bytes' gas is charged first, then a
    /// source, module or options a block finds wrong end `DeployFailed` (check_tx refuses
    /// them, so an honest proposer never includes one, yet a block must not check them for
    /// free), package initialisation that runs out ends `OutOfGas` and one that fails
    /// `InitFailed`. Nothing of a failed deploy is written. `Err` is this node failing.
    fn deploy(
        &mut self,
        sender: Address,
        source: &[u8],
        wasm: Vec<u8>,
        options: &[u8],
        fuel: u64,
    ) -> Result<Ran> {
        // What the bytes cost is known before any work; package initialisation gets the rest.
        let bytes_gas = govm::deploy_gas(source.len(), wasm.len(), 0);
        if bytes_gas > fuel {
            let log =
                format!("the deploy's bytes cost {bytes_gas} gas, the transaction has {fuel} left");
            return Ok(Ran::failed(Code::OutOfGas, log, fuel));
        }
        let limits = match self.chain.deploy_limits(options) {
            // Always the options the contract gets: never the node's own defaults.
            Ok(limits) => Some(limits),
            Err((_, log)) => return Ok(Ran::failed(Code::DeployFailed, log, bytes_gas)),
        };
        let deploy_options = DeployOptions {
            deployer: sender,
            options: limits,
            ..DeployOptions::default()
        };
        let savepoint = self.block.transaction().savepoint();
        match self
            .block
            .deploy_prebuilt(source, wasm, &deploy_options, fuel - bytes_gas)
        {
            Ok(d) if d.deploy_gas > fuel => {
                self.block.transaction().rollback_to(savepoint);
                Ok(Ran::failed(
                    Code::OutOfGas,
                    format!(
                        "the deploy costs {} gas, the transaction has {fuel} left",
                        d.deploy_gas
                    ),
                    fuel,
                ))
            }
            Ok(d) => Ok(Ran::ok(d.address.0.to_vec(), d.deploy_gas, Vec::new())),
            // The store failed or the wall clock stopped package initialisation: this node
            // cannot go on with the block (the engine's block refuses to commit).
            Err(e) if e.class() == Class::Node && !matches!(e, EngineError::Runtime(_)) => {
                Err(e.into())
            }
            // The engine rolled the deploy back: nothing of it is written.
            Err(e) => {
                let code = Code::of_deploy(e.class());
                // Package initialisation ran: it used the fuel it had. Otherwise the work
                // stopped within what the bytes paid for.
                let gas = if code == Code::DeployFailed {
                    bytes_gas
                } else {
                    fuel
                };
                Ok(Ran::failed(code, e.to_string(), gas))
            }
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

//! Blocks: calls that execute in one transaction and commit together.

use std::sync::MutexGuard;

use govm_abi::{Address, Hash, Value};
use govm_state::Transaction;

use crate::config::{CallContext, DeployOptions, Deployment, Outcome};
use crate::engine::{Args, Engine};
use crate::error::{Error, Result};

impl Engine {
    /// Starts a block: calls execute in one transaction, each in its own savepoint (a failed
    /// call is rolled back and the block goes on), and [`Block::commit`] applies them all at
    /// once. Other writers wait until the block is committed or dropped.
    pub fn begin_block(&self, height: u64, time: i64) -> Block<'_> {
        Block {
            engine: self,
            _guard: self.write_lock(),
            tx: self.state.begin(),
            height,
            time,
            failed: None,
        }
    }
}

/// Calls that commit together: see [`Engine::begin_block`].
#[derive(Debug)]
pub struct Block<'a> {
    engine: &'a Engine,
    _guard: MutexGuard<'a, ()>,
    tx: Transaction,
    height: u64,
    time: i64,
    /// Set when the block cannot be committed on this node: the store failed under a call,
    /// or a call ran past the wall-clock deadline.
    failed: Option<Failed>,
}

#[derive(Debug, Clone)]
enum Failed {
    Store(String),
    Deadline(u64),
}

impl Failed {
    /// Whether `e` means this node cannot go on with the block: a failing store, or the wall
    /// clock (in a call, or in a deploy's package initialisation). Either would make this
    /// node's block differ from the others'; any other failure is the call's or the deploy's.
    fn of(e: &Error) -> Option<Self> {
        use govm_runtime::Error as R;
        match e {
            Error::State(_)
            | Error::Call {
                error: R::State(_) | R::Internal(_),
                ..
            } => Some(Failed::Store(e.to_string())),
            Error::Call {
                error: R::DeadlineExceeded { timeout_ms },
                ..
            } => Some(Failed::Deadline(*timeout_ms)),
            Error::Runtime(R::Initialization(inner)) => match **inner {
                R::DeadlineExceeded { timeout_ms } => Some(Failed::Deadline(timeout_ms)),
                _ => None,
            },
            _ => None,
        }
    }

    fn error(&self) -> Error {
        match self {
            Failed::Store(reason) => Error::State(govm_state::Error::Storage(format!(
                "the block cannot be committed: {reason}"
            ))),
            Failed::Deadline(timeout_ms) => Error::DeadlineInBlock {
                timeout_ms: *timeout_ms,
            },
        }
    }
}

impl<'a> Block<'a> {
    /// The block's height.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The block's time, in Unix seconds.
    pub fn time(&self) -> i64 {
        self.time
    }

    /// Runs a call in the block. A failed call is rolled back (its gas is still reported in
    /// the error) and the block goes on. The outcome has no state hash: that is known when
    /// the block commits.
    pub fn execute_with_args(
        &mut self,
        sender: Address,
        fuel_limit: u64,
        contract: Address,
        function: &str,
        args: &[Value],
    ) -> Result<Outcome> {
        let ctx = self.context(sender, fuel_limit, 0);
        self.run(&ctx, contract, function, Args::Values(args))
    }

    /// Runs a call whose arguments are already SCALE-encoded (a transaction's), carrying
    /// `value` from `sender` to the contract. As [`Block::execute_with_args`] otherwise,
    /// except that the results stay encoded: the outcome's `encoded_results` are checked
    /// against the ABI (results that do not decode fail the call) and its `results` are
    /// empty.
    pub fn execute_encoded(
        &mut self,
        sender: Address,
        fuel_limit: u64,
        value: u64,
        contract: Address,
        function: &str,
        args: &[u8],
    ) -> Result<Outcome> {
        let ctx = self.context(sender, fuel_limit, value);
        self.run(&ctx, contract, function, Args::Encoded(args))
    }

    fn context(&self, sender: Address, fuel_limit: u64, value: u64) -> CallContext {
        CallContext {
            sender,
            block_height: self.height,
            block_time: self.time,
            fuel_limit,
            value,
        }
    }

    fn run(
        &mut self,
        ctx: &CallContext,
        contract: Address,
        function: &str,
        args: Args<'_>,
    ) -> Result<Outcome> {
        if let Some(failed) = &self.failed {
            return Err(failed.error());
        }
        self.tx.start_scope();
        let savepoint = self.tx.savepoint();
        let tx = std::mem::replace(&mut self.tx, self.engine.state.begin());
        let (mut tx, outcome) = self.engine.run_in(tx, ctx, contract, function, args);
        if outcome.is_err() {
            tx.rollback_to(savepoint);
        }
        self.tx = tx;
        self.stop_on(outcome)
    }

    /// Marks the block failed when `result` is a failure of this node rather than of the
    /// call or deploy (see [`Failed::of`]), and returns that failure instead.
    fn stop_on<T>(&mut self, result: Result<T>) -> Result<T> {
        let Err(e) = &result else { return result };
        match Failed::of(e) {
            Some(failed) => {
                let error = failed.error();
                self.failed.get_or_insert(failed);
                Err(error)
            }
            None => result,
        }
    }

    /// Deploys source with its prebuilt wasm in the block (see [`Engine::deploy_prebuilt`]):
    /// the contract exists for the block's later calls and is stored when the block commits.
    /// The deployment's height is the block's; package initialisation gets at most
    /// `init_fuel` (and at most the contract's own fuel limit).
    pub fn deploy_prebuilt(
        &mut self,
        code: &[u8],
        wasm: Vec<u8>,
        options: &DeployOptions,
        init_fuel: u64,
    ) -> Result<Deployment> {
        if let Some(failed) = &self.failed {
            return Err(failed.error());
        }
        let options = DeployOptions {
            block_height: self.height,
            ..options.clone()
        };
        self.tx.start_scope();
        let savepoint = self.tx.savepoint();
        let deployment = self
            .engine
            .prepare_prebuilt(code, wasm, &options, Some(init_fuel))
            .and_then(|pending| self.engine.register(&mut self.tx, pending, &options));
        if deployment.is_err() {
            self.tx.rollback_to(savepoint);
        }
        self.stop_on(deployment)
    }

    /// The height of the last committed block (none before the first): read under the
    /// block's lock, so no other block can commit meanwhile.
    pub fn committed_height(&self) -> Result<Option<u64>> {
        Ok(self.engine.state.height()?)
    }

    /// The transaction the block's calls run in, for the ledger rules a chain adds around
    /// them (nonces, fees, transfers). Writes made through it commit with the block.
    pub fn transaction(&mut self) -> &mut Transaction {
        &mut self.tx
    }

    /// Commits every successful call of the block at once and returns the new state hash.
    /// Refused when the store failed under one of its calls or a call ran past the deadline.
    pub fn commit(self) -> Result<Hash> {
        self.finalize()?.commit()
    }

    /// The first half of [`Block::commit`]: the state hash the block gives, with nothing
    /// written yet (ABCI's `FinalizeBlock` answers it; `Commit` then writes). Other writers
    /// still wait until the finalized block is committed or dropped; dropping it writes
    /// nothing.
    pub fn finalize(self) -> Result<FinalizedBlock<'a>> {
        if let Some(failed) = self.failed {
            return Err(failed.error());
        }
        let prepared = self.engine.state.prepare_commit(self.tx, self.height)?;
        Ok(FinalizedBlock {
            engine: self.engine,
            _guard: self._guard,
            height: self.height,
            prepared,
        })
    }
}

/// A block whose state hash is known and whose writes are not yet durable: see
/// [`Block::finalize`].
#[derive(Debug)]
pub struct FinalizedBlock<'a> {
    engine: &'a Engine,
    _guard: MutexGuard<'a, ()>,
    height: u64,
    prepared: govm_state::PreparedCommit,
}

impl FinalizedBlock<'_> {
    /// The block's height.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The state hash the block gives.
    pub fn state_hash(&self) -> Hash {
        Hash(self.prepared.state_hash())
    }

    /// Writes the block durably, with its height, and returns the state hash.
    pub fn commit(self) -> Result<Hash> {
        let info = self.engine.state.apply(self.prepared)?;
        Ok(Hash(info.state_hash))
    }
}

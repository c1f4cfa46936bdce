//! Blocks: calls that execute in one transaction and commit together.

use std::sync::MutexGuard;

use govm_abi::{Address, Hash, Value};
use govm_state::Transaction;

use crate::config::{CallContext, Outcome};
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
    /// Set when the store failed under a call: the block cannot be committed.
    failed: Option<String>,
}

impl Block<'_> {
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
        let ctx = CallContext {
            sender,
            block_height: self.height,
            block_time: self.time,
            fuel_limit,
            value: 0,
        };
        let savepoint = self.tx.savepoint();
        let tx = std::mem::replace(&mut self.tx, self.engine.state.begin());
        let (mut tx, outcome) =
            self.engine
                .run_in(tx, &ctx, contract, function, Args::Values(args));
        if let Err(e) = &outcome {
            tx.rollback_to(savepoint);
            // A failing store is not a failed call: it would make this node's block differ.
            let storage = matches!(
                e,
                Error::State(_)
                    | Error::Call {
                        error: govm_runtime::Error::State(_) | govm_runtime::Error::Internal(_),
                        ..
                    }
            );
            if storage && self.failed.is_none() {
                self.failed = Some(e.to_string());
            }
        }
        self.tx = tx;
        outcome
    }

    /// Commits every successful call of the block at once and returns the new state hash.
    /// Refused when the store failed under one of its calls.
    pub fn commit(self) -> Result<Hash> {
        if let Some(reason) = self.failed {
            return Err(Error::State(govm_state::Error::Storage(format!(
                "the block cannot be committed: {reason}"
            ))));
        }
        Ok(Hash(self.engine.state.commit(self.tx)?.state_hash))
    }
}

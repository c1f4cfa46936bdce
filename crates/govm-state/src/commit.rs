//! Commits and the state hash: a transaction's write set applied atomically and chained to
//! the previous hash, in one step ([`State::commit`]) or in two ([`State::prepare_commit`],
//! then [`State::apply`]), with the block height beside it.

use sha2::{Digest, Sha256};

use crate::backend::WriteSet;
use crate::error::{Error, Result};
use crate::ids::HashBytes;
use crate::keys;
use crate::model::array;
use crate::store::{State, Transaction};

/// The result of a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitInfo {
    /// The state hash after the commit.
    pub state_hash: HashBytes,
    /// How many keys the commit wrote (the state hash's own key excluded).
    pub writes: usize,
}

impl State {
    /// Applies a transaction atomically and returns the new state hash (unchanged when the
    /// transaction wrote nothing):
    /// `sha256(previous hash || each write in key order)`, where a write is
    /// `len(key) as u32 BE || key || 0x00` for a delete or
    /// `len(key) as u32 BE || key || 0x01 || len(value) as u32 BE || value` for a put.
    pub fn commit(&self, tx: Transaction) -> Result<CommitInfo> {
        self.commit_inner(tx, None)
    }

    /// [`State::commit`] of a block: the block's height is stored in the same durable write,
    /// so that after a restart [`State::height`] and [`State::state_hash`] say where the
    /// state stopped. The height is not part of the state hash.
    pub fn commit_at(&self, tx: Transaction, height: u64) -> Result<CommitInfo> {
        self.commit_inner(tx, Some(height))
    }

    /// The height of the last block committed with [`State::commit_at`], if any.
    pub fn height(&self) -> Result<Option<u64>> {
        match self.backend.get(&[keys::HEIGHT])? {
            None => Ok(None),
            Some(v) if v.len() == 8 => Ok(Some(u64::from_be_bytes(array(&v)))),
            Some(_) => Err(Error::Corrupt("block height".into())),
        }
    }

    /// The last committed height and the state hash after it, read together (no commit can
    /// land between the two reads); `None` before the first block.
    pub fn last_block(&self) -> Result<Option<(u64, HashBytes)>> {
        let _guard = self.commit_lock.lock().unwrap_or_else(|e| e.into_inner());
        match self.height()? {
            Some(height) => Ok(Some((height, self.state_hash()?))),
            None => Ok(None),
        }
    }

    fn commit_inner(&self, tx: Transaction, height: Option<u64>) -> Result<CommitInfo> {
        let _guard = self.commit_lock.lock().unwrap_or_else(|e| e.into_inner());
        let prepared = self.prepare_locked(tx, height)?;
        self.apply_locked(prepared)
    }

    /// The first half of [`State::commit_at`]: computes the state hash the block's writes
    /// give, without writing anything. [`State::apply`] writes them (what an ABCI application
    /// does between `FinalizeBlock`, which answers the hash, and `Commit`).
    pub fn prepare_commit(&self, tx: Transaction, height: u64) -> Result<PreparedCommit> {
        let _guard = self.commit_lock.lock().unwrap_or_else(|e| e.into_inner());
        self.prepare_locked(tx, Some(height))
    }

    /// The second half: writes a prepared commit durably. Refused when another commit came
    /// in between (the hash would not chain from it).
    pub fn apply(&self, prepared: PreparedCommit) -> Result<CommitInfo> {
        let _guard = self.commit_lock.lock().unwrap_or_else(|e| e.into_inner());
        self.apply_locked(prepared)
    }

    fn prepare_locked(&self, mut tx: Transaction, height: Option<u64>) -> Result<PreparedCommit> {
        tx.flush_events()?;
        let previous = self.state_hash()?;
        let mut writes = std::mem::take(&mut tx.writes);
        let count = writes.len();
        let state_hash = if writes.is_empty() {
            // Nothing changed, so neither does the hash.
            previous
        } else {
            let mut h = Sha256::new();
            h.update(previous);
            for (k, v) in &writes {
                h.update((k.len() as u32).to_be_bytes());
                h.update(k);
                match v {
                    None => h.update([0]),
                    Some(v) => {
                        h.update([1]);
                        h.update((v.len() as u32).to_be_bytes());
                        h.update(v);
                    }
                }
            }
            let state_hash: HashBytes = h.finalize().into();
            writes.insert(vec![keys::STATE_HASH], Some(state_hash.to_vec()));
            state_hash
        };
        if let Some(height) = height {
            writes.insert(vec![keys::HEIGHT], Some(height.to_be_bytes().to_vec()));
        }
        Ok(PreparedCommit {
            previous,
            state_hash,
            count,
            writes,
        })
    }

    fn apply_locked(&self, prepared: PreparedCommit) -> Result<CommitInfo> {
        if self.state_hash()? != prepared.previous {
            return Err(Error::Storage(
                "another commit came after this one was prepared".into(),
            ));
        }
        if !prepared.writes.is_empty() {
            self.backend.apply(&prepared.writes)?;
        }
        Ok(CommitInfo {
            state_hash: prepared.state_hash,
            writes: prepared.count,
        })
    }

    /// The hash of the committed state (all zero before the first commit).
    pub fn state_hash(&self) -> Result<HashBytes> {
        match self.backend.get(&[keys::STATE_HASH])? {
            None => Ok([0; 32]),
            Some(v) if v.len() == 32 => Ok(array(&v)),
            Some(_) => Err(Error::Corrupt("state hash".into())),
        }
    }
}

/// A commit whose state hash is known and whose writes are not yet made: see
/// [`State::prepare_commit`].
#[derive(Debug)]
pub struct PreparedCommit {
    previous: HashBytes,
    state_hash: HashBytes,
    count: usize,
    writes: WriteSet,
}

impl PreparedCommit {
    /// The state hash the commit gives.
    pub fn state_hash(&self) -> HashBytes {
        self.state_hash
    }
}

#[cfg(test)]
mod tests {
    use crate::store::State;
    use crate::store::fixtures::{BOB, deployed};

    #[test]
    fn state_hash_depends_on_writes_not_on_their_order() {
        let run = |reverse: bool| {
            let state = State::in_memory();
            let contract = deployed(&state);
            let mut tx = state.begin();
            let id = tx.create_object(&contract, &BOB).unwrap();
            let mut names = vec!["a", "b", "c"];
            if reverse {
                names.reverse();
            }
            for n in names {
                tx.set_field(&contract, &id, n, n.as_bytes()).unwrap();
            }
            state.commit(tx).unwrap().state_hash
        };
        assert_eq!(run(false), run(true));
        let state = State::in_memory();
        deployed(&state);
        assert_ne!(state.state_hash().unwrap(), run(false));
    }
}

//! The store and its transactions: [`State`], and the [`Transaction`] overlay (a write set
//! over the backend, with its limits, scopes, prefix scans and savepoints). What a transaction
//! reads and writes has a module each, with its own `impl Transaction`: `ledger`, `chain`,
//! `code`, `contracts`, `objects`, `events`; `commit` applies it and computes the state hash.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::backend::{Backend, MemoryBackend, WriteSet};
use crate::error::{Error, Result};
use crate::model::{Event, array};
use crate::redb_backend::RedbBackend;

/// Limits that keep one transaction from exhausting the store. Each violation is an
/// [`Error::LimitExceeded`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest field name in bytes. Default 128.
    pub max_field_name: usize,
    /// Largest field value in bytes. Default 64 KiB.
    pub max_value_size: usize,
    /// Most objects one transaction may create. Default 1024.
    pub max_objects_per_tx: usize,
    /// Most distinct keys one transaction may write. Default 16384.
    pub max_writes_per_tx: usize,
    /// Most events one transaction may emit. Default 1024.
    pub max_events_per_tx: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_field_name: 128,
            max_value_size: 64 * 1024,
            max_objects_per_tx: 1024,
            max_writes_per_tx: 16 * 1024,
            max_events_per_tx: 1024,
        }
    }
}

/// The store: committed state plus the means to start transactions on it.
#[derive(Debug, Clone)]
pub struct State {
    pub(crate) backend: Arc<dyn Backend>,
    limits: Limits,
    // Commits are serialised so that each state hash chains from the one before.
    pub(crate) commit_lock: Arc<Mutex<()>>,
}

impl Default for State {
    fn default() -> Self {
        Self::in_memory()
    }
}

impl State {
    /// A fresh in-memory store with default limits.
    pub fn in_memory() -> Self {
        Self::with_backend(Arc::new(MemoryBackend::new()), Limits::default())
    }

    /// A persistent store in a redb file (created when missing), with default limits.
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Self> {
        Ok(Self::with_backend(
            Arc::new(RedbBackend::open(path)?),
            Limits::default(),
        ))
    }

    /// A store over any backend.
    pub fn with_backend(backend: Arc<dyn Backend>, limits: Limits) -> Self {
        Self {
            backend,
            limits,
            commit_lock: Arc::new(Mutex::new(())),
        }
    }

    /// Starts a transaction. Nothing it writes is visible to others until [`State::commit`];
    /// dropping it discards everything.
    pub fn begin(&self) -> Transaction {
        Transaction {
            backend: Arc::clone(&self.backend),
            limits: self.limits,
            writes: WriteSet::new(),
            undo: None,
            scanned: AtomicU64::new(0),
            events: Vec::new(),
            objects_created: 0,
            scope: Scope::default(),
        }
    }
}

/// A point a transaction can roll back to: everything written and emitted after it is
/// discarded by [`Transaction::rollback_to`]. Taking one costs O(1): it marks the
/// transaction's undo log, which from then on records what each write replaced.
#[derive(Debug)]
pub struct Savepoint {
    undo: usize,
    events: usize,
    objects_created: usize,
}

/// What one write replaced in the write set: the key, and its earlier entry (`None` when the
/// write set had none).
type Undo = (Vec<u8>, Option<Option<Vec<u8>>>);

/// A set of reads and writes that commits atomically or not at all.
#[derive(Debug)]
pub struct Transaction {
    backend: Arc<dyn Backend>,
    pub(crate) limits: Limits,
    pub(crate) writes: WriteSet,
    /// What each write replaced, oldest first; kept from the first savepoint on (a
    /// transaction that never takes one pays nothing for it).
    undo: Option<Vec<Undo>>,
    /// Entries visited by prefix scans since [`Transaction::take_scanned`]: the work a caller
    /// must charge for.
    scanned: AtomicU64,
    pub(crate) events: Vec<Event>,
    pub(crate) objects_created: usize,
    /// Where the current scope started: the limits count from there.
    pub(crate) scope: Scope,
}

/// The counts a scope's limits start from (see [`Transaction::start_scope`]).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Scope {
    writes: usize,
    pub(crate) events: usize,
    pub(crate) objects: usize,
}

impl Transaction {
    /// Starts a new scope for the limits (`Limits`): writes, events and objects are counted
    /// from here. A block that runs many transactions in one `Transaction` starts a scope per
    /// transaction, so that the limits stay per transaction.
    pub fn start_scope(&mut self) {
        self.scope = Scope {
            writes: self.writes.len(),
            events: self.events.len(),
            objects: self.objects_created,
        };
    }

    /// Writes in the current scope (new keys since it started).
    fn scoped_writes(&self) -> usize {
        self.writes.len().saturating_sub(self.scope.writes)
    }
    pub(crate) fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        match self.writes.get(key) {
            Some(v) => Ok(v.clone()),
            None => self.backend.get(key),
        }
    }

    pub(crate) fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let stored = self.backend.scan_prefix(prefix)?;
        let mut visited = stored.len() as u64;
        let mut merged: std::collections::BTreeMap<Vec<u8>, Vec<u8>> = stored.into_iter().collect();
        for (k, v) in self
            .writes
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
        {
            visited += 1;
            match v {
                Some(v) => merged.insert(k.clone(), v.clone()),
                None => merged.remove(k),
            };
        }
        self.scanned.fetch_add(visited, Ordering::Relaxed);
        Ok(merged.into_iter().collect())
    }

    /// The first entry (in key order) whose key starts with `prefix`, as this transaction
    /// sees it, visiting only the entries before it: stored entries this transaction deleted
    /// and written ones it passes on the way. Its work, counted like a scan's
    /// ([`Transaction::take_scanned`]), is bounded by what it visits, never by how many
    /// entries the prefix holds.
    pub(crate) fn first_with_prefix(&self, prefix: &[u8]) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        /// Stored entries read at a time; how many are read changes nothing visited.
        const CHUNK: usize = 16;
        let mut written = self
            .writes
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .peekable();
        let mut visited = 0u64;
        let mut after: Option<Vec<u8>> = None;
        let found = 'search: loop {
            let page = self.backend.scan_page(prefix, after.as_deref(), CHUNK)?;
            let last_page = page.len() < CHUNK;
            for (key, value) in page {
                // Written entries before this stored one come first.
                while let Some((k, v)) = written.next_if(|(k, _)| k.as_slice() < key.as_slice()) {
                    visited += 1;
                    if let Some(v) = v {
                        break 'search Some((k.clone(), v.clone()));
                    }
                }
                visited += 1;
                match written.next_if(|(k, _)| **k == key) {
                    // Rewritten or deleted by this transaction.
                    Some((_, Some(v))) => break 'search Some((key, v.clone())),
                    Some((_, None)) => {}
                    None => break 'search Some((key, value)),
                }
                after = Some(key);
            }
            if last_page {
                for (k, v) in written.by_ref() {
                    visited += 1;
                    if let Some(v) = v {
                        break 'search Some((k.clone(), v.clone()));
                    }
                }
                break None;
            }
        };
        self.scanned.fetch_add(visited, Ordering::Relaxed);
        Ok(found)
    }

    /// How many stored and written entries prefix scans visited since the last call (owner
    /// lookups, deletions of objects with their fields, listings), and starts counting
    /// again: the host charges per entry, so that a scan's cost follows its work.
    pub fn take_scanned(&self) -> u64 {
        self.scanned.swap(0, Ordering::Relaxed)
    }

    /// Fails, before anything is written, when `keys` would take the transaction past its
    /// write limit: operations that write several keys are all or nothing.
    pub(crate) fn reserve(&self, keys: &[&[u8]]) -> Result<()> {
        let new = keys
            .iter()
            .filter(|k| !self.writes.contains_key(**k))
            .count();
        if self.scoped_writes() + new > self.limits.max_writes_per_tx {
            return Err(Error::LimitExceeded {
                what: "writes per transaction",
                limit: self.limits.max_writes_per_tx,
            });
        }
        Ok(())
    }

    pub(crate) fn put(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) -> Result<()> {
        if !self.writes.contains_key(&key) && self.scoped_writes() >= self.limits.max_writes_per_tx
        {
            return Err(Error::LimitExceeded {
                what: "writes per transaction",
                limit: self.limits.max_writes_per_tx,
            });
        }
        let earlier = self.writes.insert(key.clone(), value);
        if let Some(undo) = &mut self.undo {
            undo.push((key, earlier));
        }
        Ok(())
    }

    /// A counter's current value (0 before its first use).
    pub(crate) fn read_counter(&self, key: &[u8]) -> Result<u64> {
        match self.get(key)? {
            None => Ok(0),
            Some(v) if v.len() == 8 => Ok(u64::from_be_bytes(array(&v))),
            Some(_) => Err(Error::Corrupt("counter".into())),
        }
    }

    /// Returns a counter's value and increments it.
    pub(crate) fn counter(&mut self, key: Vec<u8>) -> Result<u64> {
        let current = self.read_counter(&key)?;
        self.put(key, Some((current + 1).to_be_bytes().to_vec()))?;
        Ok(current)
    }

    /// Marks a point to roll back to (a nested call's frame). O(1).
    pub fn savepoint(&mut self) -> Savepoint {
        Savepoint {
            undo: self.undo.get_or_insert_with(Vec::new).len(),
            events: self.events.len(),
            objects_created: self.objects_created,
        }
    }

    /// Discards every write and event since `savepoint`, in time proportional to the writes
    /// made since. Savepoints nest: rolling back to one also discards any taken after it.
    pub fn rollback_to(&mut self, savepoint: Savepoint) {
        if let Some(undo) = &mut self.undo {
            while undo.len() > savepoint.undo {
                let Some((key, earlier)) = undo.pop() else {
                    break;
                };
                match earlier {
                    Some(value) => self.writes.insert(key, value),
                    None => self.writes.remove(&key),
                };
            }
        }
        self.events.truncate(savepoint.events);
        self.objects_created = savepoint.objects_created;
    }
}

/// Two accounts and a deployed contract, shared by the unit tests of every module.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::State;
    use crate::ids::AddressBytes;
    use crate::keys::contract_address;
    use crate::model::ContractRecord;

    pub(crate) const ALICE: AddressBytes = [0xa1; 20];
    pub(crate) const BOB: AddressBytes = [0xb0; 20];

    pub(crate) fn deployed(state: &State) -> AddressBytes {
        let contract = contract_address(&ALICE, 0, &[7; 32]);
        let mut tx = state.begin();
        tx.register_contract(&ContractRecord {
            address: contract,
            code_hash: [7; 32],
            deployer: ALICE,
            deploy_height: 1,
            options: Vec::new(),
        })
        .unwrap();
        state.commit(tx).unwrap();
        contract
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{ALICE, BOB, deployed};
    use super::*;

    #[test]
    fn dropped_transaction_leaves_no_trace() {
        let state = State::in_memory();
        let contract = deployed(&state);
        let before = state.state_hash().unwrap();
        let mut tx = state.begin();
        let id = tx.create_object(&contract, &BOB).unwrap();
        tx.set_field(&contract, &id, "x", &[1]).unwrap();
        tx.emit(Event {
            contract,
            name: "E".into(),
            data: vec![],
        })
        .unwrap();
        drop(tx);
        let tx = state.begin();
        assert_eq!(tx.object(&id).unwrap(), None);
        assert_eq!(tx.object_with_owner(&contract, &BOB).unwrap(), None);
        assert!(state.events(None).unwrap().is_empty());
        assert_eq!(state.state_hash().unwrap(), before);
    }

    #[test]
    fn operations_that_write_several_keys_are_all_or_nothing_at_the_write_limit() {
        let limits = Limits {
            max_writes_per_tx: 5,
            ..Limits::default()
        };
        let state = State::with_backend(Arc::new(MemoryBackend::new()), limits);
        let contract = deployed(&state);
        let mut tx = state.begin();
        tx.mint(&ALICE, 10).unwrap(); // 1 write
        let id = tx.create_object(&contract, &BOB).unwrap(); // 3 more
        tx.set_field(&contract, &id, "a", &[1]).unwrap(); // 5
        // A transfer needs two new keys, a set-owner two new index keys: neither fits, and
        // neither leaves half of itself behind.
        assert!(matches!(
            tx.transfer(&ALICE, &BOB, 5),
            Err(Error::LimitExceeded { .. })
        ));
        assert_eq!(
            (tx.balance(&ALICE).unwrap(), tx.balance(&BOB).unwrap()),
            (10, 0)
        );
        assert!(matches!(
            tx.set_owner(&contract, &id, &ALICE),
            Err(Error::LimitExceeded { .. })
        ));
        assert_eq!(tx.object_with_owner(&contract, &BOB).unwrap(), Some(id));
        assert!(matches!(
            tx.create_object(&contract, &BOB),
            Err(Error::LimitExceeded { .. })
        ));
        // Events do not count against the write limit: the commit goes through.
        for _ in 0..3 {
            tx.emit(Event {
                contract,
                name: "E".into(),
                data: vec![],
            })
            .unwrap();
        }
        state.commit(tx).unwrap();
        assert_eq!(state.events(None).unwrap().len(), 3);
    }

    #[test]
    fn rolling_back_to_a_savepoint_discards_only_what_came_after() {
        let state = State::in_memory();
        let contract = deployed(&state);
        let mut tx = state.begin();
        let kept = tx.create_object(&contract, &BOB).unwrap();
        tx.emit(Event {
            contract,
            name: "kept".into(),
            data: vec![],
        })
        .unwrap();
        let sp = tx.savepoint();
        let dropped = tx.create_object(&contract, &BOB).unwrap();
        tx.set_field(&contract, &kept, "x", &[1]).unwrap();
        tx.mint(&BOB, 5).unwrap();
        tx.emit(Event {
            contract,
            name: "dropped".into(),
            data: vec![],
        })
        .unwrap();
        tx.rollback_to(sp);
        assert!(tx.object(&kept).unwrap().is_some());
        assert!(tx.object(&dropped).unwrap().is_none());
        assert_eq!(tx.field(&kept, "x").unwrap(), None);
        assert_eq!(tx.balance(&BOB).unwrap(), 0);
        assert_eq!(tx.events().len(), 1);
        // The sequence number went back too, so the next object reuses the dropped ID: it was
        // never committed.
        assert_eq!(tx.create_object(&contract, &BOB).unwrap(), dropped);
    }

    #[test]
    fn nested_savepoints_restore_what_each_write_replaced() {
        let state = State::in_memory();
        let contract = deployed(&state);
        let mut tx = state.begin();
        let id = tx.create_object(&contract, &BOB).unwrap();
        tx.set_field(&contract, &id, "x", &[1]).unwrap();
        let outer = tx.savepoint();
        tx.set_field(&contract, &id, "x", &[2]).unwrap();
        let inner = tx.savepoint();
        tx.set_field(&contract, &id, "x", &[3]).unwrap();
        tx.set_field(&contract, &id, "y", &[4]).unwrap();
        tx.rollback_to(inner);
        assert_eq!(tx.field(&id, "x").unwrap(), Some(vec![2]));
        assert_eq!(tx.field(&id, "y").unwrap(), None);
        tx.set_field(&contract, &id, "x", &[5]).unwrap();
        tx.rollback_to(outer);
        assert_eq!(tx.field(&id, "x").unwrap(), Some(vec![1]));
        // What stayed commits as if no savepoint had been taken.
        let mut plain = state.begin();
        let same = plain.create_object(&contract, &BOB).unwrap();
        plain.set_field(&contract, &same, "x", &[1]).unwrap();
        assert_eq!(same, id);
        let with = state.commit(tx).unwrap().state_hash;
        assert_eq!(with, state.state_hash().unwrap());
        let other = State::in_memory();
        let contract2 = deployed(&other);
        assert_eq!(contract2, contract);
        let mut again = other.begin();
        let id2 = again.create_object(&contract, &BOB).unwrap();
        again.set_field(&contract, &id2, "x", &[1]).unwrap();
        assert_eq!(other.commit(again).unwrap().state_hash, with);
    }

    #[test]
    fn limits_count_per_scope() {
        let limits = Limits {
            max_writes_per_tx: 4,
            ..Limits::default()
        };
        let state = State::with_backend(Arc::new(MemoryBackend::new()), limits);
        let mut tx = state.begin();
        for i in 0..4u8 {
            tx.mint(&[i; 20], 1).unwrap();
        }
        assert!(matches!(
            tx.mint(&[9; 20], 1),
            Err(Error::LimitExceeded { .. })
        ));
        // A block starts a scope per transaction: the next one has its own four writes.
        tx.start_scope();
        for i in 10..14u8 {
            tx.mint(&[i; 20], 1).unwrap();
        }
        assert!(matches!(
            tx.mint(&[20; 20], 1),
            Err(Error::LimitExceeded { .. })
        ));
    }

    #[test]
    fn scans_count_the_entries_they_visit() {
        let state = State::in_memory();
        let contract = deployed(&state);
        let mut tx = state.begin();
        let ids: Vec<_> = (0..3)
            .map(|_| tx.create_object(&contract, &BOB).unwrap())
            .collect();
        tx.take_scanned();
        // A lookup visits what comes before its answer, not everything the owner holds.
        assert_eq!(tx.object_with_owner(&contract, &BOB).unwrap(), Some(ids[0]));
        assert_eq!(tx.take_scanned(), 1);
        assert_eq!(tx.take_scanned(), 0);
        // Committed, then the first given away in a new transaction: the lookup passes the
        // stored entry this transaction deleted, and stops at the next.
        state.commit(tx).unwrap();
        let mut tx = state.begin();
        tx.set_owner(&contract, &ids[0], &[7; 20]).unwrap();
        tx.take_scanned();
        assert_eq!(tx.object_with_owner(&contract, &BOB).unwrap(), Some(ids[1]));
        assert_eq!(tx.take_scanned(), 2);
        assert_eq!(
            tx.object_with_owner(&contract, &[7; 20]).unwrap(),
            Some(ids[0])
        );
    }
}

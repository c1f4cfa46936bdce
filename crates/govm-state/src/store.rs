//! The object model over a [`Backend`], with transactions.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::backend::{Backend, MemoryBackend, WriteSet};
use crate::error::{Error, Result};
use crate::keys::{self, key};
use crate::model::{ContractRecord, Event, ObjectMeta, array};
use crate::{AddressBytes, HashBytes, ObjectIdBytes};

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

/// The result of a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitInfo {
    /// The state hash after the commit.
    pub state_hash: HashBytes,
    /// How many keys the commit wrote (the state hash's own key excluded).
    pub writes: usize,
}

/// The store: committed state plus the means to start transactions on it.
#[derive(Debug, Clone)]
pub struct State {
    backend: Arc<dyn Backend>,
    limits: Limits,
    // Commits are serialised so that each state hash chains from the one before.
    commit_lock: Arc<Mutex<()>>,
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
            Arc::new(crate::RedbBackend::open(path)?),
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

    /// Every committed event, oldest first; with `contract`, only that contract's.
    pub fn events(&self, contract: Option<&AddressBytes>) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        for (_, v) in self.backend.scan_prefix(&[keys::EVENT])? {
            let event = Event::decode(&v)?;
            if contract.is_none_or(|c| *c == event.contract) {
                out.push(event);
            }
        }
        Ok(out)
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
    limits: Limits,
    writes: WriteSet,
    /// What each write replaced, oldest first; kept from the first savepoint on (a
    /// transaction that never takes one pays nothing for it).
    undo: Option<Vec<Undo>>,
    /// Entries visited by prefix scans since [`Transaction::take_scanned`]: the work a caller
    /// must charge for.
    scanned: AtomicU64,
    events: Vec<Event>,
    objects_created: usize,
    /// Where the current scope started: the limits count from there.
    scope: Scope,
}

/// The counts a scope's limits start from (see [`Transaction::start_scope`]).
#[derive(Debug, Default, Clone, Copy)]
struct Scope {
    writes: usize,
    events: usize,
    objects: usize,
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
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        match self.writes.get(key) {
            Some(v) => Ok(v.clone()),
            None => self.backend.get(key),
        }
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
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

    /// How many stored and written entries prefix scans visited since the last call (owner
    /// lookups, deletions of objects with their fields, listings), and starts counting
    /// again: the host charges per entry, so that a scan's cost follows its work.
    pub fn take_scanned(&self) -> u64 {
        self.scanned.swap(0, Ordering::Relaxed)
    }

    /// Fails, before anything is written, when `keys` would take the transaction past its
    /// write limit: operations that write several keys are all or nothing.
    fn reserve(&self, keys: &[&[u8]]) -> Result<()> {
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

    fn put(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) -> Result<()> {
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
    fn read_counter(&self, key: &[u8]) -> Result<u64> {
        match self.get(key)? {
            None => Ok(0),
            Some(v) if v.len() == 8 => Ok(u64::from_be_bytes(array(&v))),
            Some(_) => Err(Error::Corrupt("counter".into())),
        }
    }

    /// Returns a counter's value and increments it.
    fn counter(&mut self, key: Vec<u8>) -> Result<u64> {
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

    // ---- accounts, transaction results, chain records ----

    /// The number of transactions `address` has sent (0 for a new account).
    pub fn nonce(&self, address: &AddressBytes) -> Result<u64> {
        self.read_counter(&key(keys::ACCOUNT_NONCE, &[address]))
    }

    /// Counts one more transaction of `address`.
    pub fn increment_nonce(&mut self, address: &AddressBytes) -> Result<u64> {
        self.counter(key(keys::ACCOUNT_NONCE, &[address]))
    }

    /// Stores the result of the transaction with hash `hash`.
    pub fn put_tx_result(&mut self, hash: &HashBytes, result: &[u8]) -> Result<()> {
        self.put(key(keys::TX_RESULT, &[hash]), Some(result.to_vec()))
    }

    /// The stored result of a transaction.
    pub fn tx_result(&self, hash: &HashBytes) -> Result<Option<Vec<u8>>> {
        self.get(&key(keys::TX_RESULT, &[hash]))
    }

    /// Stores a chain-wide record (a chain's id, its parameters).
    pub fn set_chain_record(&mut self, name: &str, value: &[u8]) -> Result<()> {
        self.put(
            key(keys::CHAIN_RECORD, &[name.as_bytes()]),
            Some(value.to_vec()),
        )
    }

    /// A chain-wide record.
    pub fn chain_record(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.get(&key(keys::CHAIN_RECORD, &[name.as_bytes()]))
    }

    // ---- native balances ----

    /// The native balance of an address (0 when it never had any).
    pub fn balance(&self, address: &AddressBytes) -> Result<u64> {
        match self.get(&key(keys::BALANCE, &[address]))? {
            None => Ok(0),
            Some(v) if v.len() == 8 => Ok(u64::from_be_bytes(array(&v))),
            Some(_) => Err(Error::Corrupt("balance".into())),
        }
    }

    fn set_balance(&mut self, address: &AddressBytes, amount: u64) -> Result<()> {
        let value = (amount != 0).then(|| amount.to_be_bytes().to_vec());
        self.put(key(keys::BALANCE, &[address]), value)
    }

    /// Moves native balance; fails without a change when `from` has too little.
    pub fn transfer(&mut self, from: &AddressBytes, to: &AddressBytes, amount: u64) -> Result<()> {
        let balance = self.balance(from)?;
        if balance < amount {
            return Err(Error::InsufficientBalance { balance, amount });
        }
        if from == to || amount == 0 {
            return Ok(());
        }
        let received = self.credited(to, amount)?;
        self.reserve(&[&key(keys::BALANCE, &[from]), &key(keys::BALANCE, &[to])])?;
        self.set_balance(from, balance - amount)?;
        self.set_balance(to, received)
    }

    /// Creates native balance out of nothing: the development faucet.
    pub fn mint(&mut self, to: &AddressBytes, amount: u64) -> Result<()> {
        let total = self.credited(to, amount)?;
        self.set_balance(to, total)
    }

    /// What `to` would hold after receiving `amount`; balances never wrap.
    fn credited(&self, to: &AddressBytes, amount: u64) -> Result<u64> {
        self.balance(to)?
            .checked_add(amount)
            .ok_or(Error::LimitExceeded {
                what: "balance",
                limit: u64::MAX as usize,
            })
    }

    // ---- contracts and code ----

    /// Returns the deployer's deployment count and increments it.
    pub fn next_deploy_nonce(&mut self, deployer: &AddressBytes) -> Result<u64> {
        self.counter(key(keys::DEPLOY_NONCE, &[deployer]))
    }

    /// Stores code and its ABI under their hash (idempotent).
    pub fn put_code(&mut self, code_hash: &HashBytes, wasm: &[u8], abi_json: &str) -> Result<()> {
        let digest: HashBytes = Sha256::digest(wasm).into();
        self.put(key(keys::CODE, &[code_hash]), Some(wasm.to_vec()))?;
        self.put(key(keys::CODE_DIGEST, &[code_hash]), Some(digest.to_vec()))?;
        self.put(
            key(keys::CODE_ABI, &[code_hash]),
            Some(abi_json.as_bytes().to_vec()),
        )
    }

    /// sha256 of the stored module, written with it (none for code stored before it was).
    pub fn code_digest(&self, code_hash: &HashBytes) -> Result<Option<HashBytes>> {
        match self.get(&key(keys::CODE_DIGEST, &[code_hash]))? {
            None => Ok(None),
            Some(v) if v.len() == 32 => Ok(Some(array(&v))),
            Some(_) => Err(Error::Corrupt("code digest".into())),
        }
    }

    /// Whether code with this hash is stored.
    pub fn has_code(&self, code_hash: &HashBytes) -> Result<bool> {
        Ok(self.get(&key(keys::CODE_ABI, &[code_hash]))?.is_some())
    }

    /// The wasm stored under a code hash.
    pub fn code(&self, code_hash: &HashBytes) -> Result<Option<Vec<u8>>> {
        self.get(&key(keys::CODE, &[code_hash]))
    }

    /// The ABI JSON stored under a code hash.
    pub fn code_abi(&self, code_hash: &HashBytes) -> Result<Option<String>> {
        match self.get(&key(keys::CODE_ABI, &[code_hash]))? {
            None => Ok(None),
            Some(v) => String::from_utf8(v)
                .map(Some)
                .map_err(|_| Error::Corrupt("ABI is not UTF-8".into())),
        }
    }

    /// Registers a contract and creates its default object (owned by the contract itself).
    pub fn register_contract(&mut self, record: &ContractRecord) -> Result<()> {
        let k = key(keys::CONTRACT, &[&record.address]);
        if self.get(&k)?.is_some() {
            return Err(Error::InvalidInput(format!(
                "contract 0x{} already exists",
                hex(&record.address)
            )));
        }
        self.put(k, Some(record.encode()))?;
        let id = keys::default_object_id(&record.address);
        self.insert_object(id, &record.address, &record.address)
    }

    /// A deployed contract.
    pub fn contract(&self, address: &AddressBytes) -> Result<Option<ContractRecord>> {
        self.get(&key(keys::CONTRACT, &[address]))?
            .map(|v| ContractRecord::decode(*address, &v))
            .transpose()
    }

    // ---- objects ----

    fn insert_object(
        &mut self,
        id: ObjectIdBytes,
        contract: &AddressBytes,
        owner: &AddressBytes,
    ) -> Result<()> {
        let next = self.read_counter(&[keys::OBJECT_SEQ])?;
        self.reserve(&[
            &[keys::OBJECT_SEQ],
            &key(keys::OBJECT, &[&id]),
            &keys::owner_index(contract, owner, next),
        ])?;
        let seq = self.counter(vec![keys::OBJECT_SEQ])?;
        let meta = ObjectMeta {
            id,
            owner: *owner,
            contract: *contract,
            seq,
        };
        self.put(key(keys::OBJECT, &[&id]), Some(meta.encode()))?;
        self.put(keys::owner_index(contract, owner, seq), Some(id.to_vec()))
    }

    /// Creates an object of `contract`, owned by `owner`, and returns its ID.
    pub fn create_object(
        &mut self,
        contract: &AddressBytes,
        owner: &AddressBytes,
    ) -> Result<ObjectIdBytes> {
        if self.objects_created.saturating_sub(self.scope.objects) >= self.limits.max_objects_per_tx
        {
            return Err(Error::LimitExceeded {
                what: "objects created per transaction",
                limit: self.limits.max_objects_per_tx,
            });
        }
        let seq = self.read_counter(&[keys::OBJECT_SEQ])?;
        let id = keys::object_id(contract, seq);
        self.insert_object(id, contract, owner)?;
        self.objects_created += 1;
        Ok(id)
    }

    /// An object's metadata, if it exists.
    pub fn object(&self, id: &ObjectIdBytes) -> Result<Option<ObjectMeta>> {
        self.get(&key(keys::OBJECT, &[id]))?
            .map(|v| ObjectMeta::decode(*id, &v))
            .transpose()
    }

    fn writable(&self, caller: &AddressBytes, id: &ObjectIdBytes) -> Result<ObjectMeta> {
        let meta = self.object(id)?.ok_or_else(|| Error::NotFound {
            what: format!("object 0x{}", hex(id)),
        })?;
        if meta.contract != *caller {
            return Err(Error::PermissionDenied {
                object: format!("0x{}", hex(id)),
                owner_contract: format!("0x{}", hex(&meta.contract)),
                caller: format!("0x{}", hex(caller)),
            });
        }
        Ok(meta)
    }

    /// Changes an object's owner; only its contract may.
    pub fn set_owner(
        &mut self,
        caller: &AddressBytes,
        id: &ObjectIdBytes,
        owner: &AddressBytes,
    ) -> Result<()> {
        let mut meta = self.writable(caller, id)?;
        self.reserve(&[
            &keys::owner_index(&meta.contract, &meta.owner, meta.seq),
            &key(keys::OBJECT, &[id]),
            &keys::owner_index(&meta.contract, owner, meta.seq),
        ])?;
        self.put(
            keys::owner_index(&meta.contract, &meta.owner, meta.seq),
            None,
        )?;
        meta.owner = *owner;
        self.put(key(keys::OBJECT, &[id]), Some(meta.encode()))?;
        self.put(
            keys::owner_index(&meta.contract, owner, meta.seq),
            Some(id.to_vec()),
        )
    }

    /// Deletes an object and all its fields; only its contract may.
    pub fn delete_object(&mut self, caller: &AddressBytes, id: &ObjectIdBytes) -> Result<()> {
        let meta = self.writable(caller, id)?;
        let fields: Vec<Vec<u8>> = self
            .scan_prefix(&key(keys::FIELD, &[id]))?
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        let index = keys::owner_index(&meta.contract, &meta.owner, meta.seq);
        let object = key(keys::OBJECT, &[id]);
        let mut all: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
        all.extend([index.as_slice(), object.as_slice()]);
        self.reserve(&all)?;
        for k in fields {
            self.put(k, None)?;
        }
        self.put(
            keys::owner_index(&meta.contract, &meta.owner, meta.seq),
            None,
        )?;
        self.put(key(keys::OBJECT, &[id]), None)
    }

    /// Every object of `contract`, oldest first (through the owner index).
    pub fn objects_of(&self, contract: &AddressBytes) -> Result<Vec<ObjectMeta>> {
        let mut out = Vec::new();
        for (_, v) in self.scan_prefix(&key(keys::OWNER_INDEX, &[contract]))? {
            if v.len() != 32 {
                return Err(Error::Corrupt("owner index".into()));
            }
            if let Some(meta) = self.object(&array(&v))? {
                out.push(meta);
            }
        }
        out.sort_by_key(|m| m.seq);
        Ok(out)
    }

    /// The earliest created object of `contract` owned by `owner`, found through the owner
    /// index.
    pub fn object_with_owner(
        &self,
        contract: &AddressBytes,
        owner: &AddressBytes,
    ) -> Result<Option<ObjectIdBytes>> {
        let prefix = key(keys::OWNER_INDEX, &[contract, owner]);
        match self.scan_prefix(&prefix)?.into_iter().next() {
            None => Ok(None),
            Some((_, v)) if v.len() == 32 => Ok(Some(array(&v))),
            Some(_) => Err(Error::Corrupt("owner index".into())),
        }
    }

    // ---- fields ----

    fn check_field_name(&self, name: &str) -> Result<()> {
        if name.is_empty() {
            return Err(Error::InvalidInput("empty field name".into()));
        }
        if name.len() > self.limits.max_field_name {
            return Err(Error::LimitExceeded {
                what: "field name length",
                limit: self.limits.max_field_name,
            });
        }
        Ok(())
    }

    /// A field's stored value.
    pub fn field(&self, id: &ObjectIdBytes, name: &str) -> Result<Option<Vec<u8>>> {
        if self.object(id)?.is_none() {
            return Err(Error::NotFound {
                what: format!("object 0x{}", hex(id)),
            });
        }
        self.get(&key(keys::FIELD, &[id, name.as_bytes()]))
    }

    /// Every field of an object, by name.
    pub fn fields(&self, id: &ObjectIdBytes) -> Result<Vec<(String, Vec<u8>)>> {
        let prefix = key(keys::FIELD, &[id]);
        self.scan_prefix(&prefix)?
            .into_iter()
            .map(|(k, v)| {
                String::from_utf8(k[prefix.len()..].to_vec())
                    .map(|name| (name, v))
                    .map_err(|_| Error::Corrupt("field name".into()))
            })
            .collect()
    }

    /// Stores a field; only the object's contract may.
    pub fn set_field(
        &mut self,
        caller: &AddressBytes,
        id: &ObjectIdBytes,
        name: &str,
        value: &[u8],
    ) -> Result<()> {
        self.check_field_name(name)?;
        if value.len() > self.limits.max_value_size {
            return Err(Error::LimitExceeded {
                what: "field value size",
                limit: self.limits.max_value_size,
            });
        }
        self.writable(caller, id)?;
        self.put(
            key(keys::FIELD, &[id, name.as_bytes()]),
            Some(value.to_vec()),
        )
    }

    /// Removes a field (absent fields are fine); only the object's contract may.
    pub fn delete_field(
        &mut self,
        caller: &AddressBytes,
        id: &ObjectIdBytes,
        name: &str,
    ) -> Result<()> {
        self.check_field_name(name)?;
        self.writable(caller, id)?;
        self.put(key(keys::FIELD, &[id, name.as_bytes()]), None)
    }

    // ---- events ----

    /// Records an event; it is committed with the transaction, in order.
    pub fn emit(&mut self, event: Event) -> Result<()> {
        if self.events.len().saturating_sub(self.scope.events) >= self.limits.max_events_per_tx {
            return Err(Error::LimitExceeded {
                what: "events per transaction",
                limit: self.limits.max_events_per_tx,
            });
        }
        self.events.push(event);
        Ok(())
    }

    /// The events recorded so far.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Moves the events into the write set. They were limited when emitted
    /// (`max_events_per_tx`), so they do not count against the write limit: a commit never
    /// fails for them.
    fn flush_events(&mut self) -> Result<()> {
        let events = std::mem::take(&mut self.events);
        if events.is_empty() {
            return Ok(());
        }
        let mut seq = self.read_counter(&[keys::EVENT_SEQ])?;
        for event in events {
            self.writes.insert(
                key(keys::EVENT, &[&seq.to_be_bytes()]),
                Some(event.encode()),
            );
            seq += 1;
        }
        self.writes
            .insert(vec![keys::EVENT_SEQ], Some(seq.to_be_bytes().to_vec()));
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{contract_address, default_object_id};

    const ALICE: AddressBytes = [0xa1; 20];
    const BOB: AddressBytes = [0xb0; 20];

    fn deployed(state: &State) -> AddressBytes {
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
    fn owner_lookup_finds_the_earliest_and_follows_set_owner() {
        let state = State::in_memory();
        let contract = deployed(&state);
        let mut tx = state.begin();
        let first = tx.create_object(&contract, &BOB).unwrap();
        let second = tx.create_object(&contract, &BOB).unwrap();
        assert_eq!(tx.object_with_owner(&contract, &BOB).unwrap(), Some(first));
        state.commit(tx).unwrap();
        let mut tx = state.begin();
        tx.set_owner(&contract, &first, &ALICE).unwrap();
        assert_eq!(tx.object_with_owner(&contract, &BOB).unwrap(), Some(second));
        assert_eq!(
            tx.object_with_owner(&contract, &ALICE).unwrap(),
            Some(first)
        );
        // The default object is owned by the contract itself, not by its deployer.
        assert_eq!(
            tx.object_with_owner(&contract, &contract).unwrap(),
            Some(default_object_id(&contract))
        );
    }

    #[test]
    fn only_the_creating_contract_may_change_an_object() {
        let state = State::in_memory();
        let contract = deployed(&state);
        let other = contract_address(&BOB, 0, &[7; 32]);
        let mut tx = state.begin();
        let id = tx.create_object(&contract, &BOB).unwrap();
        assert!(matches!(
            tx.set_field(&other, &id, "x", &[1]),
            Err(Error::PermissionDenied { .. })
        ));
        assert!(matches!(
            tx.delete_object(&other, &id),
            Err(Error::PermissionDenied { .. })
        ));
        assert!(matches!(
            tx.set_owner(&other, &id, &BOB),
            Err(Error::PermissionDenied { .. })
        ));
    }

    #[test]
    fn deleted_ids_are_never_reused_and_fields_go_with_the_object() {
        let state = State::in_memory();
        let contract = deployed(&state);
        let mut tx = state.begin();
        let id = tx.create_object(&contract, &BOB).unwrap();
        tx.set_field(&contract, &id, "x", &[1]).unwrap();
        tx.delete_object(&contract, &id).unwrap();
        assert!(tx.fields(&id).unwrap().is_empty());
        let next = tx.create_object(&contract, &BOB).unwrap();
        assert_ne!(next, id);
        assert!(matches!(tx.field(&id, "x"), Err(Error::NotFound { .. })));
    }

    #[test]
    fn limits_are_enforced() {
        let limits = Limits {
            max_field_name: 4,
            max_value_size: 2,
            max_objects_per_tx: 1,
            ..Limits::default()
        };
        let state = State::with_backend(Arc::new(MemoryBackend::new()), limits);
        let contract = deployed(&state);
        let mut tx = state.begin();
        let id = tx.create_object(&contract, &BOB).unwrap();
        assert!(matches!(
            tx.create_object(&contract, &BOB),
            Err(Error::LimitExceeded { .. })
        ));
        assert!(matches!(
            tx.set_field(&contract, &id, "long!", &[1]),
            Err(Error::LimitExceeded { .. })
        ));
        assert!(matches!(
            tx.set_field(&contract, &id, "x", &[1, 2, 3]),
            Err(Error::LimitExceeded { .. })
        ));
        assert!(matches!(
            tx.set_field(&contract, &id, "", &[1]),
            Err(Error::InvalidInput(_))
        ));
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

    #[test]
    fn balances_move_and_never_go_negative() {
        let state = State::in_memory();
        let mut tx = state.begin();
        tx.mint(&ALICE, 100).unwrap();
        tx.transfer(&ALICE, &BOB, 30).unwrap();
        assert_eq!(
            (tx.balance(&ALICE).unwrap(), tx.balance(&BOB).unwrap()),
            (70, 30)
        );
        assert!(matches!(
            tx.transfer(&BOB, &ALICE, 31),
            Err(Error::InsufficientBalance {
                balance: 30,
                amount: 31
            })
        ));
        tx.transfer(&ALICE, &ALICE, 70).unwrap();
        assert_eq!(tx.balance(&ALICE).unwrap(), 70);
        assert!(tx.mint(&ALICE, u64::MAX).is_err());
        state.commit(tx).unwrap();
        assert_eq!(state.begin().balance(&BOB).unwrap(), 30);
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
        for _ in 0..3 {
            tx.create_object(&contract, &BOB).unwrap();
        }
        tx.take_scanned();
        tx.object_with_owner(&contract, &BOB).unwrap();
        assert_eq!(tx.take_scanned(), 3);
        assert_eq!(tx.take_scanned(), 0);
    }

    #[test]
    fn committed_events_keep_their_order() {
        let state = State::in_memory();
        let contract = deployed(&state);
        for round in 0..2u8 {
            let mut tx = state.begin();
            for i in 0..3u8 {
                tx.emit(Event {
                    contract,
                    name: format!("E{round}{i}"),
                    data: vec![i],
                })
                .unwrap();
            }
            state.commit(tx).unwrap();
        }
        let names: Vec<String> = state
            .events(Some(&contract))
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["E00", "E01", "E02", "E10", "E11", "E12"]);
        assert!(state.events(Some(&BOB)).unwrap().is_empty());
    }
}

//! The key-value layer under the object model.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::RwLock;

use crate::error::Result;

/// A batch of writes: `Some(value)` puts, `None` deletes. Sorted by key, which makes the state
/// hash independent of the order in which a call wrote.
pub type WriteSet = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// An ordered key-value store that applies a [`WriteSet`] atomically.
pub trait Backend: Send + Sync + Debug {
    /// Reads one key.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;
    /// Every entry whose key starts with `prefix`, in key order.
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>>;
    /// At most `limit` entries whose key starts with `prefix`, in key order, after the key
    /// `after` (from the first with none): a bounded scan, whatever the prefix holds.
    fn scan_page(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>>;
    /// Applies every write, all or nothing.
    fn apply(&self, writes: &WriteSet) -> Result<()>;
}

/// The in-memory backend: the library default and the one tests use.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    map: RwLock<BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl MemoryBackend {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<Vec<u8>, Vec<u8>>> {
        // A panic while holding the lock cannot leave the map half-written (apply does not
        // panic between its writes), so a poisoned lock is still consistent.
        self.map.read().unwrap_or_else(|e| e.into_inner())
    }
}

impl Backend for MemoryBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.read().get(key).cloned())
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        Ok(self
            .read()
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    fn scan_page(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        use std::ops::Bound;
        let start = match after {
            Some(a) => Bound::Excluded(a.to_vec()),
            None => Bound::Included(prefix.to_vec()),
        };
        Ok(self
            .read()
            .range((start, Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(prefix))
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    fn apply(&self, writes: &WriteSet) -> Result<()> {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        for (key, value) in writes {
            match value {
                Some(v) => map.insert(key.clone(), v.clone()),
                None => map.remove(key),
            };
        }
        Ok(())
    }
}

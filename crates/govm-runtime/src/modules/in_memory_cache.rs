//! The in-memory cache of prepared modules: bounded, the least recently used out.

use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use dashmap::DashMap;

/// A kept value and when it was last used (a tick of the cache's clock).
struct Entry<V> {
    value: Arc<V>,
    last_used: AtomicU64,
}

/// At most `capacity` values, shared between threads; inserting beyond the capacity evicts the
/// least recently used.
pub(super) struct InMemoryCache<K, V> {
    map: DashMap<K, Entry<V>>,
    clock: AtomicU64,
    capacity: usize,
}

impl<K: Eq + Hash + Copy, V> InMemoryCache<K, V> {
    /// An empty cache for at most `capacity` values (at least one).
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            map: DashMap::new(),
            clock: AtomicU64::new(0),
            capacity: capacity.max(1),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.map.len()
    }

    /// Forgets every value.
    #[cfg_attr(not(feature = "bench"), allow(dead_code))]
    pub(super) fn clear(&self) {
        self.map.clear();
    }

    fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::Relaxed)
    }

    /// The value under `key`, marked as just used.
    pub(super) fn get(&self, key: &K) -> Option<Arc<V>> {
        let entry = self.map.get(key)?;
        entry.last_used.store(self.tick(), Ordering::Relaxed);
        Some(Arc::clone(&entry.value))
    }

    /// The value under `key`, not marked as used: a look that does not keep it.
    pub(super) fn peek(&self, key: &K) -> Option<Arc<V>> {
        self.map.get(key).map(|entry| Arc::clone(&entry.value))
    }

    /// Keeps `value` under `key` as just used, first evicting the least recently used values
    /// while the cache is full; returns how many it evicted.
    pub(super) fn insert(&self, key: K, value: Arc<V>) -> u64 {
        let last_used = AtomicU64::new(self.tick());
        let mut evicted = 0;
        while self.map.len() >= self.capacity {
            let oldest = self
                .map
                .iter()
                .min_by_key(|e| e.value().last_used.load(Ordering::Relaxed))
                .map(|e| *e.key());
            match oldest {
                Some(k) => {
                    if self.map.remove(&k).is_some() {
                        evicted += 1;
                    }
                }
                None => break,
            }
        }
        self.map.insert(key, Entry { value, last_used });
        evicted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_value_is_evicted_first() {
        let cache = InMemoryCache::new(2);
        assert_eq!(cache.insert(1, Arc::new("one")), 0);
        assert_eq!(cache.insert(2, Arc::new("two")), 0);
        // Using 1 makes 2 the oldest; a look with `peek` does not count as a use.
        assert_eq!(cache.get(&1).as_deref(), Some(&"one"));
        assert_eq!(cache.peek(&2).as_deref(), Some(&"two"));
        assert_eq!(cache.insert(3, Arc::new("three")), 1);
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&2).is_none());
        assert!(cache.get(&1).is_some() && cache.get(&3).is_some());
    }

    #[test]
    fn a_cache_holds_at_least_one_value() {
        let cache = InMemoryCache::new(0);
        assert_eq!(cache.insert(1, Arc::new(())), 0);
        assert_eq!(cache.insert(2, Arc::new(())), 1);
        assert_eq!(cache.len(), 1);
    }
}

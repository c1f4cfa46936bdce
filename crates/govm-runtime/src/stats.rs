//! What a runtime has done since it was built, read as one value: [`Stats`], and the counters
//! behind it.
//!
//! Counters only observe: none of them feeds a result or a gas charge, so they are counted
//! with relaxed atomics, and a [`Stats`] read while calls run may mix moments.

use std::sync::atomic::{AtomicU64, Ordering};

/// What a [`Runtime`](crate::Runtime) has done since it was built (see
/// [`Runtime::stats`](crate::Runtime::stats)): where the modules of its calls and deploys
/// came from, and how many instances its calls made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Modules compiled by Cranelift. Preparing a module compiles two with snapshots on (the
    /// instrumented module `_initialize` runs in, and the snapshot), one with them off.
    pub compiles: u64,
    /// Prepared modules found in the in-memory cache: by a call, a resolve or a prepare.
    pub hits_memory_cache: u64,
    /// Prepared modules loaded from the disk cache instead of compiled.
    pub hits_disk_cache: u64,
    /// Deployed contracts whose module was in memory nowhere: their code was read from the
    /// state, then the module loaded from the disk cache or compiled. (A contract whose
    /// compiled module is on disk is loaded without reading its code: a disk hit only.)
    pub loads_from_state: u64,
    /// Prepared modules pushed out of the in-memory cache by its capacity.
    pub evictions: u64,
    /// Instances created for calls, nested calls included, one per call.
    pub instances: u64,
}

/// One counter of [`Counters`].
#[derive(Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The counters of one runtime, shared by everything that counts.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) compiles: Counter,
    pub(crate) hits_memory_cache: Counter,
    pub(crate) hits_disk_cache: Counter,
    pub(crate) loads_from_state: Counter,
    pub(crate) evictions: Counter,
    pub(crate) instances: Counter,
}

impl Counters {
    /// What the counters say now.
    pub(crate) fn stats(&self) -> Stats {
        Stats {
            compiles: self.compiles.get(),
            hits_memory_cache: self.hits_memory_cache.get(),
            hits_disk_cache: self.hits_disk_cache.get(),
            loads_from_state: self.loads_from_state.get(),
            evictions: self.evictions.get(),
            instances: self.instances.get(),
        }
    }
}

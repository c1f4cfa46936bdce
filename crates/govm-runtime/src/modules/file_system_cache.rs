//! The disk cache of compiled modules.
//!
//! Each entry is two files named by its key: `<key>.cwasm`, exactly what
//! `Module::serialize` wrote (so wasmtime can map it straight from disk), and `<key>.meta`:
//! the key, the xxh3-128 checksum of the `.cwasm`, its length, the `.cwasm`'s identity on disk
//! when it was verified (device, inode and change time), and what was learnt when the module
//! was prepared (the fuel of Go's `_initialize`, the snapshot's hash). Both files are written
//! to temporary names, flushed to disk, and renamed into place, `.cwasm` first.
//!
//! A reader checks the `.meta`'s own checksum, then the `.cwasm`'s length and identity. Same
//! identity: the file is the very one whose checksum was verified (a rename over it or a copy
//! gives it another inode, and a write to it another change time, which no program can set
//! back; only a same-length rewrite in place within the clock tick of the recorded change time
//! (a few ms on kernels with coarse timestamps) would keep it), so wasmtime maps it at once. Another identity (a copied or restored cache): the reader
//! checks the whole checksum first, and records the new identity so the next load is fast
//! again. A torn, corrupted, stale or foreign file is never deserialized, and is rebuilt.
//!
//! The checks guard against accidents (torn writes, files from another build or another
//! machine, a cache edited by hand), not against an adversary who can write the cache
//! directory: such a one could rewrite both files. The directory must be writable by the node
//! only, like any compilation cache. Corruption below the file system (a bad disk sector in a
//! file nobody wrote) keeps the identity and is not caught on the fast path: the price of not
//! reading 8 MB on every process's first load of a module. xxh3 rather than sha256 for the
//! full check, which must cost a fraction of a millisecond for multi-megabyte files.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use wasmtime::{Engine, Module};
use xxhash_rust::xxh3::xxh3_128;

/// Version of the on-disk format.
const FORMAT: &[u8; 8] = b"govmmc04";
/// Format, key, checksum, length, init fuel, snapshot flag and hash, the verified file's
/// identity, and the record's own xxh3-128 (the fields feed deploy gas, so they are checked
/// too).
const META_LEN: usize = 8 + 32 + 16 + 8 + 8 + 1 + 32 + IDENTITY_LEN + 16;
const IDENTITY_LEN: usize = 32;
const META_BODY: usize = META_LEN - 16;

/// Temporary file names are unique in the process (several runtimes may share a folder).
static TEMP_FILES: AtomicU64 = AtomicU64::new(0);

/// What is cached next to a compiled module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Meta {
    pub(super) init_fuel: u64,
    pub(super) snapshot_hash: Option<[u8; 32]>,
}

pub(super) struct DiskCache {
    dir: PathBuf,
}

impl DiskCache {
    pub(super) fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    fn paths(&self, key: &[u8; 32]) -> (PathBuf, PathBuf) {
        let name = hex::encode(key);
        (
            self.dir.join(format!("{name}.cwasm")),
            self.dir.join(format!("{name}.meta")),
        )
    }

    /// The verified module under `key`, or `None` (missing, stale or damaged).
    #[allow(unsafe_code)]
    pub(super) fn read(&self, engine: &Engine, key: &[u8; 32]) -> Option<(Module, Meta)> {
        let (cwasm, meta_path) = self.paths(key);
        let mut meta = std::fs::read(&meta_path).ok()?;
        if meta.len() != META_LEN
            || &meta[..8] != FORMAT
            || &meta[8..40] != key
            || xxh3_128(&meta[..META_BODY]).to_le_bytes() != meta[META_BODY..]
        {
            return None;
        }
        let checksum = u128::from_le_bytes(meta[40..56].try_into().ok()?);
        let len = u64::from_le_bytes(meta[56..64].try_into().ok()?);
        let init_fuel = u64::from_le_bytes(meta[64..72].try_into().ok()?);
        let snapshot_hash = match meta[72] {
            0 => None,
            1 => Some(meta[73..105].try_into().ok()?),
            _ => return None,
        };
        let file = std::fs::File::open(&cwasm).ok()?;
        let stat = file.metadata().ok()?;
        if stat.len() != len {
            return None;
        }
        let identity = identity(&stat);
        let known = identity.is_some_and(|id| meta[IDENTITY_AT..IDENTITY_AT + IDENTITY_LEN] == id);
        if !known {
            // SAFETY: the file is only read through the map, which lives until the check is
            // done. A concurrent writer replaces files by renaming, never in place.
            let map = unsafe { memmap2::MmapOptions::new().map(&file) }.ok()?;
            if xxh3_128(&map) != checksum {
                return None;
            }
            drop(map);
            // Verified: remember this file, so that the next process maps it at once.
            if let Some(id) = identity {
                meta[IDENTITY_AT..IDENTITY_AT + IDENTITY_LEN].copy_from_slice(&id);
                let own = xxh3_128(&meta[..META_BODY]);
                meta[META_BODY..].copy_from_slice(&own.to_le_bytes());
                let _ = self.put(&meta_path, &meta);
            }
        }
        // SAFETY: the open file is one this cache wrote with `Module::serialize`: its length
        // and checksum match the metadata written after it, checked now or when the same file
        // (same device, inode and change time) was verified; the same handle is given to
        // wasmtime, so a file renamed into place since cannot slip in. Wasmtime checks that it
        // was compiled by a compatible engine before using it.
        let module = unsafe { Module::deserialize_open_file(engine, file) }.ok()?;
        Some((
            module,
            Meta {
                init_fuel,
                snapshot_hash,
            },
        ))
    }

    /// Stores a module; a failure only costs a later process a compile.
    pub(super) fn write(&self, key: &[u8; 32], module: &Module, meta: Meta) -> Option<()> {
        let payload = module.serialize().ok()?;
        std::fs::create_dir_all(&self.dir).ok()?;
        let (cwasm, meta_path) = self.paths(key);
        let mut record = Vec::with_capacity(META_LEN);
        record.extend_from_slice(FORMAT);
        record.extend_from_slice(key);
        record.extend_from_slice(&xxh3_128(&payload).to_le_bytes());
        record.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        record.extend_from_slice(&meta.init_fuel.to_le_bytes());
        match meta.snapshot_hash {
            Some(h) => {
                record.push(1);
                record.extend_from_slice(&h);
            }
            None => record.extend_from_slice(&[0; 33]),
        }
        let inode = self.put(&cwasm, &payload)?;
        // The identity of the file just written, if it is still the one in place (another
        // runtime sharing the folder may have renamed its own over it): otherwise none, and
        // the first read checks the file in full.
        let written = std::fs::metadata(&cwasm)
            .ok()
            .filter(|m| inode.is_some() && inode_of(m) == inode)
            .as_ref()
            .and_then(identity);
        record.extend_from_slice(&written.unwrap_or([0; IDENTITY_LEN]));
        let own = xxh3_128(&record);
        record.extend_from_slice(&own.to_le_bytes());
        self.put(&meta_path, &record).map(|_| ())
    }

    /// Writes a file under a temporary name, flushes it to disk and renames it into place
    /// (atomic: readers see the old file, no file, or the whole new one, also after a crash).
    /// Returns the written file's inode (where the platform has one).
    fn put(&self, path: &Path, bytes: &[u8]) -> Option<Option<u64>> {
        use std::io::Write;
        let n = TEMP_FILES.fetch_add(1, Ordering::Relaxed);
        let tmp = self.dir.join(format!(".tmp-{}-{n}", std::process::id()));
        let written = std::fs::File::create(&tmp).and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()?;
            f.metadata()
        });
        let Ok(stat) = written else {
            let _ = std::fs::remove_file(&tmp);
            return None;
        };
        if std::fs::rename(&tmp, path).is_err() {
            let _ = std::fs::remove_file(&tmp);
            return None;
        }
        Some(inode_of(&stat))
    }
}

/// Where the identity sits in the `.meta` record.
const IDENTITY_AT: usize = 8 + 32 + 16 + 8 + 8 + 1 + 32;

/// A file's inode, where the platform has one.
fn inode_of(stat: &std::fs::Metadata) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(stat.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = stat;
        None
    }
}

/// A file's identity on disk: device, inode and change time (seconds and nanoseconds). Any
/// change to the file, or another file in its place, changes it; `None` where the platform
/// does not say.
fn identity(stat: &std::fs::Metadata) -> Option<[u8; IDENTITY_LEN]> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mut out = [0; IDENTITY_LEN];
        out[..8].copy_from_slice(&stat.dev().to_le_bytes());
        out[8..16].copy_from_slice(&stat.ino().to_le_bytes());
        out[16..24].copy_from_slice(&stat.ctime().to_le_bytes());
        out[24..32].copy_from_slice(&stat.ctime_nsec().to_le_bytes());
        Some(out)
    }
    #[cfg(not(unix))]
    {
        let _ = stat;
        None
    }
}

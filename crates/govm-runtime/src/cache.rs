//! The disk cache of compiled modules.
//!
//! Each entry is two files named by its key: `<key>.cwasm`, exactly what
//! `Module::serialize` wrote (so wasmtime can map it straight from disk), and `<key>.meta`:
//! the key, the xxh3-128 checksum of the `.cwasm`, its length, and what was learnt when the
//! module was prepared (the fuel of Go's `_initialize`, the snapshot's hash). A reader maps
//! the `.cwasm`, checks length and checksum against the `.meta`, and only then lets wasmtime
//! deserialize it: a torn, corrupted, stale or foreign file is never deserialized, and is
//! rebuilt. Both files are written to temporary names and renamed into place, `.cwasm` first.
//!
//! The checksum guards against accidents (torn writes, disk corruption, files from another
//! build), not against an adversary who can write the cache directory: such a one could
//! rewrite both files. The directory must be writable by the node only, like any
//! compilation cache. xxh3 rather than sha256 because the check runs on every process's
//! first load of a module and must cost a fraction of a millisecond for multi-megabyte files.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use wasmtime::{Engine, Module};
use xxhash_rust::xxh3::xxh3_128;

/// Version of the on-disk format.
const FORMAT: &[u8; 8] = b"govmmc03";
/// Format, key, checksum, length, init fuel, snapshot flag and hash, and the record's own
/// xxh3-128 (the fields feed deploy gas, so they are checked too).
const META_LEN: usize = 8 + 32 + 16 + 8 + 8 + 1 + 32 + 16;
const META_BODY: usize = META_LEN - 16;

/// Temporary file names are unique in the process (several runtimes may share a folder).
static TEMP_FILES: AtomicU64 = AtomicU64::new(0);

/// What is cached next to a compiled module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Meta {
    pub(crate) init_fuel: u64,
    pub(crate) snapshot_hash: Option<[u8; 32]>,
}

pub(crate) struct DiskCache {
    dir: PathBuf,
}

impl DiskCache {
    pub(crate) fn new(dir: PathBuf) -> Self {
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
    pub(crate) fn read(&self, engine: &Engine, key: &[u8; 32]) -> Option<(Module, Meta)> {
        let (cwasm, meta_path) = self.paths(key);
        let meta = std::fs::read(&meta_path).ok()?;
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
        if file.metadata().ok()?.len() != len {
            return None;
        }
        // SAFETY: the file is only read through the map, which lives until the check is done.
        // A concurrent writer replaces files by renaming, never in place.
        let map = unsafe { memmap2::MmapOptions::new().map(&file) }.ok()?;
        if xxh3_128(&map) != checksum {
            return None;
        }
        drop(map);
        // SAFETY: the open file is one this cache wrote with `Module::serialize` (length and
        // checksum match the metadata written after it; the same handle is mapped, so a file
        // renamed into place since cannot slip in), and wasmtime checks that it was compiled
        // by a compatible engine before using it.
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
    pub(crate) fn write(&self, key: &[u8; 32], module: &Module, meta: Meta) -> Option<()> {
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
        let own = xxh3_128(&record);
        record.extend_from_slice(&own.to_le_bytes());
        self.put(&cwasm, &payload)?;
        self.put(&meta_path, &record)
    }

    /// Writes a file under a temporary name and renames it into place (atomic: readers see
    /// the old file, no file, or the whole new one).
    fn put(&self, path: &Path, bytes: &[u8]) -> Option<()> {
        let n = TEMP_FILES.fetch_add(1, Ordering::Relaxed);
        let tmp = self.dir.join(format!(".tmp-{}-{n}", std::process::id()));
        std::fs::write(&tmp, bytes).ok()?;
        std::fs::rename(&tmp, path).ok()
    }
}

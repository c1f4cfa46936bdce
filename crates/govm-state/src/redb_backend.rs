//! The persistent backend: one redb database file, one table of ordered byte keys.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use redb::{Database, ReadOnlyTable, ReadableDatabase, TableDefinition};

use crate::backend::{Backend, WriteSet};
use crate::error::{Error, Result};

const TABLE: TableDefinition<'static, &[u8], &[u8]> = TableDefinition::new("govm");

/// The table opened for reading, shared.
type SharedTable = Arc<ReadOnlyTable<&'static [u8], &'static [u8]>>;

/// A redb database file. Every [`Backend::apply`] is one durable write transaction: after it
/// returns, the writes survive a crash; if the process dies during it, none of them are
/// visible on reopening. A second process opening the same file gets an error, not a
/// corrupted file.
pub struct RedbBackend {
    /// The table as of the last write, opened once and shared by every read until the next
    /// write replaces it: opening a read transaction and its table cost more than the read.
    /// (Declared first: dropped, with its read transaction, before the database.)
    reader: RwLock<Option<SharedTable>>,
    db: Database,
    path: PathBuf,
}

impl std::fmt::Debug for RedbBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedbBackend")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn storage(e: impl Into<redb::Error>) -> Error {
    match e.into() {
        redb::Error::DatabaseAlreadyOpen => {
            Error::Storage("the state database is open in another process".into())
        }
        other => Error::Storage(other.to_string()),
    }
}

fn opening(path: &Path) -> impl Fn(redb::DatabaseError) -> Error + '_ {
    move |e| match e {
        redb::DatabaseError::DatabaseAlreadyOpen => Error::InUse {
            path: path.display().to_string(),
        },
        other => Error::Storage(format!("{}: {other}", path.display())),
    }
}

/// Creates a database with its table at `path` (which must not exist), durably.
fn create_new(path: &Path) -> Result<()> {
    let db = Database::create(path).map_err(opening(path))?;
    let tx = db.begin_write().map_err(storage)?;
    tx.open_table(TABLE).map_err(storage)?;
    tx.commit().map_err(storage)?;
    Ok(())
}

/// Makes a new database at `path` whole or not at all: created aside, then linked into place
/// (a hard link fails if the path exists, so of two processes creating one home, one's
/// database wins and the other opens it), the folder synced so that the link survives a
/// crash. Files left aside by processes that died while creating are removed.
fn create_in_place(path: &Path) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let prefix = format!("{name}.creating-");
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let file = entry.file_name();
            let pid = file
                .to_string_lossy()
                .strip_prefix(&prefix)
                .map(str::to_owned);
            let dead = pid.is_some_and(|pid| !Path::new("/proc").join(&pid).exists());
            if dead {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let aside = dir.join(format!("{prefix}{}", std::process::id()));
    let _ = std::fs::remove_file(&aside);
    let made = create_new(&aside).and_then(|()| match std::fs::hard_link(&aside, path) {
        Ok(()) => Ok(()),
        // Another process put its database in place meanwhile: it is the one.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::Storage(format!("{}: {e}", path.display()))),
    });
    let _ = std::fs::remove_file(&aside);
    made?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

impl RedbBackend {
    /// Opens the database at `path`, creating it when it does not exist. A new database is
    /// made aside (`<path>.creating-<pid>`) and linked into place once it holds its table,
    /// so that a crash while it is first created leaves either no file at `path` or a whole
    /// database, never a file that does not open.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        // An empty file holds nothing: what a crash during creation left before this way of
        // creating (the file made, its header not yet written). It is made anew.
        if std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() == 0) {
            std::fs::remove_file(&path)
                .map_err(|e| Error::Storage(format!("{}: {e}", path.display())))?;
        }
        if !path.exists() {
            create_in_place(&path)?;
        }
        let db = Database::create(&path).map_err(opening(&path))?;
        let tx = db.begin_write().map_err(storage)?;
        tx.open_table(TABLE).map_err(storage)?;
        tx.commit().map_err(storage)?;
        Ok(Self {
            db,
            path,
            reader: RwLock::new(None),
        })
    }

    /// The table as of the last committed write.
    fn table(&self) -> Result<SharedTable> {
        if let Some(table) = self
            .reader
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
        {
            return Ok(table);
        }
        let mut slot = self
            .reader
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(table) = slot.as_ref() {
            return Ok(Arc::clone(table));
        }
        let tx = self.db.begin_read().map_err(storage)?;
        let table = Arc::new(tx.open_table(TABLE).map_err(storage)?);
        *slot = Some(Arc::clone(&table));
        Ok(table)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Backend for RedbBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let table = self.table()?;
        Ok(table.get(key).map_err(storage)?.map(|v| v.value().to_vec()))
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let table = self.table()?;
        let mut out = Vec::new();
        for item in table.range::<&[u8]>(prefix..).map_err(storage)? {
            let (k, v) = item.map_err(storage)?;
            if !k.value().starts_with(prefix) {
                break;
            }
            out.push((k.value().to_vec(), v.value().to_vec()));
        }
        Ok(out)
    }

    fn scan_page(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        use std::ops::Bound;
        let table = self.table()?;
        let start = match after {
            Some(a) => Bound::Excluded(a),
            None => Bound::Included(prefix),
        };
        let mut out = Vec::new();
        for item in table
            .range::<&[u8]>((start, Bound::Unbounded))
            .map_err(storage)?
        {
            if out.len() == limit {
                break;
            }
            let (k, v) = item.map_err(storage)?;
            if !k.value().starts_with(prefix) {
                break;
            }
            out.push((k.value().to_vec(), v.value().to_vec()));
        }
        Ok(out)
    }

    fn apply(&self, writes: &WriteSet) -> Result<()> {
        let tx = self.db.begin_write().map_err(storage)?;
        {
            let mut table = tx.open_table(TABLE).map_err(storage)?;
            for (key, value) in writes {
                match value {
                    Some(v) => {
                        table
                            .insert(key.as_slice(), v.as_slice())
                            .map_err(storage)?;
                    }
                    None => {
                        table.remove(key.as_slice()).map_err(storage)?;
                    }
                }
            }
        }
        let committed = tx.commit().map_err(storage);
        // Reads from now on see this write: the shared table (and the read transaction it
        // holds open) goes, and the next read opens the new one. Reads that began before
        // finish on the old snapshot, as they would have.
        *self
            .reader
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        committed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_crash_at_creation_leaves_still_opens() {
        let dir = tempfile::tempdir().unwrap();
        // The file made but its header never written.
        let empty = dir.path().join("empty.redb");
        std::fs::write(&empty, b"").unwrap();
        assert!(RedbBackend::open(&empty).is_ok());
        // A database left half made aside: the real path is untouched, and opens new.
        let path = dir.path().join("state.redb");
        let mut aside = path.clone().into_os_string();
        aside.push(".creating-1");
        std::fs::write(PathBuf::from(aside), b"garbage").unwrap();
        let backend = RedbBackend::open(&path).unwrap();
        drop(backend);
        // No file of ours is left aside after a creation that finished.
        let ours = format!("state.redb.creating-{}", std::process::id());
        assert!(!dir.path().join(ours).exists());
        assert!(RedbBackend::open(&path).is_ok());
    }
}

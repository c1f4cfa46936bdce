//! The persistent backend: one redb database file, one table of ordered byte keys.

use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, TableDefinition};

use crate::backend::{Backend, WriteSet};
use crate::error::{Error, Result};

const TABLE: TableDefinition<'static, &[u8], &[u8]> = TableDefinition::new("govm");

/// A redb database file. Every [`Backend::apply`] is one durable write transaction: after it
/// returns, the writes survive a crash; if the process dies during it, none of them are
/// visible on reopening. A second process opening the same file gets an error, not a
/// corrupted file.
pub struct RedbBackend {
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

impl RedbBackend {
    /// Opens the database at `path`, creating it when it does not exist.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let db = Database::create(&path).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => Error::InUse {
                path: path.display().to_string(),
            },
            other => Error::Storage(format!("{}: {other}", path.display())),
        })?;
        let tx = db.begin_write().map_err(storage)?;
        tx.open_table(TABLE).map_err(storage)?;
        tx.commit().map_err(storage)?;
        Ok(Self { db, path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Backend for RedbBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let tx = self.db.begin_read().map_err(storage)?;
        let table = tx.open_table(TABLE).map_err(storage)?;
        Ok(table.get(key).map_err(storage)?.map(|v| v.value().to_vec()))
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let tx = self.db.begin_read().map_err(storage)?;
        let table = tx.open_table(TABLE).map_err(storage)?;
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
        tx.commit().map_err(storage)
    }
}

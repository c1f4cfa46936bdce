//! The last transaction this home sent from each key on each chain
//! (`<home>/nonces/<chain id>/<address>.json`), so that a node that lags behind the network
//! never makes the command sign at a nonce the key has used already: the nonce, the hash of
//! the transaction that used it, the highest height the home had seen when it sent it, and
//! the block it is in once the command saw it there. A record whose transaction is not in a
//! block yet is checked against the node (`tx`) before the next one is signed: if it never
//! made it into a block, its nonce is free again (docs/node.md, "Nonces").

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use govm::Address;
use serde_json::{Value as Json, json};

use crate::exit::Failure;

/// A key's last transaction on a chain, as this home recorded it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LastTx {
    /// Its nonce.
    pub(crate) nonce: u64,
    /// Its hash.
    pub(crate) tx: [u8; 32],
    /// The node's height when it was sent: a node below it is behind what this home saw.
    pub(crate) seen_height: u64,
    /// Its block, once the command saw it committed.
    pub(crate) height: Option<u64>,
}

impl LastTx {
    /// The highest height this home knows the chain has reached.
    pub(crate) fn known_height(&self) -> u64 {
        self.height.unwrap_or(0).max(self.seen_height)
    }
}

/// Why a node's nonce cannot be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stale {
    /// The node is below a height this home has already seen.
    Behind {
        /// The node's height.
        node_height: u64,
        /// The record.
        last: LastTx,
    },
}

/// The nonce to sign with: the node's, unless this home used it already. A record whose
/// transaction is in a block (`height`) makes the next nonce at least one past it (a node
/// whose own answer is lower is refused by its `CheckTx`, never signed twice at); one whose
/// transaction is not in a block on this node leaves its nonce free, to be used again (the
/// node refuses a transaction at a nonce still pending in its mempool). Either way a node
/// below a height this home has seen is behind, and is refused.
pub(crate) fn next_nonce(
    node_height: u64,
    node_nonce: u64,
    last: Option<&LastTx>,
) -> Result<u64, Stale> {
    let Some(last) = last else {
        return Ok(node_nonce);
    };
    if node_height < last.known_height() {
        return Err(Stale::Behind {
            node_height,
            last: *last,
        });
    }
    Ok(match last.height {
        Some(_) => node_nonce.max(last.nonce.saturating_add(1)),
        None => node_nonce,
    })
}

/// Where a home keeps its keys' last transactions.
#[derive(Clone, Debug)]
pub(crate) struct LastTxs {
    dir: PathBuf,
}

/// One key's record on one chain, locked for as long as it is held: two commands of one
/// home that send from the same key take turns.
#[derive(Debug)]
pub(crate) struct KeyRecord {
    path: PathBuf,
    chain_id: String,
    sender: Address,
    last: Option<LastTx>,
    _lock: File,
}

impl LastTxs {
    pub(crate) fn new(home: &Path) -> Self {
        Self {
            dir: home.join("nonces"),
        }
    }

    /// Opens and locks `sender`'s record on `chain_id` (waiting, with a word on standard
    /// error, while another command of this home holds it).
    pub(crate) fn open(&self, chain_id: &str, sender: Address) -> Result<KeyRecord, Failure> {
        let dir = self.dir.join(dir_name(chain_id));
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, &e))?;
        let lock_path = dir.join(format!("{sender}.lock"));
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io(&lock_path, &e))?;
        if lock.try_lock().is_err() {
            eprintln!("govm: waiting for another govm of this home sending from {sender}");
            lock.lock().map_err(|e| io(&lock_path, &e))?;
        }
        let path = dir.join(format!("{sender}.json"));
        let last = match std::fs::read_to_string(&path) {
            Ok(text) => Some(parse(&text).ok_or_else(|| {
                Failure::internal(format!(
                    "{} is not a record govm wrote: delete it (the next transaction then takes \
                     its nonce from the node)",
                    path.display()
                ))
            })?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(&path, &e)),
        };
        Ok(KeyRecord {
            path,
            chain_id: chain_id.to_owned(),
            sender,
            last,
            _lock: lock,
        })
    }
}

impl KeyRecord {
    /// The last transaction recorded.
    pub(crate) fn last(&self) -> Option<LastTx> {
        self.last
    }

    /// The record's file (for messages).
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces the record (`None` removes it), atomically: a crash leaves the old one or
    /// the new one.
    pub(crate) fn write(&mut self, last: Option<LastTx>) -> Result<(), Failure> {
        match last {
            None => match std::fs::remove_file(&self.path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&self.path, &e)),
            },
            Some(l) => {
                let record = json!({
                    "chain_id": self.chain_id,
                    "sender": self.sender.to_string(),
                    "nonce": l.nonce,
                    "tx": format!("0x{}", hex::encode(l.tx)),
                    "seen_height": l.seen_height,
                    "height": l.height,
                });
                let tmp = self.path.with_extension("json.tmp");
                let mut file = File::create(&tmp).map_err(|e| io(&tmp, &e))?;
                writeln!(file, "{record:#}")
                    .and_then(|()| file.sync_all())
                    .map_err(|e| io(&tmp, &e))?;
                std::fs::rename(&tmp, &self.path).map_err(|e| io(&self.path, &e))?;
            }
        }
        self.last = last;
        Ok(())
    }
}

fn parse(text: &str) -> Option<LastTx> {
    let json: Json = serde_json::from_str(text).ok()?;
    let tx = hex::decode(json["tx"].as_str()?.trim_start_matches("0x")).ok()?;
    Some(LastTx {
        nonce: json["nonce"].as_u64()?,
        tx: tx.try_into().ok()?,
        seen_height: json["seen_height"].as_u64()?,
        height: match &json["height"] {
            Json::Null => None,
            h => Some(h.as_u64()?),
        },
    })
}

/// A chain id as a folder name: as it is when it is a plain name, else in hex.
fn dir_name(chain_id: &str) -> String {
    let plain = !chain_id.is_empty()
        && !chain_id.starts_with('.')
        && chain_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain {
        chain_id.to_owned()
    } else {
        format!("0x{}", hex::encode(chain_id))
    }
}

fn io(path: &Path, e: &std::io::Error) -> Failure {
    Failure::internal(format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(nonce: u64, seen_height: u64, height: Option<u64>) -> LastTx {
        LastTx {
            nonce,
            tx: [nonce as u8; 32],
            seen_height,
            height,
        }
    }

    #[test]
    fn without_a_record_the_node_gives_the_nonce() {
        assert_eq!(next_nonce(10, 3, None), Ok(3));
    }

    #[test]
    fn a_committed_nonce_is_never_signed_at_again() {
        let last = sent(5, 40, Some(41));
        assert_eq!(next_nonce(41, 6, Some(&last)), Ok(6));
        // The node's state is one block behind its own status: still past the record.
        assert_eq!(next_nonce(41, 5, Some(&last)), Ok(6));
        assert_eq!(next_nonce(50, 9, Some(&last)), Ok(9));
    }

    #[test]
    fn a_node_below_a_height_the_home_saw_is_behind() {
        let committed = sent(5, 40, Some(41));
        assert_eq!(
            next_nonce(34, 3, Some(&committed)),
            Err(Stale::Behind {
                node_height: 34,
                last: committed
            })
        );
        let pending = sent(5, 40, None);
        assert!(next_nonce(39, 5, Some(&pending)).is_err());
    }

    #[test]
    fn the_nonce_of_a_transaction_that_never_made_it_into_a_block_is_free_again() {
        let lost = sent(5, 40, None);
        assert_eq!(next_nonce(45, 5, Some(&lost)), Ok(5));
        assert_eq!(next_nonce(45, 8, Some(&lost)), Ok(8));
    }

    #[test]
    fn a_record_reads_back_as_written_and_chain_ids_become_folder_names() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = LastTxs::new(dir.path());
        let sender = Address([7; 20]);
        let mut record = store
            .open("test-chain", sender)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(record.last(), None);
        let last = sent(2, 9, Some(10));
        record.write(Some(last)).unwrap_or_else(|e| panic!("{e:?}"));
        drop(record);
        let record = store
            .open("test-chain", sender)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(record.last(), Some(last));
        assert_eq!(dir_name("a/../b"), "0x612f2e2e2f62");
        assert_eq!(dir_name(".."), "0x2e2e");
    }
}

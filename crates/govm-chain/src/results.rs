//! What delivering a transaction gives ([`TxResult`]), what the state keeps of it
//! ([`TxRecord`]), and what it was ([`TxSummary`]).

use govm::{Address, EventRecord, Hash};
use parity_scale_codec::{Decode, Encode};
use sha2::{Digest, Sha256};

use crate::code::Code;

/// What a transaction was, for those who report it (ABCI events, clients), without its body:
/// known whenever it decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxSummary {
    /// Its sender.
    pub sender: Address,
    /// Its nonce.
    pub nonce: u64,
    /// `call`, `deploy` or `transfer`.
    pub kind: &'static str,
    /// What else identifies it, in order: a call's `contract` and `function`, a transfer's
    /// `to`, the `contract` a deploy made (when it succeeded).
    pub details: Vec<(&'static str, String)>,
}

/// What delivering a transaction did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxResult {
    /// How it ended (or why it was refused).
    pub code: Code,
    /// The call's SCALE-encoded results, or a deploy's contract address: whole, for
    /// `FinalizeBlock` (the state keeps a [`TxRecord`] of it).
    pub data: Vec<u8>,
    /// The error message, empty on success: whole.
    pub log: String,
    /// Its fuel limit: the room it took in the block's fuel.
    pub gas_wanted: u64,
    /// The gas its body measured (intrinsic gas and its result's bytes included, at most
    /// `gas_wanted`): 0 when refused. Reported, not what it paid: see `fee`.
    pub gas_used: u64,
    /// What the sender paid the proposer: `gas_wanted × gas_price` when it ran, whatever it
    /// used (docs/chain.md §3); 0 when refused.
    pub fee: u64,
    /// The events the call emitted.
    pub events: Vec<EventRecord>,
    /// sha256 of its bytes.
    pub hash: Hash,
    /// What it was, when it decoded.
    pub tx: Option<TxSummary>,
}

/// The most bytes of a result's data its stored record keeps: the whole data up to this,
/// else its first bytes (the whole is in the block's `FinalizeBlock` response).
pub const RECORD_DATA_BYTES: usize = 256;

/// The most bytes of a result's log its stored record keeps, cut at a character boundary.
pub const RECORD_LOG_BYTES: usize = 1024;

/// What the state keeps of a delivered transaction, by hash: what a client needs to know how
/// it ended, not its whole result. A result may be megabytes (a call's data, its error); the
/// whole result is in the block's `FinalizeBlock` response, which CometBFT keeps (its `tx`
/// RPC), and `data_hash` ties a copy read there to this record. SCALE-encoded in this order
/// (docs/chain.md §3).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct TxRecord {
    /// Its code.
    pub code: u32,
    /// The gas its body measured (not its fee, which was its fuel limit × its gas price).
    pub gas_used: u64,
    /// The block it was in.
    pub height: u64,
    /// The length of its whole data, in bytes.
    pub data_len: u64,
    /// sha256 of its whole data.
    pub data_hash: [u8; 32],
    /// Its data when at most [`RECORD_DATA_BYTES`] long, else the data's first
    /// [`RECORD_DATA_BYTES`]: whole exactly when `data.len() == data_len`.
    pub data: Vec<u8>,
    /// The length of its whole log, in bytes.
    pub log_len: u64,
    /// Its log, cut to at most [`RECORD_LOG_BYTES`] at a character boundary: whole exactly
    /// when `log.len() == log_len`.
    pub log: String,
}

impl TxRecord {
    /// The record of a result with this `data` and `log`.
    pub fn new(code: Code, data: &[u8], log: &str, gas_used: u64, height: u64) -> Self {
        let mut end = log.len().min(RECORD_LOG_BYTES);
        while !log.is_char_boundary(end) {
            end -= 1;
        }
        Self {
            code: code.value(),
            gas_used,
            height,
            data_len: data.len() as u64,
            data_hash: Sha256::digest(data).into(),
            data: data[..data.len().min(RECORD_DATA_BYTES)].to_vec(),
            log_len: log.len() as u64,
            log: log[..end].to_owned(),
        }
    }

    /// Whether `data` is the record's whole data (else a prefix of it).
    pub fn data_is_whole(&self) -> bool {
        self.data.len() as u64 == self.data_len
    }

    /// Whether `log` is the record's whole log (else a prefix of it).
    pub fn log_is_whole(&self) -> bool {
        self.log.len() as u64 == self.log_len
    }
}

/// Why a transaction is refused (it changes nothing), with the fuel it asked for (0 when it
/// did not decode) and what it was (when it decoded).
#[derive(Clone, Debug)]
pub(crate) struct Refusal {
    pub(crate) code: Code,
    pub(crate) log: String,
    pub(crate) gas_wanted: u64,
    pub(crate) tx: Option<TxSummary>,
}

impl Refusal {
    /// The result of a refused transaction: nothing ran, nothing was paid.
    pub(crate) fn into_result(self, hash: Hash) -> TxResult {
        TxResult {
            code: self.code,
            data: Vec::new(),
            log: self.log,
            gas_wanted: self.gas_wanted,
            gas_used: 0,
            fee: 0,
            events: Vec::new(),
            hash,
            tx: self.tx,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_keeps_a_small_result_whole_and_a_large_one_as_hash_length_and_prefix() {
        let small = TxRecord::new(Code::Ok, &[7; 20], "", 5, 1);
        assert_eq!(small.data, [7; 20]);
        assert!(small.data_is_whole() && small.log_is_whole());
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        // Two-byte characters after one byte: byte 1024 falls inside a character.
        let log = format!("x{}", "é".repeat(2000));
        let large = TxRecord::new(Code::CallFailed, &data, &log, 9, 2);
        assert_eq!(large.data_len, 1000);
        assert_eq!(large.data, data[..RECORD_DATA_BYTES]);
        assert_eq!(large.data_hash, <[u8; 32]>::from(Sha256::digest(&data)));
        assert_eq!(large.log_len, log.len() as u64);
        assert_eq!(large.log.len(), RECORD_LOG_BYTES - 1);
        assert!(log.starts_with(&large.log));
        assert!(!large.data_is_whole() && !large.log_is_whole());
        let decoded = TxRecord::decode(&mut large.encode().as_slice()).unwrap();
        assert_eq!(decoded, large);
    }
}

//! What the chain keeps beside the object model: transaction results and chain-wide records.

use crate::error::Result;
use crate::ids::HashBytes;
use crate::keys::{self, key};
use crate::store::Transaction;

impl Transaction {
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
}

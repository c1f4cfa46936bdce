//! What the state holds for a deployed contract: its record, its module's digest and ABI,
//! and its module bytes.

use govm_abi::{Address, ContractAbi};
use govm_state::{ContractRecord, Transaction};

use crate::error::{Error, Result};

/// The record of the contract at `address`.
pub(super) fn record(tx: &Transaction, address: &Address) -> Result<ContractRecord> {
    match tx.contract(&address.0) {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(Error::UnknownContract {
            address: address.to_string(),
        }),
        Err(e) => Err(Error::State(e.to_string())),
    }
}

/// A contract's stored module digest (absent for code never checked) and ABI.
pub(super) fn stored_meta(
    tx: &Transaction,
    record: &ContractRecord,
) -> Result<(Option<[u8; 32]>, ContractAbi)> {
    let hash = &record.code_hash;
    let stored = tx
        .code_digest(hash)
        .and_then(|d| Ok((d, tx.code_abi(hash)?)));
    let (digest, abi) = match stored {
        Ok((d, Some(a))) => (d, a),
        Ok((_, None)) => return Err(missing_code()),
        Err(e) => return Err(Error::State(e.to_string())),
    };
    let abi = ContractAbi::from_json(&abi).map_err(|e| Error::State(format!("stored ABI: {e}")))?;
    Ok((digest, abi))
}

/// A contract's stored ABI.
pub(super) fn stored_abi(tx: &Transaction, record: &ContractRecord) -> Result<ContractAbi> {
    let json = tx
        .code_abi(&record.code_hash)
        .map_err(|e| Error::State(e.to_string()))?
        .ok_or_else(|| Error::State("contract code is missing".into()))?;
    ContractAbi::from_json(&json).map_err(|e| Error::State(format!("stored ABI: {e}")))
}

/// The contract's stored module bytes.
pub(super) fn stored_code(tx: &Transaction, record: &ContractRecord) -> Result<Vec<u8>> {
    tx.code(&record.code_hash)
        .map_err(|e| Error::State(e.to_string()))?
        .ok_or_else(missing_code)
}

fn missing_code() -> Error {
    Error::State("contract code is missing".into())
}

//! Chain parameters: the same on every node, set at genesis.

use serde::{Deserialize, Serialize};

/// Gas every transaction pays before its body runs.
pub const TX_BASE_GAS: u64 = 10_000;
/// Gas per byte of a transaction's encoding.
pub const TX_GAS_PER_BYTE: u64 = 10;

/// What bounds transactions and blocks (docs/chain.md, "Parameters").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChainParams {
    /// The lowest gas price a transaction may offer.
    pub min_gas_price: u64,
    /// The most fuel one transaction may ask for.
    pub max_tx_fuel: u64,
    /// The most fuel the transactions of one block may ask for together.
    pub max_block_fuel: u64,
    /// The largest transaction, in bytes.
    pub max_tx_bytes: u64,
    /// The shortest wall-clock deadline a deployed contract may ask for, in milliseconds.
    /// The deadline is a node's safety net, never a result (a call that meets it halts the
    /// block on that node), so it must be generous next to what `max_tx_fuel` of work takes.
    pub min_timeout_ms: u64,
}

impl Default for ChainParams {
    fn default() -> Self {
        Self {
            min_gas_price: 1,
            max_tx_fuel: 2_000_000_000,
            max_block_fuel: 10_000_000_000,
            max_tx_bytes: 8 << 20,
            min_timeout_ms: 5_000,
        }
    }
}

/// The gas a transaction of `len` bytes pays before its body runs.
pub fn intrinsic_gas(len: usize) -> u64 {
    TX_BASE_GAS.saturating_add((len as u64).saturating_mul(TX_GAS_PER_BYTE))
}

/// Gas of a transfer's body, on top of the intrinsic gas (the `transfer` host function's
/// cost).
pub const TRANSFER_GAS: u64 = 10_000;

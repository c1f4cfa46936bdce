//! Chain parameters: the same on every node, set at genesis.

use serde::{Deserialize, Serialize};

/// The version of the chain's fee rules (docs/chain.md, "Fee rules"): the intrinsic gas,
/// what a transaction that ran pays, and which failures are charged. Changing any of them is
/// a consensus change: every node of a chain must apply the same version, so bump it.
/// Version 2: a transaction that ran pays `fuel_limit × gas_price` (version 1 charged
/// `gas_used × gas_price`), and a deploy a block finds wrong after admitting it runs and
/// pays (`Code::DeployFailed`; version 1 refused it for free), and the bytes a result puts
/// into its block are paid per byte ([`RESULT_BYTE_GAS`]) and bounded per block
/// ([`MAX_BLOCK_RESULT_BYTES`], `Code::ResourceLimit` past it).
pub const FEE_RULES: u32 = 2;

/// The version of what every node of a chain must compute alike beyond its genesis: the
/// transaction format, the fee rules ([`FEE_RULES`]), the gas schedule and the state layout of
/// this build. It is stored with the state at genesis; a node refuses a state made under
/// another version (it would compute other results for the same blocks), and reports it to
/// CometBFT as the application version. Version 2: fee rules 2, code kept under the hash of
/// the source and the module, package initialisation held to less fuel than it is given, the
/// node halting on its own failures under a call, results paid per byte and bounded per block
/// ([`RESULT_BYTE_GAS`], [`MAX_BLOCK_RESULT_BYTES`]) with a stored record that keeps their
/// hash, length and first bytes instead of the whole (`TxRecord`), decoded values and kept
/// events bounded, the module check's structural limits, paged event and object indexes, and
/// the gas schedule of this build (schedule 5: operators priced by what they cost) (version 1
/// was every build before them). Version 3: gas schedule 6 (compiling a deployed module is
/// priced by its shape, `govm::compile_gas`, charged before it compiles), and contracts held
/// to the chain's `max_call_fuel` and `max_contract_memory`, with the chain's own defaults
/// for a deploy without options.
pub const PROTOCOL_VERSION: u64 = 3;

/// Gas every transaction pays before its body runs.
pub const TX_BASE_GAS: u64 = 10_000;
/// Gas per byte of a transaction's encoding.
pub const TX_GAS_PER_BYTE: u64 = 10;

/// Gas per byte a transaction's result puts into its block (its data, its log and its
/// events' stored records: [`result_bytes`]), beyond the first [`RESULT_FREE_BYTES`]. The
/// price of a stored field byte (docs/gas.md: `field_set`'s 20 per byte): every node keeps a
/// result's bytes for good, as it keeps a field's (CometBFT stores the block's results and
/// indexes each transaction's), and sends them in `FinalizeBlock`'s response.
pub const RESULT_BYTE_GAS: u64 = 20;

/// The bytes of a result the intrinsic gas pays for ([`TX_BASE_GAS`] is 500 of them at
/// [`RESULT_BYTE_GAS`]): a deploy's 20-byte address, a short error, a few events cost nothing
/// more, so a client that sets an exact fuel limit for a deploy or a transfer stays right.
/// They still count against the block's [`MAX_BLOCK_RESULT_BYTES`].
pub const RESULT_FREE_BYTES: u64 = 256;

/// The most result bytes (as [`result_bytes`] measures them) the transactions of one block may
/// put into it together: a transaction whose result would pass what its block has left ends
/// `Code::ResourceLimit` with its body rolled back. It bounds what `FinalizeBlock` answers
/// and what CometBFT stores of a block's results (docs/node.md, "Budgets"). A protocol
/// constant rather than a genesis parameter: what a node and CometBFT can carry per block
/// does not depend on the chain, and the genesis format stays as it is.
pub const MAX_BLOCK_RESULT_BYTES: u64 = 16 << 20;

/// The most decoded size (docs/abi.md §1: about the bytes decoded values take in memory) of
/// the events one block's results hold until the node has reported them: a transaction whose
/// events would pass what the block has left ends `ResourceLimit`, body rolled back. Each
/// call's own are bounded by `govm::MAX_CALL_EVENTS_SIZE` (16 MiB) as it runs.
pub const MAX_BLOCK_EVENTS_SIZE: u64 = 128 << 20;

/// The decoded size of a result's events ([`MAX_BLOCK_EVENTS_SIZE`]).
pub(crate) fn events_size(events: &[govm::EventRecord]) -> u64 {
    events
        .iter()
        .flat_map(|e| {
            std::iter::once(e.name.len() as u64).chain(
                e.fields
                    .iter()
                    .map(|(k, v)| 24 + k.len() as u64 + v.decoded_size()),
            )
        })
        .fold(0u64, u64::saturating_add)
}

// A block has room for many of the largest results a call may return.
const _: () = assert!(MAX_BLOCK_RESULT_BYTES >= 8 * govm::MAX_RESULT_SIZE as u64);

/// The bytes a result puts into its block: its data, its log, and for each of its events the
/// record the state stores (`contract(20) ‖ name length(u32) ‖ name ‖ encoded fields`,
/// docs/abi.md §11: the encoded fields hold each key and tagged value, §4).
pub fn result_bytes(data: &[u8], log: &str, events: &[govm_state::Event]) -> u64 {
    let events: u64 = events
        .iter()
        .map(|e| 24 + e.name.len() as u64 + e.data.len() as u64)
        .sum();
    (data.len() as u64)
        .saturating_add(log.len() as u64)
        .saturating_add(events)
}

/// The gas of a result of `bytes` bytes ([`result_bytes`]): [`RESULT_BYTE_GAS`] per byte
/// beyond the first [`RESULT_FREE_BYTES`].
pub fn result_gas(bytes: u64) -> u64 {
    bytes
        .saturating_sub(RESULT_FREE_BYTES)
        .saturating_mul(RESULT_BYTE_GAS)
}

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
    /// block on that node), so it must be generous next to what `max_call_fuel` of work takes.
    pub min_timeout_ms: u64,
    /// The most fuel the wasm of one transaction may run: a deployed contract's `FuelLimit`
    /// (which bounds each call of it, nested calls included, and its package
    /// initialisation) may not pass it, and a deploy without options gets it. What bounds
    /// the wall-clock time of a transaction's wasm (docs/gas.md, "Deadlines are not gas");
    /// `max_tx_fuel` also pays for bytes (a deploy's, a result's), and a transaction's own
    /// fuel limit bounds its wasm too.
    pub max_call_fuel: u64,
    /// The largest linear memory a deployed contract may have, in bytes (its
    /// `MemoryLimit`); a deploy without options gets the smaller of this and govm's default.
    /// Memory a contract touches for the first time, and loads that miss the caches, cost
    /// time no operator price follows: this bounds them.
    pub max_contract_memory: u64,
}

impl Default for ChainParams {
    fn default() -> Self {
        Self {
            min_gas_price: 1,
            max_tx_fuel: 2_000_000_000,
            max_block_fuel: 10_000_000_000,
            max_tx_bytes: 8 << 20,
            min_timeout_ms: 5_000,
            max_call_fuel: 10_000_000,
            max_contract_memory: 64 << 20,
        }
    }
}

/// The least `max_call_fuel` a chain may set: Go's runtime needs about 2.6 million to
/// initialise a contract's package (the token's: 2,597,910), with room for a larger one.
pub const MIN_CALL_FUEL: u64 = 5_000_000;

/// The smallest and largest `max_tx_bytes` a chain may set: room for a transfer, and far
/// inside what CometBFT carries in a block (its hard cap is 100 MiB).
pub const MAX_TX_BYTES_RANGE: (u64, u64) = (1 << 10, 64 << 20);

impl ChainParams {
    /// Checks that the parameters make a chain that can run: each refusal names the parameter
    /// and why.
    pub fn check(&self) -> Result<(), String> {
        let smallest_tx = TX_BASE_GAS + TRANSFER_GAS;
        if self.min_gas_price == 0 {
            return Err(
                "min_gas_price is 0: transactions would cost nothing, and anyone could fill \
                 every block for free"
                    .into(),
            );
        }
        if self.max_tx_fuel < smallest_tx {
            return Err(format!(
                "max_tx_fuel {} is below {smallest_tx}, the gas of the smallest transfer",
                self.max_tx_fuel
            ));
        }
        if self.max_block_fuel < self.max_tx_fuel {
            return Err(format!(
                "max_block_fuel {} is below max_tx_fuel {}: a transaction the mempool admits \
                 would fit in no block",
                self.max_block_fuel, self.max_tx_fuel
            ));
        }
        if self.max_tx_fuel.checked_mul(self.min_gas_price).is_none() {
            return Err(format!(
                "max_tx_fuel {} at min_gas_price {} overflows a 64-bit fee",
                self.max_tx_fuel, self.min_gas_price
            ));
        }
        let (lo, hi) = MAX_TX_BYTES_RANGE;
        if !(lo..=hi).contains(&self.max_tx_bytes) {
            return Err(format!(
                "max_tx_bytes {} is outside {lo}..={hi}",
                self.max_tx_bytes
            ));
        }
        if !(1..=govm::MAX_TIMEOUT_MS).contains(&self.min_timeout_ms) {
            return Err(format!(
                "min_timeout_ms {} is outside 1..={}: no contract could be deployed",
                self.min_timeout_ms,
                govm::MAX_TIMEOUT_MS
            ));
        }
        if self.max_call_fuel < MIN_CALL_FUEL {
            return Err(format!(
                "max_call_fuel {} is below {MIN_CALL_FUEL}: Go's runtime could not initialise \
                 a contract",
                self.max_call_fuel
            ));
        }
        if !(govm::MIN_MEMORY_LIMIT..=govm::MAX_MEMORY_LIMIT).contains(&self.max_contract_memory) {
            return Err(format!(
                "max_contract_memory {} is outside {}..={} bytes",
                self.max_contract_memory,
                govm::MIN_MEMORY_LIMIT,
                govm::MAX_MEMORY_LIMIT
            ));
        }
        Ok(())
    }

    /// The options of a contract deployed without any: govm's defaults (never a node's own
    /// configuration, which may differ from node to node) within the chain's bounds.
    pub fn contract_defaults(&self) -> govm::ContractOptions {
        let base = govm::ContractOptions::default();
        govm::ContractOptions {
            fuel_limit: self.max_call_fuel,
            memory_limit: base.memory_limit.min(self.max_contract_memory),
            timeout_ms: base.timeout_ms.max(self.min_timeout_ms),
            ..base
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_make_a_chain_and_each_bad_parameter_is_named() {
        assert_eq!(ChainParams::default().check(), Ok(()));
        let bad = |change: fn(&mut ChainParams), names: &str| {
            let mut p = ChainParams::default();
            change(&mut p);
            let err = p.check().expect_err(names);
            assert!(err.starts_with(names), "{err}");
        };
        bad(|p| p.min_gas_price = 0, "min_gas_price");
        bad(|p| p.max_tx_fuel = 100, "max_tx_fuel");
        bad(|p| p.max_block_fuel = p.max_tx_fuel - 1, "max_block_fuel");
        bad(|p| p.min_gas_price = u64::MAX / 2, "max_tx_fuel");
        bad(|p| p.max_tx_bytes = 10, "max_tx_bytes");
        bad(|p| p.max_tx_bytes = 1 << 40, "max_tx_bytes");
        bad(|p| p.min_timeout_ms = 0, "min_timeout_ms");
        bad(|p| p.max_call_fuel = MIN_CALL_FUEL - 1, "max_call_fuel");
        bad(|p| p.max_contract_memory = 1 << 40, "max_contract_memory");
        bad(|p| p.max_contract_memory = 0, "max_contract_memory");
        bad(
            |p| p.min_timeout_ms = 10 * govm::MAX_TIMEOUT_MS,
            "min_timeout_ms",
        );
    }

    #[test]
    fn an_events_size_counts_names_keys_and_decoded_values() {
        let event = govm::EventRecord {
            contract: govm::Address::ZERO,
            name: "Moved".into(),
            fields: vec![
                ("to".into(), govm::Value::Bytes(vec![0; 100])),
                (
                    "flags".into(),
                    govm::Value::List(vec![govm::Value::Bool(true); 10]),
                ),
            ],
        };
        // "Moved"; 24 + "to" + 40 + 100; 24 + "flags" + 40 + 10 × 40.
        assert_eq!(events_size(std::slice::from_ref(&event)), 5 + 166 + 469);
        assert_eq!(events_size(&[event.clone(), event]), 2 * 640);
    }
}

//! What delivering a transaction gives ([`TxResult`]), what the state keeps of it
//! ([`TxRecord`]), and what it was ([`TxSummary`]).

use govm::{Address, EventRecord, Hash};
use parity_scale_codec::{Decode, Encode};

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
    /// The call's SCALE-encoded results, or a deploy's contract address.
    pub data: Vec<u8>,
    /// The error message, empty on success.
    pub log: String,
    /// Its fuel limit: the room it took in the block's fuel.
    pub gas_wanted: u64,
    /// The gas its body measured (intrinsic gas included, at most `gas_wanted`): 0 when
    /// refused. Reported, not what it paid: see `fee`.
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

/// What is stored of a delivered transaction, by hash.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct TxRecord {
    /// Its code.
    pub code: u32,
    /// Its data.
    pub data: Vec<u8>,
    /// Its log.
    pub log: String,
    /// The gas its body measured (not its fee, which was its fuel limit × its gas price).
    pub gas_used: u64,
    /// The block it was in.
    pub height: u64,
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

//! What a block proposal may hold: each transaction checked without state, with the same
//! stateless checks a block makes ([`Chain::stateless`]), so that a proposer and the
//! validators that vote on its proposal apply the chain's own rules (docs/node.md).

use govm::Address;

use crate::chain::Chain;
use crate::code::Code;

/// A transaction of a proposal that passed the checks needing no state: what a proposal's
/// limits and its senders' order need to know of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProposalTx {
    /// Its sender, whose signature verified.
    pub sender: Address,
    /// Its nonce.
    pub nonce: u64,
    /// Its fuel limit: the room it takes in the block's `max_block_fuel`.
    pub fuel_limit: u64,
}

/// Why a transaction can be in no block: it failed a check that needs no state, so every
/// node refuses it wherever it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProposalRefusal {
    /// The refusal's code (below 20).
    pub code: Code,
    /// Why, for people.
    pub log: String,
    /// Its sender, when its signature verified (a wrong chain id, gas price or fuel limit):
    /// the sender's later transactions cannot follow it into the block.
    pub sender: Option<Address>,
}

impl Chain {
    /// Checks each transaction of a block proposal without state, in order: its size
    /// (`max_tx_bytes`), its encoding, its signature, its chain id, its gas price (at least
    /// `min_gas_price`) and its fuel limit (at most `max_tx_fuel`, at least its intrinsic
    /// gas): the checks 1-6 a block makes first (docs/chain.md §2). Each transaction is
    /// decoded once. Large proposals are checked on several threads; every check is a pure
    /// function of the bytes, so the answers do not depend on where they ran.
    pub fn check_proposal<B: AsRef<[u8]> + Sync>(
        &self,
        txs: &[B],
    ) -> Vec<Result<ProposalTx, ProposalRefusal>> {
        /// Transactions below which one thread checks them all.
        const CHUNK: usize = 64;
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .min(txs.len().div_ceil(CHUNK));
        let check = |chunk: &[B]| -> Vec<_> {
            chunk
                .iter()
                .map(|b| self.check_proposal_tx(b.as_ref()))
                .collect()
        };
        if threads <= 1 {
            return check(txs);
        }
        let mut chunks = txs.chunks(txs.len().div_ceil(threads));
        let first = chunks.next().unwrap_or_default();
        std::thread::scope(|scope| {
            let others: Vec<_> = chunks
                .map(|chunk| {
                    let handle = std::thread::Builder::new()
                        .name("govm-check".into())
                        .spawn_scoped(scope, move || check(chunk));
                    // A thread the system cannot give: this thread checks that chunk.
                    (chunk, handle.ok())
                })
                .collect();
            let mut out = check(first);
            for (chunk, handle) in others {
                match handle.map(std::thread::ScopedJoinHandle::join) {
                    Some(Ok(checked)) => out.extend(checked),
                    // A checker panicked (a bug: the checks are pure): its panic, here.
                    Some(Err(panic)) => std::panic::resume_unwind(panic),
                    None => out.extend(check(chunk)),
                }
            }
            out
        })
    }

    fn check_proposal_tx(&self, bytes: &[u8]) -> Result<ProposalTx, ProposalRefusal> {
        let refused = |r: crate::results::Refusal, sender| ProposalRefusal {
            code: r.code,
            log: r.log,
            sender,
        };
        let received = self.verified(bytes).map_err(|r| refused(r, None))?;
        let sender = received.sender;
        self.bounds(&received, bytes.len())
            .map_err(|r| refused(r, Some(sender)))?;
        Ok(ProposalTx {
            sender,
            nonce: received.tx.unsigned.nonce,
            fuel_limit: received.tx.unsigned.fuel_limit,
        })
    }
}

//! Test-only: a proposer that puts invalid transactions into its proposals, for the attack
//! suite (docs/node.md, "Testing: the attack suite"). Never on by default: `govm node start`
//! turns it on only when its environment sets [`INVALID_PROPOSALS_ENV`] to `1`
//! ([`crate::localnet::Localnet::propose_invalid`] does, for one validator). The other
//! validators' `ProcessProposal` must reject every proposal it makes, and the chain must go
//! on with the next round's proposer.

use govm::Address;
use govm_chain::{UnsignedTx, signing_key, transfer_body};
use tendermint_proto::v0_38::abci::RequestPrepareProposal;

/// The environment variable that turns the switch on (value `1`).
pub const INVALID_PROPOSALS_ENV: &str = "GOVM_TEST_INVALID_PROPOSALS";

/// Whether this process's environment turns the switch on; when it does, says so on stderr
/// at start, so that an operator who set it by mistake sees it.
pub(crate) fn enabled() -> bool {
    let on = std::env::var_os(INVALID_PROPOSALS_ENV).is_some_and(|v| v == "1");
    if on {
        eprintln!(
            "govm node: WARNING: {INVALID_PROPOSALS_ENV}=1 is a test switch: this validator \
             puts invalid transactions into every proposal it makes, which the others refuse \
             (its turns as proposer are wasted). Unset it outside tests."
        );
    }
    on
}

/// Appends to `kept` (the honest proposal) garbage bytes and a transfer whose signature does
/// not verify, when they fit in the proposal's bytes (CometBFT refuses an application that
/// answers more than it allows).
pub(crate) fn append<B: AsRef<[u8]> + From<Vec<u8>>>(
    kept: &mut Vec<B>,
    request: &RequestPrepareProposal,
    chain_id: &str,
) {
    let height = request.height;
    let garbage = format!("\u{1}govm test switch: garbage proposed at height {height}");
    let key = signing_key(&[0xba; 32]);
    let mut forged = UnsignedTx {
        chain_id: chain_id.into(),
        nonce: 0,
        fuel_limit: 100_000,
        gas_price: 1,
        body: transfer_body(Address([0xba; 20]), u64::try_from(height).unwrap_or(0)),
    }
    .sign(&key);
    forged.signature[0] ^= 1;
    let invalid = [garbage.into_bytes(), forged.encode()];
    let used: usize = kept.iter().map(|tx| tx.as_ref().len()).sum();
    let added: usize = invalid.iter().map(Vec::len).sum();
    let max = usize::try_from(request.max_tx_bytes).unwrap_or(0);
    if used + added <= max {
        kept.extend(invalid.into_iter().map(B::from));
        eprintln!("govm node: proposing 2 invalid transactions at height {height} (test switch)");
    }
}

//! govm as a CometBFT application: the chain of `govm-chain` replicated by CometBFT's BFT
//! consensus, over ABCI 2.0 (docs/node.md).
//!
//! - [`App`]: the ABCI application (`Info`, `InitChain`, `CheckTx`, `PrepareProposal`,
//!   `ProcessProposal`, `FinalizeBlock`, `Commit`, `Query`), served by [`serve`].
//! - [`NodeHome`]: a validator's files beside its CometBFT home, and the govm genesis made
//!   from CometBFT's ([`genesis_from_cometbft`]).
//! - [`rpc::Client`]: CometBFT's JSON-RPC, for the `govm` command and the tests.
//! - [`localnet::Localnet`]: a network of validators on 127.0.0.1, each a CometBFT process and
//!   a `govm node start` process.
#![deny(missing_docs)]

mod app;
mod home;
mod invalid;
pub mod load;
pub mod localnet;
mod query;
pub mod rpc;

pub use app::{App, AppOptions, CONTRACT_EVENT, HALT_EXIT_CODE, HaltHandler, TX_EVENT};
pub use home::{
    CometSettings, HomeError, NodeConfig, NodeHome, configure_cometbft, configure_cometbft_for_app,
    genesis_from_cometbft, init_cometbft,
};
pub use invalid::INVALID_PROPOSALS_ENV;
pub use query::QueryCode;

/// The CometBFT release govm's node is built and tested against (ABCI 2.0).
pub const COMETBFT_VERSION: &str = "0.38.19";

/// Serves `app` to CometBFT on `address` (`host:port`) until the process ends: one thread per
/// ABCI connection. Returns only when the address cannot be bound or the listener fails.
pub fn serve(app: App, address: &str) -> std::io::Result<()> {
    let server = tendermint_abci::ServerBuilder::new(1 << 20)
        .bind(address, app)
        .map_err(|e| std::io::Error::other(format!("cannot listen on {address}: {e}")))?;
    server
        .listen()
        .map_err(|e| std::io::Error::other(format!("the ABCI listener failed: {e}")))
}

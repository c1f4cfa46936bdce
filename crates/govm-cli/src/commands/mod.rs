//! One module per command; each has its arguments (clap) and `run`.

use std::path::PathBuf;
use std::time::Duration;

use govm::Engine;

use govm_chain::SigningKey;

use crate::exit::Failure;
use crate::network::Network;
use crate::output::Output;

pub(crate) mod account;
pub(crate) mod balance;
pub(crate) mod build;
pub(crate) mod call;
pub(crate) mod deploy;
pub(crate) mod events;
pub(crate) mod inspect;
pub(crate) mod keys;
pub(crate) mod mint;
pub(crate) mod new;
pub(crate) mod node;
pub(crate) mod state;
pub(crate) mod test;
pub(crate) mod transfer;
pub(crate) mod tx;
pub(crate) mod verify;

/// What every command gets: the global options.
#[derive(Clone, Debug)]
pub(crate) struct Env {
    pub(crate) home: PathBuf,
    pub(crate) out: Output,
    pub(crate) lock_timeout: Duration,
    /// `--node`: a network's JSON-RPC address.
    pub(crate) node: Option<String>,
    /// `--from`: the signing key's name.
    pub(crate) from: Option<String>,
    /// `--wait-ms`: how long to wait for inclusion.
    pub(crate) wait: Duration,
    /// `--gas-price`.
    pub(crate) gas_price: Option<u64>,
    /// `--max-block-age` (`None`: 0, no limit).
    pub(crate) max_block_age: Option<Duration>,
}

impl Env {
    /// An engine over the home's state.
    pub(crate) fn engine(&self) -> Result<Engine, Failure> {
        crate::home::engine(&self.home, true, self.lock_timeout)
    }

    /// The network of `--node`, if given; the home records each key's last transaction.
    pub(crate) fn network(&self) -> Result<Option<Network>, Failure> {
        self.node
            .as_deref()
            .map(|url| {
                Network::new(url, self.wait)
                    .map(|n| n.recording_in(&self.home).max_block_age(self.max_block_age))
            })
            .transpose()
    }

    /// The key of `--from`, which transactions to a network need.
    pub(crate) fn signer(&self) -> Result<SigningKey, Failure> {
        let name = self.from.as_deref().ok_or_else(|| {
            Failure::input(
                "a transaction to a network is signed: add --from NAME (govm keys add NAME)",
            )
        })?;
        keys::load(&self.home, name)
    }

    /// An engine that only builds and checks (state in memory; the home's caches).
    pub(crate) fn builder(&self) -> Result<Engine, Failure> {
        crate::home::engine(&self.home, false, self.lock_timeout)
    }
}

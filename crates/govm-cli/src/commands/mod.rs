//! One module per command; each has its arguments (clap) and `run`.

use std::path::PathBuf;
use std::time::Duration;

use govm::Engine;

use crate::exit::Failure;
use crate::output::Output;

pub(crate) mod balance;
pub(crate) mod build;
pub(crate) mod call;
pub(crate) mod deploy;
pub(crate) mod events;
pub(crate) mod inspect;
pub(crate) mod mint;
pub(crate) mod new;
pub(crate) mod state;
pub(crate) mod test;
pub(crate) mod verify;

/// What every command gets: the global options.
#[derive(Clone, Debug)]
pub(crate) struct Env {
    pub(crate) home: PathBuf,
    pub(crate) out: Output,
    pub(crate) lock_timeout: Duration,
}

impl Env {
    /// An engine over the home's state.
    pub(crate) fn engine(&self) -> Result<Engine, Failure> {
        crate::home::engine(&self.home, true, self.lock_timeout)
    }

    /// An engine that only builds and checks (state in memory; the home's caches).
    pub(crate) fn builder(&self) -> Result<Engine, Failure> {
        crate::home::engine(&self.home, false, self.lock_timeout)
    }
}

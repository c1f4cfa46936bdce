use thiserror::Error;

/// Everything that can go wrong in the facade.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The deployed bytes are not acceptable source (size, UTF-8, gzip).
    #[error(transparent)]
    Source(#[from] govm_validate::SourceError),
    /// The contract failed validation; the diagnostics say where and why.
    #[error(transparent)]
    Rejected(#[from] govm_validate::Rejected),
    /// The contract did not compile, or no toolchain is installed (feature `build`).
    #[cfg(feature = "build")]
    #[error(transparent)]
    Compile(govm_compiler::Error),
    /// The call failed; no state changed. Gas was still used.
    #[error("{error}")]
    Call {
        /// Why it failed.
        error: govm_runtime::Error,
        /// Gas the failed call used.
        gas_used: u64,
        /// What the contract printed.
        debug_output: String,
    },
    /// The runtime could not be set up or refused the module.
    #[error(transparent)]
    Runtime(govm_runtime::Error),
    /// Arguments or results did not match the ABI.
    #[error(transparent)]
    Abi(#[from] govm_abi::Error),
    /// The state store failed.
    #[error(transparent)]
    State(#[from] govm_state::Error),
    /// A call inside a block ran past the wall-clock deadline, the node's safety net: how far
    /// other nodes got is unknown, so this node cannot commit the block (it must halt or
    /// retry); the call is not a result.
    #[error(
        "a call in the block ran past the wall-clock deadline of {timeout_ms} ms: the block cannot be committed on this node"
    )]
    DeadlineInBlock {
        /// The deadline that fired.
        timeout_ms: u64,
    },
}

#[cfg(feature = "build")]
impl From<govm_compiler::Error> for Error {
    fn from(e: govm_compiler::Error) -> Self {
        match e {
            govm_compiler::Error::Source(why) => Error::Source(govm_validate::SourceError(why)),
            other => Error::Compile(other),
        }
    }
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

use thiserror::Error;

/// What stops a chain operation (a refused transaction is not an error: it is a
/// [`crate::TxResult`] with its code).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// This node cannot go on with the block: a call ran past the wall-clock deadline, the
    /// node's safety net. The block must not be committed here; the node halts or retries.
    #[error("the block cannot be committed on this node: {0}")]
    Halt(String),
    /// The genesis is unusable, or the state holds another chain.
    #[error("genesis: {0}")]
    Genesis(String),
    /// A block out of order.
    #[error("block {got} cannot follow: the next height is {expected}")]
    Height {
        /// The next height.
        expected: u64,
        /// The height asked for.
        got: u64,
    },
    /// The store or the engine failed.
    #[error(transparent)]
    Engine(govm::Error),
    /// Stored chain data that does not decode.
    #[error("store: {0}")]
    Store(String),
}

impl From<govm::Error> for Error {
    /// A deadline inside a block is this node's halt; anything else is the engine's error.
    fn from(e: govm::Error) -> Self {
        match e {
            e @ govm::Error::DeadlineInBlock { .. } => Error::Halt(e.to_string()),
            other => Error::Engine(other),
        }
    }
}

impl From<govm::StateError> for Error {
    fn from(e: govm::StateError) -> Self {
        Error::Engine(govm::Error::State(e))
    }
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

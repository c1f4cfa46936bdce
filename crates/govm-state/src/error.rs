use thiserror::Error;

/// Errors of the object store.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// No such object, contract or code.
    #[error("{what} not found")]
    NotFound {
        /// What was looked up.
        what: String,
    },
    /// A contract tried to change an object another contract created.
    #[error("object {object} belongs to contract {owner_contract}, not {caller}")]
    PermissionDenied {
        /// The object, as hex.
        object: String,
        /// The contract that created it, as hex.
        owner_contract: String,
        /// The contract that tried to change it, as hex.
        caller: String,
    },
    /// A configured limit was exceeded.
    #[error("{what} exceeds the limit of {limit}")]
    LimitExceeded {
        /// Which limit.
        what: &'static str,
        /// Its value.
        limit: usize,
    },
    /// A transfer of more native balance than the payer has.
    #[error("insufficient balance: {balance} < {amount}")]
    InsufficientBalance {
        /// What the payer has.
        balance: u64,
        /// What it tried to pay.
        amount: u64,
    },
    /// Malformed input, such as an empty field name.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The database file is held by another process (one writer per file).
    #[error("{path} is open in another process")]
    InUse {
        /// The database file.
        path: String,
    },
    /// The storage underneath failed (I/O, a corrupt file).
    #[error("storage: {0}")]
    Storage(String),
    /// Stored bytes did not have the expected layout.
    #[error("corrupt state: {0}")]
    Corrupt(String),
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

use thiserror::Error;

/// Why a call, or loading a module, failed. Every variant but [`Error::Internal`] is the
/// contract's or the caller's doing; state is unchanged in every case.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The call used all its fuel.
    #[error("out of fuel")]
    OutOfFuel,
    /// The call ran past its wall-clock deadline.
    #[error("deadline exceeded: the call ran longer than {timeout_ms} ms")]
    DeadlineExceeded {
        /// The deadline.
        timeout_ms: u64,
    },
    /// The contract tried to grow its memory past the limit.
    #[error("memory limit of {limit} bytes exceeded")]
    MemoryLimit {
        /// The limit.
        limit: usize,
    },
    /// The wasm call stack overflowed.
    #[error("stack overflow")]
    StackOverflow,
    /// The contract panicked (or the Go runtime aborted it).
    #[error("contract panicked: {message}")]
    Panic {
        /// The panic message, or what the Go runtime printed.
        message: String,
    },
    /// The result was larger than [`crate::MAX_RESULT_SIZE`].
    #[error("result of {size} bytes exceeds the limit of {limit} bytes")]
    ResultTooLarge {
        /// The result's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The entry point returned a non-nil error.
    #[error("{message}")]
    ContractError {
        /// The error's message.
        message: String,
    },
    /// The arguments did not decode in the contract.
    #[error("bad arguments: {message}")]
    BadArguments {
        /// Why.
        message: String,
    },
    /// No entry point of that name.
    #[error("unknown function `{name}`")]
    UnknownFunction {
        /// The name asked for.
        name: String,
    },
    /// The sender cannot pay the value the call carries; nothing ran.
    #[error("the sender's balance of {balance} cannot pay the {value} the call carries")]
    InsufficientValue {
        /// The sender's balance.
        balance: u64,
        /// The value attached to the call.
        value: u64,
    },
    /// No contract at that address.
    #[error("unknown contract {address}")]
    UnknownContract {
        /// The address, as hex.
        address: String,
    },
    /// The module is not one govm can run.
    #[error("invalid module: {0}")]
    InvalidModule(String),
    /// Another trap: bad pointers passed to the host, `unreachable`, and the like.
    #[error("contract trapped: {0}")]
    Trap(String),
    /// The store failed underneath the call.
    #[error("state error: {0}")]
    State(String),
    /// The deploy options are ones govm cannot honour; the message names the option.
    #[error("invalid options: {0}")]
    InvalidOptions(String),
    /// A deploy's gas ran out before its module was compiled: compiling is priced by the
    /// module's shape ([`crate::gas::compile_gas`]) and charged before any of it is done.
    #[error("compiling the module costs {gas} gas (docs/gas.md), the deploy has {left} left")]
    CompileOutOfFuel {
        /// What compiling the module costs.
        gas: u64,
        /// What the deploy had left for it.
        left: u64,
    },
    /// Go's package initialization (`_initialize`) failed at deploy.
    #[error("package initialization failed: {0}")]
    Initialization(Box<Error>),
    /// A bug or an environment failure in govm itself.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Whether the error is a resource limit (fuel, time, memory, stack).
    pub fn is_resource_limit(&self) -> bool {
        if let Error::Initialization(inner) = self {
            return inner.is_resource_limit();
        }
        matches!(
            self,
            Error::OutOfFuel
                | Error::CompileOutOfFuel { .. }
                | Error::DeadlineExceeded { .. }
                | Error::MemoryLimit { .. }
                | Error::StackOverflow
        )
    }
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

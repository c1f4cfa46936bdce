//! The one classification of failures: every layer maps a [`Class`] to its own codes (the
//! chain's result codes, the node's query codes, the command's exit codes) with one table
//! each, instead of matching on error variants again.

use govm_runtime::Error as CallError;

use crate::error::Error;

/// What kind of failure an error is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Class {
    /// The caller's input, refused before the contract ran: an unknown function, arguments
    /// that do not match the ABI or do not decode in the contract.
    Refused,
    /// No contract at that address.
    NotFound,
    /// The sender cannot pay the value the call carries.
    InsufficientFunds,
    /// The contract ran and failed: it returned an error, panicked or trapped.
    Reverted,
    /// The call used all its fuel.
    OutOfGas,
    /// A limit of the contract: its deadline, memory or stack.
    ResourceLimit,
    /// The results were larger than [`crate::MAX_RESULT_SIZE`].
    ResultTooLarge,
    /// Deployed bytes that are not a contract: not source (size, UTF-8, gzip), or source
    /// the validator rejects.
    InvalidSource,
    /// A module govm cannot run.
    InvalidModule,
    /// Deploy options govm cannot honour.
    InvalidOptions,
    /// A deploy ran out of gas: compiling its module (priced by the module's shape before
    /// it compiles) or package initialisation.
    InitOutOfGas,
    /// Package initialisation met a limit of the contract (memory, stack, deadline).
    InitLimit,
    /// Package initialisation failed otherwise (a panic, a trap).
    InitFailed,
    /// The contract did not build, or no toolchain is installed (building only).
    Build,
    /// govm itself failed: the store, the runtime's set-up, a deadline inside a block, a bug.
    Node,
}

impl Class {
    /// The class of a failed call.
    pub fn of_call(error: &CallError) -> Self {
        match error {
            CallError::OutOfFuel => Class::OutOfGas,
            CallError::DeadlineExceeded { .. }
            | CallError::MemoryLimit { .. }
            | CallError::StackOverflow => Class::ResourceLimit,
            CallError::ResultTooLarge { .. } => Class::ResultTooLarge,
            CallError::UnknownFunction { .. } | CallError::BadArguments { .. } => Class::Refused,
            CallError::UnknownContract { .. } => Class::NotFound,
            CallError::InsufficientValue { .. } => Class::InsufficientFunds,
            CallError::InvalidModule(_) => Class::InvalidModule,
            CallError::InvalidOptions(_) => Class::InvalidOptions,
            CallError::CompileOutOfFuel { .. } => Class::InitOutOfGas,
            CallError::Initialization(inner) => match **inner {
                CallError::OutOfFuel => Class::InitOutOfGas,
                ref e if e.is_resource_limit() => Class::InitLimit,
                _ => Class::InitFailed,
            },
            CallError::State(_) | CallError::Internal(_) => Class::Node,
            _ => Class::Reverted,
        }
    }

    /// Whether the failure is a limit (fuel, time, memory, stack), at a call or at deploy.
    pub fn is_limit(self) -> bool {
        matches!(
            self,
            Class::OutOfGas | Class::ResourceLimit | Class::InitOutOfGas | Class::InitLimit
        )
    }
}

impl Error {
    /// The class of this failure.
    pub fn class(&self) -> Class {
        match self {
            Error::Source(_) | Error::Rejected(_) => Class::InvalidSource,
            #[cfg(feature = "build")]
            Error::Compile(_) => Class::Build,
            Error::Call { error, .. } | Error::Runtime(error) => Class::of_call(error),
            Error::Abi(_) => Class::Refused,
            Error::State(_) | Error::DeadlineInBlock { .. } => Class::Node,
        }
    }
}

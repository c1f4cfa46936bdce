//! Exit codes, and the one place every error is given one.

use std::path::Path;

use govm::{CallError, Class, Error};
use govm_chain::Code;
use govm_node::QueryCode;

/// What `govm` exits with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0: success.
    Ok = 0,
    /// 1: the contract failed and its call was reverted (for `govm test`, a test failed).
    Reverted = 1,
    /// 2: usage or input error: bad arguments, a rejected or non-compiling contract, invalid
    /// deploy options, an unknown contract or function.
    Usage = 2,
    /// 3: a resource limit (fuel, time, memory, stack; at deploy too, in package
    /// initialisation).
    Limit = 3,
    /// 4: an internal or environment error (no toolchain, a home held by another govm past
    /// `--lock-timeout`, a failing disk).
    Internal = 4,
}

impl Exit {
    /// The exit code of a failure of `class`: the command's one table from the failure
    /// taxonomy ([`govm::Error::class`]).
    pub(crate) fn of_class(class: Class) -> Self {
        match class {
            c if c.is_limit() => Exit::Limit,
            Class::Refused | Class::NotFound | Class::InsufficientFunds => Exit::Usage,
            Class::Node => Exit::Internal,
            _ => Exit::Reverted,
        }
    }

    /// The exit code of a failed call.
    pub(crate) fn of_call(error: &CallError) -> Self {
        Self::of_class(Class::of_call(error))
    }

    /// The exit code of a transaction's result code on a network (an unknown number is a
    /// refusal: the input's fault).
    pub(crate) fn of_tx_code(code: u32) -> Self {
        match Code::from_value(code) {
            Some(Code::Ok) => Exit::Ok,
            Some(Code::CallFailed) => Exit::Reverted,
            Some(Code::OutOfGas | Code::ResourceLimit) => Exit::Limit,
            _ => Exit::Usage,
        }
    }

    /// The exit code of a failed query's code on a network.
    pub(crate) fn of_query_code(code: u32) -> Self {
        match QueryCode::from_value(code) {
            Some(QueryCode::CallFailed) => Exit::Reverted,
            Some(QueryCode::OutOfGas | QueryCode::ResourceLimit) => Exit::Limit,
            Some(QueryCode::Internal) => Exit::Internal,
            _ => Exit::Usage,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

/// A failure: its exit code and the message for standard error (or the JSON `error`).
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) exit: Exit,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(exit: Exit, message: impl std::fmt::Display) -> Self {
        Self {
            exit,
            message: format!("error: {message}"),
        }
    }

    /// Bad usage or input (exit 2).
    pub(crate) fn input(message: impl std::fmt::Display) -> Self {
        Self::new(Exit::Usage, message)
    }

    /// An internal or environment failure (exit 4).
    pub(crate) fn internal(message: impl std::fmt::Display) -> Self {
        Self::new(Exit::Internal, message)
    }

    /// A facade error, with the contract source (when there is one) for diagnostics that
    /// point into it.
    pub(crate) fn from_error(e: Error, file: Option<(&Path, &str)>) -> Self {
        match e {
            Error::Rejected(rejected) => Failure {
                exit: Exit::Usage,
                message: crate::output::diagnostics(&rejected, file),
            },
            Error::Source(_)
            | Error::Compile(govm::CompileError::Compile { .. })
            | Error::Abi(_) => Failure::input(e),
            // Refused before running (an unknown contract), or refused at deploy.
            Error::Call { error, .. }
            | Error::Runtime(
                error @ (CallError::InvalidOptions(_) | CallError::Initialization(_)),
            ) => {
                let exit = if Class::of_call(&error).is_limit() {
                    Exit::Limit
                } else {
                    Exit::Usage
                };
                Failure::new(exit, error)
            }
            other => Failure::internal(other),
        }
    }
}

/// Gives errors of the facade their exit code; the source is attached where it helps.
pub(crate) trait OrFail<T> {
    fn or_fail(self) -> Result<T, Failure>;
    fn or_fail_in(self, file: &Path, source: &str) -> Result<T, Failure>;
}

impl<T> OrFail<T> for Result<T, Error> {
    fn or_fail(self) -> Result<T, Failure> {
        self.map_err(|e| Failure::from_error(e, None))
    }

    fn or_fail_in(self, file: &Path, source: &str) -> Result<T, Failure> {
        self.map_err(|e| Failure::from_error(e, Some((file, source))))
    }
}

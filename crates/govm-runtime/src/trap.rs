//! Every way a call can fail, mapped to one [`Error`] in one place: the traps host functions
//! raise ([`HostTrap`]), wasmtime's own traps, and the contract's result envelope.

use thiserror::Error;
use wasmtime::Trap;

use crate::error::Error;

/// Errors raised inside host functions; they unwind the guest as a trap and are mapped to
/// [`Error`] by [`classify`].
#[derive(Debug, Error)]
pub(crate) enum HostTrap {
    #[error("out of fuel")]
    OutOfFuel,
    #[error("the contract passed an out-of-bounds pointer ({ptr:#x}, length {len})")]
    BadPointer { ptr: u32, len: u32 },
    #[error("the contract exited with code {0}")]
    Exit(i32),
    /// A nested call ran past its deadline: the whole call stops.
    #[error("deadline exceeded in a nested call")]
    Deadline,
    #[error("{0}")]
    State(String),
    /// Something the contract may not do, such as using the host during initialization.
    #[error("{0}")]
    Refused(&'static str),
}

/// A host trap as the error a host function returns.
pub(crate) fn trap(t: HostTrap) -> wasmtime::Error {
    wasmtime::Error::new(t)
}

/// A failure while running wasm, before it is classified.
pub(crate) enum RunError {
    /// A trap: wasmtime's or a host function's.
    Wasm(wasmtime::Error),
    /// Already an [`Error`]: the contract's own error, a bad envelope, a bad module.
    Contract(Error),
}

impl From<wasmtime::Error> for RunError {
    fn from(e: wasmtime::Error) -> Self {
        RunError::Wasm(e)
    }
}

impl From<Error> for RunError {
    fn from(e: Error) -> Self {
        RunError::Contract(e)
    }
}

/// What a failed call's host state tells about its failure.
pub(crate) struct Seen<'a> {
    /// The contract's wall-clock limit.
    pub(crate) timeout_ms: u64,
    /// Its memory limit, and whether the call tried to grow past it.
    pub(crate) memory_limit: usize,
    pub(crate) memory_limit_hit: bool,
    /// What the contract wrote to stderr first.
    pub(crate) stderr_head: &'a [u8],
}

/// Maps a failure of a call to one [`Error`], with what its host state saw: the one place
/// traps are interpreted.
pub(crate) fn classify(e: RunError, seen: Seen<'_>) -> Error {
    let e = match e {
        RunError::Contract(err) => return err,
        RunError::Wasm(e) => e,
    };
    let timeout_ms = seen.timeout_ms;
    let memory_hit = seen.memory_limit_hit;
    let memory_limit = || Error::MemoryLimit {
        limit: seen.memory_limit,
    };
    if let Some(trap) = e.downcast_ref::<Trap>() {
        return match trap {
            Trap::OutOfFuel => Error::OutOfFuel,
            Trap::Interrupt => Error::DeadlineExceeded { timeout_ms },
            Trap::StackOverflow => Error::StackOverflow,
            _ if memory_hit => memory_limit(),
            other => Error::Trap(other.to_string()),
        };
    }
    if let Some(host) = e.downcast_ref::<HostTrap>() {
        return match host {
            HostTrap::OutOfFuel => Error::OutOfFuel,
            HostTrap::Deadline => Error::DeadlineExceeded { timeout_ms },
            HostTrap::Exit(_) if memory_hit => memory_limit(),
            HostTrap::Exit(code) => Error::Panic {
                message: exit_message(seen.stderr_head, *code),
            },
            HostTrap::State(s) => Error::State(s.clone()),
            other @ (HostTrap::BadPointer { .. } | HostTrap::Refused(_)) => {
                Error::Trap(other.to_string())
            }
        };
    }
    Error::Trap(format!("{e}"))
}

/// What the contract itself wrote to stderr before it exited, whatever the log level: the
/// message is a result a calling contract can read.
fn exit_message(stderr_head: &[u8], code: i32) -> String {
    let output = String::from_utf8_lossy(stderr_head);
    let first = output
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    if first.is_empty() {
        format!("the contract exited with code {code}")
    } else {
        first.trim().to_owned()
    }
}

use std::path::PathBuf;

use thiserror::Error;

/// Errors of preparing and compiling a contract.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// No usable TinyGo or Go toolchain.
    #[error("no contract toolchain: {detail}; run `cargo xtask setup` to install Go 1.24")]
    NoToolchain {
        /// What was looked at and found.
        detail: String,
    },
    /// The source is not UTF-8, is too large, or is a broken gzip stream.
    #[error("invalid contract source: {0}")]
    Source(String),
    /// The Go compiler rejected the contract; messages point at the author's file.
    #[error("compilation failed:\n{output}")]
    Compile {
        /// The compiler's messages, with temporary paths replaced by the contract's file name.
        output: String,
    },
    /// The toolchain produced a module govm cannot run.
    #[error("the compiled module is not one govm can run: {0}")]
    Module(String),
    /// The toolchain ran longer than allowed and was killed.
    #[error("compilation timed out after {seconds} s and was stopped")]
    Timeout {
        /// The limit.
        seconds: u64,
    },
    /// A file system operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn io(
    action: &'static str,
    path: impl Into<PathBuf>,
) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io {
        action,
        path,
        source,
    }
}

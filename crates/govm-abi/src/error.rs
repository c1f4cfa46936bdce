use thiserror::Error;

/// Errors of the wire format and the ABI model.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A `0x`-hex text form was malformed.
    #[error("invalid {type_name}: {reason}")]
    InvalidHex {
        /// The Go name of the type being parsed.
        type_name: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// A type name in an ABI is not one govm can encode.
    #[error("unsupported type `{0}`")]
    UnsupportedType(String),
    /// SCALE bytes did not decode as the expected type.
    #[error("cannot decode {what}: {reason}")]
    Decode {
        /// What was being decoded.
        what: String,
        /// Why it failed.
        reason: String,
    },
    /// SCALE bytes would decode to values far larger than they are: their decoded size
    /// passes [`decoded_size_limit`](crate::decoded_size_limit) of their length
    /// (docs/abi.md §1).
    #[error(
        "cannot decode {what}: its {len} bytes decode to more than {limit} bytes of values \
         (the limit is 256 per byte plus 4096)"
    )]
    DecodedTooLarge {
        /// What was being decoded.
        what: String,
        /// The length of the input the limit is taken from.
        len: usize,
        /// The limit: [`decoded_size_limit`](crate::decoded_size_limit) of `len`.
        limit: u64,
    },
    /// A value does not match the type the ABI expects.
    #[error("{what}: expected {expected}, got {got}")]
    TypeMismatch {
        /// Which argument or result.
        what: String,
        /// The expected Go type.
        expected: String,
        /// What was supplied.
        got: String,
    },
    /// The wrong number of arguments or results.
    #[error("{what}: expected {expected} values, got {got}")]
    Arity {
        /// Which list.
        what: String,
        /// Expected count.
        expected: usize,
        /// Supplied count.
        got: usize,
    },
    /// The result envelope returned by a contract was malformed.
    #[error("malformed result envelope: {0}")]
    Envelope(String),
    /// The ABI JSON could not be read.
    #[error("invalid ABI JSON: {0}")]
    Json(String),
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

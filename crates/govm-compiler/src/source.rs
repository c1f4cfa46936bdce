//! Turning deployed bytes into contract source (govm-validate's, with this crate's error).

use crate::error::{Error, Result};

/// Decompresses gzip input and checks that the source is UTF-8 and at most `max_size` bytes:
/// [`govm_validate::prepare_source`], with the compiler's error type.
pub fn prepare_source(code: &[u8], max_size: usize) -> Result<String> {
    govm_validate::prepare_source(code, max_size).map_err(|e| Error::Source(e.0))
}

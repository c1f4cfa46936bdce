//! Reading what the user typed: files, addresses, paths.

use std::path::{Path, PathBuf};

use govm::Address;

use crate::exit::Failure;

/// A contract file's bytes, and its text for diagnostics.
pub(crate) fn read(file: &Path) -> Result<(Vec<u8>, String), Failure> {
    let code = std::fs::read(file)
        .map_err(|e| Failure::input(format!("cannot read {}: {e}", file.display())))?;
    let source = String::from_utf8_lossy(&code).into_owned();
    Ok((code, source))
}

/// The name compiler messages use for a contract file (without `.gz`).
pub(crate) fn file_name(file: &Path) -> String {
    file.file_name()
        .map(|n| n.to_string_lossy().trim_end_matches(".gz").to_owned())
        .unwrap_or_default()
}

/// An address argument; `what` names it in the error.
pub(crate) fn address(text: &str, what: &str) -> Result<Address, Failure> {
    Address::from_hex(text).map_err(|e| Failure::input(format!("{what}: {e}")))
}

/// `FILE.go` (or `FILE.go.gz`) with the extension `.wasm`.
pub(crate) fn wasm_path(file: &Path) -> PathBuf {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.trim_end_matches(".gz").trim_end_matches(".go");
    file.with_file_name(format!("{stem}.wasm"))
}

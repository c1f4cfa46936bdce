//! Finding a contract toolchain and fingerprinting it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};

/// Which compiler a toolchain is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToolchainKind {
    /// TinyGo >= 0.34.
    TinyGo,
    /// Go >= 1.24.
    Go,
}

/// A usable toolchain: its kind, binary and exact version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toolchain {
    /// TinyGo or Go.
    pub kind: ToolchainKind,
    /// The binary.
    pub path: PathBuf,
    /// The exact version, such as `go1.24.4` or `tinygo0.34.0`.
    pub version: String,
}

impl Toolchain {
    /// The fingerprint recorded with every artifact and mixed into every cache key.
    pub fn fingerprint(&self) -> String {
        self.version.clone()
    }
}

impl fmt::Display for Toolchain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.version, self.path.display())
    }
}

/// Where to look for a toolchain. Explicit paths win over the environment and PATH.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ToolchainConfig {
    /// A TinyGo binary to use (else `$GOVM_TINYGO`, else `tinygo` on PATH).
    pub tinygo: Option<PathBuf>,
    /// A Go binary to use (else `$GOVM_GO`, `go` on PATH, `/usr/lib/go-1.24/bin/go`).
    pub go: Option<PathBuf>,
}

/// Debian's install location of Go 1.24, which `cargo xtask setup` installs.
pub const DEBIAN_GO: &str = "/usr/lib/go-1.24/bin/go";

impl ToolchainConfig {
    /// Finds the toolchain to use: TinyGo >= 0.34 if one is configured or on PATH, else
    /// Go >= 1.24. Candidates that are missing or too old are named in the error.
    pub fn discover(&self) -> Result<Toolchain> {
        let mut seen = Vec::new();
        let tinygo = self
            .tinygo
            .clone()
            .or_else(|| std::env::var_os("GOVM_TINYGO").map(PathBuf::from))
            .or_else(|| find_on_path("tinygo"));
        if let Some(path) = tinygo {
            match probe(&path, ToolchainKind::TinyGo) {
                Ok(t) => return Ok(t),
                Err(why) => seen.push(why),
            }
        }
        self.discover_go_after(seen)
    }

    /// Finds Go >= 1.24 alone (for `go test` and `go vet`, which TinyGo does not replace).
    pub fn discover_go(&self) -> Result<Toolchain> {
        self.discover_go_after(Vec::new())
    }

    fn discover_go_after(&self, mut seen: Vec<String>) -> Result<Toolchain> {
        let mut candidates: Vec<PathBuf> = Vec::new();
        if let Some(p) = &self.go {
            candidates.push(p.clone());
        } else {
            candidates.extend(std::env::var_os("GOVM_GO").map(PathBuf::from));
            candidates.extend(find_on_path("go"));
            candidates.push(PathBuf::from(DEBIAN_GO));
        }
        for path in candidates {
            match probe(&path, ToolchainKind::Go) {
                Ok(t) => return Ok(t),
                Err(why) => seen.push(why),
            }
        }
        Err(Error::NoToolchain {
            detail: format!("need TinyGo >= 0.34 or Go >= 1.24; {}", seen.join("; ")),
        })
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn probe(path: &Path, kind: ToolchainKind) -> Result<Toolchain, String> {
    let shown = path.display();
    let output = Command::new(path)
        .arg("version")
        .env("GOTOOLCHAIN", "local")
        .output()
        .map_err(|e| format!("{shown}: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let (version, minimum) = match kind {
        // "go version go1.24.4 linux/amd64"
        ToolchainKind::Go => (
            text.split_whitespace()
                .nth(2)
                .unwrap_or_default()
                .to_owned(),
            (1, 24),
        ),
        // "tinygo version 0.34.0 linux/amd64 (using go version ...)"
        ToolchainKind::TinyGo => (
            format!(
                "tinygo{}",
                text.split_whitespace().nth(2).unwrap_or_default()
            ),
            (0, 34),
        ),
    };
    let number = version
        .trim_start_matches("tinygo")
        .trim_start_matches("go");
    let mut parts = number.split('.').map(|p| {
        p.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse::<u32>()
            .ok()
    });
    let found = (parts.next().flatten(), parts.next().flatten());
    match found {
        (Some(major), Some(minor)) if (major, minor) >= minimum => Ok(Toolchain {
            kind,
            path: path.to_path_buf(),
            version,
        }),
        (Some(_), Some(_)) => Err(format!("{shown} is {version}, too old")),
        _ => Err(format!(
            "{shown}: cannot read its version from {:?}",
            text.trim()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_explicit_go_is_reported_with_setup_hint() {
        let config = ToolchainConfig {
            tinygo: Some("/nonexistent/tinygo".into()),
            go: Some("/nonexistent/go".into()),
        };
        let err = config.discover().unwrap_err().to_string();
        assert!(err.contains("/nonexistent/go"), "{err}");
        assert!(err.contains("cargo xtask setup"), "{err}");
    }
}

//! The `govm` binary, run as a user would, on throwaway homes.
#![allow(clippy::unwrap_used)]

mod attack;
mod commands;
mod network;
mod readme;
mod testnet;
mod toolkit;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A fresh home; compiled artifacts and Go's build cache are shared by the test run.
#[derive(Debug)]
pub struct Home {
    dir: tempfile::TempDir,
}

impl Default for Home {
    fn default() -> Self {
        Self::new()
    }
}

impl Home {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `govm --home <home> args...`, with the shared cache linked in.
    pub fn govm(&self, args: &[&str]) -> Command {
        let cache = self.path().join("cache");
        if !cache.exists() {
            let shared = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("govm-cache");
            std::fs::create_dir_all(&shared).unwrap();
            std::os::unix::fs::symlink(&shared, &cache).unwrap();
        }
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_govm"));
        cmd.arg("--home").arg(self.path()).args(args);
        cmd
    }

    /// Runs and returns (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        output(self.govm(args))
    }

    /// [`Home::run`] with the home as the current directory (where `govm new` writes).
    pub fn run_here(&self, args: &[&str]) -> (i32, String, String) {
        let mut cmd = self.govm(args);
        cmd.current_dir(self.path());
        output(cmd)
    }
}

/// Runs a command and returns (exit code, stdout, stderr).
pub fn output(mut cmd: Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn contract(name: &str) -> String {
    format!(
        "{}/../../testdata/contracts/{name}/{name}.go",
        env!("CARGO_MANIFEST_DIR")
    )
}

pub const ALICE: &str = "0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
pub const DEPLOYER: &str = "0xd0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0";

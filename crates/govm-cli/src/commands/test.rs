//! `govm test [DIR]`: govm's validation of a folder's contracts, then their native tests.

use std::path::PathBuf;

use clap::Args;

use crate::commands::Env;
use crate::exit::{Exit, Failure, OrFail};
use crate::input::read;
use crate::scaffold;

/// Check a contract folder's contracts and run its tests natively (`go vet`, `go test`).
#[derive(Args, Debug)]
pub(crate) struct Test {
    /// The folder (with a go.mod). Default: the current one.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Extra arguments for `go test` (after `--`), such as `-run TestAdd -v`.
    #[arg(last = true)]
    go_args: Vec<String>,
}

/// Every contract file of the folder must pass govm's validation (a contract that tests fine
/// natively but would be refused at deploy fails here), then its native tests run with the
/// SDK that ships with this `govm`.
pub(crate) fn run(env: &Env, args: &Test) -> Result<Exit, Failure> {
    let dir = &args.dir;
    let go_mod = std::fs::read_to_string(dir.join("go.mod")).map_err(|e| {
        Failure::input(format!(
            "{} has no readable go.mod ({e}); start a contract with `govm new NAME`",
            dir.display()
        ))
    })?;
    let engine = env.builder()?;
    let mut contracts: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Failure::input(format!("cannot read {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            name.is_some_and(|n| n.ends_with(".go") && !n.ends_with("_test.go"))
        })
        .collect();
    contracts.sort();
    for path in &contracts {
        let (code, source) = read(path)?;
        engine.check(&code).or_fail_in(path, &source)?;
    }
    if go_mod.contains(scaffold::SDK_DIR) {
        scaffold::govm_abi_sdk(dir).map_err(|e| {
            Failure::internal(format!("cannot write the SDK into {}: {e}", dir.display()))
        })?;
    }
    match engine.compiler().go_test(dir, &args.go_args) {
        Ok(true) => Ok(Exit::Ok),
        Ok(false) => {
            eprintln!("govm test: tests failed in {}", dir.display());
            Ok(Exit::Reverted)
        }
        Err(e) => Err(Failure::internal(e)),
    }
}

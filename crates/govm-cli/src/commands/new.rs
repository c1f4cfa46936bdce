//! `govm new NAME`: a contract folder wired to the SDK that ships with govm.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use crate::commands::Env;
use crate::exit::{Exit, Failure};
use crate::scaffold;

/// Start a new contract: a folder NAME with the contract, a test, go.mod and a README.
#[derive(Args, Debug)]
pub(crate) struct New {
    /// The contract's name: a Go package name (lowercase letters, digits, `_`).
    name: String,
    /// Write it in the upstream style: package `github.com/govm-net/vm/core`, entry points
    /// without a `vm.Context` parameter (docs/core.md).
    #[arg(long)]
    core: bool,
}

pub(crate) fn run(env: &Env, args: &New) -> Result<Exit, Failure> {
    let name = &args.name;
    if !scaffold::valid_name(name) {
        return Err(Failure::input(format!(
            "`{name}` is not a contract name: use lowercase letters, digits and `_`, starting with a letter"
        )));
    }
    let dir = PathBuf::from(name);
    if dir.exists() {
        return Err(Failure::input(format!("{} already exists", dir.display())));
    }
    let style = if args.core {
        scaffold::Style::Core
    } else {
        scaffold::Style::Context
    };
    scaffold::write(&dir, name, style)
        .map_err(|e| Failure::internal(format!("cannot write {}: {e}", dir.display())))?;
    env.out.print(json!({ "dir": dir.display().to_string() }), || {
        format!(
            "created {name}/ ({name}.go, {name}_test.go, go.mod, README.md)\nnext: cd {name} && govm test"
        )
    });
    Ok(Exit::Ok)
}

//! `govm verify ADDRESS FILE`: does this source build to the deployed module?

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use crate::commands::Env;
use crate::exit::{Exit, Failure, OrFail};
use crate::input::{address, file_name, read};
use crate::output::with_spinner;

/// Rebuild a source locally and say whether it gives exactly the deployed module (exit 0 if
/// it does, 1 if not).
#[derive(Args, Debug)]
pub(crate) struct Verify {
    /// The deployed contract's address.
    contract: String,
    /// The source it was deployed from: FILE.go or FILE.go.gz.
    file: PathBuf,
}

pub(crate) fn run(env: &Env, args: &Verify) -> Result<Exit, Failure> {
    if env.node.is_some() {
        return Err(Failure::input(
            "verify works on the local home (drop --node)",
        ));
    }
    let contract = address(&args.contract, "contract")?;
    let (code, source) = read(&args.file)?;
    let engine = env.engine()?;
    let same = with_spinner(
        env.out,
        &format!("building {}", args.file.display()),
        || engine.verify(contract, &code, &file_name(&args.file)),
    )
    .or_fail_in(&args.file, &source)?;
    env.out.print(
        json!({ "contract": contract.to_string(), "matches": same }),
        || {
            if same {
                format!(
                    "{} builds to the module deployed at {contract}",
                    args.file.display()
                )
            } else {
                format!(
                    "{} does NOT build to the module deployed at {contract}",
                    args.file.display()
                )
            }
        },
    );
    Ok(if same { Exit::Ok } else { Exit::Reverted })
}

//! `govm events [--contract ADDRESS]`.

use clap::Args;

use crate::commands::Env;
use crate::exit::{Exit, Failure, OrFail};
use crate::input::address;

/// Show committed events.
#[derive(Args, Debug)]
pub(crate) struct Events {
    /// Only this contract's.
    #[arg(long)]
    contract: Option<String>,
}

pub(crate) fn run(env: &Env, args: &Events) -> Result<Exit, Failure> {
    let engine = env.engine()?;
    let filter = args
        .contract
        .as_deref()
        .map(|c| address(c, "--contract"))
        .transpose()?;
    env.out.events(&engine.events(filter).or_fail()?);
    Ok(Exit::Ok)
}

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
    let filter = args
        .contract
        .as_deref()
        .map(|c| address(c, "--contract"))
        .transpose()?;
    if let Some(net) = env.network()? {
        let path = match filter {
            Some(c) => format!("/events/{c}"),
            None => "/events".into(),
        };
        let list = net.query(&path, &[])?;
        env.out
            .events_json(list.as_array().map(Vec::as_slice).unwrap_or_default());
        return Ok(Exit::Ok);
    }
    let engine = env.engine()?;
    env.out.events(&engine.events(filter).or_fail()?);
    Ok(Exit::Ok)
}

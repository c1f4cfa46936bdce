//! `govm balance ADDRESS`.

use clap::Args;
use serde_json::json;

use crate::commands::Env;
use crate::exit::{Exit, Failure, OrFail};
use crate::input::address;

/// Show an address's native balance.
#[derive(Args, Debug)]
pub(crate) struct Balance {
    /// The address.
    address: String,
}

pub(crate) fn run(env: &Env, args: &Balance) -> Result<Exit, Failure> {
    let engine = env.engine()?;
    let balance = engine
        .balance(address(&args.address, "address")?)
        .or_fail()?;
    env.out
        .print(json!({ "balance": balance }), || balance.to_string());
    Ok(Exit::Ok)
}

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
    let address = address(&args.address, "address")?;
    let balance = match env.network()? {
        Some(net) => net.query(&format!("/account/{address}"), &[])?["balance"]
            .as_u64()
            .unwrap_or(0),
        None => env.engine()?.balance(address).or_fail()?,
    };
    env.out
        .print(json!({ "balance": balance }), || balance.to_string());
    Ok(Exit::Ok)
}

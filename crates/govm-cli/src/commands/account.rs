//! `govm account ADDRESS`: an account's nonce and native balance.

use clap::Args;
use serde_json::json;

use crate::commands::Env;
use crate::exit::{Exit, Failure, OrFail};
use crate::input::address;

/// Show an account's nonce (its transaction count) and native balance.
#[derive(Args, Debug)]
pub(crate) struct Account {
    /// The address.
    address: String,
}

pub(crate) fn run(env: &Env, args: &Account) -> Result<Exit, Failure> {
    let address = address(&args.address, "address")?;
    let value = match env.network()? {
        Some(net) => net.query(&format!("/account/{address}"), &[])?,
        None => {
            let engine = env.engine()?;
            let view = engine.read_view();
            let nonce = view
                .nonce(&address.0)
                .map_err(govm::Error::from)
                .or_fail()?;
            let balance = view
                .balance(&address.0)
                .map_err(govm::Error::from)
                .or_fail()?;
            json!({ "nonce": nonce, "balance": balance })
        }
    };
    env.out.print(value.clone(), || {
        format!(
            "nonce   {}\nbalance {}",
            value["nonce"].as_u64().unwrap_or(0),
            value["balance"].as_u64().unwrap_or(0)
        )
    });
    Ok(Exit::Ok)
}

//! `govm mint ADDRESS AMOUNT`: the development faucet.

use clap::Args;
use serde_json::json;

use crate::commands::Env;
use crate::exit::{Exit, Failure, OrFail};
use crate::input::address;

/// Create native balance (a development faucet).
#[derive(Args, Debug)]
pub(crate) struct Mint {
    /// Who receives it.
    address: String,
    /// How much.
    amount: u64,
}

pub(crate) fn run(env: &Env, args: &Mint) -> Result<Exit, Failure> {
    if env.node.is_some() {
        return Err(Failure::input(
            "mint is the local faucet; a network's balances come from its genesis and transfers (drop --node)",
        ));
    }
    let engine = env.engine()?;
    let to = address(&args.address, "address")?;
    let hash = engine.mint(to, args.amount).or_fail()?;
    let balance = engine.balance(to).or_fail()?;
    env.out.print(
        json!({ "balance": balance, "state_hash": hash.to_string() }),
        || format!("{to} now has {balance}"),
    );
    Ok(Exit::Ok)
}

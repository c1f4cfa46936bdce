//! `govm tx HASH`: a transaction's stored result on a network.

use clap::Args;

use crate::commands::Env;
use crate::exit::{Exit, Failure};

/// Show a delivered transaction's result: code, data, log, gas and block.
#[derive(Args, Debug)]
pub(crate) struct Tx {
    /// The transaction's hash (0x-hex sha256 of its bytes).
    hash: String,
}

pub(crate) fn run(env: &Env, args: &Tx) -> Result<Exit, Failure> {
    let Some(net) = env.network()? else {
        return Err(Failure::input(
            "transactions are a network's: add --node URL",
        ));
    };
    let hash =
        govm::Hash::from_hex(&args.hash).map_err(|e| Failure::input(format!("hash: {e}")))?;
    let value = net.query(&format!("/tx/{hash}"), &[])?;
    env.out.print(value.clone(), || {
        let log = value["log"].as_str().unwrap_or_default();
        format!(
            "block   {}\ncode    {}\ndata    {}\ngas     {}{}",
            value["height"],
            value["code"],
            value["data"].as_str().unwrap_or_default(),
            value["gas_used"],
            if log.is_empty() {
                String::new()
            } else {
                format!("\nlog     {log}")
            }
        )
    });
    Ok(Exit::Ok)
}

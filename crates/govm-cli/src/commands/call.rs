//! `govm call` and `govm query`: run an entry point, committing or not.

use clap::Args;
use govm::{CallContext, Error};
use serde_json::Value as Json;

use crate::commands::Env;
use crate::exit::{Exit, Failure, OrFail};
use crate::input::address;

/// The arguments `call` and `query` share.
#[derive(Args, Debug, Clone)]
pub(crate) struct CallArgs {
    /// The contract's address.
    contract: String,
    /// The entry point.
    function: String,
    /// Arguments, each a JSON value (a bare word is a string: 0x-hex for addresses and IDs).
    args: Vec<String>,
    /// All arguments as one JSON array, instead of positional ones.
    #[arg(long = "args", value_name = "JSON_ARRAY", conflicts_with = "args")]
    args_json: Option<String>,
    /// The caller's address.
    #[arg(long, default_value = "0x0000000000000000000000000000000000000000")]
    sender: String,
    /// The most fuel the call may use.
    #[arg(long, default_value_t = 50_000_000)]
    fuel: u64,
    /// The block height.
    #[arg(long, default_value_t = 1)]
    height: u64,
    /// The block time, Unix seconds.
    #[arg(long, default_value_t = 1_700_000_000)]
    time: i64,
    /// Native value the call carries, paid by the sender to the contract (back if it fails).
    #[arg(long, default_value_t = 0)]
    value: u64,
}

/// Runs the call; `commit` keeps its writes (`call`), else they are discarded (`query`).
pub(crate) fn run(env: &Env, args: &CallArgs, commit: bool) -> Result<Exit, Failure> {
    let contract = address(&args.contract, "contract")?;
    let json_args = match &args.args_json {
        Some(text) => {
            serde_json::from_str(text).map_err(|e| Failure::input(format!("--args: {e}")))?
        }
        None => Json::Array(
            args.args
                .iter()
                .map(|a| serde_json::from_str(a).unwrap_or_else(|_| Json::String(a.clone())))
                .collect(),
        ),
    };
    let ctx = CallContext {
        sender: address(&args.sender, "--sender")?,
        block_height: args.height,
        block_time: args.time,
        fuel_limit: args.fuel,
        value: args.value,
    };
    let engine = env.engine()?;
    let outcome = if commit {
        engine.execute_json(&ctx, contract, &args.function, &json_args)
    } else {
        engine.query_json(&ctx, contract, &args.function, &json_args)
    };
    match outcome {
        Ok(outcome) => {
            env.out.outcome(&outcome);
            Ok(Exit::Ok)
        }
        Err(Error::Call {
            error,
            gas_used,
            debug_output,
        }) => {
            env.out.call_failure(&error, gas_used, &debug_output);
            Ok(Exit::of_call(&error))
        }
        Err(e) => Err(e).or_fail(),
    }
}

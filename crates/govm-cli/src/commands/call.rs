//! `govm call` and `govm query`: run an entry point, committing or not.

use clap::Args;
use govm::{Address, CallContext, ContractAbi, Error};
use govm_chain::Body;
use serde_json::{Value as Json, json};

use crate::commands::Env;
use crate::exit::{Exit, Failure, OrFail};
use crate::input::address;
use crate::network::{Fuel, Network, events_of, query_failure, ran_failure, sent_json};

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
    /// The most fuel the call may use (default 50,000,000). With --node, `call`'s transaction
    /// fuel limit; by default estimated from a read-only run of the call on the node.
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,
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

/// A positional argument: its JSON value, else the word as a string. An integer too wide for
/// 64 bits stays its digits, which `vm.Uint256` reads exactly (a JSON number that wide would
/// be rounded to a float).
fn positional(word: &str) -> Json {
    match serde_json::from_str::<Json>(word) {
        Ok(Json::Number(n))
            if n.as_u64().is_none()
                && n.as_i64().is_none()
                && word.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Json::String(word.to_owned())
        }
        Ok(json) => json,
        Err(_) => Json::String(word.to_owned()),
    }
}

/// Runs the call; `commit` keeps its writes (`call`), else they are discarded (`query`).
pub(crate) fn run(env: &Env, args: &CallArgs, commit: bool) -> Result<Exit, Failure> {
    let contract = address(&args.contract, "contract")?;
    let json_args = match &args.args_json {
        Some(text) => {
            serde_json::from_str(text).map_err(|e| Failure::input(format!("--args: {e}")))?
        }
        None => Json::Array(args.args.iter().map(|a| positional(a)).collect()),
    };
    if let Some(net) = env.network()? {
        return if commit {
            call_network(env, &net, args, contract, &json_args)
        } else {
            query_network(env, &net, args, contract, &json_args)
        };
    }
    let sender = address(&args.sender, "--sender")?;
    let ctx = CallContext {
        sender,
        block_height: args.height,
        block_time: args.time,
        fuel_limit: args.fuel.unwrap_or(CallContext::new(sender).fuel_limit),
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

/// `call --node`: a signed transaction, included in a block.
fn call_network(
    env: &Env,
    net: &Network,
    args: &CallArgs,
    contract: Address,
    json_args: &Json,
) -> Result<Exit, Failure> {
    let key = env.signer()?;
    let abi = net.abi(contract)?;
    let function = abi.function(&args.function).ok_or_else(|| {
        Failure::input(format!(
            "contract {contract} has no entry point {:?}",
            args.function
        ))
    })?;
    let encoded = abi
        .args_from_json(function, json_args)
        .and_then(|values| abi.encode_args(function, &values))
        .map_err(Failure::input)?;
    let fuel = match args.fuel {
        Some(limit) => Fuel::Given(limit),
        None => match estimate(env, net, args, contract, &key, json_args)? {
            Ok(gas) => Fuel::call_estimate(gas),
            Err(exit) => return Ok(exit),
        },
    };
    let sent = net.submit(
        &key,
        Body::Call {
            contract: contract.0,
            function: args.function.clone(),
            args: encoded,
            value: args.value,
        },
        fuel,
        env.gas_price,
    )?;
    let included = &sent.included;
    if included.code != 0 {
        return Ok(ran_failure(env.out, &sent));
    }
    let results = abi
        .decode_results(function, &included.data)
        .map_err(|e| Failure::internal(format!("the call's results: {e}")))?;
    let mut outcome = json!({
        "status": "ok",
        "result": ContractAbi::results_to_json(&results),
        "error": null,
        "events": events_of(included),
        "gas_used": included.gas_used,
    });
    if let (Some(o), Json::Object(tx)) = (outcome.as_object_mut(), sent_json(&sent)) {
        for (k, v) in tx {
            o.entry(k).or_insert(v);
        }
    }
    env.out.outcome_json(&outcome);
    Ok(Exit::Ok)
}

/// The gas `call --node` needs, measured by running it read-only on the node's committed
/// state (`/call`) as its signer; a call that fails there is reported and not sent (`Err`,
/// its exit code).
fn estimate(
    env: &Env,
    net: &Network,
    args: &CallArgs,
    contract: Address,
    key: &govm_chain::SigningKey,
    json_args: &Json,
) -> Result<Result<u64, Exit>, Failure> {
    let sender = govm_chain::address_of(&key.verifying_key().to_bytes());
    let data = json!({ "sender": sender.to_string(), "args": json_args }).to_string();
    let path = format!("/call/{contract}/{}", args.function);
    match net.query_raw(&path, data.as_bytes())? {
        (0, _, outcome) => Ok(Ok(outcome["gas_used"].as_u64().unwrap_or(0))),
        (code, log, value) if value.is_object() => {
            let without_value = if args.value > 0 {
                " (run without --value: the node's /call query carries none)"
            } else {
                ""
            };
            let error = format!(
                "{log}\nthe call fails when run read-only on the node's committed \
                 state{without_value}, so it was not sent (give --fuel N to send it anyway)"
            );
            env.out
                .call_failure(&error, value["gas_used"].as_u64().unwrap_or(0), "");
            Ok(Err(query_failure(code, &log).exit))
        }
        (code, log, _) => Err(query_failure(code, &log)),
    }
}

/// `query --node`: a read-only call on the node's committed state.
fn query_network(
    env: &Env,
    net: &Network,
    args: &CallArgs,
    contract: Address,
    json_args: &Json,
) -> Result<Exit, Failure> {
    let data = json!({ "sender": args.sender, "args": json_args }).to_string();
    let path = format!("/call/{contract}/{}", args.function);
    match net.query_raw(&path, data.as_bytes())? {
        (0, _, outcome) => {
            env.out.outcome_json(&outcome);
            Ok(Exit::Ok)
        }
        (code, log, value) if value.is_object() => {
            env.out
                .call_failure(&log, value["gas_used"].as_u64().unwrap_or(0), "");
            Ok(query_failure(code, &log).exit)
        }
        (code, log, _) => Err(query_failure(code, &log)),
    }
}

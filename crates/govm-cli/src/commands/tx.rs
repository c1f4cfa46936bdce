//! `govm tx HASH`: a transaction's stored result on a network.

use clap::Args;
use serde_json::Value as Json;

use crate::commands::Env;
use crate::exit::{Exit, Failure};

/// Show a delivered transaction's result: code, data, log, gas and block. The chain keeps a
/// long data's first bytes with its length and sha256, and a long log's first KiB (the whole
/// result is in the block's results, CometBFT's `tx`).
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
    env.out.print(value.clone(), || text(&value));
    Ok(Exit::Ok)
}

/// The stored result as text; a data or log the record keeps only the start of says so.
fn text(value: &Json) -> String {
    let data = value["data"].as_str().unwrap_or_default();
    let data_len = value["data_len"].as_u64().unwrap_or_default();
    let kept = data.trim_start_matches("0x").len() as u64 / 2;
    let data = if kept < data_len {
        format!(
            "{data}… (the first {kept} of {data_len} bytes; sha256 {})",
            value["data_hash"].as_str().unwrap_or_default()
        )
    } else {
        data.to_owned()
    };
    let log = value["log"].as_str().unwrap_or_default();
    let log_len = value["log_len"].as_u64().unwrap_or_default();
    let log = match (log.is_empty(), (log.len() as u64) < log_len) {
        (true, _) => String::new(),
        (false, false) => format!("\nlog     {log}"),
        (false, true) => format!(
            "\nlog     {log}… (the first {} of {log_len} bytes)",
            log.len()
        ),
    };
    format!(
        "block   {}\ncode    {}\ndata    {data}\ngas     {}{log}",
        value["height"], value["code"], value["gas_used"],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_that_keeps_only_the_start_of_its_result_says_so() {
        let whole = serde_json::json!({
            "height": 3, "code": 0, "data": "0x0102", "data_len": 2, "data_hash": "0xab",
            "log": "", "log_len": 0, "gas_used": 7,
        });
        assert_eq!(
            text(&whole),
            "block   3\ncode    0\ndata    0x0102\ngas     7"
        );
        let cut = serde_json::json!({
            "height": 3, "code": 20, "data": "0x0102", "data_len": 1000, "data_hash": "0xab",
            "log": "boom", "log_len": 5000, "gas_used": 7,
        });
        assert_eq!(
            text(&cut),
            "block   3\ncode    20\ndata    0x0102… (the first 2 of 1000 bytes; sha256 0xab)\n\
             gas     7\nlog     boom… (the first 4 of 5000 bytes)"
        );
    }
}

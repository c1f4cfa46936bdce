//! `govm deploy FILE`: validate, compile and deploy.

use std::path::PathBuf;

use clap::Args;
use govm::DeployOptions;
use govm_chain::Body;
use serde_json::json;

use crate::commands::Env;
use crate::exit::{Exit, Failure, OrFail};
use crate::input::{address, file_name, read};
use crate::network::{Network, tx_exit};
use crate::output::with_spinner;

/// Validate, compile and deploy a contract (FILE.go or FILE.go.gz); prints its address.
#[derive(Args, Debug)]
pub(crate) struct Deploy {
    /// The contract source.
    file: PathBuf,
    /// The deployer's address.
    #[arg(long, default_value = "0x0000000000000000000000000000000000000000")]
    sender: String,
    /// The block height recorded with the contract.
    #[arg(long, default_value_t = 0)]
    height: u64,
    /// Most fuel one call of the contract may use (and its package initialization at
    /// deploy). Default 1,000,000,000.
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,
    /// Largest memory the contract may use, in bytes (8 MiB to 1 GiB). Default 64 MiB.
    #[arg(long, value_name = "BYTES")]
    memory_limit: Option<u64>,
    /// Wall-clock limit of one call, in milliseconds (1 to 60,000). Default 5,000.
    #[arg(long, value_name = "N")]
    timeout_ms: Option<u64>,
    /// With --node: the most gas the deploy transaction may use.
    #[arg(long, value_name = "N", default_value_t = 1_000_000_000)]
    deploy_fuel: u64,
}

pub(crate) fn run(env: &Env, args: &Deploy) -> Result<Exit, Failure> {
    let (code, source) = read(&args.file)?;
    if let Some(net) = env.network()? {
        return deploy_network(env, &net, args, code, &source);
    }
    let engine = env.engine()?;
    let mut limits = engine.default_options();
    limits.fuel_limit = args.fuel.unwrap_or(limits.fuel_limit);
    limits.memory_limit = args.memory_limit.unwrap_or(limits.memory_limit);
    limits.timeout_ms = args.timeout_ms.unwrap_or(limits.timeout_ms);
    let options = DeployOptions {
        deployer: address(&args.sender, "--sender")?,
        block_height: args.height,
        file_name: file_name(&args.file),
        options: Some(limits),
    };
    let deployment = with_spinner(
        env.out,
        &format!("deploying {}", args.file.display()),
        || engine.deploy_with_options(&code, &options),
    )
    .or_fail_in(&args.file, &source)?;
    let functions: Vec<&str> = deployment
        .abi
        .functions
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    env.out.print(
        json!({
            "address": deployment.address.to_string(),
            "code_hash": deployment.code_hash.to_string(),
            "functions": functions,
            "init_gas": deployment.init_gas,
            "snapshot_hash": deployment.snapshot_hash.map(|h| h.to_string()),
        }),
        || deployment.address.to_string(),
    );
    Ok(Exit::Ok)
}

/// `deploy --node`: built here, sent as source and wasm in a signed transaction.
fn deploy_network(
    env: &Env,
    net: &Network,
    args: &Deploy,
    code: Vec<u8>,
    source: &str,
) -> Result<Exit, Failure> {
    let key = env.signer()?;
    let engine = env.builder()?;
    let (abi, module) = with_spinner(
        env.out,
        &format!("building {}", args.file.display()),
        || engine.build(&code, &file_name(&args.file)),
    )
    .or_fail_in(&args.file, source)?;
    let options = if args.fuel.is_some() || args.memory_limit.is_some() || args.timeout_ms.is_some()
    {
        let mut limits = engine.default_options();
        limits.fuel_limit = args.fuel.unwrap_or(limits.fuel_limit);
        limits.memory_limit = args.memory_limit.unwrap_or(limits.memory_limit);
        limits.timeout_ms = args.timeout_ms.unwrap_or(limits.timeout_ms);
        limits.encode()
    } else {
        Vec::new()
    };
    let sent = with_spinner(env.out, "waiting for a block", || {
        net.submit(
            &key,
            Body::Deploy {
                source: code,
                wasm: module.bytes().to_vec(),
                options,
            },
            args.deploy_fuel,
            env.gas_price,
        )
    })?;
    let included = &sent.included;
    let Ok(address) = <[u8; 20]>::try_from(included.data.as_slice()) else {
        env.out.call_failure(&included.log, included.gas_used, "");
        return Ok(match included.code {
            0 | 21 | 22 => Exit::Limit,
            c => tx_exit(c),
        });
    };
    let address = govm::Address(address);
    let info = net.query(&format!("/contract/{address}"), &[])?;
    let functions: Vec<&str> = abi.functions.iter().map(|f| f.name.as_str()).collect();
    env.out.print(
        json!({
            "address": address.to_string(),
            "code_hash": info["code_hash"],
            "functions": functions,
            "init_gas": null,
            "snapshot_hash": null,
            "tx": sent.hash,
            "height": included.height,
            "gas_used": included.gas_used,
        }),
        || address.to_string(),
    );
    Ok(Exit::Ok)
}

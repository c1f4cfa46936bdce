//! `govm deploy FILE`: validate, compile and deploy.

use std::path::PathBuf;

use clap::Args;
use govm::DeployOptions;
use serde_json::json;

use crate::commands::Env;
use crate::exit::{Exit, Failure, OrFail};
use crate::input::{address, file_name, read};
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
}

pub(crate) fn run(env: &Env, args: &Deploy) -> Result<Exit, Failure> {
    let (code, source) = read(&args.file)?;
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

//! `govm deploy FILE`: validate, compile and deploy.

use std::path::PathBuf;

use clap::Args;
use govm::{Address, ContractOptions, DeployOptions, Engine};
use govm_chain::Body;
use serde_json::{Value as Json, json};

use crate::commands::Env;
use crate::exit::{Exit, Failure, OrFail};
use crate::input::{address, file_name, read};
use crate::network::{DEPLOY_INIT_ALLOWANCE, Fuel, Network, fee_text, sent_json, tx_exit};
use crate::output::{Output, with_spinner};

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
    /// deploy). Default 1,000,000,000; with --node, the chain's max_call_fuel (10,000,000
    /// by default), which it may not pass.
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,
    /// Largest memory the contract may use, in bytes (8 MiB to 1 GiB; with --node, at most
    /// the chain's max_contract_memory). Default 64 MiB.
    #[arg(long, value_name = "BYTES")]
    memory_limit: Option<u64>,
    /// Wall-clock limit of one call, in milliseconds (1 to 60,000). Default 5,000.
    #[arg(long, value_name = "N")]
    timeout_ms: Option<u64>,
    /// With --node: the deploy transaction's fuel limit (default: its deploy gas, with the
    /// package initialisation measured here, and the intrinsic gas of its size).
    #[arg(long, value_name = "N")]
    deploy_fuel: Option<u64>,
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
    // Options set in part start from the chain's defaults, never this machine's.
    let limits = if args.fuel.is_some() || args.memory_limit.is_some() || args.timeout_ms.is_some()
    {
        let mut limits = net.contract_defaults()?;
        limits.fuel_limit = args.fuel.unwrap_or(limits.fuel_limit);
        limits.memory_limit = args.memory_limit.unwrap_or(limits.memory_limit);
        limits.timeout_ms = args.timeout_ms.unwrap_or(limits.timeout_ms);
        Some(limits)
    } else {
        None
    };
    let wasm = module.into_bytes();
    let sender = govm_chain::address_of(&key.verifying_key().to_bytes());
    let fuel = match args.deploy_fuel {
        Some(limit) => Fuel::Given(limit),
        None => deploy_fuel(&engine, env.out, (&code, &wasm), limits, sender)
            .or_fail_in(&args.file, source)?,
    };
    let sent = with_spinner(env.out, "waiting for a block", || {
        net.submit(
            &key,
            Body::Deploy {
                source: code,
                wasm,
                options: limits.map(|l| l.encode()).unwrap_or_default(),
            },
            fuel,
            env.gas_price,
        )
    })?;
    let included = &sent.included;
    let Ok(address) = <[u8; 20]>::try_from(included.data.as_slice()) else {
        env.out
            .tx_failure(&included.log, &sent_json(&sent), &fee_text(&sent));
        return Ok(match included.code {
            0 | 21 | 22 => Exit::Limit,
            c => tx_exit(c),
        });
    };
    let address = govm::Address(address);
    let info = net.query(&format!("/contract/{address}"), &[])?;
    let functions: Vec<&str> = abi.functions.iter().map(|f| f.name.as_str()).collect();
    let mut deployed = json!({
        "address": address.to_string(),
        "code_hash": info["code_hash"],
        "functions": functions,
        "init_gas": null,
        "snapshot_hash": null,
    });
    if let (Some(d), Json::Object(tx)) = (deployed.as_object_mut(), sent_json(&sent)) {
        d.extend(tx);
    }
    env.out.print(deployed, || address.to_string());
    env.out.note(&format!(
        "deployed in block {}: {} gas, {}",
        included.height,
        included.gas_used,
        fee_text(&sent)
    ));
    Ok(Exit::Ok)
}

/// The fuel a deploy needs: its deploy gas (docs/gas.md), measured by preparing the module
/// here as a node will (package initialisation included), on `engine`'s state in memory. A
/// deploy whose preparation fails for the contract's own reasons (its initialisation panics
/// or runs out of fuel) fails here, before anything is sent; one that fails for this
/// machine's (`Class::Node`) gets the bytes' part and [`DEPLOY_INIT_ALLOWANCE`] for the
/// initialisation.
pub(crate) fn deploy_fuel(
    engine: &Engine,
    out: Output,
    (code, wasm): (&[u8], &[u8]),
    limits: Option<ContractOptions>,
    deployer: Address,
) -> Result<Fuel, govm::Error> {
    let options = DeployOptions {
        deployer,
        options: limits,
        ..DeployOptions::default()
    };
    let measured = with_spinner(out, "measuring package initialisation", || {
        engine.deploy_prebuilt(code, wasm.to_vec(), &options)
    });
    match measured {
        // Package initialisation succeeds when it is given more fuel than it uses: one more.
        Ok(deployment) => Ok(Fuel::Needed {
            gas: deployment.deploy_gas.saturating_add(1),
            margin: 0,
        }),
        Err(e) if e.class() == govm::Class::Node => {
            out.note(&format!(
                "govm: package initialisation could not be measured here ({e}): allowing it \
                 {DEPLOY_INIT_ALLOWANCE} gas"
            ));
            // Compiling is priced by the module's shape, counted without compiling.
            let compile = govm::module_shape(wasm)
                .map(|shape| govm::compile_gas(&shape))
                .unwrap_or(0);
            Ok(Fuel::Needed {
                gas: govm::deploy_gas(code.len(), wasm.len(), 0).saturating_add(compile),
                margin: DEPLOY_INIT_ALLOWANCE,
            })
        }
        Err(e) => Err(e),
    }
}

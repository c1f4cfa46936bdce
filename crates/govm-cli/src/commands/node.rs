//! `govm node init|start|testnet`: run govm as a CometBFT application (docs/node.md).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use govm::Address;
use govm_chain::{ChainParams, address_of, signing_key};
use govm_node::load::{Load, LoadSpec};
use govm_node::localnet::{Localnet, LocalnetConfig};
use govm_node::{App, AppOptions, NodeConfig, NodeHome, genesis_from_cometbft};
use serde_json::json;

use crate::commands::Env;
use crate::exit::{Exit, Failure};

/// Run a validator: set up its home, serve the application, or start a local network.
#[derive(Args, Debug)]
pub(crate) struct Node {
    #[command(subcommand)]
    command: NodeCommand,
}

#[derive(Subcommand, Debug)]
enum NodeCommand {
    /// Write a govm genesis and node.json beside a CometBFT home (<home>/cometbft; created
    /// with `cometbft init` when missing).
    Init(Init),
    /// Serve the application to CometBFT (start `cometbft start --home <home>/cometbft` beside
    /// it).
    Start(Start),
    /// A local network on 127.0.0.1: validators, a token deploy and transfers, until Ctrl-C.
    Testnet(Testnet),
}

/// The chain's parameters, for `init` and `testnet`.
#[derive(Args, Debug)]
struct Params {
    /// Lowest gas price a transaction may offer.
    #[arg(long, default_value_t = ChainParams::default().min_gas_price)]
    min_gas_price: u64,
    /// Most fuel one transaction may ask for.
    #[arg(long, default_value_t = ChainParams::default().max_tx_fuel)]
    max_tx_fuel: u64,
    /// Most fuel the transactions of a block may ask for together.
    #[arg(long, default_value_t = ChainParams::default().max_block_fuel)]
    max_block_fuel: u64,
    /// Largest transaction in bytes.
    #[arg(long, default_value_t = ChainParams::default().max_tx_bytes)]
    max_tx_bytes: u64,
    /// Shortest wall-clock deadline a contract may ask for, in ms: the safety net a call
    /// that meets halts its node.
    #[arg(long, default_value_t = ChainParams::default().min_timeout_ms)]
    min_timeout_ms: u64,
    /// Most fuel the wasm of one transaction may run: a contract's fuel limit may not pass it.
    #[arg(long, default_value_t = ChainParams::default().max_call_fuel)]
    max_call_fuel: u64,
    /// Largest linear memory a contract may have, in bytes.
    #[arg(long, default_value_t = ChainParams::default().max_contract_memory)]
    max_contract_memory: u64,
}

impl Params {
    fn get(&self) -> ChainParams {
        ChainParams {
            min_gas_price: self.min_gas_price,
            max_tx_fuel: self.max_tx_fuel,
            max_block_fuel: self.max_block_fuel,
            max_tx_bytes: self.max_tx_bytes,
            min_timeout_ms: self.min_timeout_ms,
            max_call_fuel: self.max_call_fuel,
            max_contract_memory: self.max_contract_memory,
        }
    }
}

#[derive(Args, Debug)]
struct Init {
    /// Genesis balances, ADDRESS=AMOUNT (repeat).
    #[arg(long, value_name = "ADDRESS=AMOUNT")]
    fund: Vec<String>,
    /// Balance of each validator (its address derives from its CometBFT key).
    #[arg(long, default_value_t = 0)]
    validator_balance: u64,
    /// Where the application listens for CometBFT.
    #[arg(long, default_value = "127.0.0.1:26658")]
    abci: String,
    /// The cometbft binary (for `cometbft init`).
    #[arg(long, env = "GOVM_COMETBFT", default_value = "cometbft")]
    cometbft: PathBuf,
    #[command(flatten)]
    params: Params,
}

#[derive(Args, Debug)]
struct Start {
    /// Test-only: change the state outside the chain's rules at this height.
    #[arg(long, hide = true)]
    diverge_at_height: Option<u64>,
}

#[derive(Args, Debug)]
struct Testnet {
    /// How many validators.
    #[arg(long, default_value_t = 4)]
    validators: usize,
    /// Where the homes go (default: a new folder in the temporary directory).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// First port: validator i uses base+10i (p2p), +1 (JSON-RPC), +2 (ABCI).
    #[arg(long, default_value_t = 26600)]
    base_port: u16,
    /// The cometbft binary.
    #[arg(long, env = "GOVM_COMETBFT", default_value = "cometbft")]
    cometbft: PathBuf,
    /// A token contract (Go source) to deploy and call.
    #[arg(long)]
    contract: Option<PathBuf>,
    /// Stop after this many seconds (default: at Ctrl-C).
    #[arg(long)]
    seconds: Option<u64>,
    /// Leave the homes in place afterwards.
    #[arg(long)]
    keep: bool,
}

pub(crate) fn run(env: &Env, args: &Node) -> Result<Exit, Failure> {
    match &args.command {
        NodeCommand::Init(init) => self::init(env, init),
        NodeCommand::Start(start) => self::start(env, start),
        NodeCommand::Testnet(testnet) => self::testnet(env, testnet),
    }
}

fn init(env: &Env, args: &Init) -> Result<Exit, Failure> {
    let home = NodeHome::new(&env.home);
    if home.genesis_path().exists() {
        return Err(Failure::input(format!(
            "{} exists already: this home is set up",
            home.genesis_path().display()
        )));
    }
    govm_node::init_cometbft(&args.cometbft, &home.cometbft()).map_err(Failure::internal)?;
    let comet_genesis = home.cometbft().join("config/genesis.json");
    let mut balances = Vec::new();
    for f in &args.fund {
        let (a, amount) = f
            .split_once('=')
            .ok_or_else(|| Failure::input(format!("--fund {f:?}: give ADDRESS=AMOUNT")))?;
        let address = Address::from_hex(a).map_err(|e| Failure::input(format!("--fund: {e}")))?;
        let amount = amount
            .parse()
            .map_err(|e| Failure::input(format!("--fund {f:?}: {e}")))?;
        balances.push((address, amount));
    }
    let genesis = genesis_from_cometbft(
        &comet_genesis,
        args.params.get(),
        &balances,
        args.validator_balance,
    )
    .map_err(Failure::input)?;
    govm_node::configure_cometbft_for_app(
        &home.cometbft(),
        &args.abci,
        genesis.params.max_tx_bytes,
    )
    .map_err(Failure::internal)?;
    home.write_genesis(&genesis).map_err(Failure::internal)?;
    home.write_config(&NodeConfig {
        abci: args.abci.clone(),
    })
    .map_err(Failure::internal)?;
    env.out.print(
        json!({
            "chain_id": genesis.chain_id,
            "genesis": home.genesis_path(),
            "cometbft_home": home.cometbft(),
            "abci": args.abci,
        }),
        || {
            format!(
                "chain {} set up in {}\nstart it with:\n  govm --home {} node start\n  cometbft start --home {}",
                genesis.chain_id,
                home.root().display(),
                home.root().display(),
                home.cometbft().display(),
            )
        },
    );
    Ok(Exit::Ok)
}

fn start(env: &Env, args: &Start) -> Result<Exit, Failure> {
    let home = NodeHome::new(&env.home);
    let config = home
        .config()
        .map_err(|e| Failure::input(format!("{e} (set the home up with `govm node init`)")))?;
    let chain = home.open_chain().map_err(Failure::internal)?;
    let info = chain.info().map_err(Failure::internal)?;
    eprintln!(
        "govm node: chain {} at height {} (state {}), serving ABCI on {}",
        chain.chain_id(),
        info.height,
        info.state_hash,
        config.abci
    );
    let app = App::new(
        chain,
        AppOptions {
            diverge_at: args.diverge_at_height,
            ..AppOptions::default()
        },
    );
    govm_node::serve(app, &config.abci).map_err(Failure::internal)?;
    Ok(Exit::Ok)
}

/// The key the testnet funds and sends from (a fixed seed: the network is for trying out).
const TESTNET_SEED: [u8; 32] = [0x7e; 32];

fn testnet(env: &Env, args: &Testnet) -> Result<Exit, Failure> {
    let govm = std::env::current_exe().map_err(Failure::internal)?;
    let dir = args.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("govm-testnet-{}", std::process::id()))
    });
    let keys: Vec<_> = (0..4u8)
        .map(|i| {
            let mut seed = TESTNET_SEED;
            seed[0] = i;
            signing_key(&seed)
        })
        .collect();
    let balances = keys
        .iter()
        .map(|k| {
            (
                address_of(&k.verifying_key().to_bytes()),
                1_000_000_000_000_000,
            )
        })
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed))
        .map_err(|e| Failure::internal(format!("cannot catch Ctrl-C: {e}")))?;
    let mut net = Localnet::create(LocalnetConfig {
        dir: dir.clone(),
        validators: args.validators,
        govm,
        cometbft: args.cometbft.clone(),
        base_port: args.base_port,
        timeout_commit: "500ms".into(),
        params: ChainParams::default(),
        balances,
    })
    .map_err(Failure::internal)?;
    println!(
        "testnet: {} validators in {}; JSON-RPC at {}",
        args.validators,
        dir.display(),
        (0..net.len())
            .map(|i| net.rpc_url(i))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let result = drive(env, args, &mut net, &keys, &stop);
    net.stop_all();
    println!("testnet: stopped every validator");
    if !args.keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

fn drive(
    env: &Env,
    args: &Testnet,
    net: &mut Localnet,
    keys: &[govm_chain::SigningKey],
    stop: &AtomicBool,
) -> Result<Exit, Failure> {
    net.start_all().map_err(Failure::internal)?;
    net.wait_for_height(0, 1, Duration::from_secs(60))
        .map_err(Failure::internal)?;
    let chain_id = net.status(0).map(|s| s.chain_id).unwrap_or_default();
    let token = match &args.contract {
        Some(file) => Some(deploy_token(env, net, keys, file)?),
        None => None,
    };
    let load = Load::start(LoadSpec {
        nodes: (0..net.len()).map(|i| net.rpc_url(i)).collect(),
        chain_id,
        keys: keys.to_vec(),
        token,
        only_calls: false,
        interval: Duration::from_millis(20),
        fuel_limit: 1_000_000,
    });
    let started = Instant::now();
    let mut last = 0;
    while !stop.load(Ordering::Relaxed)
        && args
            .seconds
            .is_none_or(|s| started.elapsed() < Duration::from_secs(s))
    {
        let line: Vec<String> = (0..net.len())
            .map(|i| match net.status(i) {
                Some(s) => format!(
                    "node{i} {:>5} {}",
                    s.height,
                    &s.app_hash[..s.app_hash.len().min(12)]
                ),
                None => format!("node{i}  down"),
            })
            .collect();
        let height = net.status(0).map_or(0, |s| s.height);
        if height != last {
            println!("{}", line.join("  |  "));
            last = height;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let report = load.stop();
    println!(
        "testnet: {} transactions admitted, {} refused",
        report.admitted.len(),
        report.refused
    );
    Ok(Exit::Ok)
}

/// Deploys the token through the network (built here, sent as source and wasm), then has
/// the first key initialise it and open an account for each other key.
fn deploy_token(
    env: &Env,
    net: &Localnet,
    keys: &[govm_chain::SigningKey],
    file: &std::path::Path,
) -> Result<Address, Failure> {
    let (code, source) = crate::input::read(file)?;
    let engine = env.builder()?;
    let (_, module) = engine
        .build(&code, &crate::input::file_name(file))
        .map_err(|e| Failure::from_error(e, Some((file, &source))))?;
    let network = crate::network::Network::new(&net.rpc_url(0), Duration::from_secs(60))?;
    let deployer = address_of(&keys[0].verifying_key().to_bytes());
    let wasm = module.into_bytes();
    let fuel = super::deploy::deploy_fuel(&engine, env.out, (&code, &wasm), None, deployer)
        .map_err(|e| Failure::from_error(e, Some((file, &source))))?;
    let sent = network.submit(
        &keys[0],
        govm_chain::Body::Deploy {
            source: code,
            wasm,
            options: Vec::new(),
        },
        fuel,
        None,
    )?;
    let token =
        Address(
            sent.included.data.as_slice().try_into().map_err(|_| {
                Failure::internal(format!("the deploy failed: {}", sent.included.log))
            })?,
        );
    println!(
        "testnet: deployed {} at {token} in block {}",
        file.display(),
        sent.included.height
    );
    let call = |function: &str, args: Vec<u8>| {
        let sent = network.submit(
            &keys[0],
            govm_chain::Body::Call {
                contract: token.0,
                function: function.into(),
                args,
                value: 0,
            },
            // What the load's calls reserve: a token call uses about a tenth of it.
            crate::network::Fuel::Given(1_000_000),
            None,
        )?;
        match sent.included.code {
            0 => Ok(()),
            code => Err(Failure::internal(format!(
                "{function} failed (code {code}): {}",
                sent.included.log
            ))),
        }
    };
    call("Initialize", 1_000_000_000u64.to_le_bytes().to_vec())?;
    for key in &keys[1..] {
        let mut args = address_of(&key.verifying_key().to_bytes()).0.to_vec();
        args.extend_from_slice(&1_000_000u64.to_le_bytes());
        call("Transfer", args)?;
    }
    Ok(token)
}

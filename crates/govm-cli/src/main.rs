//! `govm`: deploy, call and inspect Go contracts on a local state home, or with `--node URL`
//! on a network (signing with `--from NAME`); run a validator (`govm node`).
//!
//! Exit codes (one place: `exit.rs`): 0 success, 1 the contract failed (its call was
//! reverted; for `govm test`, a test failed), 2 usage or input error (bad arguments, a
//! rejected or non-compiling contract, invalid deploy options, an unknown contract or
//! function), 3 a resource limit (fuel, time, memory, stack; at deploy too, in package
//! initialisation), 4 an internal or environment error (for example no toolchain, or the home
//! held by another govm process for longer than `--lock-timeout`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

mod commands;
mod exit;
mod home;
mod input;
mod network;
mod output;
mod scaffold;

use commands::{
    Env, account, balance, build, call, deploy, events, inspect, keys, mint, new, node, state,
    test, transfer, tx, verify,
};
use exit::{Exit, Failure};
use output::Output;

#[derive(Parser, Debug)]
#[command(
    name = "govm",
    version,
    about = "Deploy and run smart contracts written in Go"
)]
struct Cli {
    /// The state home: the redb state, compiled artifacts and caches.
    #[arg(long, global = true, env = "GOVM_HOME", default_value = ".govm")]
    home: PathBuf,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// How long to wait, in milliseconds, for another govm to release the home.
    #[arg(long, global = true, value_name = "MS", default_value_t = 30_000)]
    lock_timeout: u64,
    /// Work against a network: the JSON-RPC address of one of its nodes
    /// (http://127.0.0.1:26657) instead of the local state home.
    #[arg(long, global = true, env = "GOVM_NODE", value_name = "URL")]
    node: Option<String>,
    /// With --node: the key (`govm keys add NAME`) that signs transactions.
    #[arg(long, global = true, env = "GOVM_FROM", value_name = "NAME")]
    from: Option<String>,
    /// With --node: how long to wait for a transaction to be in a block, in milliseconds.
    #[arg(long, global = true, value_name = "MS", default_value_t = 60_000)]
    wait_ms: u64,
    /// With --node: the gas price to offer (default: the chain's minimum).
    #[arg(long, global = true, value_name = "N")]
    gas_price: Option<u64>,
    /// With --node: refuse to sign when the node's latest block is older than this many
    /// seconds (it lags, or the chain has stopped); 0 turns the check off.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 60)]
    max_block_age: u64,
    #[command(subcommand)]
    command: Command,
}

/// Declares `Command`, the subcommands, each with its arguments and the function that runs
/// it, and `Command::run`, which dispatches: every subcommand is named once.
macro_rules! commands {
    ($($(#[$attr:meta])* $name:ident($args:ty) => $run:expr,)*) => {
        #[derive(Subcommand, Debug)]
        enum Command {
            $($(#[$attr])* $name($args),)*
        }

        impl Command {
            fn run(&self, env: &Env) -> Result<Exit, Failure> {
                match self {
                    $(Command::$name(args) => ($run)(env, args),)*
                }
            }
        }
    };
}

commands! {
    Deploy(deploy::Deploy) => deploy::run,
    /// Call an entry point and commit its writes if it succeeds.
    Call(call::CallArgs) => |env, args| call::run(env, args, true),
    /// Call an entry point without writing anything, even on success.
    Query(call::CallArgs) => |env, args| call::run(env, args, false),
    Inspect(inspect::Inspect) => inspect::run,
    State(state::State) => state::run,
    Events(events::Events) => events::run,
    Balance(balance::Balance) => balance::run,
    Account(account::Account) => account::run,
    Transfer(transfer::Transfer) => transfer::run,
    Tx(tx::Tx) => tx::run,
    Keys(keys::Keys) => keys::run,
    Node(node::Node) => node::run,
    Mint(mint::Mint) => mint::run,
    Build(build::Build) => build::run,
    New(new::New) => new::run,
    Test(test::Test) => test::run,
    Verify(verify::Verify) => verify::run,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = Env {
        home: cli.home.clone(),
        out: Output { json: cli.json },
        lock_timeout: Duration::from_millis(cli.lock_timeout),
        node: cli.node.clone(),
        from: cli.from.clone(),
        wait: Duration::from_millis(cli.wait_ms),
        gas_price: cli.gas_price,
        max_block_age: (cli.max_block_age > 0).then(|| Duration::from_secs(cli.max_block_age)),
    };
    match cli.command.run(&env) {
        Ok(exit) => exit.into(),
        Err(failure) => {
            env.out.failure(&failure.message);
            failure.exit.into()
        }
    }
}

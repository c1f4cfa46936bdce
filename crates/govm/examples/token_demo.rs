//! The token contract end to end: deploy token.go, Initialize, CreateAccount, Transfer, and
//! read both balances back from contract state. `cargo xtask demo` runs this.

use std::time::Instant;

use govm::{Address, CallContext, Config, DeployOptions, Engine, Outcome, StateBackend, Value};

const DEPLOYER: Address = Address([0xd0; 20]);
const ALICE: Address = Address([0xa1; 20]);

fn main() {
    if let Err(e) = run() {
        eprintln!("demo failed: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    // A fresh state home, persisted with redb as a node would keep it.
    let home = std::env::temp_dir().join(format!("govm-demo-{}", std::process::id()));
    std::fs::create_dir_all(&home)?;
    let state_path = home.join("state.redb");
    let config = Config {
        state: StateBackend::Redb(state_path.clone()),
        ..Config::default()
    };
    let result = demo(config, &state_path);
    let _ = std::fs::remove_dir_all(&home);
    result
}

fn demo(config: Config, state_path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/contracts/token/token.go"
    );
    let source = std::fs::read(path)?;
    let engine = Engine::new(config)?;
    println!(
        "govm demo: the token contract, end to end, on a fresh state home ({})\n",
        state_path.display()
    );
    println!("toolchain   {}", engine.compiler().toolchain()?);
    let started = Instant::now();
    let options = DeployOptions {
        deployer: DEPLOYER,
        file_name: "token.go".into(),
        ..DeployOptions::default()
    };
    let deployment = engine.deploy_with_options(&source, &options)?;
    let token = deployment.address;
    println!("deployed    token.go at {token}");
    println!(
        "            code hash {}, {} ({:.1} s)",
        deployment.code_hash,
        if deployment.compiled {
            "compiled"
        } else {
            "from cache"
        },
        started.elapsed().as_secs_f64()
    );
    let names: Vec<&str> = deployment
        .abi
        .functions
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    println!("            entry points: {}\n", names.join(", "));

    let ctx = CallContext::new(DEPLOYER);
    let call = |label: &str, function: &str, args: &[Value]| -> Result<Outcome, govm::Error> {
        let outcome = engine.execute_with_args(&ctx, token, function, args)?;
        print_call(label, &outcome);
        Ok(outcome)
    };
    let owner_id = call(
        "Initialize(1000000) as the deployer",
        "Initialize",
        &[1_000_000u64.into()],
    )?
    .result::<govm::ObjectId>()?;
    let alice_id = call(
        &format!("CreateAccount(alice = {ALICE})"),
        "CreateAccount",
        &[ALICE.into()],
    )?
    .result::<govm::ObjectId>()?;
    call(
        "Transfer(alice, 1000)",
        "Transfer",
        &[ALICE.into(), 1000u64.into()],
    )?;
    let alice = call(
        "GetBalance(alice's account)",
        "GetBalance",
        &[alice_id.into()],
    )?
    .result::<u64>()?;
    let owner = call(
        "GetBalance(the deployer's account)",
        "GetBalance",
        &[owner_id.into()],
    )?
    .result::<u64>()?;

    println!("alice has {alice}, the deployer has {owner}");
    println!("state hash  {}", engine.state_hash()?);
    if (alice, owner) != (1000, 999_000) {
        return Err(format!("expected balances 1000 and 999000, read {alice} and {owner}").into());
    }
    Ok(())
}

fn print_call(label: &str, outcome: &Outcome) {
    println!("{label}");
    let results: Vec<String> = outcome.results.iter().map(ToString::to_string).collect();
    println!(
        "  result    {}",
        if results.is_empty() {
            "(none)".into()
        } else {
            results.join(", ")
        }
    );
    if outcome.events.is_empty() {
        println!("  events    (none)");
    }
    for event in &outcome.events {
        let fields: Vec<String> = event
            .fields
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        println!("  event     {} {{ {} }}", event.name, fields.join(", "));
    }
    println!("  gas used  {}\n", outcome.gas_used);
}

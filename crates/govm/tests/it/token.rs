use govm::{Address, CallContext, CallError, DeployOptions, Engine, Error, ObjectId, Value};

use crate::{ALICE, DEPLOYER, cache_dir, contract, engine};

struct Token<'a> {
    engine: &'a Engine,
    address: Address,
}

impl<'a> Token<'a> {
    fn deploy(engine: &'a Engine) -> Self {
        let options = DeployOptions {
            deployer: DEPLOYER,
            file_name: "token.go".into(),
            ..DeployOptions::default()
        };
        let address = engine
            .deploy_with_options(&contract("token/token.go"), &options)
            .unwrap()
            .address;
        Self { engine, address }
    }

    fn call(&self, sender: Address, function: &str, args: &[Value]) -> govm::Result<govm::Outcome> {
        self.engine
            .execute_with_args(&CallContext::new(sender), self.address, function, args)
    }

    fn balance(&self, id: ObjectId) -> u64 {
        self.call(DEPLOYER, "GetBalance", &[id.into()])
            .unwrap()
            .result()
            .unwrap()
    }
}

#[test]
fn token_runs_end_to_end() {
    let engine = engine();
    let token = Token::deploy(&engine);

    let init = token
        .call(DEPLOYER, "Initialize", &[1_000_000u64.into()])
        .unwrap();
    let owner_id: ObjectId = init.result().unwrap();
    assert!(init.gas_used > 0);
    assert_eq!(init.events.len(), 1);
    assert_eq!(init.events[0].name, "Initialize");
    assert_eq!(init.events[0].contract, token.address);
    assert_eq!(
        init.events[0].fields,
        [
            ("total_supply".to_owned(), Value::U64(1_000_000)),
            ("owner".to_owned(), Value::Address(DEPLOYER))
        ]
    );

    let account = token
        .call(DEPLOYER, "CreateAccount", &[ALICE.into()])
        .unwrap();
    let alice_id: ObjectId = account.result().unwrap();
    assert_eq!(
        account.events[0].fields,
        [("owner".to_owned(), Value::Address(ALICE))]
    );

    let transfer = token
        .call(DEPLOYER, "Transfer", &[ALICE.into(), 1000u64.into()])
        .unwrap();
    assert!(transfer.results.is_empty());
    assert_eq!(
        transfer.events[0].fields,
        [
            ("from".to_owned(), Value::Address(DEPLOYER)),
            ("to".to_owned(), Value::Address(ALICE)),
            ("amount".to_owned(), Value::U64(1000)),
        ]
    );
    assert_eq!(token.balance(alice_id), 1000);
    assert_eq!(token.balance(owner_id), 999_000);

    // A second transfer adds to Alice's existing balance object.
    token
        .call(DEPLOYER, "Transfer", &[ALICE.into(), 500u64.into()])
        .unwrap();
    assert_eq!(token.balance(alice_id), 1500);
    assert_eq!(token.balance(owner_id), 998_500);

    // Alice can spend what she received, and a transfer to a new account creates it.
    let bob = Address([0xb0; 20]);
    token
        .call(ALICE, "Transfer", &[bob.into(), 200u64.into()])
        .unwrap();
    assert_eq!(token.balance(alice_id), 1300);

    // A transfer to oneself changes nothing.
    token
        .call(ALICE, "Transfer", &[ALICE.into(), 300u64.into()])
        .unwrap();
    assert_eq!(token.balance(alice_id), 1300);
}

#[test]
fn transfer_beyond_the_balance_fails_with_the_contracts_message_and_changes_nothing() {
    let engine = engine();
    let token = Token::deploy(&engine);
    let owner_id: ObjectId = token
        .call(DEPLOYER, "Initialize", &[1000u64.into()])
        .unwrap()
        .result()
        .unwrap();
    let before = engine.state_hash().unwrap();
    let events_before = engine.events(None).unwrap().len();

    let err = token
        .call(DEPLOYER, "Transfer", &[ALICE.into(), 5000u64.into()])
        .unwrap_err();
    match &err {
        Error::Call {
            error: CallError::ContractError { message },
            gas_used,
            ..
        } => {
            assert_eq!(message, "insufficient balance: 1000 < 5000");
            assert!(*gas_used > 0);
        }
        other => panic!("expected a contract error, got {other:?}"),
    }
    assert_eq!(err.to_string(), "insufficient balance: 1000 < 5000");
    assert_eq!(engine.state_hash().unwrap(), before);
    assert_eq!(engine.events(None).unwrap().len(), events_before);
    assert_eq!(token.balance(owner_id), 1000);

    // A transfer from an account that has none fails as well, creating nothing for Alice.
    let err = token
        .call(ALICE, "Transfer", &[DEPLOYER.into(), 1u64.into()])
        .unwrap_err();
    assert_eq!(err.to_string(), "failed to get sender balance: not found");
    assert_eq!(engine.state_hash().unwrap(), before);
}

#[test]
fn reading_a_missing_object_is_a_contract_error_not_garbage() {
    let engine = engine();
    let token = Token::deploy(&engine);
    let err = token
        .call(DEPLOYER, "GetBalance", &[ObjectId([9; 32]).into()])
        .unwrap_err();
    assert_eq!(err.to_string(), "failed to get balance object: not found");
    // The default object exists but has no amount field.
    let err = token
        .call(DEPLOYER, "GetBalance", &[ObjectId::ZERO.into()])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to get amount: field \"amount\": not found"
    );
}

#[test]
fn a_wasm_opt_module_gives_the_same_results_and_is_smaller() {
    let wasm_opt = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("wasm-opt"))
        .find(|p| p.is_file())
        .expect("wasm-opt (Debian's binaryen) is needed for this test: run `cargo xtask setup`");
    let plain = engine();
    let config = govm::Config {
        cache_dir: crate::cache_dir(),
        wasm_opt: Some(wasm_opt),
        ..govm::Config::default()
    };
    let optimized = govm::Engine::new(config).unwrap();
    let mut runs = Vec::new();
    for engine in [&plain, &optimized] {
        let options = DeployOptions {
            deployer: DEPLOYER,
            ..DeployOptions::default()
        };
        let (_, wasm) = engine
            .build(&contract("token/token.go"), "token.go")
            .unwrap();
        let token = engine
            .deploy_with_options(&contract("token/token.go"), &options)
            .unwrap()
            .address;
        let ctx = CallContext::new(DEPLOYER);
        let init = engine
            .execute_with_args(&ctx, token, "Initialize", &[1000u64.into()])
            .unwrap();
        let transfer = engine
            .execute_with_args(&ctx, token, "Transfer", &[ALICE.into(), 10u64.into()])
            .unwrap();
        let failed = engine.execute_with_args(
            &ctx,
            token,
            "Transfer",
            &[ALICE.into(), 1_000_000u64.into()],
        );
        runs.push((
            wasm.bytes().len(),
            init.results,
            transfer.events,
            transfer.gas_used,
            failed.unwrap_err().to_string(),
        ));
    }
    let (plain_size, ref r1, ref e1, plain_gas, ref f1) = runs[0];
    let (opt_size, ref r2, ref e2, opt_gas, ref f2) = runs[1];
    assert_eq!((r1, e1, f1), (r2, e2, f2));
    assert!(
        opt_size < plain_size,
        "wasm-opt: {opt_size} bytes, plain {plain_size}"
    );
    println!("token.go: {plain_size} -> {opt_size} bytes; Transfer gas {plain_gas} -> {opt_gas}");
}

/// The same calls on engines that differ only in how they run contracts (snapshot or a
/// fresh `_initialize` per call, pooled or on-demand instances, the disk module cache warm,
/// cold or off) give the same addresses, results, events, gas, deploy gas and state hashes.
#[test]
fn the_same_calls_give_the_same_addresses_results_gas_and_state_hash() {
    let run = |runtime: govm::RuntimeConfig, cache: std::path::PathBuf| {
        let engine = Engine::new(govm::Config {
            cache_dir: cache,
            runtime,
            ..govm::Config::default()
        })
        .unwrap();
        let options = govm::DeployOptions {
            deployer: DEPLOYER,
            ..govm::DeployOptions::default()
        };
        let mut trace = Vec::new();
        let mut deploy = |name: &str| {
            let d = engine
                .deploy_with_options(&contract(&format!("{name}/{name}.go")), &options)
                .unwrap();
            trace.push(format!("{} {}", d.address, d.init_gas));
            d.address
        };
        let token = deploy("token");
        let counter = deploy("counter");
        let caller = deploy("caller");
        let calls: Vec<(Address, &str, Vec<Value>)> = vec![
            (token, "Initialize", vec![Value::U64(1_000_000)]),
            (token, "CreateAccount", vec![Value::Address(ALICE)]),
            (
                token,
                "Transfer",
                vec![Value::Address(ALICE), Value::U64(1000)],
            ),
            (
                token,
                "Transfer",
                vec![Value::Address(ALICE), Value::U64(10_000_000)],
            ),
            (
                caller,
                "AddTwice",
                vec![Value::Address(counter), Value::U64(5)],
            ),
            (
                caller,
                "TryFail",
                vec![Value::Address(token), "Missing".into()],
            ),
        ];
        for (contract, function, args) in calls {
            let ctx = CallContext::new(DEPLOYER);
            match engine.execute_with_args(&ctx, contract, function, &args) {
                Ok(o) => trace.push(format!(
                    "{:?} {:?} {} {}",
                    o.results,
                    o.events,
                    o.gas_used,
                    o.state_hash.unwrap_or_default()
                )),
                Err(Error::Call {
                    error, gas_used, ..
                }) => trace.push(format!("{error} {gas_used}")),
                Err(e) => panic!("{e}"),
            }
        }
        trace
    };
    let shared = cache_dir();
    let reference = run(govm::RuntimeConfig::default(), shared.clone());
    let cold = tempfile::tempdir().unwrap();
    let variants = [
        (
            "warm disk cache",
            govm::RuntimeConfig::default(),
            shared.clone(),
        ),
        (
            "cold disk cache",
            govm::RuntimeConfig::default(),
            cold.path().to_path_buf(),
        ),
        (
            "no disk cache",
            govm::RuntimeConfig {
                wasi: govm::WasiOptions {
                    precompiled_cache: false,
                    ..govm::WasiOptions::default()
                },
                ..govm::RuntimeConfig::default()
            },
            shared.clone(),
        ),
        (
            "fresh _initialize per call",
            govm::RuntimeConfig {
                snapshots: false,
                ..govm::RuntimeConfig::default()
            },
            shared.clone(),
        ),
        (
            "on-demand instances",
            govm::RuntimeConfig {
                pooling: false,
                ..govm::RuntimeConfig::default()
            },
            shared,
        ),
    ];
    for (name, runtime, cache) in variants {
        assert_eq!(run(runtime, cache), reference, "{name}");
    }
}

#[test]
fn arguments_are_checked_against_the_abi() {
    let engine = engine();
    let token = Token::deploy(&engine);
    let err = token
        .call(DEPLOYER, "Transfer", &[ALICE.into(), "lots".into()])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "argument 2 \"amount\": expected uint64, got string"
    );
    let err = token
        .call(DEPLOYER, "Transfer", &[ALICE.into()])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Transfer arguments: expected 2 values, got 1"
    );
    let err = token.call(DEPLOYER, "Mint", &[]).unwrap_err();
    assert_eq!(err.to_string(), "unknown function `Mint`");
    let err = engine
        .execute(&CallContext::new(DEPLOYER), Address([3; 20]), "Transfer")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("unknown contract {}", Address([3; 20]))
    );
}

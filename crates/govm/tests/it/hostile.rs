use govm::{
    Address, CallContext, CallError, Config, ContractOptions, DeployOptions, Engine, Error, Value,
};

use crate::{DEPLOYER, cache_dir, contract};

fn deploy(engine: &Engine, limits: Option<ContractOptions>) -> Address {
    let options = DeployOptions {
        deployer: DEPLOYER,
        file_name: "hostile.go".into(),
        options: limits,
        ..DeployOptions::default()
    };
    engine
        .deploy_with_options(&contract("hostile/hostile.go"), &options)
        .unwrap()
        .address
}

fn call_error(
    engine: &Engine,
    ctx: &CallContext,
    address: Address,
    function: &str,
    args: &[Value],
) -> CallError {
    match engine.execute_with_args(ctx, address, function, args) {
        Err(Error::Call { error, .. }) => error,
        other => panic!("{function}: expected a failed call, got {other:?}"),
    }
}

#[test]
fn each_failure_mode_has_its_own_error_and_the_engine_serves_the_next_call() {
    let engine = Engine::new(Config {
        cache_dir: cache_dir(),
        ..Config::default()
    })
    .unwrap();
    // The contract's own limits, chosen at deploy: 32 MiB, 2 s, and all the fuel a caller
    // offers (so that the deadline is what stops a loop given huge fuel).
    let limits = ContractOptions {
        memory_limit: 32 << 20,
        timeout_ms: 2_000,
        fuel_limit: u64::MAX / 2,
        ..engine.default_options()
    };
    let hostile = deploy(&engine, Some(limits));
    let ctx = CallContext::new(DEPLOYER);
    let before = engine.state_hash().unwrap();

    assert_eq!(
        call_error(&engine, &ctx, hostile, "Panic", &["boom".into()]),
        CallError::Panic {
            message: "boom".into()
        }
    );
    let index = call_error(&engine, &ctx, hostile, "Index", &[7u64.into()]);
    assert_eq!(
        index,
        CallError::Panic {
            message: "runtime error: index out of range [7] with length 3".into()
        }
    );

    let small_fuel = CallContext {
        fuel_limit: 5_000_000,
        ..ctx
    };
    assert_eq!(
        call_error(&engine, &small_fuel, hostile, "Loop", &[]),
        CallError::OutOfFuel
    );
    let huge_fuel = CallContext {
        fuel_limit: u64::MAX / 2,
        ..ctx
    };
    assert_eq!(
        call_error(&engine, &huge_fuel, hostile, "Loop", &[]),
        CallError::DeadlineExceeded { timeout_ms: 2_000 }
    );
    let hog = call_error(&engine, &huge_fuel, hostile, "Hog", &[64u64.into()]);
    assert_eq!(hog, CallError::MemoryLimit { limit: 32 << 20 });
    // Go calls are wasm calls too: deep recursion overflows the wasm stack (StackSize).
    let deep = call_error(
        &engine,
        &huge_fuel,
        hostile,
        "Recurse",
        &[10_000_000u64.into()],
    );
    assert_eq!(deep, CallError::StackOverflow);
    let huge = call_error(&engine, &ctx, hostile, "Huge", &[(2u64 << 20).into()]);
    assert!(
        matches!(huge, CallError::ResultTooLarge { limit, .. } if limit == govm::MAX_RESULT_SIZE),
        "{huge:?}"
    );
    let spam = call_error(&engine, &huge_fuel, hostile, "Spam", &[5_000u64.into()]);
    assert_eq!(
        spam,
        CallError::Panic {
            message: "vm: Log(\"Spam\"): state limit exceeded".into()
        }
    );
    assert_eq!(engine.state_hash().unwrap(), before);

    assert_eq!(
        call_error(&engine, &ctx, hostile, "WriteThenFail", &[]),
        CallError::ContractError {
            message: "failing after writing".into()
        }
    );
    assert_eq!(engine.state_hash().unwrap(), before);
    assert!(engine.events(None).unwrap().is_empty());
    let touched = engine.execute(&ctx, hostile, "Touched").unwrap();
    assert_eq!(touched.results, [Value::Bool(false)]);

    assert_eq!(
        call_error(&engine, &ctx, hostile, "WrongType", &[]),
        CallError::ContractError {
            message: "field \"n\" holds uint64, not string".into()
        }
    );

    let printed = engine
        .execute_with_args(&ctx, hostile, "Print", &["hello".into()])
        .unwrap();
    assert_eq!(printed.results, [Value::U64(1)]);
    assert_eq!(printed.debug_output, "debug: hello 1\n");
    let fine = engine
        .execute_with_args(&ctx, hostile, "Hog", &[4u64.into()])
        .unwrap();
    assert_eq!(fine.results, [Value::U64(4)]);
    let small = engine
        .execute_with_args(&ctx, hostile, "Huge", &[3u64.into()])
        .unwrap();
    assert_eq!(small.results, [Value::Bytes(vec![0; 3])]);
    let few = engine
        .execute_with_args(&ctx, hostile, "Spam", &[3u64.into()])
        .unwrap();
    assert_eq!(few.events.len(), 3);
}

#[test]
fn contracts_cannot_reach_the_wrappers_internal_package() {
    let engine = Engine::new(Config {
        cache_dir: cache_dir(),
        ..Config::default()
    })
    .unwrap();
    // The wrapper's Context, allocator and envelope live in the SDK's internal package: a
    // contract that tried to reach them (say, to use the host from package initialization,
    // with fuel nobody pays for) is refused at validation. The host refuses such use too
    // (the runtime's tests run it with a hand-written module).
    let source = b"package initcall\n\nimport \"github.com/govm-net/vm/internal/entry\"\n\n\
        var start = entry.Context\n\n\
        func Height() bool { return start != nil }\n";
    match engine.deploy(source) {
        Err(Error::Rejected(rejected)) => {
            let message = &rejected.diagnostics[0].message;
            assert!(
                message.contains("internal packages are not for contracts"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// The events a call keeps for its caller are bounded (`MAX_CALL_EVENTS_SIZE`, by their
/// decoded size), whatever fuel it has: past the bound `Log` is refused, so the contract
/// fails, and nothing it emitted is kept.
#[test]
fn the_events_a_call_keeps_are_bounded() {
    let engine = crate::engine();
    // Fuel enough for 17 MiB of event bytes: the bound, not the fuel, stops it.
    let fuel_limit = 4_000_000_000;
    let options = govm::DeployOptions {
        deployer: crate::DEPLOYER,
        options: Some(govm::ContractOptions {
            fuel_limit,
            ..govm::ContractOptions::default()
        }),
        ..govm::DeployOptions::default()
    };
    let hostile = engine
        .deploy_with_options(&crate::contract("hostile/hostile.go"), &options)
        .unwrap()
        .address;
    let ctx = govm::CallContext {
        fuel_limit,
        ..govm::CallContext::new(crate::DEPLOYER)
    };
    let mib = 1u64 << 20;
    let within = engine
        .execute_with_args(&ctx, hostile, "Shout", &[15u64.into(), mib.into()])
        .unwrap();
    assert_eq!(within.events.len(), 15);
    let events_before = engine.events(None).unwrap().len();
    match engine.execute_with_args(&ctx, hostile, "Shout", &[17u64.into(), mib.into()]) {
        Err(govm::Error::Call { error, .. }) => {
            assert!(error.to_string().contains("limit exceeded"), "{error}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(engine.events(None).unwrap().len(), events_before);
}

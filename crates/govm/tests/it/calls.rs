use govm::{Address, CallContext, CallError, Error, Value};

use crate::{ALICE, DEPLOYER, deploy, engine};

#[test]
fn contracts_call_contracts_with_their_own_address_as_sender() {
    let engine = engine();
    let counter = deploy(&engine, "counter");
    let caller = deploy(&engine, "caller");
    let ctx = CallContext::new(ALICE);

    let total = engine
        .execute_with_args(&ctx, caller, "AddTwice", &[counter.into(), 5u64.into()])
        .unwrap();
    assert_eq!(total.results, [Value::U64(10)]);
    // The counter's events come first, tagged with the counter's address.
    let emitters: Vec<Address> = total.events.iter().map(|e| e.contract).collect();
    assert_eq!(emitters, [counter, counter]);

    let second_caller = deploy(&engine, "caller");
    let seen = engine
        .execute_with_args(&ctx, caller, "AskWho", &[second_caller.into()])
        .unwrap();
    assert_eq!(seen.results, [Value::Address(caller)]);
}

#[test]
fn a_failed_callee_is_rolled_back_and_the_caller_may_handle_it() {
    let engine = engine();
    let hostile = deploy(&engine, "hostile");
    let caller = deploy(&engine, "caller");
    let ctx = CallContext::new(ALICE);
    let out = engine
        .execute_with_args(
            &ctx,
            caller,
            "TryFail",
            &[hostile.into(), "WriteThenFail".into()],
        )
        .unwrap();
    assert_eq!(out.results, [Value::String("failing after writing".into())]);
    // The callee's event and write are gone; the caller's stay.
    let names: Vec<&str> = out.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Handled"]);
    let touched = engine.query(&ctx, hostile, "Touched", &[]).unwrap();
    assert_eq!(touched.results, [Value::Bool(false)]);

    let panicked =
        engine.execute_with_args(&ctx, caller, "TryFail", &[hostile.into(), "Loop".into()]);
    // The callee ran the shared fuel out, so the caller has none left either.
    match panicked {
        Err(Error::Call {
            error: CallError::OutOfFuel,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    // A callee that runs out of time stops the whole call: wall-clock time differs between
    // nodes, so a caller must never see it as a result it could act on.
    let unlimited = |name: &str, timeout_ms| {
        engine
            .deploy_with_options(
                &crate::contract(&format!("{name}/{name}.go")),
                &govm::DeployOptions {
                    deployer: crate::DEPLOYER,
                    options: Some(govm::ContractOptions {
                        timeout_ms,
                        fuel_limit: u64::MAX / 2,
                        ..engine.default_options()
                    }),
                    ..govm::DeployOptions::default()
                },
            )
            .unwrap()
            .address
    };
    let slow = unlimited("hostile", 200);
    let patient = unlimited("caller", 5_000);
    let plenty = CallContext {
        fuel_limit: u64::MAX / 2,
        ..ctx
    };
    let timed_out =
        engine.execute_with_args(&plenty, patient, "TryFail", &[slow.into(), "Loop".into()]);
    match timed_out {
        Err(Error::Call {
            error: CallError::DeadlineExceeded { .. },
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    let missing = engine
        .execute_with_args(
            &ctx,
            caller,
            "TryFail",
            &[hostile.into(), "NoSuchFunction".into()],
        )
        .unwrap();
    assert_eq!(
        missing.results,
        [Value::String("unknown function `NoSuchFunction`".into())]
    );
}

#[test]
fn re_entry_is_refused() {
    let engine = engine();
    let a = deploy(&engine, "caller");
    let b = deploy(&engine, "caller");
    let ctx = CallContext::new(ALICE);
    // a -> b -> (end): fine.
    let ok = engine
        .execute_with_args(&ctx, a, "Bounce", &[b.into(), Address::ZERO.into()])
        .unwrap();
    assert_eq!(ok.results, [Value::U64(2)]);
    // a -> b -> a: refused when b calls back into a.
    let err = engine
        .execute_with_args(&ctx, a, "Bounce", &[b.into(), a.into()])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("call Bounce on {b}: call Bounce on {a}: re-entering contract {a} is not allowed")
    );
}

#[test]
fn native_balances_move_between_contracts_and_accounts() {
    let engine = engine();
    let caller = deploy(&engine, "caller");
    engine.mint(caller, 1_000).unwrap();
    let ctx = CallContext::new(DEPLOYER);
    let left = engine
        .execute_with_args(&ctx, caller, "Pay", &[ALICE.into(), 300u64.into()])
        .unwrap();
    assert_eq!(left.results, [Value::U64(700)]);
    assert_eq!(engine.balance(ALICE).unwrap(), 300);
    let err = engine
        .execute_with_args(&ctx, caller, "Pay", &[ALICE.into(), 701u64.into()])
        .unwrap_err();
    assert_eq!(err.to_string(), "insufficient balance");
    assert_eq!(engine.balance(caller).unwrap(), 700);
}

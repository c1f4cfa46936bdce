use govm::{Address, CallContext, DeployOptions, ObjectId, Value};

use crate::{ALICE, DEPLOYER, contract, engine};

fn poll() -> Value {
    Value::Struct(vec![
        ("Question".into(), "Tabs or spaces?".into()),
        ("Options".into(), Value::list(["tabs", "spaces"])),
        ("Closes".into(), Value::U64(10)),
    ])
}

#[test]
fn structs_slices_and_maps_cross_the_boundary_and_live_in_fields() {
    let engine = engine();
    let options = DeployOptions {
        deployer: DEPLOYER,
        file_name: "vote.go".into(),
        ..DeployOptions::default()
    };
    let deployment = engine
        .deploy_with_options(&contract("vote/vote.go"), &options)
        .unwrap();
    let vote = deployment.address;
    let names: Vec<&str> = deployment
        .abi
        .structs
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["Poll", "Tally"]);
    let events: Vec<&str> = deployment
        .abi
        .events
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(events, ["Created", "Voted"]);

    let ctx = CallContext::new(DEPLOYER);
    let described = engine.query(&ctx, vote, "Describe", &[poll()]).unwrap();
    assert_eq!(
        described.results,
        [poll(), Value::I64(2), Value::list([true, true])]
    );

    let created = engine
        .execute_with_args(&ctx, vote, "Create", &[poll()])
        .unwrap();
    let id: ObjectId = created.result().unwrap();
    assert_eq!(
        created.events[0].fields[2],
        ("options".to_owned(), Value::list(["tabs", "spaces"]))
    );

    let bob = Address([0xb0; 20]);
    for (voter, option) in [(ALICE, 1u32), (bob, 1), (DEPLOYER, 0)] {
        engine
            .execute_with_args(
                &CallContext::new(voter),
                vote,
                "Vote",
                &[id.into(), option.into()],
            )
            .unwrap();
    }
    let again = engine.execute_with_args(
        &CallContext::new(ALICE),
        vote,
        "Vote",
        &[id.into(), 0u32.into()],
    );
    assert_eq!(again.unwrap_err().to_string(), "already voted");

    let results = engine.query(&ctx, vote, "Results", &[id.into()]).unwrap();
    let counts = Value::Map(vec![
        ("spaces".into(), Value::U64(2)),
        ("tabs".into(), Value::U64(1)),
    ]);
    assert_eq!(
        results.results,
        ["Tabs or spaces?".into(), counts, "spaces".into()]
    );
    assert_eq!(
        govm::ContractAbi::results_to_json(&results.results).to_string(),
        r#"["Tabs or spaces?",{"spaces":2,"tabs":1},"spaces"]"#
    );

    let late = CallContext {
        block_height: 11,
        ..CallContext::new(Address([0xc0; 20]))
    };
    let closed = engine.execute_with_args(&late, vote, "Vote", &[id.into(), 0u32.into()]);
    assert_eq!(closed.unwrap_err().to_string(), "the poll is closed");
}

#[test]
fn json_arguments_are_checked_against_the_abi_with_exact_errors() {
    let engine = engine();
    let options = DeployOptions {
        deployer: DEPLOYER,
        ..DeployOptions::default()
    };
    let vote = engine
        .deploy_with_options(&contract("vote/vote.go"), &options)
        .unwrap()
        .address;
    let abi = engine.abi(vote).unwrap();
    let create = abi.function("Create").unwrap();
    let good: serde_json::Value = serde_json::from_str(
        r#"[{"Question": "Q?", "Options": ["a", "b"], "Closes": "18446744073709551615"}]"#,
    )
    .unwrap();
    let args = abi.args_from_json(create, &good).unwrap();
    assert_eq!(
        args[0],
        Value::Struct(vec![
            ("Question".into(), "Q?".into()),
            ("Options".into(), Value::list(["a", "b"])),
            ("Closes".into(), Value::U64(u64::MAX)),
        ])
    );
    let cases = [
        (
            r#"[{"Question": "Q?", "Options": ["a", 7], "Closes": 1}]"#,
            r#"argument 1 "poll".Options[1]: expected string, got number"#,
        ),
        (
            r#"[{"Question": "Q?", "Options": [], "Closes": -1}]"#,
            r#"argument 1 "poll".Closes: expected uint64, got number -1"#,
        ),
        (
            r#"[{"Question": "Q?", "Options": []}]"#,
            r#"argument 1 "poll".Closes: expected uint64, got nothing (the field is missing)"#,
        ),
        (
            r#"[{"Question": "Q?", "Options": [], "Closes": 1, "Extra": 2}]"#,
            r#"argument 1 "poll": expected Poll, which has no field "Extra", got object"#,
        ),
        (r#"[]"#, "Create arguments: expected 1 values, got 0"),
    ];
    for (json, expected) in cases {
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(
            abi.args_from_json(create, &value).unwrap_err().to_string(),
            expected
        );
    }
    let vote_fn = abi.function("Vote").unwrap();
    let bad: serde_json::Value = serde_json::from_str(r#"["0x12", 1]"#).unwrap();
    assert_eq!(
        abi.args_from_json(vote_fn, &bad).unwrap_err().to_string(),
        r#"argument 1 "poll": expected vm.ObjectID, got invalid vm.ObjectID: expected 64 hex digits, got 2"#
    );
}

#[test]
fn the_registry_keeps_bytes_under_string_keys() {
    let engine = engine();
    let options = DeployOptions {
        deployer: DEPLOYER,
        ..DeployOptions::default()
    };
    let registry = engine
        .deploy_with_options(&contract("registry/registry.go"), &options)
        .unwrap()
        .address;
    let alice = CallContext::new(ALICE);
    let value = Value::Bytes(vec![0, 1, 2, 255]);
    engine
        .execute_with_args(
            &alice,
            registry,
            "Register",
            &["alice.gov".into(), value.clone()],
        )
        .unwrap();
    let found = engine
        .query(&alice, registry, "Lookup", &["alice.gov".into()])
        .unwrap();
    assert_eq!(found.results, [value, Value::Address(ALICE)]);
    let bob = CallContext::new(Address([0xb0; 20]));
    let taken = engine.execute_with_args(
        &bob,
        registry,
        "Register",
        &["alice.gov".into(), Value::Bytes(vec![])],
    );
    assert_eq!(
        taken.unwrap_err().to_string(),
        format!("name alice.gov belongs to {ALICE}")
    );
    engine
        .execute_with_args(&alice, registry, "Release", &["alice.gov".into()])
        .unwrap();
    let gone = engine.query(&alice, registry, "Lookup", &["alice.gov".into()]);
    assert_eq!(
        gone.unwrap_err().to_string(),
        "name alice.gov is not registered"
    );
}

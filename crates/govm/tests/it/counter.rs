use govm::{CallContext, DeployOptions, Value};

use crate::{DEPLOYER, contract, deploy, engine};

/// The contract the README shows (kept identical to testdata/contracts/counter/counter.go).
#[test]
fn the_readme_counter_adds_up_in_its_default_object() {
    let readme = include_str!("../../../../README.md");
    let source = contract("counter/counter.go");
    assert!(
        readme.contains(String::from_utf8(source.clone()).unwrap().trim()),
        "README and counter.go differ"
    );

    let engine = engine();
    let options = DeployOptions {
        deployer: DEPLOYER,
        ..DeployOptions::default()
    };
    let counter = engine
        .deploy_with_options(&source, &options)
        .unwrap()
        .address;
    let ctx = CallContext::new(DEPLOYER);
    let first = engine
        .execute_with_args(&ctx, counter, "Add", &[5u64.into()])
        .unwrap();
    assert_eq!(first.result::<u64>().unwrap(), 5);
    let second = engine
        .execute_with_args(&ctx, counter, "Add", &[7u64.into()])
        .unwrap();
    assert_eq!(second.result::<u64>().unwrap(), 12);
    assert_eq!(
        second.events[0].fields,
        [
            ("n".to_owned(), Value::U64(7)),
            ("total".to_owned(), Value::U64(12))
        ]
    );
    // A query runs the same code and writes nothing.
    let hash = engine.state_hash().unwrap();
    let queried = engine.query(&ctx, counter, "Add", &[1u64.into()]).unwrap();
    assert_eq!(queried.result::<u64>().unwrap(), 13);
    assert_eq!(engine.state_hash().unwrap(), hash);
    assert_eq!(
        engine
            .execute_with_args(&ctx, counter, "Add", &[0u64.into()])
            .unwrap()
            .result::<u64>()
            .unwrap(),
        12
    );
}

#[test]
fn a_block_commits_its_successful_calls_at_once() {
    let engine = engine();
    let counter = deploy(&engine, "counter");
    let hostile = deploy(&engine, "hostile");
    let before = engine.state_hash().unwrap();
    let mut block = engine.begin_block(7, 1_700_000_100);
    let first = block
        .execute_with_args(DEPLOYER, 10_000_000, counter, "Add", &[2u64.into()])
        .unwrap();
    assert_eq!(first.result::<u64>().unwrap(), 2);
    // A failing call in the block is rolled back alone.
    assert!(
        block
            .execute_with_args(DEPLOYER, 10_000_000, hostile, "WriteThenFail", &[])
            .is_err()
    );
    let second = block
        .execute_with_args(DEPLOYER, 10_000_000, counter, "Add", &[3u64.into()])
        .unwrap();
    assert_eq!(second.result::<u64>().unwrap(), 5);
    assert_eq!(second.events.len(), 1, "only this call's events");
    // Inside a block the state hash is not known until the block commits.
    assert_eq!((first.state_hash, second.state_hash), (None, None));
    let hash = block.commit().unwrap();
    assert_ne!(hash, before);
    assert_eq!(engine.state_hash().unwrap(), hash);
    let names: Vec<String> = engine
        .events(None)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["Added", "Added"]);
    let touched = engine
        .query(&CallContext::new(DEPLOYER), hostile, "Touched", &[])
        .unwrap();
    assert_eq!(touched.results, [Value::Bool(false)]);
}

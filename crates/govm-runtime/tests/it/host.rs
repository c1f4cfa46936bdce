//! The host functions and WASI: hostile pointers and lengths, refused values, debug output.

use govm_abi::Value;
use govm_runtime::{ContractOptions, EmittedEvent, Error, LogLevel, Runtime, RuntimeConfig};

use crate::{CONTRACT, Fixture, call_in, call_on, init_state};

#[test]
fn hostile_pointers_and_lengths_are_errors_not_panics() {
    // The contract may use all the fuel offered, so that the bounds checks are what stop it.
    let f = Fixture::with_options(
        RuntimeConfig::default(),
        &ContractOptions {
            fuel_limit: u64::MAX / 2,
            ..ContractOptions::default()
        },
    );
    for function in ["BadPointer", "BadLength", "BadIovec", "BadRandom"] {
        // Plenty of fuel, so that the bounds check is what stops the call.
        let outcome = f.call_with(function, &[], u64::MAX / 2);
        match outcome.result {
            Err(Error::Trap(message)) => {
                assert!(message.contains("out-of-bounds pointer"), "{message}")
            }
            other => panic!("{function}: {other:?}"),
        }
        f.still_works();
    }
    assert!(matches!(f.call("BadEnvelope").result, Err(Error::Trap(_))));
    f.still_works();
    // Host work is charged before it is done: a huge length with little fuel runs out of fuel.
    assert_eq!(
        f.call_with("BadLength", &[], 1_000_000).result,
        Err(Error::OutOfFuel)
    );
}

#[test]
fn values_without_a_type_tag_are_refused() {
    let f = Fixture::new(RuntimeConfig::default());
    assert_eq!(f.call("BadTag").result, Ok(vec![]));
}

/// An event's fields are decoded once, when the contract emits it: the outcome carries the
/// events the transaction gained, decoded; a refused event is in neither, and a failed call
/// reports none.
#[test]
fn emitted_events_come_back_decoded_with_the_outcome() {
    let f = Fixture::new(RuntimeConfig::default());
    let (tx, outcome) = call_in(&f.runtime, &f.state, "Emit", &[], 10_000_000);
    assert_eq!(outcome.result, Ok(vec![]));
    let hit = EmittedEvent {
        contract: CONTRACT,
        name: "Hit".into(),
        fields: vec![("ok".into(), Value::Bool(true))],
    };
    assert_eq!(outcome.events, [hit]);
    let stored: Vec<(&[u8; 20], &str)> = tx
        .events()
        .iter()
        .map(|e| (&e.contract, e.name.as_str()))
        .collect();
    assert_eq!(stored, [(&CONTRACT.0, "Hit")]);
    let failed = f.call("EmitThenFail");
    assert!(matches!(failed.result, Err(Error::Trap(_))), "{failed:?}");
    assert!(failed.events.is_empty());
}

#[test]
fn the_log_level_decides_what_debug_output_holds() {
    let state = init_state(&ContractOptions::default());
    let output = |level| {
        let mut config = RuntimeConfig::default();
        config.wasi.log_level = level;
        let runtime = Runtime::new(config).unwrap();
        call_on(&runtime, &state, "Print", &[], 1_000_000).debug_output
    };
    assert_eq!(output(LogLevel::Off), "");
    assert_eq!(output(LogLevel::Error), "to stderr\n");
    assert_eq!(output(LogLevel::Debug), "to stdout\nto stderr\n");
    let trace = output(LogLevel::Trace);
    assert!(trace.contains("[trace] govm.sender fuel="), "{trace}");
}

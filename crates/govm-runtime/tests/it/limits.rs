//! Limits: the deadline, memory, the wasm stack, and limits below what Go needs.

use govm_runtime::{ContractOptions, Error, Runtime, RuntimeConfig};

use crate::{Fixture, call_on, init_state};

#[test]
fn an_infinite_loop_is_stopped_by_fuel_and_by_the_deadline() {
    let f = Fixture::with_options(
        RuntimeConfig::default(),
        &ContractOptions {
            timeout_ms: 100,
            ..ContractOptions::default()
        },
    );
    let outcome = f.call_with("Spin", &[], 1_000_000);
    assert_eq!(outcome.result, Err(Error::OutOfFuel));
    assert_eq!(outcome.gas_used, 1_000_000);
    f.still_works();
    let outcome = f.call_with("Spin", &[], u64::MAX / 2);
    assert_eq!(
        outcome.result,
        Err(Error::DeadlineExceeded { timeout_ms: 100 })
    );
    f.still_works();
}

#[test]
fn memory_bombs_hit_the_memory_limit() {
    let limit = 16 << 20;
    let f = Fixture::with_options(
        RuntimeConfig::default(),
        &ContractOptions {
            memory_limit: limit as u64,
            ..ContractOptions::default()
        },
    );
    assert_eq!(f.call("Grow").result, Err(Error::MemoryLimit { limit }));
    f.still_works();
}

#[test]
fn deep_recursion_overflows_the_stack() {
    let f = Fixture::new(RuntimeConfig::default());
    assert_eq!(
        f.call_with("Recurse", &[], u64::MAX / 2).result,
        Err(Error::StackOverflow)
    );
    f.still_works();
    assert!(matches!(f.call("Unreachable").result, Err(Error::Trap(_))));
}

#[test]
fn a_memory_limit_below_what_go_needs_is_refused() {
    let mut config = RuntimeConfig::default();
    config.wasi.contract.memory_limit = 1 << 20;
    let err = Runtime::new(config).unwrap_err();
    assert!(err.to_string().contains("MemoryLimit"), "{err}");
    assert!(err.to_string().contains("Go's runtime needs"), "{err}");
}

#[test]
fn the_stack_size_option_is_enforced_per_contract() {
    let depth = 5_000u32.to_le_bytes();
    let small = ContractOptions {
        stack_size: 64 << 10,
        ..ContractOptions::default()
    };
    let large = ContractOptions {
        stack_size: 1 << 20,
        ..ContractOptions::default()
    };
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let outcome = call_on(&runtime, &init_state(&small), "Depth", &depth, u64::MAX / 2);
    assert_eq!(outcome.result, Err(Error::StackOverflow));
    let outcome = call_on(&runtime, &init_state(&large), "Depth", &depth, u64::MAX / 2);
    assert_eq!(outcome.result, Ok(vec![]));
}

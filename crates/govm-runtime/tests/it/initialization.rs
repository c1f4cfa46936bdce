//! Package initialisation: calls start from the snapshot taken after it, and it is metered, fenced and kept from the host.

use govm_abi::ContractAbi;
use govm_runtime::ModuleSource::Unchecked;
use govm_runtime::{ContractOptions, Error, Runtime, RuntimeConfig};

use crate::{INIT_MODULE, call_on, init_abi, init_state};

#[test]
fn calls_start_from_the_snapshot_and_match_a_fresh_initialize() {
    let state = init_state(&ContractOptions::default());
    let snapshot = Runtime::new(RuntimeConfig::default()).unwrap();
    let fresh = Runtime::new(RuntimeConfig {
        snapshots: false,
        ..RuntimeConfig::default()
    })
    .unwrap();
    let a = call_on(&snapshot, &state, "Read", &[], 1_000_000);
    let b = call_on(&fresh, &state, "Read", &[], 1_000_000);
    let bytes = a.result.clone().unwrap();
    // Every call sees the state `_initialize` left, not the last call's: the counter is 42.
    assert_eq!(bytes[40..44], 42u32.to_le_bytes());
    assert_eq!(call_on(&snapshot, &state, "Read", &[], 1_000_000), a);
    // `_initialize` saw the fixed clock (1 us after Unix time 0) and the fixed seed.
    assert_eq!(bytes[..8], 1_000u64.to_le_bytes());
    assert_eq!(
        a, b,
        "snapshot and fresh initialization must agree, gas included"
    );
    // The snapshot is the same bytes on every runtime.
    let options = ContractOptions::default();
    let wasm = wat::parse_str(INIT_MODULE).unwrap();
    let p1 = snapshot
        .prepare(&[0xdd; 32], Unchecked(&wasm), &init_abi(), &options)
        .unwrap();
    let other = Runtime::new(RuntimeConfig::default()).unwrap();
    let p2 = other
        .prepare(&[0xdd; 32], Unchecked(&wasm), &init_abi(), &options)
        .unwrap();
    assert!(p1.snapshot_hash.is_some());
    assert_eq!(p1, p2);
    assert!(p1.init_fuel > 0);
    let p3 = fresh
        .prepare(&[0xdd; 32], Unchecked(&wasm), &init_abi(), &options)
        .unwrap();
    assert_eq!(p3.init_fuel, p1.init_fuel);
}

#[test]
fn initialization_is_metered_fenced_and_kept_from_the_host() {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let empty = ContractAbi::new("x", vec![]);
    let module = |init: &str, extra: &str| {
        wat::parse_str(format!(
            r#"(module (import "govm" "sender" (func $sender (param i32)))
            (memory (export "memory") 1) {extra}
            (func (export "_initialize") {init})
            (func (export "govm_alloc") (param i32) (result i32) (i32.const 1024)))"#
        ))
        .unwrap()
    };
    let cases = [
        (
            module("(loop $l (br $l))", ""),
            ContractOptions {
                fuel_limit: 100_000,
                ..ContractOptions::default()
            },
            "out of fuel",
        ),
        (
            module("(call $sender (i32.const 0))", ""),
            ContractOptions::default(),
            "package initialization",
        ),
        (
            module("", "(table 10 funcref)"),
            ContractOptions {
                table_size: 5,
                ..ContractOptions::default()
            },
            "table",
        ),
        (
            module(
                "(if (i32.eq (memory.grow (i32.const 300)) (i32.const -1)) (then unreachable))",
                "",
            ),
            ContractOptions {
                memory_limit: 16 << 20,
                ..ContractOptions::default()
            },
            "memory limit of 16777216 bytes",
        ),
    ];
    for (i, (wasm, options, expected)) in cases.iter().enumerate() {
        match runtime.prepare(&[100 + i as u8; 32], Unchecked(wasm), &empty, options) {
            Err(Error::Initialization(e)) => {
                assert!(e.to_string().contains(expected), "case {i}: {e}")
            }
            other => panic!("case {i}: {other:?}"),
        }
    }
    assert!(Error::Initialization(Box::new(Error::OutOfFuel)).is_resource_limit());
}

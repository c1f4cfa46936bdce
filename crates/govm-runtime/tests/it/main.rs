//! Runtime tests with hand-written modules: hostile pointers, limits, and the call protocol.
#![allow(clippy::unwrap_used)]

use govm_abi::{Address, ContractAbi, Function};
use govm_runtime::ModuleSource::Unchecked;
use govm_runtime::{
    CallOutcome, CallRequest, ContractOptions, Error, LogLevel, Runtime, RuntimeConfig, gas,
};
use govm_state::{ContractRecord, State};

mod stats;

const CONTRACT: Address = Address([0xc0; 20]);
const SENDER: Address = Address([0x5e; 20]);

/// A minimal contract in WAT: the exports govm requires plus one entry point per test.
const MODULE: &str = r#"
(module
  (import "govm" "sender" (func $sender (param i32)))
  (import "govm" "field_set" (func $field_set (param i32 i32 i32 i32 i32) (result i32)))
  (import "govm" "emit_event" (func $emit (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 512) "k")
  (data (i32.const 520) "\ff\01")
  (func (export "_initialize"))
  (func (export "govm_alloc") (param i32) (result i32) (i32.const 1024))
  ;; Success with no results: the envelope is the single byte 0 at offset 2048.
  (func $ok (result i64)
    (i32.store8 (i32.const 2048) (i32.const 0))
    (i64.const 0x80000000001))
  (func (export "Ok") (param i32 i32) (result i64) (call $ok))
  ;; Echo: the envelope is 0 followed by the argument bytes.
  (func (export "Echo") (param $p i32) (param $n i32) (result i64)
    (i32.store8 (i32.const 2047) (i32.const 0))
    (memory.copy (i32.const 2048) (local.get $p) (local.get $n))
    (i64.or (i64.const 0x7ff00000000) (i64.extend_i32_u (i32.add (local.get $n) (i32.const 1)))))
  (func (export "Sender") (param i32 i32) (result i64)
    (call $sender (i32.const 3000))
    (call $ok))
  (func (export "BadPointer") (param i32 i32) (result i64)
    (call $sender (i32.const 0xfffffff0))
    (call $ok))
  ;; An iovec table that runs off the end of the address space.
  (func (export "BadIovec") (param i32 i32) (result i64)
    (drop (call $fd_write (i32.const 1) (i32.const 0xfffffffc) (i32.const 1) (i32.const 0)))
    (call $ok))
  ;; Randomness for a buffer far larger than memory.
  (func (export "BadRandom") (param i32 i32) (result i64)
    (drop (call $random_get (i32.const 16) (i32.const 0xfffffff0)))
    (call $ok))
  (func (export "BadLength") (param i32 i32) (result i64)
    (drop (call $emit (i32.const 0) (i32.const 0x7fffffff)))
    (call $ok))
  ;; Stores a value whose first byte is not a type tag: refused with status 3.
  (func (export "BadTag") (param i32 i32) (result i64)
    (if (i32.ne (call $field_set (i32.const 4096) (i32.const 512) (i32.const 1) (i32.const 520) (i32.const 2)) (i32.const 3))
      (then unreachable))
    (call $ok))
  (func (export "Spin") (param i32 i32) (result i64)
    (loop $l (br $l))
    (i64.const 0))
  ;; Grows memory like an allocator would, trapping when growth fails.
  (func (export "Grow") (param i32 i32) (result i64)
    (loop $l
      (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
    unreachable)
  (func $deep (param i32) (result i32) (call $deep (i32.add (local.get 0) (i32.const 1))))
  (func (export "Recurse") (param i32 i32) (result i64) (drop (call $deep (i32.const 0))) (call $ok))
  (func (export "BadEnvelope") (param i32 i32) (result i64) (i64.const 0xffff000000000010))
  (func (export "Unreachable") (param i32 i32) (result i64) unreachable)
)
"#;

/// An ABI with these entry points (their wire types do not matter to the runtime).
fn abi_of(package: &str, names: &[&str]) -> ContractAbi {
    let function = |name: &&str| Function {
        name: (*name).into(),
        context: false,
        params: vec![],
        results: vec![],
        error: false,
    };
    ContractAbi::new(package, names.iter().map(function).collect())
}

/// The entry points of MODULE.
fn abi() -> ContractAbi {
    abi_of(
        "wat",
        &[
            "Ok",
            "Echo",
            "Sender",
            "BadPointer",
            "BadLength",
            "BadTag",
            "Spin",
            "Grow",
            "Recurse",
            "BadEnvelope",
            "Unreachable",
            "BadIovec",
            "BadRandom",
        ],
    )
}

fn deploy(state: &State, wasm: &[u8]) {
    deploy_with(state, wasm, &ContractOptions::default());
}

fn deploy_with(state: &State, wasm: &[u8], options: &ContractOptions) {
    store_contract(state, [0xcc; 32], wasm, &abi(), options, &[CONTRACT]);
}

/// Stores code and registers it at each address, as a deploy would (without preparing it).
fn store_contract(
    state: &State,
    code_hash: [u8; 32],
    wasm: &[u8],
    abi: &ContractAbi,
    options: &ContractOptions,
    addresses: &[Address],
) {
    let mut tx = state.begin();
    tx.put_code(&code_hash, wasm, &abi.to_json()).unwrap();
    for address in addresses {
        tx.register_contract(&ContractRecord {
            address: address.0,
            code_hash,
            deployer: SENDER.0,
            deploy_height: 0,
            options: options.encode(),
        })
        .unwrap();
    }
    state.commit(tx).unwrap();
}

struct Fixture {
    runtime: Runtime,
    state: State,
}

impl Fixture {
    fn new(config: RuntimeConfig) -> Self {
        Self::with_options(config, &ContractOptions::default())
    }

    fn with_options(config: RuntimeConfig, options: &ContractOptions) -> Self {
        let state = State::in_memory();
        deploy_with(&state, &wat::parse_str(MODULE).unwrap(), options);
        Self {
            runtime: Runtime::new(config).unwrap(),
            state,
        }
    }

    fn call_with(&self, function: &str, args: &[u8], fuel_limit: u64) -> CallOutcome {
        let before = self.state.state_hash().unwrap();
        let (tx, outcome) = call_in(&self.runtime, &self.state, function, args, fuel_limit);
        if outcome.result.is_ok() {
            self.state.commit(tx).unwrap();
        } else {
            drop(tx);
            assert_eq!(self.state.state_hash().unwrap(), before);
        }
        outcome
    }

    fn call(&self, function: &str) -> CallOutcome {
        self.call_with(function, &[], 10_000_000)
    }

    /// After any failure the runtime still serves an ordinary call.
    fn still_works(&self) {
        assert_eq!(self.call("Ok").result, Ok(vec![]));
    }
}

#[test]
fn arguments_reach_the_contract_and_results_come_back() {
    let f = Fixture::new(RuntimeConfig::default());
    assert_eq!(
        f.call_with("Echo", b"hello", 1_000_000).result,
        Ok(b"hello".to_vec())
    );
    assert_eq!(f.call_with("Echo", b"", 1_000_000).result, Ok(vec![]));
}

#[test]
fn gas_includes_host_costs_and_is_deterministic() {
    let f = Fixture::new(RuntimeConfig::default());
    let plain = f.call("Ok").gas_used;
    let with_host_call = f.call("Sender").gas_used;
    assert!(
        with_host_call >= plain + gas::HOST_CALL + 20,
        "{plain} {with_host_call}"
    );
    assert_eq!(f.call("Sender").gas_used, with_host_call);
}

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
fn only_exported_entry_points_can_be_called() {
    let f = Fixture::new(RuntimeConfig::default());
    for name in ["Missing", "govm_alloc", "_initialize", "memory"] {
        assert_eq!(
            f.call(name).result,
            Err(Error::UnknownFunction { name: name.into() })
        );
    }
    let request = CallRequest {
        contract: Address([1; 20]),
        function: "Ok",
        args: &[],
        sender: SENDER,
        block_height: 1,
        block_time: 0,
        fuel_limit: 1000,
        value: 0,
    };
    let (_, outcome) = f.runtime.call(f.state.begin(), &request);
    assert!(matches!(outcome.result, Err(Error::UnknownContract { .. })));
}

#[test]
fn modules_that_import_or_export_the_wrong_things_are_refused() {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let cases = [
        (
            r#"(module (import "env" "now" (func)) (memory (export "memory") 1) (func (export "_initialize")) (func (export "govm_alloc") (param i32) (result i32) i32.const 0))"#,
            "imports env::now",
        ),
        (
            r#"(module (memory (export "memory") 1) (func (export "govm_alloc") (param i32) (result i32) i32.const 0))"#,
            "missing export `_initialize`",
        ),
        (
            r#"(module (func (export "_initialize")) (func (export "govm_alloc") (param i32) (result i32) i32.const 0))"#,
            "missing export `memory`",
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let wasm = wat::parse_str(text).unwrap();
        match runtime.prepare(
            &[i as u8; 32],
            Unchecked(&wasm),
            &ContractAbi::new("x", vec![]),
            &ContractOptions::default(),
        ) {
            Err(Error::InvalidModule(m)) => assert!(m.contains(expected), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    let empty = ContractAbi::new("x", vec![]);
    assert!(matches!(
        runtime.prepare(
            &[9; 32],
            Unchecked(b"not wasm"),
            &empty,
            &ContractOptions::default()
        ),
        Err(Error::InvalidModule(_))
    ));
    // Every entry point of the ABI must be exported.
    let module = wat::parse_str(MODULE).unwrap();
    let mut missing = abi();
    missing.functions[0].name = "NotThere".into();
    match runtime.prepare(
        &[11; 32],
        Unchecked(&module),
        &missing,
        &ContractOptions::default(),
    ) {
        Err(Error::InvalidModule(m)) => assert_eq!(m, "missing export `NotThere`"),
        other => panic!("{other:?}"),
    }
    // SIMD is off for consensus.
    let simd = wat::parse_str(r#"(module (func (result v128) v128.const i64x2 0 0))"#).unwrap();
    assert!(matches!(
        runtime.prepare(
            &[10; 32],
            Unchecked(&simd),
            &empty,
            &ContractOptions::default()
        ),
        Err(Error::InvalidModule(_))
    ));
}

#[test]
fn a_memory_limit_below_what_go_needs_is_refused() {
    let mut config = RuntimeConfig::default();
    config.wasi.contract.memory_limit = 1 << 20;
    let err = Runtime::new(config).unwrap_err();
    assert!(err.to_string().contains("MemoryLimit"), "{err}");
    assert!(err.to_string().contains("Go's runtime needs"), "{err}");
}

/// A module whose `_initialize` leaves state behind (clock, randomness and a counter) for the
/// entry points to read, like Go's package initialization does.
const INIT_MODULE: &str = r#"
(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "govm" "sender" (func $sender (param i32)))
  (memory (export "memory") 1)
  (global $count (mut i32) (i32.const 0))
  (data (i32.const 600) "to stdout\n")
  (data (i32.const 620) "to stderr\n")
  (func (export "_initialize")
    (drop (call $clock (i32.const 0) (i64.const 0) (i32.const 4096)))
    (drop (call $random (i32.const 4104) (i32.const 32)))
    (global.set $count (i32.const 41)))
  (func (export "govm_alloc") (param i32) (result i32) (i32.const 1024))
  ;; Returns the 40 bytes `_initialize` wrote and bumps the counter: a fresh instance always
  ;; sees 42.
  (func (export "Read") (param i32 i32) (result i64)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.store8 (i32.const 2047) (i32.const 0))
    (memory.copy (i32.const 2048) (i32.const 4096) (i32.const 40))
    (i32.store (i32.const 2088) (global.get $count))
    (i64.const 0x7ff0000002d))
  ;; Writes one line to stdout and one to stderr, and calls the host once.
  (func (export "Print") (param i32 i32) (result i64)
    (i32.store (i32.const 700) (i32.const 600))
    (i32.store (i32.const 704) (i32.const 10))
    (drop (call $fd_write (i32.const 1) (i32.const 700) (i32.const 1) (i32.const 720)))
    (i32.store (i32.const 700) (i32.const 620))
    (drop (call $fd_write (i32.const 2) (i32.const 700) (i32.const 1) (i32.const 720)))
    (call $sender (i32.const 3000))
    (i32.store8 (i32.const 2048) (i32.const 0))
    (i64.const 0x80000000001))
  ;; Recurses as deep as the u32 argument says.
  (func $down (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
  (func (export "Depth") (param $p i32) (param i32) (result i64)
    (drop (call $down (i32.load (local.get $p))))
    (i32.store8 (i32.const 2048) (i32.const 0))
    (i64.const 0x80000000001))
  (func (export "Spin") (param i32 i32) (result i64)
    (loop $l (br $l))
    (i64.const 0))
  ;; Leaves marks everywhere it can: 60 KB of the first page, two pages it grows, and the
  ;; global. Returns the memory size in pages.
  (func (export "Scribble") (param i32 i32) (result i64)
    (drop (memory.grow (i32.const 2)))
    (memory.fill (i32.const 4200) (i32.const 0xab) (i32.const 61000))
    (memory.fill (i32.const 65536) (i32.const 0xcd) (i32.const 131072))
    (global.set $count (i32.const 999))
    (i32.store8 (i32.const 2047) (i32.const 0))
    (i32.store (i32.const 2048) (memory.size))
    (i64.const 0x7ff00000005))
  ;; What a call finds: the memory size in pages, how many of the 60 KB Scribble fills are not
  ;; zero, and the global.
  (func (export "Peek") (param i32 i32) (result i64)
    (local $at i32) (local $dirty i32)
    (local.set $at (i32.const 4200))
    (loop $scan
      (if (i32.load8_u (local.get $at))
        (then (local.set $dirty (i32.add (local.get $dirty) (i32.const 1)))))
      (local.set $at (i32.add (local.get $at) (i32.const 1)))
      (br_if $scan (i32.lt_u (local.get $at) (i32.const 65200))))
    (i32.store8 (i32.const 2047) (i32.const 0))
    (i32.store (i32.const 2048) (memory.size))
    (i32.store (i32.const 2052) (local.get $dirty))
    (i32.store (i32.const 2056) (global.get $count))
    (i64.const 0x7ff0000000d))
)
"#;

fn init_abi() -> ContractAbi {
    abi_of(
        "init",
        &["Read", "Print", "Depth", "Spin", "Scribble", "Peek"],
    )
}

/// A state with INIT_MODULE deployed at CONTRACT under `options`.
fn init_state(options: &ContractOptions) -> State {
    let state = State::in_memory();
    let wasm = wat::parse_str(INIT_MODULE).unwrap();
    store_contract(&state, [0xdd; 32], &wasm, &init_abi(), options, &[CONTRACT]);
    state
}

/// Calls CONTRACT in a transaction over `state` and hands the transaction back.
fn call_in(
    runtime: &Runtime,
    state: &State,
    function: &str,
    args: &[u8],
    fuel: u64,
) -> (govm_state::Transaction, CallOutcome) {
    let request = CallRequest {
        contract: CONTRACT,
        function,
        args,
        sender: SENDER,
        block_height: 1,
        block_time: 1_700_000_000,
        fuel_limit: fuel,
        value: 0,
    };
    runtime.call(state.begin(), &request)
}

fn call_on(
    runtime: &Runtime,
    state: &State,
    function: &str,
    args: &[u8],
    fuel: u64,
) -> CallOutcome {
    call_in(runtime, state, function, args, fuel).1
}

/// A prepared module is kept for the bytes it was built from: other bytes deployed for the
/// same code hash and options (another toolchain's, or a submitter's) are prepared again, never
/// served the earlier module.
#[test]
fn other_bytes_for_the_same_code_are_prepared_again() {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let first = wat::parse_str(INIT_MODULE).unwrap();
    // The same module with a custom section: other bytes, valid, same behaviour.
    let mut other = first.clone();
    other.extend_from_slice(&[0, 3, 1, b'x', 1]);
    let options = ContractOptions::default();
    let prepare = |wasm: &[u8]| {
        runtime
            .prepare(&[0xee; 32], Unchecked(wasm), &init_abi(), &options)
            .unwrap()
    };
    prepare(&first);
    let compiled = runtime.stats().compiles;
    prepare(&first);
    assert_eq!(
        runtime.stats().compiles,
        compiled,
        "the same bytes: from memory"
    );
    prepare(&other);
    assert!(
        runtime.stats().compiles > compiled,
        "other bytes: prepared again"
    );
}

/// A call cannot observe anything a previous call left in memory: not the bytes it wrote,
/// not the pages it grew, not its globals; with the instance pool (whose slots are reused and
/// reset) and without, from the snapshot and from a fresh `_initialize`, again and again.
#[test]
fn a_call_cannot_observe_what_a_previous_call_left_in_memory() {
    let state = init_state(&ContractOptions::default());
    for (pooling, snapshots) in [(true, true), (false, true), (true, false), (false, false)] {
        let runtime = Runtime::new(RuntimeConfig {
            pooling,
            snapshots,
            ..RuntimeConfig::default()
        })
        .unwrap();
        let clean = call_on(&runtime, &state, "Peek", &[], 10_000_000)
            .result
            .unwrap();
        assert_eq!(clean[..4], 1u32.to_le_bytes(), "one page at start");
        assert_eq!(clean[4..8], 0u32.to_le_bytes(), "no marks at start");
        assert_eq!(clean[8..12], 41u32.to_le_bytes(), "_initialize's counter");
        for round in 0..20 {
            let grown = call_on(&runtime, &state, "Scribble", &[], 10_000_000)
                .result
                .unwrap();
            assert_eq!(grown[..4], 3u32.to_le_bytes());
            let seen = call_on(&runtime, &state, "Peek", &[], 10_000_000)
                .result
                .unwrap();
            assert_eq!(
                seen, clean,
                "pooling {pooling}, snapshots {snapshots}, round {round}: the last call's memory showed through"
            );
        }
    }
}

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
fn a_contract_fuel_limit_caps_what_the_caller_offers() {
    let options = ContractOptions {
        fuel_limit: 50_000,
        ..ContractOptions::default()
    };
    let state = init_state(&options);
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let outcome = call_on(&runtime, &state, "Spin", &[], 10_000_000);
    assert_eq!(outcome.result, Err(Error::OutOfFuel));
    assert_eq!(outcome.gas_used, 50_000);
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

#[test]
fn simd_runs_only_when_the_contract_enables_it() {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let simd = wat::parse_str(
        r#"(module (memory (export "memory") 1) (func (export "_initialize"))
        (func (export "govm_alloc") (param i32) (result i32) (i32.const 1024))
        (func (export "Ok") (param i32 i32) (result i64)
          (v128.store (i32.const 0) (v128.const i64x2 0 0))
          (i32.store8 (i32.const 2048) (i32.const 0))
          (i64.const 0x80000000001)))"#,
    )
    .unwrap();
    let abi = ContractAbi::new(
        "simd",
        vec![Function {
            name: "Ok".into(),
            context: false,
            params: vec![],
            results: vec![],
            error: false,
        }],
    );
    let on = ContractOptions {
        enable_simd: true,
        ..ContractOptions::default()
    };
    assert!(matches!(
        runtime.prepare(
            &[1; 32],
            Unchecked(&simd),
            &abi,
            &ContractOptions::default()
        ),
        Err(Error::InvalidModule(_))
    ));
    runtime
        .prepare(&[1; 32], Unchecked(&simd), &abi, &on)
        .unwrap();
    let state = State::in_memory();
    store_contract(&state, [1; 32], &simd, &abi, &on, &[CONTRACT]);
    assert_eq!(
        call_on(&runtime, &state, "Ok", &[], 1_000_000).result,
        Ok(vec![])
    );
}

#[test]
fn threads_and_disabled_bulk_memory_are_refused_with_a_reason() {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let wasm = wat::parse_str(INIT_MODULE).unwrap();
    for (options, expected) in [
        (
            ContractOptions {
                enable_threads: true,
                ..ContractOptions::default()
            },
            "threads are not supported",
        ),
        (
            ContractOptions {
                enable_bulk_memory: false,
                ..ContractOptions::default()
            },
            "bulk memory cannot be disabled",
        ),
    ] {
        match runtime.prepare(&[2; 32], Unchecked(&wasm), &init_abi(), &options) {
            Err(Error::InvalidOptions(m)) => assert!(m.contains(expected), "{m}"),
            other => panic!("{other:?}"),
        }
    }
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

#[test]
fn compiled_modules_are_cached_on_disk_and_bad_cache_files_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = RuntimeConfig::default();
    config.wasi.cache_dir = Some(dir.path().to_path_buf());
    let state = State::in_memory();
    deploy(&state, &wat::parse_str(MODULE).unwrap());
    let fresh_call = |config: &RuntimeConfig, expect_compiled: u64| {
        let runtime = Runtime::new(config.clone()).unwrap();
        let request = CallRequest {
            contract: CONTRACT,
            function: "Echo",
            args: b"hi",
            sender: SENDER,
            block_height: 1,
            block_time: 0,
            fuel_limit: 1_000_000,
            value: 0,
        };
        let (_, outcome) = runtime.call(state.begin(), &request);
        assert_eq!(outcome.result, Ok(b"hi".to_vec()));
        assert_eq!(runtime.stats().compiles, expect_compiled);
    };
    // Preparing compiles twice: the instrumented module `_initialize` runs in, the snapshot.
    fresh_call(&config, 2);
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    let cwasm = files
        .iter()
        .find(|p| p.extension().unwrap() == "cwasm")
        .unwrap();
    // A new process (runtime) loads it instead of compiling.
    fresh_call(&config, 0);
    // The same bytes in another file (a copied or restored cache: another inode) are verified
    // in full, load, and become the file the next process maps without reading it.
    let meta = cwasm.with_extension("meta");
    let before = std::fs::read(&meta).unwrap();
    let copy = cwasm.with_extension("copy");
    std::fs::copy(cwasm, &copy).unwrap();
    std::fs::rename(&copy, cwasm).unwrap();
    fresh_call(&config, 0);
    let after = std::fs::read(&meta).unwrap();
    assert_ne!(after, before, "the copy's identity is recorded");
    fresh_call(&config, 0);
    assert_eq!(std::fs::read(&meta).unwrap(), after);
    // Without PrecompiledCache it compiles again.
    let mut no_cache = config.clone();
    no_cache.wasi.precompiled_cache = false;
    fresh_call(&no_cache, 2);
    // A flipped byte, a truncated file and a foreign file are all detected and rebuilt.
    let mut bytes = std::fs::read(cwasm).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(cwasm, &bytes).unwrap();
    fresh_call(&config, 2);
    let good = std::fs::read(cwasm).unwrap();
    std::fs::write(cwasm, &good[..good.len() / 3]).unwrap();
    fresh_call(&config, 2);
    std::fs::write(cwasm, b"not a module at all").unwrap();
    fresh_call(&config, 2);
    fresh_call(&config, 0);
}

#[test]
fn the_module_cache_is_bounded_and_calls_run_concurrently() {
    let runtime = Runtime::new(RuntimeConfig {
        module_cache_capacity: 2,
        // Two calls at once; the rest wait.
        max_instances: 18,
        ..RuntimeConfig::default()
    })
    .unwrap();
    let wasm = wat::parse_str(INIT_MODULE).unwrap();
    for i in 0..4u8 {
        runtime
            .prepare(
                &[i; 32],
                Unchecked(&wasm),
                &init_abi(),
                &ContractOptions::default(),
            )
            .unwrap();
    }
    assert_eq!(runtime.cached_modules(), 2);
    let state = init_state(&ContractOptions::default());
    let expected = call_on(&runtime, &state, "Read", &[], 1_000_000);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| s.spawn(|| call_on(&runtime, &state, "Read", &[], 1_000_000)))
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), expected);
        }
    });
}

/// Recurses as deep as its first argument says, then calls the next contract of its argument
/// list with the rest of the list; a failed callee fails the caller.
const CHAIN: &str = r#"
(module
  (import "govm" "call" (func $call (param i32 i32 i32 i32 i32) (result i64)))
  (memory (export "memory") 1)
  (data (i32.const 100) "Chain")
  (func (export "_initialize"))
  (func (export "govm_alloc") (param i32) (result i32) (i32.const 1024))
  (func $down (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (call $next))
      (else (i32.add (call $down (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))))
  ;; Arguments at 1024: depth u32, count u32, then count addresses of 20 bytes.
  (func $next (result i32)
    (local $rest i32)
    (if (i32.eqz (i32.load (i32.const 1028))) (then (return (i32.const 0))))
    (local.set $rest (i32.sub (i32.load (i32.const 1028)) (i32.const 1)))
    (i32.store (i32.const 4096) (i32.load (i32.const 1024)))
    (i32.store (i32.const 4100) (local.get $rest))
    (memory.copy (i32.const 4104) (i32.const 1052) (i32.mul (local.get $rest) (i32.const 20)))
    (if (i64.ne (i64.shr_u (call $call (i32.const 1032) (i32.const 100) (i32.const 5) (i32.const 4096)
                   (i32.add (i32.const 8) (i32.mul (local.get $rest) (i32.const 20)))) (i64.const 32))
                (i64.const 0))
      (then unreachable))
    (i32.const 0))
  (func (export "Chain") (param i32 i32) (result i64)
    (drop (call $down (i32.load (i32.const 1024))))
    (i32.store8 (i32.const 2048) (i32.const 0))
    (i64.const 0x80000000001))
)
"#;

/// The deepest chain of calls, each contract with the largest wasm stack and filling most of
/// it before calling the next: every nested call gets a native stack of its own, so this is
/// a result, not a crash of the host.
#[test]
fn nested_calls_with_full_wasm_stacks_do_not_overflow_the_host() {
    let wasm = wat::parse_str(CHAIN).unwrap();
    let abi = ContractAbi::new(
        "chain",
        vec![Function {
            name: "Chain".into(),
            context: false,
            params: vec![],
            results: vec![],
            error: false,
        }],
    );
    let options = ContractOptions {
        stack_size: govm_runtime::STACK_SIZE_RANGE.1,
        ..ContractOptions::default()
    };
    let state = State::in_memory();
    let contracts: Vec<Address> = (0..=govm_runtime::MAX_CALL_DEPTH as u8)
        .map(|i| Address([0x70 + i; 20]))
        .collect();
    store_contract(&state, [0xee; 32], &wasm, &abi, &options, &contracts);
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let call = |depth: u32, chain: &[Address]| {
        let mut args = depth.to_le_bytes().to_vec();
        args.extend_from_slice(&(chain.len() as u32 - 1).to_le_bytes());
        for c in &chain[1..] {
            args.extend_from_slice(&c.0);
        }
        let request = CallRequest {
            contract: chain[0],
            function: "Chain",
            args: &args,
            sender: SENDER,
            block_height: 1,
            block_time: 0,
            fuel_limit: 1_000_000_000,
            value: 0,
        };
        runtime.call(state.begin(), &request).1.result
    };
    // The deepest recursion one contract survives alone.
    let (mut ok, mut overflow) = (1u32, 1u32 << 22);
    while overflow - ok > 1 {
        let mid = ok + (overflow - ok) / 2;
        match call(mid, &contracts[..1]) {
            Ok(_) => ok = mid,
            Err(Error::StackOverflow) => overflow = mid,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(ok > 10_000, "{ok}");
    // Nine contracts, each at 90% of that, nested: 9 x ~3.6 MiB of wasm stack.
    assert_eq!(call(ok / 10 * 9, &contracts), Ok(vec![]));
}

/// The runtime and the store it runs on are shared between threads.
#[test]
fn runtime_and_state_are_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<Runtime>();
    shared::<State>();
    shared::<govm_state::Transaction>();
}

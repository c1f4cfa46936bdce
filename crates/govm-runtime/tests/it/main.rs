//! Runtime tests with hand-written modules: hostile pointers, limits, and the call protocol.
#![allow(clippy::unwrap_used)]

use govm_abi::{Address, ContractAbi, Function};
use govm_runtime::{CallOutcome, CallRequest, Error, Runtime, RuntimeConfig, gas};
use govm_state::{ContractRecord, State};

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

/// The entry points of MODULE (their wire types do not matter to the runtime).
fn abi() -> ContractAbi {
    let names = [
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
    ];
    let function = |name: &str| Function {
        name: name.into(),
        context: false,
        params: vec![],
        results: vec![],
        error: false,
    };
    ContractAbi::new("wat", names.iter().map(|n| function(n)).collect())
}

fn deploy(state: &State, wasm: &[u8]) {
    let code_hash = [0xcc; 32];
    let abi = abi();
    let mut tx = state.begin();
    tx.put_code(&code_hash, wasm, &abi.to_json()).unwrap();
    tx.register_contract(&ContractRecord {
        address: CONTRACT.0,
        code_hash,
        deployer: SENDER.0,
        deploy_height: 0,
    })
    .unwrap();
    state.commit(tx).unwrap();
}

struct Fixture {
    runtime: Runtime,
    state: State,
}

impl Fixture {
    fn new(config: RuntimeConfig) -> Self {
        let state = State::in_memory();
        deploy(&state, &wat::parse_str(MODULE).unwrap());
        Self {
            runtime: Runtime::new(config).unwrap(),
            state,
        }
    }

    fn call_with(&self, function: &str, args: &[u8], fuel_limit: u64) -> CallOutcome {
        let request = CallRequest {
            contract: CONTRACT,
            function,
            args,
            sender: SENDER,
            block_height: 1,
            block_time: 1_700_000_000,
            fuel_limit,
        };
        let before = self.state.state_hash().unwrap();
        let (tx, outcome) = self.runtime.call(self.state.begin(), &request);
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
    let f = Fixture::new(RuntimeConfig::default());
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
    let f = Fixture::new(RuntimeConfig {
        timeout_ms: 100,
        ..RuntimeConfig::default()
    });
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
    let f = Fixture::new(RuntimeConfig {
        memory_limit: limit,
        ..RuntimeConfig::default()
    });
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
        match runtime.load(&[i as u8; 32], &wasm, &ContractAbi::new("x", vec![])) {
            Err(Error::InvalidModule(m)) => assert!(m.contains(expected), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    let empty = ContractAbi::new("x", vec![]);
    assert!(matches!(
        runtime.load(&[9; 32], b"not wasm", &empty),
        Err(Error::InvalidModule(_))
    ));
    // Every entry point of the ABI must be exported.
    let module = wat::parse_str(MODULE).unwrap();
    let mut missing = abi();
    missing.functions[0].name = "NotThere".into();
    match runtime.load(&[11; 32], &module, &missing) {
        Err(Error::InvalidModule(m)) => assert_eq!(m, "missing export `NotThere`"),
        other => panic!("{other:?}"),
    }
    // SIMD is off for consensus.
    let simd = wat::parse_str(r#"(module (func (result v128) v128.const i64x2 0 0))"#).unwrap();
    assert!(matches!(
        runtime.load(&[10; 32], &simd, &empty),
        Err(Error::InvalidModule(_))
    ));
}

#[test]
fn a_memory_limit_below_what_go_needs_is_refused() {
    let err = Runtime::new(RuntimeConfig {
        memory_limit: 1 << 20,
        ..RuntimeConfig::default()
    })
    .unwrap_err();
    assert!(err.to_string().contains("Go's runtime needs"), "{err}");
}

#[test]
fn compiled_modules_are_cached_on_disk_and_bad_cache_files_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let config = RuntimeConfig {
        cache_dir: Some(dir.path().to_path_buf()),
        ..RuntimeConfig::default()
    };
    let state = State::in_memory();
    deploy(&state, &wat::parse_str(MODULE).unwrap());
    let fresh_call = |expect_compiled: u64| {
        let runtime = Runtime::new(config.clone()).unwrap();
        let request = CallRequest {
            contract: CONTRACT,
            function: "Echo",
            args: b"hi",
            sender: SENDER,
            block_height: 1,
            block_time: 0,
            fuel_limit: 1_000_000,
        };
        let (_, outcome) = runtime.call(state.begin(), &request);
        assert_eq!(outcome.result, Ok(b"hi".to_vec()));
        assert_eq!(runtime.modules_compiled(), expect_compiled);
    };
    fresh_call(1);
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    // A new process (runtime) loads it instead of compiling.
    fresh_call(0);
    // A flipped byte, a truncated file and a foreign file are all detected and rebuilt.
    let mut bytes = std::fs::read(&files[0]).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&files[0], &bytes).unwrap();
    fresh_call(1);
    let good = std::fs::read(&files[0]).unwrap();
    std::fs::write(&files[0], &good[..good.len() / 3]).unwrap();
    fresh_call(1);
    std::fs::write(
        &files[0],
        b"not a module at all, but long enough to have a digest",
    )
    .unwrap();
    fresh_call(1);
    fresh_call(0);
}

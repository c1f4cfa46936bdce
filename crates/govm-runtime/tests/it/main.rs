//! Runtime tests with hand-written modules, one file per topic; here, the modules and the
//! helpers they share.
#![allow(clippy::unwrap_used)]

use govm_abi::{Address, ContractAbi, Function};
use govm_runtime::{CallOutcome, ContractOptions, Invocation, Runtime, RuntimeConfig};
use govm_state::{ContractRecord, State};

mod cache;
mod calls;
mod fuel;
mod host;
mod initialization;
mod isolation;
mod limits;
mod modules;
mod nested;
mod schedule;
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
  ;; The event "Hit" {ok: true}, and the same with an unknown type tag.
  (data (i32.const 540) "\0cHit\04\08ok\01\01")
  (data (i32.const 560) "\0cHit\04\08ok\7f\01")
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
  ;; Emits "Hit" (status 0), then the one with the unknown tag (refused: status 3).
  (func (export "Emit") (param i32 i32) (result i64)
    (if (i32.ne (call $emit (i32.const 540) (i32.const 10)) (i32.const 0))
      (then unreachable))
    (if (i32.ne (call $emit (i32.const 560) (i32.const 10)) (i32.const 3))
      (then unreachable))
    (call $ok))
  (func (export "EmitThenFail") (param i32 i32) (result i64)
    (drop (call $emit (i32.const 540) (i32.const 10)))
    unreachable)
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
            "Emit",
            "EmitThenFail",
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
    tx.put_code(&code_hash, &[0; 32], wasm, &abi.to_json())
        .unwrap();
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
    let invocation = Invocation {
        args,
        sender: SENDER,
        block_height: 1,
        block_time: 1_700_000_000,
        fuel_limit: fuel,
        value: 0,
    };
    runtime.call(state.begin(), CONTRACT, function, &invocation)
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

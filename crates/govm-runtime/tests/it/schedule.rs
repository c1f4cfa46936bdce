//! The gas schedule: every wasm operator costs its price from `gas::OPERATOR_PRICES`, memory
//! growth is charged per page asked for whether it succeeds or not, and the WASI functions
//! that work per byte or per entry charge it.

use govm_runtime::{ContractOptions, Error, Runtime, RuntimeConfig, gas};
use govm_state::State;

use crate::{CONTRACT, abi_of, call_on, store_contract};

/// One entry point per measured sequence; each does `Ok`'s work plus its own.
const OPS: &str = r#"
(module
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_initialize"))
  (func (export "govm_alloc") (param i32) (result i32) (i32.const 1024))
  (func $ok (result i64)
    (i32.store8 (i32.const 2048) (i32.const 0))
    (i64.const 0x80000000001))
  (func (export "Ok") (param i32 i32) (result i64) (call $ok))
  (func (export "Grow0") (param i32 i32) (result i64)
    (drop (memory.grow (i32.const 0)))
    (call $ok))
  ;; Past the 64 MiB limit: it fails, and still pays for its pages.
  (func (export "Grow2000") (param i32 i32) (result i64)
    (if (i32.ne (memory.grow (i32.const 2000)) (i32.const -1)) (then unreachable))
    (call $ok))
  (func (export "GrowAll") (param i32 i32) (result i64)
    (drop (memory.grow (i32.const -1)))
    (call $ok))
  (func (export "Div") (param i32 i32) (result i64)
    (drop (i64.div_u (i64.const 7) (i64.const 3)))
    (call $ok))
  (func (export "Load") (param i32 i32) (result i64)
    (drop (i64.load (i32.const 0)))
    (call $ok))
  (func (export "Sqrt") (param i32 i32) (result i64)
    (drop (f64.sqrt (f64.const 2)))
    (call $ok))
  (func (export "Fill0") (param i32 i32) (result i64)
    (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))
    (call $ok))
  (func (export "Fill100") (param i32 i32) (result i64)
    (memory.fill (i32.const 0) (i32.const 0) (i32.const 100))
    (call $ok))
  (func $leaf (param i32) (result i32) (local.get 0))
  (table 1 funcref)
  (elem (i32.const 0) $leaf)
  (type $t (func (param i32) (result i32)))
  (func (export "Call") (param i32 i32) (result i64)
    (drop (call $leaf (i32.const 1)))
    (call $ok))
  (func (export "CallIndirect") (param i32 i32) (result i64)
    (drop (call_indirect (type $t) (i32.const 1) (i32.const 0)))
    (call $ok))
  (func (export "Random32") (param i32 i32) (result i64)
    (drop (call $random_get (i32.const 4096) (i32.const 32)))
    (call $ok))
  (func (export "Random64") (param i32 i32) (result i64)
    (drop (call $random_get (i32.const 4096) (i32.const 64)))
    (call $ok))
  ;; 1 and 101 empty iovecs (the table at 8192 is zeros) to stdout.
  (func (export "Iovecs1") (param i32 i32) (result i64)
    (drop (call $fd_write (i32.const 1) (i32.const 8192) (i32.const 1) (i32.const 4000)))
    (call $ok))
  (func (export "Iovecs101") (param i32 i32) (result i64)
    (drop (call $fd_write (i32.const 1) (i32.const 8192) (i32.const 101) (i32.const 4000)))
    (call $ok))
  ;; An iovec table as long as the address space: refused for its price before it is read.
  (func (export "IovecsHuge") (param i32 i32) (result i64)
    (drop (call $fd_write (i32.const 1) (i32.const 8192) (i32.const 0x1fffffff) (i32.const 4000)))
    (call $ok))
)
"#;

const NAMES: &[&str] = &[
    "Ok",
    "Grow0",
    "Grow2000",
    "GrowAll",
    "Div",
    "Load",
    "Sqrt",
    "Fill0",
    "Fill100",
    "Call",
    "CallIndirect",
    "Random32",
    "Random64",
    "Iovecs1",
    "Iovecs101",
    "IovecsHuge",
];

struct Ops {
    runtime: Runtime,
    state: State,
}

impl Ops {
    fn new() -> Self {
        let state = State::in_memory();
        let wasm = wat::parse_str(OPS).unwrap();
        let abi = abi_of("ops", NAMES);
        store_contract(
            &state,
            [0x0b; 32],
            &wasm,
            &abi,
            &ContractOptions::default(),
            &[CONTRACT],
        );
        let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
        Self { runtime, state }
    }

    fn gas(&self, function: &str) -> u64 {
        let outcome = call_on(&self.runtime, &self.state, function, &[], 100_000_000);
        assert_eq!(outcome.result, Ok(vec![]), "{function}");
        outcome.gas_used
    }

    /// What `function` costs beyond `Ok`.
    fn extra(&self, function: &str) -> u64 {
        self.gas(function) - self.gas("Ok")
    }
}

/// The price of the operator wasmparser spells `name`: the last entry of the table naming it,
/// else wasmtime's default of 1.
fn price(name: &str) -> u64 {
    gas::OPERATOR_PRICES
        .iter()
        .rev()
        .find(|p| p.operators.contains(&name))
        .map_or(1, |p| u64::from(p.fuel))
}

#[test]
fn each_operator_costs_its_price() {
    let ops = Ops::new();
    // Constants cost 1 each; `drop` costs nothing.
    assert_eq!(ops.extra("Grow0"), 1 + price("MemoryGrow"));
    assert_eq!(ops.extra("Div"), 2 + price("I64DivU"));
    assert_eq!(ops.extra("Load"), 1 + price("I64Load"));
    assert_eq!(ops.extra("Sqrt"), 1 + price("F64Sqrt"));
    assert_eq!(ops.extra("Fill0"), 3 + price("MemoryFill"));
    assert_eq!(
        ops.extra("Fill100") - ops.extra("Fill0"),
        100 * u64::from(gas::VARIABLE_PRICES.memory_fill_per_byte)
    );
    // wasmtime charges 1 for entering a function, and the callee's `local.get` is 1.
    assert_eq!(ops.extra("Call"), 3 + price("Call"));
    assert_eq!(ops.extra("CallIndirect"), 4 + price("CallIndirect"));
    // The schedule prices what it measured: none of these is wasmtime's flat 1 any more.
    for op in [
        "MemoryGrow",
        "I64DivU",
        "I64Load",
        "F64Sqrt",
        "MemoryFill",
        "Call",
    ] {
        assert!(price(op) > 1, "{op}");
    }
}

#[test]
fn memory_growth_pays_per_page_asked_for_even_when_it_fails() {
    let ops = Ops::new();
    let per_page = u64::from(gas::VARIABLE_PRICES.memory_grow_per_page);
    assert_eq!(
        ops.extra("Grow2000"),
        // i32.const, i32.const -1, i32.ne, if: four operators at 1 around the grow.
        4 + price("MemoryGrow") + 2000 * per_page
    );
    // Four billion pages cost more than any call has: it runs out of fuel before growing.
    let outcome = call_on(&ops.runtime, &ops.state, "GrowAll", &[], 1_000_000_000);
    assert_eq!(outcome.result, Err(Error::OutOfFuel));
}

#[test]
fn wasi_charges_per_byte_of_randomness_and_per_iovec() {
    let ops = Ops::new();
    // 32 more bytes: read, written and generated.
    assert_eq!(
        ops.extra("Random64") - ops.extra("Random32"),
        32 * (2 * gas::PER_BYTE + gas::RANDOM_PER_BYTE)
    );
    // 100 more entries of 8 bytes.
    assert_eq!(
        ops.extra("Iovecs101") - ops.extra("Iovecs1"),
        100 * (8 * gas::PER_BYTE + gas::IOVEC)
    );
    // Half a billion entries: out of fuel, charged before the table is read.
    let outcome = call_on(&ops.runtime, &ops.state, "IovecsHuge", &[], 1_000_000_000);
    assert_eq!(outcome.result, Err(Error::OutOfFuel));
}

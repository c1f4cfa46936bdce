//! Gas calibration: how many nanoseconds one unit of gas buys, for every class of wasm
//! operator and every host function, the way NEAR's parameter estimator and Tari's
//! `metering_recost` measure it.
//!
//! Each class is a hand-written WAT kernel: a loop whose round is a dependent chain of the
//! operator (or one host call), its starting values read from memory so that the compiler
//! cannot fold it, run through the runtime as a contract call (a fresh instance from the
//! snapshot, fuel and epochs on, state in redb as a node keeps it) at two round counts. The
//! slope, (time at R2 - time at R1) / (gas at R2 - gas at R1), is the class's ns per gas:
//! instantiation and every other per-call cost cancel. Gas is deterministic; time is the
//! median over repetitions, and the spread is the range of the per-repetition slopes.
//! (`table.copy`, `table.init`, `elem.drop` and `data.drop` are not measured: the snapshotter
//! refuses modules that use them, so no contract runs them.)
//!
//! Reported: every class's ns/gas; the median over the wasm operator classes and the worst
//! priced class (operators and host functions) against it; the consensus margin
//! `min_timeout_ms / (max_call_fuel × worst ns/gas)` with the chain's defaults, how many times
//! the slowest work a transaction can pay for fits inside the deadline at which a validator
//! halts. Two costs no price per operator follows are reported apart: memory latency (a
//! pointer chase over memory larger than the caches) and first writes to memory pages
//! (bounded by the memory limit, not by fuel); the worst call adds both, with the fuel per
//! transaction that would fit it 4 times inside the deadline.
//!
//! `cargo bench -p govm-benches --bench calibration [-- FILTER...]` runs the classes whose
//! name contains a filter (all without one). The figures go to
//! `target/bench-extra/calibration.json`, which `cargo xtask bench` checks against its goals.

use std::time::Instant;

use govm_abi::{Address, ContractAbi, Function};
use govm_benches::Figures;
use govm_runtime::{ContractOptions, Invocation, Runtime, RuntimeConfig};
use govm_state::{ContractRecord, State};

/// The chain's defaults (`govm_chain::ChainParams::default()`): the most fuel the wasm of one
/// transaction may run (`max_call_fuel`), the shortest deadline a contract may have, and the
/// largest memory a contract may have.
fn chain_defaults() -> (u64, u64, u64) {
    let params = govm_chain::ChainParams::default();
    (
        params.max_call_fuel,
        params.min_timeout_ms,
        params.max_contract_memory,
    )
}

const CONTRACT: Address = Address([0xc0; 20]);
const CALLEE: Address = Address([0xc1; 20]);
const CHASE: Address = Address([0xc2; 20]);
const SIMD: Address = Address([0xc3; 20]);
const SENDER: Address = Address([0x5e; 20]);

/// Fixed addresses in the kernels' memory.
mod at {
    /// A word holding 0, read at run time (a length the compiler cannot see is constant).
    pub(super) const ZERO: u32 = 8;
    /// A word holding 4096 and one holding 65,536: lengths read at run time.
    pub(super) const LEN_4K: u32 = 12;
    pub(super) const LEN_64K: u32 = 16;
    /// The chains' starting values: i32 1 and 3, i64 88172645463325252 and 3, f64 1.5, f32
    /// 2.5.
    pub(super) const OPAQUE: u32 = 20;
    /// A word holding its own address: a load chain that stays in L1.
    pub(super) const SELF_PTR: u32 = 64;
    /// The contract's own address, another owner, the callee's address.
    pub(super) const ADDR_SELF: u32 = 3000;
    pub(super) const ADDR_A: u32 = 3040;
    pub(super) const ADDR_B: u32 = 3080;
    pub(super) const ADDR_CALLEE: u32 = 3120;
    /// Where a kernel's object IDs are kept.
    pub(super) const ID: u32 = 3200;
    pub(super) const ID2: u32 = 3240;
    /// Scratch output.
    pub(super) const OUT: u32 = 3300;
    /// The field key "k" and the callee's entry point "Ok".
    pub(super) const KEY: u32 = 3400;
    pub(super) const FN_OK: u32 = 3410;
    /// A small tagged value (uint64) and the small event "E".
    pub(super) const VAL_SMALL: u32 = 3420;
    pub(super) const EVENT_SMALL: u32 = 3440;
    /// Crypto inputs: ed25519 key and signature (RFC 8032, test 1), secp256k1 digest,
    /// signature and key.
    pub(super) const ED_KEY: u32 = 3500;
    pub(super) const ED_SIG: u32 = 3540;
    pub(super) const SECP_DIGEST: u32 = 3620;
    pub(super) const SECP_SIG: u32 = 3660;
    pub(super) const SECP_KEY: u32 = 3740;
    /// One iovec of 16 bytes, one of 64 KiB.
    pub(super) const IOV_SMALL: u32 = 3820;
    pub(super) const IOV_LARGE: u32 = 3830;
    /// 1,024 empty iovecs (8 KiB of zeros).
    pub(super) const IOVS_EMPTY: u32 = 8192;
    /// 1,024 poll subscriptions (48 KiB) and their events (32 KiB).
    pub(super) const SUBS: u32 = 16384;
    pub(super) const EVENTS: u32 = 65536;
    /// A 64 KiB buffer (random bytes, hashed data, field values, events).
    pub(super) const BIG: u32 = 131_072;
    /// A second one, the destination of copies.
    pub(super) const BIG2: u32 = 262_144;
    /// Encoded 64 KiB values: a []byte field value, a []bool one, an event with a []byte
    /// field, an event with a []string of empty strings.
    pub(super) const VAL_BYTES: u32 = 393_216;
    pub(super) const VAL_BOOLS: u32 = 524_288;
    pub(super) const EVENT_BYTES: u32 = 655_360;
    pub(super) const EVENT_STRINGS: u32 = 786_432;
}

/// The size of the large inputs: a field value's limit (64 KiB) less its encoding's header.
const LARGE: u32 = 65_000;
/// How many objects the large owner-index scan visits (committed in setup).
const SCAN_OBJECTS: u32 = 4_000;

/// One class: a loop round, what runs once before the loop, how often the round is
/// unrolled inside one iteration, and the most rounds a transaction allows.
struct Kernel {
    name: &'static str,
    /// What the class is made of, for the report.
    what: &'static str,
    contract: Address,
    setup: String,
    /// One round; `$x`, `$y`, `$f`, `$z` are the chain's locals.
    round: String,
    max_rounds: u32,
    /// Its total cost is bounded by the memory limit, not by fuel: reported apart.
    bounded: bool,
    /// Its time is the memory system's latency, which no price per operator follows:
    /// reported apart.
    latency: bool,
}

fn k(name: &'static str, what: &'static str, round: impl Into<String>) -> Kernel {
    Kernel {
        name,
        what,
        contract: CONTRACT,
        setup: String::new(),
        round: round.into(),
        max_rounds: u32::MAX,
        bounded: false,
        latency: false,
    }
}

impl Kernel {
    fn setup(mut self, setup: impl Into<String>) -> Self {
        self.setup = setup.into();
        self
    }

    fn at_most(mut self, rounds: u32) -> Self {
        self.max_rounds = rounds;
        self
    }

    fn bounded(mut self) -> Self {
        self.bounded = true;
        self
    }

    fn latency(mut self) -> Self {
        self.latency = true;
        self
    }

    fn on(mut self, contract: Address) -> Self {
        self.contract = contract;
        self
    }
}

/// `snippet` `n` times.
fn times(n: usize, snippet: &str) -> String {
    vec![snippet; n].join("\n")
}

/// A chain through `$x` (i32): `local.get $x`, the snippet `n` times, `local.set $x`.
fn chain(local: &str, n: usize, snippet: &str) -> String {
    format!(
        "local.get {local}\n{}\nlocal.set {local}",
        times(n, snippet)
    )
}

/// Setup that creates an object and keeps its ID at `at::ID`.
fn with_object() -> String {
    format!("(drop (call $object_create (i32.const {})))", at::ID)
}

/// Every class measured.
fn kernels() -> Vec<Kernel> {
    use at::*;
    let fill = |len: u32| {
        format!("(memory.fill (i32.const {BIG2}) (i32.const 7) (i32.load (i32.const {len})))")
    };
    let copy = |len: u32| {
        format!("(memory.copy (i32.const {BIG2}) (i32.const {BIG}) (i32.load (i32.const {len})))")
    };
    let init = |len: u32| {
        format!(
            "(memory.init $passive (i32.const {BIG2}) (i32.const 0) (i32.load (i32.const {len})))"
        )
    };
    vec![
        // Plain wasm.
        k("i32_add", "local.get, i32.add chain", chain("$x", 32, "local.get $z\ni32.add")),
        k("i64_mul", "local.get, i64.mul chain", chain("$y", 32, "local.get $d\ni64.mul")),
        k(
            "i64_div",
            "i64.or, i64.div_u chain",
            chain("$y", 16, "i64.const 0x7fffffffffffff\ni64.or\nlocal.get $d\ni64.div_u"),
        ),
        k(
            "i64_rem",
            "i64.or, i64.rem_s chain",
            chain("$y", 16, "i64.const 0x7fffffffffffff\ni64.or\nlocal.get $d\ni64.rem_s"),
        ),
        k(
            "i32_div",
            "i32.or, i32.div_s chain",
            chain("$x", 16, "i32.const 0x7fffff\ni32.or\nlocal.get $z\ni32.div_s"),
        ),
        k("i64_bits", "i64.popcnt, clz, ctz chain", chain("$y", 16, "i64.popcnt\ni64.clz\ni64.ctz")),
        k("f64_mul", "f64.const, f64.mul chain", chain("$f", 32, "f64.const 1.0000001\nf64.mul")),
        k("f64_add", "f64.const, f64.add chain", chain("$f", 32, "f64.const 1.0000001\nf64.add")),
        k("f64_div", "f64.const, f64.div chain", chain("$f", 32, "f64.const 1.0000001\nf64.div")),
        k("f64_sqrt", "f64.sqrt chain", chain("$f", 32, "f64.sqrt")),
        k("f32_sqrt", "f32.sqrt chain", chain("$g", 32, "f32.sqrt")),
        k("f64_round", "f64.nearest, f64.ceil chain", chain("$f", 16, "f64.nearest\nf64.ceil")),
        k("f64_minmax", "f64.min, f64.max chain", chain("$f", 16, "f64.const 3\nf64.min\nf64.const 1\nf64.max")),
        k(
            "f64_convert",
            "i64.trunc_sat_f64_s, f64.convert_i64_s chain",
            chain("$f", 16, "i64.trunc_sat_f64_s\nf64.convert_i64_s"),
        ),
        k("locals", "local.tee chain", chain("$x", 32, "local.tee $z")),
        k(
            "globals",
            "global.get, i32.add, global.set chain",
            times(16, "global.get $g\ni32.const 1\ni32.add\nglobal.set $g"),
        ),
        k("select", "select chain", chain("$x", 16, "local.get $z\nlocal.get $z\nselect")),
        k("load", "i32.load pointer chain (L1)", chain("$x", 32, "i32.load")).setup(format!(
            "(local.set $x (i32.const {SELF_PTR}))"
        )),
        k(
            "load_store",
            "i32.store beside a pointer, i32.load of it",
            times(16, "(i32.store offset=4 (local.get $x) (local.get $x))\n(local.set $x (i32.load (local.get $x)))"),
        )
        .setup(format!("(local.set $x (i32.const {SELF_PTR}))")),
        k(
            "branch",
            "taken br_if in a block",
            times(32, "(block (br_if 0 (local.get $x)))"),
        ),
        k(
            "branch_unpredictable",
            "xorshift, if on its low bit",
            times(8, "(local.set $y (i64.xor (local.get $y) (i64.shl (local.get $y) (i64.const 13))))\n\
                      (local.set $y (i64.xor (local.get $y) (i64.shr_u (local.get $y) (i64.const 7))))\n\
                      (local.set $y (i64.xor (local.get $y) (i64.shl (local.get $y) (i64.const 17))))\n\
                      (if (i32.wrap_i64 (i64.and (local.get $y) (i64.const 1)))\n\
                        (then (local.set $x (i32.add (local.get $x) (i32.const 1))))\n\
                        (else (local.set $x (i32.sub (local.get $x) (i32.const 3)))))"),
        ),
        k(
            "br_table",
            "br_table over three targets",
            times(16, "(block (block (block (br_table 0 1 2 (i32.and (local.get $x) (i32.const 3))))))"),
        ),
        k("call", "3-deep direct call chain", chain("$x", 8, "call $c0")),
        k(
            "call_indirect",
            "3-deep call_indirect chain",
            chain("$x", 8, "i32.const 0\ncall_indirect (type $t)"),
        ),
        k(
            "call_indirect_1",
            "call_indirect of a leaf",
            chain("$x", 16, "i32.const 2\ncall_indirect (type $t)"),
        ),
        k("memory_size", "memory.size, i32.add chain", chain("$x", 32, "memory.size\ni32.add")),
        k("memory_grow_0", "memory.grow 0", times(16, "(drop (memory.grow (i32.const 0)))")),
        k("memory_grow_fail", "memory.grow 1 past the memory limit", times(16, "(drop (memory.grow (i32.const 1)))"))
            .setup(
                "(block $full (loop $more (br_if $full (i32.eq (memory.grow (i32.const 64)) (i32.const -1))) (br $more)))\n\
                 (block $full (loop $more (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1))) (br $more)))",
            ),
        k(
            "memory_grow_touch",
            "memory.grow 1, then a store to each 4 KiB of the new page",
            format!(
                "(local.set $z (i32.shl (memory.grow (i32.const 1)) (i32.const 16)))\n{}",
                (0..16)
                    .map(|i| format!("(i32.store (i32.add (local.get $z) (i32.const {})) (i32.const 1))", i * 4096))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        )
        .at_most(1000)
        .bounded(),
        k("memory_fill_0", "memory.fill of 0 bytes", times(16, &fill(ZERO))),
        k("memory_fill_4k", "memory.fill of 4 KiB", times(4, &fill(LEN_4K))),
        k("memory_fill_64k", "memory.fill of 64 KiB", fill(LEN_64K)),
        k("memory_copy_0", "memory.copy of 0 bytes", times(16, &copy(ZERO))),
        k("memory_copy_16", "memory.copy of 16 constant bytes (inline)", times(16, &format!(
            "(memory.copy (i32.const {BIG2}) (i32.const {BIG}) (i32.const 16))"
        ))),
        k("memory_copy_4k", "memory.copy of 4 KiB", times(4, &copy(LEN_4K))),
        k("memory_copy_64k", "memory.copy of 64 KiB", copy(LEN_64K)),
        k("memory_init_0", "memory.init of 0 bytes", times(16, &init(ZERO))),
        k("memory_init_4k", "memory.init of 4 KiB", times(4, &init(LEN_4K))),
        k("chase_l2", "i32.load pointer chase, random over 1 MiB", chain("$x", 32, "i32.load"))
            .on(CHASE)
            .setup(format!("(local.set $x (i32.const {}))", chase::base(0)))
            .latency(),
        k("chase_l3", "i32.load pointer chase, random over 16 MiB", chain("$x", 32, "i32.load"))
            .on(CHASE)
            .setup(format!("(local.set $x (i32.const {}))", chase::base(1)))
            .latency(),
        k("chase_dram", "i32.load pointer chase, random over 32 MiB", chain("$x", 32, "i32.load"))
            .on(CHASE)
            .setup(format!("(local.set $x (i32.const {}))", chase::base(2)))
            .latency(),
        k(
            "store_scatter",
            "i32.store to random words over 16 MiB (every page written before)",
            times(16, &format!(
                "(local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))\n\
                 (i32.store (i32.add (i32.const {}) (i32.and (local.get $x) (i32.const {}))) (local.get $x))",
                chase::base(1),
                (16 << 20) - 4
            )),
        )
        .on(CHASE)
        .setup(format!(
            "(local.set $z (i32.const {start}))\n\
             (loop $touch\n\
               (i32.store (local.get $z) (i32.load (local.get $z)))\n\
               (local.set $z (i32.add (local.get $z) (i32.const 4096)))\n\
               (br_if $touch (i32.lt_u (local.get $z) (i32.const {end}))))",
            start = chase::base(1),
            end = chase::base(2),
        ))
        .latency(),
        k(
            "snapshot_page_write",
            "a store to each 4 KiB of a snapshot's 64 KiB page (copy on write)",
            format!(
                "{}\n(local.set $z (i32.add (local.get $z) (i32.const 65536)))",
                (0..16)
                    .map(|i| format!("(i32.store (i32.add (local.get $z) (i32.const {})) (i32.const 1))", i * 4096))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        )
        .on(CHASE)
        .setup(format!("(local.set $z (i32.const {}))", chase::base(2)))
        .at_most(500)
        .bounded(),
        // SIMD, for contracts that enable it.
        k("simd_i32x4_add", "i32x4.add chain", chain("$v", 32, "local.get $v\ni32x4.add")).on(SIMD),
        k("simd_i64x2_mul", "i64x2.mul chain", chain("$v", 32, "local.get $v\ni64x2.mul")).on(SIMD),
        k("simd_f32x4_mul", "f32x4.mul chain", chain("$v", 32, "local.get $v\nf32x4.mul")).on(SIMD),
        k("simd_f64x2_div", "f64x2.div chain", chain("$v", 32, "local.get $v\nf64x2.div")).on(SIMD),
        k("simd_f32x4_div", "f32x4.div chain", chain("$v", 32, "local.get $v\nf32x4.div")).on(SIMD),
        k("simd_f64x2_sqrt", "f64x2.sqrt chain", chain("$v", 32, "f64x2.sqrt")).on(SIMD),
        k("simd_f32x4_sqrt", "f32x4.sqrt chain", chain("$v", 32, "f32x4.sqrt")).on(SIMD),
        k("simd_f32x4_min", "f32x4.min chain", chain("$v", 32, "local.get $v\nf32x4.min")).on(SIMD),
        k("simd_f64x2_nearest", "f64x2.nearest chain", chain("$v", 32, "f64x2.nearest")).on(SIMD),
        k("simd_i8x16_swizzle", "i8x16.swizzle chain", chain("$v", 32, "local.get $v\ni8x16.swizzle")).on(SIMD),
        k("simd_i8x16_popcnt", "i8x16.popcnt chain", chain("$v", 32, "i8x16.popcnt")).on(SIMD),
        k("simd_i32x4_trunc_sat", "i32x4.trunc_sat_f32x4_s, f32x4.convert_i32x4_s chain", chain("$v", 16, "i32x4.trunc_sat_f32x4_s\nf32x4.convert_i32x4_s")).on(SIMD),
        k("simd_v128_load", "v128.load chain through its first lane", chain("$x", 32, "v128.load\ni32x4.extract_lane 0")).on(SIMD)
            .setup(format!("(local.set $x (i32.const {SELF_PTR}))")),
        k("simd_i8x16_shuffle", "i8x16.shuffle chain", chain("$v", 32, "local.get $v\ni8x16.shuffle 1 0 3 2 5 4 7 6 9 8 11 10 13 12 15 14")).on(SIMD),
        k("simd_bitmask", "i8x16.bitmask, i8x16.splat chain", chain("$v", 32, "i8x16.bitmask\ni8x16.splat")).on(SIMD),
        // The host functions, at small and large inputs.
        k("host_sender", "sender", times(8, &format!("(call $sender (i32.const {OUT}))"))),
        k("host_contract_address", "contract_address", times(8, &format!("(call $contract_address (i32.const {OUT}))"))),
        k("host_block_height", "block_height", times(8, "(drop (call $block_height))")),
        k("host_block_time", "block_time", times(8, "(drop (call $block_time))")),
        k("host_value", "value", times(8, "(drop (call $value))")),
        k("host_object_create", "object_create", format!("(drop (call $object_create (i32.const {ID2})))"))
            .at_most(1000),
        k("host_object_get", "object_get", times(4, &format!("(drop (call $object_get (i32.const {ID}) (i32.const {OUT})))")))
            .setup(with_object()),
        k("host_object_owner", "object_owner", times(4, &format!("(drop (call $object_owner (i32.const {ID}) (i32.const {OUT})))")))
            .setup(with_object()),
        k("host_object_contract", "object_contract", times(4, &format!("(drop (call $object_contract (i32.const {ID}) (i32.const {OUT})))")))
            .setup(with_object()),
        k("host_object_set_owner", "object_set_owner", times(4, &format!("(drop (call $object_set_owner (i32.const {ID}) (i32.const {ADDR_A})))")))
            .setup(with_object()),
        k(
            "host_object_with_owner_1",
            "object_with_owner, one index entry",
            times(4, &format!("(drop (call $object_with_owner (i32.const {ADDR_A}) (i32.const {OUT})))")),
        ),
        k(
            "host_object_with_owner_4000",
            "object_with_owner, 3,999 index entries",
            format!("(drop (call $object_with_owner (i32.const {ADDR_SELF}) (i32.const {OUT})))"),
        ),
        k(
            "host_object_delete",
            "object_create, object_delete",
            format!("(drop (call $object_create (i32.const {ID2})))\n(drop (call $object_delete (i32.const {ID2})))"),
        )
        .at_most(1000),
        k(
            "host_object_delete_committed",
            "object_with_owner, object_delete of an object with 256 committed fields",
            format!(
                "(drop (call $object_with_owner (i32.const {ADDR_B}) (i32.const {ID2})))\n\
                 (drop (call $object_delete (i32.const {ID2})))"
            ),
        )
        .at_most(64),
        k(
            "host_object_delete_64_fields",
            "object_create, 64 field_set, object_delete",
            format!(
                "(drop (call $object_create (i32.const {ID2})))\n\
                 (local.set $z (i32.const 0))\n\
                 (loop $fields\n\
                   (i32.store8 (i32.const {KEY}) (i32.add (i32.const 64) (local.get $z)))\n\
                   (drop (call $field_set (i32.const {ID2}) (i32.const {KEY}) (i32.const 1) (i32.const {VAL_SMALL}) (i32.const 9)))\n\
                   (local.set $z (i32.add (local.get $z) (i32.const 1)))\n\
                   (br_if $fields (i32.lt_u (local.get $z) (i32.const 64))))\n\
                 (drop (call $object_delete (i32.const {ID2})))"
            ),
        )
        .at_most(200),
        k("host_field_get_small", "field_get of 9 bytes", times(4, &format!("(drop (call $field_get (i32.const {ID}) (i32.const {KEY}) (i32.const 1)))")))
            .setup(format!("{}\n(drop (call $field_set (i32.const {ID}) (i32.const {KEY}) (i32.const 1) (i32.const {VAL_SMALL}) (i32.const 9)))", with_object())),
        k("host_field_get_large", "field_get of 65,005 bytes, read_return", format!(
            "(drop (call $field_get (i32.const {ID}) (i32.const {KEY}) (i32.const 1)))\n(call $read_return (i32.const {BIG2}))"
        ))
        .setup(format!("{}\n(drop (call $field_set (i32.const {ID}) (i32.const {KEY}) (i32.const 1) (i32.const {VAL_BYTES}) (i32.const {})))", with_object(), LARGE + 5)),
        k("host_field_set_small", "field_set of 9 bytes", times(4, &format!("(drop (call $field_set (i32.const {ID}) (i32.const {KEY}) (i32.const 1) (i32.const {VAL_SMALL}) (i32.const 9)))")))
            .setup(with_object()),
        k("host_field_set_large", "field_set of a 65,005-byte []byte", format!(
            "(drop (call $field_set (i32.const {ID}) (i32.const {KEY}) (i32.const 1) (i32.const {VAL_BYTES}) (i32.const {})))", LARGE + 5
        ))
        .setup(with_object()),
        k("host_field_set_bools", "field_set of a []bool of 65,000", format!(
            "(drop (call $field_set (i32.const {ID}) (i32.const {KEY}) (i32.const 1) (i32.const {VAL_BOOLS}) (i32.const {})))", LARGE + 12
        ))
        .setup(with_object()),
        k("host_field_delete", "field_delete", times(4, &format!("(drop (call $field_delete (i32.const {ID}) (i32.const {KEY}) (i32.const 1)))")))
            .setup(with_object()),
        k("host_emit_event_small", "emit_event of 3 bytes", format!("(drop (call $emit_event (i32.const {EVENT_SMALL}) (i32.const 3)))"))
            .at_most(1000),
        k("host_emit_event_large", "emit_event with a 65,000-byte []byte", format!(
            "(drop (call $emit_event (i32.const {EVENT_BYTES}) (i32.const {})))", LARGE + 10
        ))
        .at_most(1000),
        k("host_emit_event_strings", "emit_event with a []string of 65,000 empty strings", format!(
            "(drop (call $emit_event (i32.const {EVENT_STRINGS}) (i32.const {})))", LARGE + 19
        ))
        .at_most(1000),
        k(
            "host_emit_event_strings_refused",
            "emit_event with a []string of 65,000 empty strings, past the events a call keeps",
            format!("(drop (call $emit_event (i32.const {EVENT_STRINGS}) (i32.const {})))", LARGE + 19),
        )
        .setup(times(8, &format!("(drop (call $emit_event (i32.const {EVENT_STRINGS}) (i32.const {})))", LARGE + 19)))
        .at_most(1000),
        k("host_balance", "balance", times(4, &format!("(drop (call $balance (i32.const {ADDR_A})))"))),
        k("host_transfer", "transfer of 1", times(4, &format!("(drop (call $transfer (i32.const {ADDR_A}) (i64.const 1)))"))),
        k("host_call", "a nested call of an empty entry point", format!(
            "(drop (call $call (i32.const {ADDR_CALLEE}) (i32.const {FN_OK}) (i32.const 2) (i32.const 0) (i32.const 0)))"
        )),
        k("host_sha256_small", "sha256 of 32 bytes", times(4, &format!("(call $sha256 (i32.const {BIG}) (i32.const 32) (i32.const {OUT}))"))),
        k("host_sha256_large", "sha256 of 65,000 bytes", format!("(call $sha256 (i32.const {BIG}) (i32.const {LARGE}) (i32.const {OUT}))")),
        k("host_keccak256_small", "keccak256 of 32 bytes", times(4, &format!("(call $keccak256 (i32.const {BIG}) (i32.const 32) (i32.const {OUT}))"))),
        k("host_keccak256_large", "keccak256 of 65,000 bytes", format!("(call $keccak256 (i32.const {BIG}) (i32.const {LARGE}) (i32.const {OUT}))")),
        k("host_ed25519_verify_small", "ed25519_verify, empty message (valid)", format!(
            "(drop (call $ed25519_verify (i32.const {ED_KEY}) (i32.const {BIG}) (i32.const 0) (i32.const {ED_SIG})))"
        )),
        k("host_ed25519_verify_large", "ed25519_verify, 65,000-byte message", format!(
            "(drop (call $ed25519_verify (i32.const {ED_KEY}) (i32.const {BIG}) (i32.const {LARGE}) (i32.const {ED_SIG})))"
        )),
        k("host_secp256k1_verify", "secp256k1_verify (valid)", format!(
            "(drop (call $secp256k1_verify (i32.const {SECP_DIGEST}) (i32.const {SECP_SIG}) (i32.const {SECP_KEY}) (i32.const 65)))"
        )),
        k("host_secp256k1_recover", "secp256k1_recover (valid)", format!(
            "(drop (call $secp256k1_recover (i32.const {SECP_DIGEST}) (i32.const {SECP_SIG}) (i32.const 1) (i32.const {OUT})))"
        )),
        // WASI.
        k("wasi_args_get", "args_get", times(8, &format!("(drop (call $args_get (i32.const {OUT}) (i32.const {OUT})))"))),
        k("wasi_args_sizes_get", "args_sizes_get", times(8, &format!("(drop (call $args_sizes_get (i32.const {OUT}) (i32.const {})))", OUT + 4))),
        k("wasi_environ_get", "environ_get", times(8, &format!("(drop (call $environ_get (i32.const {OUT}) (i32.const {OUT})))"))),
        k("wasi_environ_sizes_get", "environ_sizes_get", times(8, &format!("(drop (call $environ_sizes_get (i32.const {OUT}) (i32.const {})))", OUT + 4))),
        k("wasi_clock_time_get", "clock_time_get", times(8, &format!("(drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const {OUT})))"))),
        k("wasi_random_get_small", "random_get of 32 bytes", times(4, &format!("(drop (call $random_get (i32.const {BIG2}) (i32.const 32)))"))),
        k("wasi_random_get_large", "random_get of 65,000 bytes", format!("(drop (call $random_get (i32.const {BIG2}) (i32.const {LARGE})))")),
        k("wasi_fd_write_small", "fd_write of 16 bytes", times(4, &format!("(drop (call $fd_write (i32.const 1) (i32.const {IOV_SMALL}) (i32.const 1) (i32.const {OUT})))"))),
        k("wasi_fd_write_large", "fd_write of 65,000 bytes", format!("(drop (call $fd_write (i32.const 1) (i32.const {IOV_LARGE}) (i32.const 1) (i32.const {OUT})))")),
        k("wasi_fd_write_iovecs", "fd_write of 1,024 empty iovecs", format!("(drop (call $fd_write (i32.const 1) (i32.const {IOVS_EMPTY}) (i32.const 1024) (i32.const {OUT})))")),
        k("wasi_fd_close", "fd_close", times(8, "(drop (call $fd_close (i32.const 1)))")),
        k("wasi_fd_fdstat_get", "fd_fdstat_get", times(8, &format!("(drop (call $fd_fdstat_get (i32.const 1) (i32.const {OUT})))"))),
        k("wasi_fd_fdstat_set_flags", "fd_fdstat_set_flags", times(8, "(drop (call $fd_fdstat_set_flags (i32.const 1) (i32.const 0)))")),
        k("wasi_fd_prestat_get", "fd_prestat_get", times(8, &format!("(drop (call $fd_prestat_get (i32.const 3) (i32.const {OUT})))"))),
        k("wasi_fd_prestat_dir_name", "fd_prestat_dir_name", times(8, &format!("(drop (call $fd_prestat_dir_name (i32.const 3) (i32.const {OUT}) (i32.const 8)))"))),
        k("wasi_sched_yield", "sched_yield", times(8, "(drop (call $sched_yield))")),
        k("wasi_poll_oneoff_1", "poll_oneoff of 1 clock subscription", times(4, &format!(
            "(drop (call $poll_oneoff (i32.const {SUBS}) (i32.const {EVENTS}) (i32.const 1) (i32.const {OUT})))"
        ))),
        k("wasi_poll_oneoff_1024", "poll_oneoff of 1,024 clock subscriptions", format!(
            "(drop (call $poll_oneoff (i32.const {SUBS}) (i32.const {EVENTS}) (i32.const 1024) (i32.const {OUT})))"
        )),
    ]
}

/// The pointer-chase contract: three random cycles (1 MiB, 16 MiB, 128 MiB) that
/// `_initialize` builds, so that calls start from them in the snapshot.
mod chase {
    /// log2 of each cycle's length in 4-byte words.
    /// The last, 32 MiB, with the others and the kernels' own megabyte, fits inside the
    /// largest memory a chain's contract may have (`max_contract_memory`, 64 MiB).
    pub(super) const SIZES: [u32; 3] = [18, 22, 23];
    /// Where cycle `i` starts.
    pub(super) fn base(i: usize) -> u32 {
        let mut at = 1 << 20;
        for bits in &SIZES[..i] {
            at += 4 << bits;
        }
        at
    }
    /// Memory the contract declares, in pages.
    pub(super) fn pages() -> u32 {
        (base(SIZES.len()) >> 16) + 1
    }
}

/// The kernels' module: the imports, the data they read, and one entry point per kernel.
fn module(kernels: &[&Kernel], chase_module: bool, simd: bool) -> String {
    use at::*;
    let mut wat = String::from(
        r#"(module
  (import "govm" "sender" (func $sender (param i32)))
  (import "govm" "contract_address" (func $contract_address (param i32)))
  (import "govm" "block_height" (func $block_height (result i64)))
  (import "govm" "block_time" (func $block_time (result i64)))
  (import "govm" "value" (func $value (result i64)))
  (import "govm" "object_create" (func $object_create (param i32) (result i32)))
  (import "govm" "object_get" (func $object_get (param i32 i32) (result i32)))
  (import "govm" "object_with_owner" (func $object_with_owner (param i32 i32) (result i32)))
  (import "govm" "object_delete" (func $object_delete (param i32) (result i32)))
  (import "govm" "object_owner" (func $object_owner (param i32 i32) (result i32)))
  (import "govm" "object_set_owner" (func $object_set_owner (param i32 i32) (result i32)))
  (import "govm" "object_contract" (func $object_contract (param i32 i32) (result i32)))
  (import "govm" "field_get" (func $field_get (param i32 i32 i32) (result i64)))
  (import "govm" "field_set" (func $field_set (param i32 i32 i32 i32 i32) (result i32)))
  (import "govm" "field_delete" (func $field_delete (param i32 i32 i32) (result i32)))
  (import "govm" "emit_event" (func $emit_event (param i32 i32) (result i32)))
  (import "govm" "read_return" (func $read_return (param i32)))
  (import "govm" "balance" (func $balance (param i32) (result i64)))
  (import "govm" "transfer" (func $transfer (param i32 i64) (result i32)))
  (import "govm" "call" (func $call (param i32 i32 i32 i32 i32) (result i64)))
  (import "govm" "sha256" (func $sha256 (param i32 i32 i32)))
  (import "govm" "keccak256" (func $keccak256 (param i32 i32 i32)))
  (import "govm" "ed25519_verify" (func $ed25519_verify (param i32 i32 i32 i32) (result i32)))
  (import "govm" "secp256k1_verify" (func $secp256k1_verify (param i32 i32 i32 i32) (result i32)))
  (import "govm" "secp256k1_recover" (func $secp256k1_recover (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $fd_fdstat_set_flags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (type $t (func (param i32) (result i32)))
  (table 16 funcref)
  (elem (i32.const 0) $i0 $i1 $i2 $i2)
  (global $g (mut i32) (i32.const 0))
  (func $i2 (type $t) (local.get 0))
  (func $i1 (type $t) (call_indirect (type $t) (local.get 0) (i32.const 2)))
  (func $i0 (type $t) (call_indirect (type $t) (local.get 0) (i32.const 1)))
  (func $c2 (param i32) (result i32) (local.get 0))
  (func $c1 (param i32) (result i32) (call $c2 (local.get 0)))
  (func $c0 (param i32) (result i32) (call $c1 (local.get 0)))
  (func (export "govm_alloc") (param i32) (result i32) (i32.const 1024))
  (func $ok (result i64)
    (i32.store8 (i32.const 2048) (i32.const 0))
    (i64.const 0x80000000001))
  (func (export "Ok") (param i32 i32) (result i64) (call $ok))
"#,
    );
    let pages = if chase_module { chase::pages() } else { 16 };
    wat.push_str(&format!("  (memory (export \"memory\") {pages})\n"));
    // Data: lengths, addresses, keys, values, crypto vectors, iovecs.
    let word = |v: u32| bytes(&v.to_le_bytes());
    let mut data = vec![
        (ZERO, word(0)),
        (LEN_4K, word(4096)),
        (LEN_64K, word(65_536)),
        (SELF_PTR, word(SELF_PTR)),
        (
            OPAQUE,
            [
                word(1),
                word(3),
                bytes(&88_172_645_463_325_252u64.to_le_bytes()),
                bytes(&3u64.to_le_bytes()),
                bytes(&1.5f64.to_le_bytes()),
                bytes(&2.5f32.to_le_bytes()),
            ]
            .concat(),
        ),
        (ADDR_SELF, bytes(&CONTRACT.0)),
        (ADDR_A, bytes(&[0xaa; 20])),
        (ADDR_B, bytes(&[0xbb; 20])),
        (ADDR_CALLEE, bytes(&CALLEE.0)),
        (KEY, bytes(b"k")),
        (FN_OK, bytes(b"Ok")),
        // uint64 7
        (VAL_SMALL, bytes(&[0x05, 7, 0, 0, 0, 0, 0, 0, 0])),
        // "E", no fields
        (EVENT_SMALL, bytes(&[0x04, b'E', 0x00])),
        (
            ED_KEY,
            hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
        ),
        (
            ED_SIG,
            hex(
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            ),
        ),
        (
            SECP_DIGEST,
            hex("b4c1f26996e330cb5534988020c484f0b39dbc59d27d30d7832bd2cdc1d40052"),
        ),
        (
            SECP_SIG,
            hex(
                "ed3450c76e70f3ebba4c3b8f9f0b9c934b3be9e083f6c9f6462e6d48b4e0d8364f58d5e7495b27ca1964550c3de800bdad95bf2a6361e681e1fbff932a28ff0c",
            ),
        ),
        (
            SECP_KEY,
            hex(
                "04878978a5c86d1547310e925d1ed45a90e605e57601bce2e96bb5277814223ea1e1ea8b01cde7862bb9010ac5e0af50da65129e50bad769e8dfa8ecdd1616db66",
            ),
        ),
        (IOV_SMALL, [word(BIG), word(16)].concat()),
        (IOV_LARGE, [word(BIG), word(LARGE)].concat()),
    ];
    let compact4 = |n: u32| word((n << 2) | 2);
    // A []byte value: tag 0x0b, compact length, the bytes (zero).
    data.push((VAL_BYTES, [bytes(&[0x0b]), compact4(LARGE)].concat()));
    // A []bool value: tag 0x0f, "[]bool", compact length, the bools (false).
    data.push((
        VAL_BOOLS,
        [bytes(&[0x0f, 6 << 2]), bytes(b"[]bool"), compact4(LARGE)].concat(),
    ));
    // Event "E" with field "b": a []byte of LARGE bytes.
    data.push((
        EVENT_BYTES,
        [
            bytes(&[0x04, b'E', 0x04, 0x04, b'b', 0x0b]),
            compact4(LARGE),
        ]
        .concat(),
    ));
    // Event "E" with field "s": a []string of LARGE empty strings.
    data.push((
        EVENT_STRINGS,
        [
            bytes(&[0x04, b'E', 0x04, 0x04, b's', 0x0f, 8 << 2]),
            bytes(b"[]string"),
            compact4(LARGE),
        ]
        .concat(),
    ));
    if !chase_module {
        for (offset, text) in data {
            wat.push_str(&format!("  (data (i32.const {offset}) \"{text}\")\n"));
        }
    }
    wat.push_str(&format!("  (data $passive \"{}\")\n", "\\00".repeat(4096)));
    // Package initialisation: the chase contract builds its cycles, each a full-period
    // linear congruential sequence over its words (every word points at the next one's
    // address, in an order the prefetchers cannot follow).
    wat.push_str(
        "  (func (export \"_initialize\") (local $i i32) (local $n i32) (local $base i32)\n",
    );
    if chase_module {
        for (i, bits) in chase::SIZES.iter().enumerate() {
            let base = chase::base(i);
            let mask = (1u32 << bits) - 1;
            wat.push_str(&format!(
                "    (local.set $base (i32.const {base})) (local.set $i (i32.const 0)) (local.set $n (i32.const {n}))\n\
                 \x20   (loop $fill\n\
                 \x20     (i32.store (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 2)))\n\
                 \x20       (i32.add (local.get $base) (i32.shl (i32.and (i32.add (i32.mul (local.get $i) (i32.const 1103515245)) (i32.const 12345)) (i32.const {mask})) (i32.const 2))))\n\
                 \x20     (local.set $i (i32.add (local.get $i) (i32.const 1)))\n\
                 \x20     (br_if $fill (i32.lt_u (local.get $i) (local.get $n))))\n",
                n = 1u32 << bits,
            ));
        }
    }
    wat.push_str("  )\n");
    for kernel in kernels {
        wat.push_str(&format!(
            r#"  (func (export "{name}") (param $p i32) (param $len i32) (result i64)
    (local $i i32) (local $x i32) (local $y i64) (local $f f64) (local $g f32) (local $z i32) (local $d i64) {simd_decl}
    (local.set $i (i32.load (local.get $p)))
    ;; The chain's starting values, read from memory so the compiler cannot fold the chains.
    (local.set $x (i32.load (i32.const {opaque}))) (local.set $z (i32.load (i32.const {z})))
    (local.set $y (i64.load (i32.const {y}))) (local.set $d (i64.load (i32.const {d})))
    (local.set $f (f64.load (i32.const {f}))) (local.set $g (f32.load (i32.const {g})))
    {simd_locals}
    {setup}
    (block $done
      (loop $round
        (br_if $done (i32.eqz (local.get $i)))
        {round}
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $round)))
    (i32.store (i32.const 2000) (local.get $x))
    (i64.store (i32.const 2008) (local.get $y))
    (f64.store (i32.const 2016) (local.get $f))
    (f32.store (i32.const 2024) (local.get $g))
    (call $ok))
"#,
            name = kernel.name,
            opaque = OPAQUE,
            z = OPAQUE + 4,
            y = OPAQUE + 8,
            d = OPAQUE + 16,
            f = OPAQUE + 24,
            g = OPAQUE + 32,
            simd_decl = if simd { "(local $v v128)" } else { "" },
            simd_locals = if simd {
                format!("(local.set $v (v128.load (i32.const {OPAQUE})))")
            } else {
                String::new()
            },
            setup = kernel.setup,
            round = kernel.round,
        ));
    }
    wat.push_str(
        "  (func (export \"Setup\") (param $p i32) (param i32) (result i64) (local $i i32)\n",
    );
    if !chase_module {
        // 1,000 objects owned by the contract (the large owner scan); the first call gives
        // its last one to A.
        wat.push_str(&format!(
            "    (loop $more\n\
             \x20     (drop (call $object_create (i32.const {ID})))\n\
             \x20     (local.set $i (i32.add (local.get $i) (i32.const 1)))\n\
             \x20     (br_if $more (i32.lt_u (local.get $i) (i32.const 1000))))\n\
             \x20   (if (i32.eqz (i32.load (local.get $p)))\n\
             \x20     (then (drop (call $object_set_owner (i32.const {ID}) (i32.const {ADDR_A})))))\n"
        ));
    }
    wat.push_str("    (call $ok))\n");
    // 8 objects of 256 fields each, given to B: what the deletion of committed fields visits.
    wat.push_str(&format!(
        "  (func (export \"SetupFields\") (param i32 i32) (result i64) (local $i i32) (local $j i32)\n\
         \x20   (if (i32.eqz (i32.const {main})) (then (return (call $ok))))\n\
         \x20   (loop $objects\n\
         \x20     (drop (call $object_create (i32.const {ID})))\n\
         \x20     (local.set $j (i32.const 0))\n\
         \x20     (loop $fields\n\
         \x20       (i32.store8 (i32.const {KEY}) (i32.add (i32.const 64) (i32.shr_u (local.get $j) (i32.const 4))))\n\
         \x20       (i32.store8 (i32.const {key2}) (i32.add (i32.const 64) (i32.and (local.get $j) (i32.const 15))))\n\
         \x20       (drop (call $field_set (i32.const {ID}) (i32.const {KEY}) (i32.const 2) (i32.const {VAL_SMALL}) (i32.const 9)))\n\
         \x20       (local.set $j (i32.add (local.get $j) (i32.const 1)))\n\
         \x20       (br_if $fields (i32.lt_u (local.get $j) (i32.const 256))))\n\
         \x20     (drop (call $object_set_owner (i32.const {ID}) (i32.const {ADDR_B})))\n\
         \x20     (local.set $i (i32.add (local.get $i) (i32.const 1)))\n\
         \x20     (br_if $objects (i32.lt_u (local.get $i) (i32.const 8))))\n\
         \x20   (call $ok))\n)\n",
        main = u32::from(!chase_module),
        key2 = KEY + 1,
    ));
    wat
}

/// Bytes as a WAT string.
fn bytes(b: &[u8]) -> String {
    b.iter().map(|b| format!("\\{b:02x}")).collect()
}

fn hex(h: &str) -> String {
    let raw: Vec<u8> = (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap_or(0))
        .collect();
    bytes(&raw)
}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    panic!("{what}: {e}")
}

/// The contracts, deployed, and the runtime that calls them.
struct Bench {
    runtime: Runtime,
    state: State,
    _dir: tempfile::TempDir,
    quick: bool,
}

/// Fuel a call may use: far more than any kernel needs.
const FUEL: u64 = 1 << 50;

impl Bench {
    fn new(all: &[Kernel], chase_wanted: bool) -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| fail("tempdir", e));
        let state = State::open(dir.path().join("state.redb")).unwrap_or_else(|e| fail("redb", e));
        let options = ContractOptions {
            fuel_limit: FUEL,
            timeout_ms: govm_runtime::MAX_TIMEOUT_MS,
            ..ContractOptions::default()
        };
        let main: Vec<&Kernel> = all.iter().filter(|k| k.contract == CONTRACT).collect();
        let chase: Vec<&Kernel> = all.iter().filter(|k| k.contract == CHASE).collect();
        let mut tx = state.begin();
        let mut register = |code: [u8; 32],
                            wat: &str,
                            names: &[&str],
                            address: Address,
                            options: &ContractOptions| {
            let wasm = wat::parse_str(wat).unwrap_or_else(|e| fail("kernel module", e));
            let function = |name: &&str| Function {
                name: (*name).into(),
                context: false,
                params: vec![],
                results: vec![],
                error: false,
            };
            let abi = ContractAbi::new("calibration", names.iter().map(function).collect());
            tx.put_code(&code, &[0; 32], &wasm, &abi.to_json())
                .unwrap_or_else(|e| fail("code", e));
            tx.register_contract(&ContractRecord {
                address: address.0,
                code_hash: code,
                deployer: SENDER.0,
                deploy_height: 0,
                options: options.encode(),
            })
            .unwrap_or_else(|e| fail("register", e));
        };
        let mut names: Vec<&str> = main.iter().map(|k| k.name).collect();
        names.extend(["Ok", "Setup", "SetupFields"]);
        register(
            [1; 32],
            &module(&main, false, false),
            &names,
            CONTRACT,
            &options,
        );
        register(
            [2; 32],
            &module(&[], false, false),
            &["Ok", "Setup", "SetupFields"],
            CALLEE,
            &options,
        );
        if chase_wanted && !chase.is_empty() {
            let mut names: Vec<&str> = chase.iter().map(|k| k.name).collect();
            names.extend(["Ok", "Setup", "SetupFields"]);
            let big = ContractOptions {
                memory_limit: chain_defaults().2,
                ..options
            };
            register([3; 32], &module(&chase, true, false), &names, CHASE, &big);
        }
        let simd: Vec<&Kernel> = all.iter().filter(|k| k.contract == SIMD).collect();
        let mut names: Vec<&str> = simd.iter().map(|k| k.name).collect();
        names.extend(["Ok", "Setup", "SetupFields"]);
        let with_simd = ContractOptions {
            enable_simd: true,
            ..options
        };
        register(
            [4; 32],
            &module(&simd, false, true),
            &names,
            SIMD,
            &with_simd,
        );
        tx.mint(&CONTRACT.0, 1 << 50)
            .unwrap_or_else(|e| fail("mint", e));
        state.commit(tx).unwrap_or_else(|e| fail("commit", e));
        let runtime = Runtime::new(RuntimeConfig::default()).unwrap_or_else(|e| fail("runtime", e));
        let bench = Self {
            runtime,
            state,
            _dir: dir,
            quick: std::env::var_os("GOVM_BENCH_QUICK").is_some(),
        };
        // The objects the owner scans visit, committed as a node would hold them.
        for call in 0..SCAN_OBJECTS / 1000 {
            let (tx, outcome) = bench.call_in(CONTRACT, "Setup", call);
            outcome.result.unwrap_or_else(|e| fail("Setup", e));
            bench.state.commit(tx).unwrap_or_else(|e| fail("commit", e));
        }
        // 64 objects of 256 fields, for the deletions.
        for _ in 0..8 {
            let (tx, outcome) = bench.call_in(CONTRACT, "SetupFields", 0);
            outcome.result.unwrap_or_else(|e| fail("SetupFields", e));
            bench.state.commit(tx).unwrap_or_else(|e| fail("commit", e));
        }
        bench
    }

    fn call_in(
        &self,
        contract: Address,
        function: &str,
        rounds: u32,
    ) -> (govm_state::Transaction, govm_runtime::CallOutcome) {
        let args = rounds.to_le_bytes();
        let invocation = Invocation {
            args: &args,
            sender: SENDER,
            block_height: 1,
            block_time: 1_700_000_000,
            fuel_limit: FUEL,
            value: 0,
        };
        self.runtime
            .call(self.state.begin(), contract, function, &invocation)
    }

    /// One call of `kernel` with `rounds` rounds: its time in nanoseconds and its gas.
    fn run(&self, kernel: &Kernel, rounds: u32) -> (f64, u64) {
        let started = Instant::now();
        let (tx, outcome) = self.call_in(kernel.contract, kernel.name, rounds);
        let elapsed = started.elapsed().as_nanos() as f64;
        drop(tx);
        if let Err(e) = outcome.result {
            fail(kernel.name, e);
        }
        (elapsed, outcome.gas_used)
    }

    /// The class's ns per gas (median slope) and the range of the per-repetition slopes.
    fn measure(&self, kernel: &Kernel) -> Measured {
        // Rounds for about 40 ms at R2 (20 ms quick), at most what a transaction allows.
        let mut target = if self.quick { 20e6 } else { 40e6 };
        if kernel.latency {
            // The memory system's noise is larger: longer runs keep it out of the slope.
            target *= 4.0;
        }
        // A round's time, from the difference of two round counts (the call's own time, a
        // setup's included, cancels): doubled until the difference is a few milliseconds.
        let mut probe = 4.min(kernel.max_rounds);
        let per_round = loop {
            let (short, _) = self.run(kernel, probe);
            let longer = (probe * 2).min(kernel.max_rounds);
            let (long, _) = self.run(kernel, longer);
            if long - short > 2e6 || longer == kernel.max_rounds || longer >= 1 << 24 {
                break ((long - short) / f64::from((longer - probe).max(1))).max(1.0);
            }
            probe = longer;
        };
        let r2 = ((target / per_round) as u32).clamp(8, kernel.max_rounds);
        let r1 = (r2 / 4).max(2);
        let reps = if self.quick { 5 } else { 11 };
        let (mut low, mut high) = (Vec::new(), Vec::new());
        let (mut g1, mut g2) = (0, 0);
        for _ in 0..reps {
            let (t, g) = self.run(kernel, r1);
            low.push(t);
            g1 = g;
            let (t, g) = self.run(kernel, r2);
            high.push(t);
            g2 = g;
        }
        let gas = (g2 - g1) as f64;
        let mut slopes: Vec<f64> = low.iter().zip(&high).map(|(a, b)| (b - a) / gas).collect();
        slopes.sort_by(f64::total_cmp);
        let ns_per_gas = (median(&mut high) - median(&mut low)) / gas;
        Measured {
            ns_per_gas,
            low: slopes[0],
            high: slopes[slopes.len() - 1],
            gas_per_round: gas / f64::from(r2 - r1),
            ns_per_round: ns_per_gas * gas / f64::from(r2 - r1),
        }
    }
}

struct Measured {
    ns_per_gas: f64,
    low: f64,
    high: f64,
    gas_per_round: f64,
    ns_per_round: f64,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Class-name filters from the command line (cargo passes `--bench`, criterion's options
/// may come along with their values: neither is a filter).
fn filters() -> Vec<String> {
    let mut out = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg.starts_with("--") {
            if matches!(
                arg.as_str(),
                "--warm-up-time"
                    | "--measurement-time"
                    | "--sample-size"
                    | "--save-baseline"
                    | "--baseline"
            ) {
                args.next();
            }
            continue;
        }
        out.push(arg);
    }
    out
}

fn main() {
    let filters = filters();
    let all = kernels();
    let chosen: Vec<&Kernel> = all
        .iter()
        .filter(|k| filters.is_empty() || filters.iter().any(|f| k.name.contains(f.as_str())))
        .collect();
    if chosen.is_empty() {
        return;
    }
    let bench = Bench::new(&all, chosen.iter().any(|k| k.contract == CHASE));
    let mut figures = Figures::default();
    let mut rows = Vec::new();
    println!(
        "{:<30} {:>9} {:>19} {:>11} {:>12}   what",
        "class", "ns/gas", "spread", "gas/round", "ns/round"
    );
    for kernel in &chosen {
        let m = bench.measure(kernel);
        let apart = if kernel.bounded {
            " (bounded by the memory limit)"
        } else if kernel.latency {
            " (memory latency)"
        } else {
            ""
        };
        println!(
            "{:<30} {:>9.3} {:>8.3} - {:>8.3} {:>11.0} {:>12.1}   {}{apart}",
            kernel.name, m.ns_per_gas, m.low, m.high, m.gas_per_round, m.ns_per_round, kernel.what,
        );
        figures.value(
            &format!("gas_calibration_{}", kernel.name),
            m.ns_per_gas,
            "ns/gas",
            &format!(
                "{}: {:.0} gas per round, {:.1} ns; slopes {:.3}-{:.3}{apart}",
                kernel.what, m.gas_per_round, m.ns_per_round, m.low, m.high,
            ),
        );
        rows.push(Row {
            name: kernel.name,
            ns_per_gas: m.ns_per_gas,
            ns_per_round: m.ns_per_round,
            bounded: kernel.bounded,
            latency: kernel.latency,
        });
    }
    if filters.is_empty() {
        summary(&rows, &mut figures);
        figures.write("calibration.json");
    }
}

struct Row {
    name: &'static str,
    ns_per_gas: f64,
    ns_per_round: f64,
    bounded: bool,
    latency: bool,
}

/// The slowest of `rows` per gas.
fn worst<'a>(rows: impl Iterator<Item = &'a Row>) -> (&'static str, f64) {
    rows.max_by(|a, b| a.ns_per_gas.total_cmp(&b.ns_per_gas))
        .map_or(("none", 0.0), |r| (r.name, r.ns_per_gas))
}

/// The median over the wasm operator classes, the worst priced class (operators and host
/// functions) against it, and the consensus margins: `min_timeout_ms / (max_call_fuel × worst
/// ns/gas)` over the priced classes; and the worst call, which adds the memory-latency
/// classes and the bounded cost of first writes to the largest memory a contract may have,
/// with the fuel per transaction that would fit that call 4 times inside the deadline.
fn summary(rows: &[Row], figures: &mut Figures) {
    let priced = || rows.iter().filter(|r| !r.bounded && !r.latency);
    let host = |r: &&Row| r.name.starts_with("host_") || r.name.starts_with("wasi_");
    let mut operators: Vec<f64> = priced()
        .filter(|r| !host(r))
        .map(|r| r.ns_per_gas)
        .collect();
    let median = median(&mut operators);
    let worst_priced = worst(priced());
    let worst_all = worst(rows.iter().filter(|r| !r.bounded));
    // A 64 KiB page written for the first time, at the largest memory a chain's contract
    // may have.
    let (max_call_fuel, min_timeout_ms, max_memory) = chain_defaults();
    let pages = (max_memory >> 16) as f64;
    let bounded_seconds = rows
        .iter()
        .filter(|r| r.bounded)
        .map(|r| r.ns_per_round * pages / 1e9)
        .fold(0.0, f64::max);
    let deadline = min_timeout_ms as f64 / 1e3;
    let seconds = |ns_per_gas: f64| max_call_fuel as f64 * ns_per_gas / 1e9;
    let margin = deadline / seconds(worst_priced.1);
    let worst_call = deadline / (seconds(worst_all.1) + bounded_seconds);
    let fuel_for_4 = ((deadline / 4.0 - bounded_seconds) / worst_all.1 * 1e9).max(0.0);
    println!(
        "\nmedian of the operator classes {median:.3} ns/gas; worst priced class {} {:.3} \
         ns/gas ({:.2}x the median): max_call_fuel {max_call_fuel} of it fits {margin:.2}x inside \
         min_timeout_ms {min_timeout_ms}. The worst call, {} at {:.3} ns/gas and first writes \
         to {pages} pages ({bounded_seconds:.3} s), fits {worst_call:.2}x; {fuel_for_4:.3e} \
         fuel per transaction would fit it 4x",
        worst_priced.0,
        worst_priced.1,
        worst_priced.1 / median,
        worst_all.0,
        worst_all.1,
    );
    figures.value(
        "gas_ns_per_gas_median",
        median,
        "ns/gas",
        "median over the wasm operator classes",
    );
    figures.value(
        "gas_ns_per_gas_worst",
        worst_priced.1,
        "ns/gas",
        worst_priced.0,
    );
    figures.value(
        "gas_worst_over_median",
        worst_priced.1 / median,
        "x",
        &format!(
            "{} against the median of the operator classes",
            worst_priced.0
        ),
    );
    figures.value(
        "gas_consensus_margin",
        margin,
        "x",
        &format!(
            "min_timeout_ms {min_timeout_ms} / (max_call_fuel {max_call_fuel} x {:.3} ns/gas of {})",
            worst_priced.1, worst_priced.0
        ),
    );
    figures.value(
        "gas_bounded_memory_seconds",
        bounded_seconds,
        "s",
        &format!("first writes to {pages} pages (the chain's max_contract_memory)"),
    );
    figures.value(
        "gas_consensus_margin_worst_call",
        worst_call,
        "x",
        &format!(
            "with memory latency ({} {:.3} ns/gas) and {bounded_seconds:.3} s of first writes",
            worst_all.0, worst_all.1
        ),
    );
    figures.value(
        "gas_fuel_per_tx_for_margin_4",
        fuel_for_4,
        "gas",
        "the most wasm fuel per transaction (max_call_fuel) with which the worst call fits 4x \
         in min_timeout_ms",
    );
}

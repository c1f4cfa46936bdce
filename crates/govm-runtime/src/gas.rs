//! The gas schedule: what wasm operators and host operations cost, in fuel. docs/gas.md
//! explains each entry, and `benches/calibration.rs` measures what each one buys.
//! Changing any number is a consensus change: bump [`GAS_SCHEDULE_VERSION`].

use govm_abi::ModuleShape;
use sha2::{Digest, Sha256};

/// Version of this schedule together with the wasmtime version and its fuel configuration.
/// Version 5 prices wasm operators by what they cost ([`OPERATOR_PRICES`]); version 4 charged
/// wasmtime's default, 1 per operator whatever it did.
pub const GAS_SCHEDULE_VERSION: &str = "6/wasmtime-48.0.8";

/// Operators that cost the same fuel per execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperatorPrice {
    /// The operators, spelled as wasmparser spells them: the wasm text format's name in
    /// CamelCase (`I64DivS` is `i64.div_s`, `MemoryGrow` is `memory.grow`).
    pub operators: &'static [&'static str],
    /// Fuel per execution.
    pub fuel: u8,
}

const fn price(operators: &'static [&'static str], fuel: u8) -> OperatorPrice {
    OperatorPrice { operators, fuel }
}

/// What a wasm operator costs when [`OPERATOR_PRICES`] does not name it: wasmtime's default,
/// 1 (0 for `nop`, `drop`, `block`, `loop`, `end`, `else`, `unreachable` and `return`, which
/// emit no work of their own), and [`SIMD_FUEL`] for a SIMD operator.
///
/// One unit of fuel is about one cycle of the operator's latency in a dependent chain (about
/// 0.27 ns on the 2-core machine of `benches/calibration.rs`): the plain integer operators
/// stay at 1, and an operator whose chain takes k cycles costs about k.
pub const SIMD_FUEL: u8 = 3;

/// The operators that cost more than wasmtime's default, measured by `benches/calibration.rs`
/// (docs/gas.md, "What an operator costs"). Later entries win.
pub const OPERATOR_PRICES: &[OperatorPrice] = &[
    // A load's result comes 4 or more cycles later (an L1 hit); further out in the cache
    // hierarchy it takes longer still, which no flat price covers (docs/gas.md).
    price(&LOADS, 4),
    price(&STORES, 2),
    price(&["I32Mul", "I64Mul"], 3),
    price(
        &[
            "I32DivS", "I32DivU", "I32RemS", "I32RemU", "I64DivS", "I64DivU", "I64RemS", "I64RemU",
        ],
        16,
    ),
    // Floating point, with NaN canonicalisation after every arithmetic operator.
    price(
        &["F32Add", "F32Sub", "F32Mul", "F64Add", "F64Sub", "F64Mul"],
        7,
    ),
    price(&["F32Div"], 14),
    price(&["F64Div"], 18),
    price(&["F32Sqrt"], 19),
    price(&["F64Sqrt"], 25),
    price(
        &[
            "F32Ceil",
            "F32Floor",
            "F32Trunc",
            "F32Nearest",
            "F64Ceil",
            "F64Floor",
            "F64Trunc",
            "F64Nearest",
        ],
        8,
    ),
    price(&["F32Min", "F32Max", "F64Min", "F64Max"], 7),
    price(&FLOAT_CONVERSIONS, 7),
    price(
        &[
            "F32Eq", "F32Ne", "F32Lt", "F32Gt", "F32Le", "F32Ge", "F64Eq", "F64Ne", "F64Lt",
            "F64Gt", "F64Le", "F64Ge",
        ],
        3,
    ),
    price(
        &[
            "F32Abs",
            "F32Neg",
            "F32Copysign",
            "F64Abs",
            "F64Neg",
            "F64Copysign",
        ],
        2,
    ),
    price(&["Call"], 10),
    price(&["CallIndirect"], 15),
    // A libcall into the runtime, failing or not (plus [`VARIABLE_PRICES`] per page).
    price(&["MemoryGrow"], 90),
    // glibc's memset takes about 150 ns for 0 bytes on the calibration machine: the most an
    // operator may cost, 255, does not quite cover it (docs/gas.md).
    price(&["MemoryFill"], 255),
    price(&["MemoryCopy", "TableCopy"], 18),
    price(&["MemoryInit", "TableInit"], 20),
    price(&["DataDrop", "ElemDrop"], 10),
    // SIMD (a deploy option), beyond SIMD_FUEL.
    price(
        &[
            "F32x4Add", "F32x4Sub", "F32x4Mul", "F64x2Add", "F64x2Sub", "F64x2Mul",
        ],
        7,
    ),
    price(&["F32x4Div"], 14),
    price(&["F64x2Div"], 18),
    price(&["F32x4Sqrt"], 19),
    price(&["F64x2Sqrt"], 25),
    price(
        &[
            "F32x4Min",
            "F32x4Max",
            "F32x4PMin",
            "F32x4PMax",
            "F64x2Min",
            "F64x2Max",
            "F64x2PMin",
            "F64x2PMax",
        ],
        11,
    ),
    price(
        &[
            "F32x4Ceil",
            "F32x4Floor",
            "F32x4Trunc",
            "F32x4Nearest",
            "F64x2Ceil",
            "F64x2Floor",
            "F64x2Trunc",
            "F64x2Nearest",
        ],
        7,
    ),
    price(
        &[
            "I32x4TruncSatF32x4S",
            "I32x4TruncSatF32x4U",
            "F32x4ConvertI32x4S",
            "F32x4ConvertI32x4U",
            "I32x4TruncSatF64x2SZero",
            "I32x4TruncSatF64x2UZero",
            "F64x2ConvertLowI32x4S",
            "F64x2ConvertLowI32x4U",
            "F32x4DemoteF64x2Zero",
            "F64x2PromoteLowF32x4",
        ],
        7,
    ),
    price(&SIMD_LOADS, 6),
    price(
        &[
            "I8x16Bitmask",
            "I16x8Bitmask",
            "I32x4Bitmask",
            "I64x2Bitmask",
        ],
        4,
    ),
];

/// Every scalar load.
const LOADS: [&str; 14] = [
    "I32Load",
    "I64Load",
    "F32Load",
    "F64Load",
    "I32Load8S",
    "I32Load8U",
    "I32Load16S",
    "I32Load16U",
    "I64Load8S",
    "I64Load8U",
    "I64Load16S",
    "I64Load16U",
    "I64Load32S",
    "I64Load32U",
];

/// Every scalar store.
const STORES: [&str; 9] = [
    "I32Store",
    "I64Store",
    "F32Store",
    "F64Store",
    "I32Store8",
    "I32Store16",
    "I64Store8",
    "I64Store16",
    "I64Store32",
];

/// Every conversion to, from or between floating-point types but the reinterpretations.
const FLOAT_CONVERSIONS: [&str; 26] = [
    "I32TruncF32S",
    "I32TruncF32U",
    "I32TruncF64S",
    "I32TruncF64U",
    "I64TruncF32S",
    "I64TruncF32U",
    "I64TruncF64S",
    "I64TruncF64U",
    "I32TruncSatF32S",
    "I32TruncSatF32U",
    "I32TruncSatF64S",
    "I32TruncSatF64U",
    "I64TruncSatF32S",
    "I64TruncSatF32U",
    "I64TruncSatF64S",
    "I64TruncSatF64U",
    "F32ConvertI32S",
    "F32ConvertI32U",
    "F32ConvertI64S",
    "F32ConvertI64U",
    "F64ConvertI32S",
    "F64ConvertI32U",
    "F64ConvertI64S",
    "F64ConvertI64U",
    "F32DemoteF64",
    "F64PromoteF32",
];

/// Every SIMD load.
const SIMD_LOADS: [&str; 17] = [
    "V128Load",
    "V128Load8x8S",
    "V128Load8x8U",
    "V128Load16x4S",
    "V128Load16x4U",
    "V128Load32x2S",
    "V128Load32x2U",
    "V128Load8Splat",
    "V128Load16Splat",
    "V128Load32Splat",
    "V128Load64Splat",
    "V128Load32Zero",
    "V128Load64Zero",
    "V128Load8Lane",
    "V128Load16Lane",
    "V128Load32Lane",
    "V128Load64Lane",
];

/// Fuel of the operators whose work grows with an operand, on top of their flat price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VariablePrices {
    /// Per byte `memory.fill` writes.
    pub memory_fill_per_byte: u8,
    /// Per byte `memory.copy` copies.
    pub memory_copy_per_byte: u8,
    /// Per byte `memory.init` copies.
    pub memory_init_per_byte: u8,
    /// Per page `memory.grow` asks for, whether it grows or fails.
    pub memory_grow_per_page: u8,
    /// Per element `table.copy` copies.
    pub table_copy_per_element: u8,
    /// Per element `table.init` copies.
    pub table_init_per_element: u8,
}

/// The per-unit prices of [`VariablePrices`].
pub const VARIABLE_PRICES: VariablePrices = VariablePrices {
    memory_fill_per_byte: 1,
    memory_copy_per_byte: 1,
    memory_init_per_byte: 1,
    memory_grow_per_page: 8,
    table_copy_per_element: 4,
    table_init_per_element: 4,
};

/// sha256 of everything above that compiled code depends on: the schedule's version and every
/// operator price. Part of the key of every compiled module, so that code compiled under
/// another table is never reused.
pub(crate) fn operator_schedule_digest() -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(GAS_SCHEDULE_VERSION);
    h.update([0, SIMD_FUEL]);
    for p in OPERATOR_PRICES {
        for op in p.operators {
            h.update(op);
            h.update([0, p.fuel]);
        }
    }
    let v = VARIABLE_PRICES;
    h.update([
        v.memory_fill_per_byte,
        v.memory_copy_per_byte,
        v.memory_init_per_byte,
        v.memory_grow_per_page,
        v.table_copy_per_element,
        v.table_init_per_element,
    ]);
    h.finalize().into()
}

/// Charged on every host function call, WASI included.
pub const HOST_CALL: u64 = 100;
/// Per byte copied between the contract's memory and the host (arguments and results too).
pub const PER_BYTE: u64 = 1;
/// Creating an object.
pub const OBJECT_CREATE: u64 = 20_000;
/// Reading object metadata or looking an object up.
pub const OBJECT_READ: u64 = 2_000;
/// Finding an owner's first object (`object_with_owner`): a page of the owner index read
/// from the store, whatever the owner holds (1.7 us on redb with thousands of entries), on
/// top of [`SCAN_ENTRY`] per entry it visits.
pub const OBJECT_WITH_OWNER: u64 = 7_000;
/// Changing an object's owner or deleting it.
pub const OBJECT_WRITE: u64 = 10_000;
/// Reading a field (plus [`PER_BYTE`] per byte of value).
pub const FIELD_READ: u64 = 2_000;
/// Writing or deleting a field.
pub const FIELD_WRITE: u64 = 10_000;
/// Per byte of field key and value written, on top of [`FIELD_WRITE`]: the value is decoded
/// to be checked, and a composite of one-byte elements (a `[]bool`) takes 25 ns per byte.
pub const FIELD_WRITE_PER_BYTE: u64 = 100;
/// Emitting an event.
pub const EVENT: u64 = 2_000;
/// Per byte of event data, on top of [`EVENT`]: the fields are decoded and kept, and a
/// composite of one-byte elements (a `[]string` of empty strings) takes 38 ns per byte, which
/// this prices at about 0.48 ns/gas (50 until schedule 6: 0.77, the slowest of the schedule).
pub const EVENT_PER_BYTE: u64 = 80;

/// Per stored or written entry a state scan visits (an owner lookup walks the owner's index
/// entries up to its answer; deleting an object walks its fields), on top of the operation's
/// own cost. Deleting an object's committed fields takes about 0.6 to 1 µs a field on redb
/// (500 until schedule 6: up to 1.3 ns/gas, the slowest of the schedule).
pub const SCAN_ENTRY: u64 = 1_500;

/// A deploy's own cost, on top of what the bytes and the package initialisation cost.
pub const DEPLOY: u64 = 100_000;
/// Per byte of source a deploy stores (and the validator reads).
pub const DEPLOY_PER_SOURCE_BYTE: u64 = 20;
/// Per byte of wasm a deploy stores, checks, instruments, snapshots and compiles.
pub const DEPLOY_PER_WASM_BYTE: u64 = 30;

/// Compiling, per function the module defines: Cranelift's set-up, register allocation and
/// relocation of each function, whatever its size (16,384 empty functions take 2.3 to 3.7 s
/// of CPU).
pub const COMPILE_PER_FUNCTION: u64 = 7_000;
/// Compiling, per block (`block`, `loop`, `if`, `else`, `br_if`, `br_table`,
/// `call_indirect`: what docs/abi.md §6.1 counts): each is a basic block for the register
/// allocator, about 45 µs of CPU each at the module limits.
pub const COMPILE_PER_BLOCK: u64 = 1_550;
/// Compiling, per `call` instruction (2^17 calls take 1.5 to 1.9 s of CPU).
pub const COMPILE_PER_CALL: u64 = 400;
/// Compiling, per local (declared or a parameter).
pub const COMPILE_PER_LOCAL: u64 = 8;
/// Compiling, per unit of a function's size times its blocks (one gas per this many units):
/// the register allocator's work grows with both (a function of 26 KiB and 6,553 blocks takes
/// 1.3 s of CPU).
pub const COMPILE_SIZE_BY_BLOCKS_PER_GAS: u64 = 6;
/// Compiling, per unit of a function's locals times its blocks: live ranges that cross
/// every block.
pub const COMPILE_PER_LOCAL_BY_BLOCK: u64 = 13;

/// Compiling, per `br_table` target: an edge of the control-flow graph.
pub const COMPILE_PER_TABLE_TARGET: u64 = 4;
/// Compiling, per unit of a function's locals times its `br_table` targets (one gas per this
/// many units): the register allocator splits every edge, with the live values across it
/// (1,023 locals live across 2^18 targets in a function take 0.6 s of CPU).
pub const COMPILE_LOCALS_BY_TARGETS_PER_GAS: u64 = 16;

/// What compiling a module costs, from its shape as the module check counted it
/// ([`ModuleShape`]): charged before it compiles, on top of [`deploy_gas`]. Fitted in
/// `benches/compile.rs` so that no module at the structural limits compiles slower per gas
/// than the token contract Go builds (docs/gas.md).
pub fn compile_gas(shape: &ModuleShape) -> u64 {
    [
        shape.functions.saturating_mul(COMPILE_PER_FUNCTION),
        shape.blocks.saturating_mul(COMPILE_PER_BLOCK),
        shape.calls.saturating_mul(COMPILE_PER_CALL),
        shape.locals.saturating_mul(COMPILE_PER_LOCAL),
        shape.size_by_blocks / COMPILE_SIZE_BY_BLOCKS_PER_GAS,
        shape
            .locals_by_blocks
            .saturating_mul(COMPILE_PER_LOCAL_BY_BLOCK),
        shape
            .br_table_targets
            .saturating_mul(COMPILE_PER_TABLE_TARGET),
        shape.locals_by_targets / COMPILE_LOCALS_BY_TARGETS_PER_GAS,
    ]
    .into_iter()
    .fold(0u64, u64::saturating_add)
}

/// What a deploy costs: [`DEPLOY`], the source and wasm bytes, and the fuel of Go's package
/// initialisation (which runs once, at deploy). docs/gas.md explains it.
pub fn deploy_gas(source_len: usize, wasm_len: usize, init_fuel: u64) -> u64 {
    DEPLOY
        .saturating_add((source_len as u64).saturating_mul(DEPLOY_PER_SOURCE_BYTE))
        .saturating_add((wasm_len as u64).saturating_mul(DEPLOY_PER_WASM_BYTE))
        .saturating_add(init_fuel)
}

/// A sha256 digest computed by the host, on top of [`PER_BYTE`] for the bytes it reads and
/// writes.
pub const HASH: u64 = 1_000;
/// Per byte sha256 hashes, on top of [`HASH`].
pub const HASH_PER_BYTE: u64 = 5;
/// A keccak256 digest computed by the host (2.5 ns per byte, twice sha256's).
pub const KECCAK256: u64 = 1_500;
/// Per byte keccak256 hashes, on top of [`KECCAK256`].
pub const KECCAK256_PER_BYTE: u64 = 10;
/// An ed25519 signature check by the host (about 50 us natively), on top of [`PER_BYTE`] for
/// the key, message and signature it reads.
pub const ED25519_VERIFY: u64 = 150_000;
/// Per byte of the message an ed25519 check hashes, on top of [`ED25519_VERIFY`].
pub const ED25519_VERIFY_PER_BYTE: u64 = 5;

/// A secp256k1 ECDSA check by the host (84 us on the calibration machine).
pub const SECP256K1_VERIFY: u64 = 350_000;
/// Recovering a secp256k1 public key from a signature (184 us on the calibration machine).
pub const SECP256K1_RECOVER: u64 = 750_000;

/// Reading a native balance.
pub const BALANCE_READ: u64 = 2_000;
/// Moving native balance.
pub const TRANSFER: u64 = 10_000;
/// Calling another contract, on top of the fuel the callee itself uses: a fresh instance on a
/// thread of its own (about 50 us on the calibration machine).
pub const CALL: u64 = 250_000;

/// WASI `random_get`, on top of [`HOST_CALL`] and [`PER_BYTE`] for the buffer it reads and
/// writes.
pub const RANDOM_GET: u64 = 200;
/// Per byte of randomness (a sha256 stream), on top of [`RANDOM_GET`].
pub const RANDOM_PER_BYTE: u64 = 6;
/// WASI `fd_write`, on top of [`HOST_CALL`] and [`PER_BYTE`] for what it reads.
pub const FD_WRITE: u64 = 150;
/// Per entry of `fd_write`'s iovec table, on top of its 8 bytes: each is a bounds-checked
/// read.
pub const IOVEC: u64 = 32;
/// WASI `poll_oneoff`, on top of [`HOST_CALL`] and [`PER_BYTE`] for its subscriptions and
/// events.
pub const POLL_ONEOFF: u64 = 100;

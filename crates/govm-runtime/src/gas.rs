//! The gas schedule: what host operations cost, in fuel. docs/gas.md explains each entry.
//! Changing any number is a consensus change: bump [`GAS_SCHEDULE_VERSION`].

/// Version of this schedule together with the wasmtime version and its fuel configuration.
pub const GAS_SCHEDULE_VERSION: &str = "4/wasmtime-48.0.8";

/// Charged on every host function call, WASI included.
pub const HOST_CALL: u64 = 100;
/// Per byte copied between the contract's memory and the host (arguments and results too).
pub const PER_BYTE: u64 = 1;
/// Creating an object.
pub const OBJECT_CREATE: u64 = 20_000;
/// Reading object metadata or looking an object up.
pub const OBJECT_READ: u64 = 2_000;
/// Changing an object's owner or deleting it.
pub const OBJECT_WRITE: u64 = 10_000;
/// Reading a field (plus [`PER_BYTE`] per byte of value).
pub const FIELD_READ: u64 = 2_000;
/// Writing or deleting a field.
pub const FIELD_WRITE: u64 = 10_000;
/// Per byte of field key and value written, on top of [`FIELD_WRITE`].
pub const FIELD_WRITE_PER_BYTE: u64 = 20;
/// Emitting an event.
pub const EVENT: u64 = 2_000;
/// Per byte of event data, on top of [`EVENT`].
pub const EVENT_PER_BYTE: u64 = 10;

/// Per stored or written entry a state scan visits (an owner lookup walks the owner's index
/// entries; deleting an object walks its fields), on top of the operation's own cost.
pub const SCAN_ENTRY: u64 = 500;

/// A deploy's own cost, on top of what the bytes and the package initialisation cost.
pub const DEPLOY: u64 = 100_000;
/// Per byte of source a deploy stores (and the validator reads).
pub const DEPLOY_PER_SOURCE_BYTE: u64 = 20;
/// Per byte of wasm a deploy stores, checks, instruments, snapshots and compiles.
pub const DEPLOY_PER_WASM_BYTE: u64 = 30;

/// What a deploy costs: [`DEPLOY`], the source and wasm bytes, and the fuel of Go's package
/// initialisation (which runs once, at deploy). docs/gas.md explains it.
pub fn deploy_gas(source_len: usize, wasm_len: usize, init_fuel: u64) -> u64 {
    DEPLOY
        .saturating_add((source_len as u64).saturating_mul(DEPLOY_PER_SOURCE_BYTE))
        .saturating_add((wasm_len as u64).saturating_mul(DEPLOY_PER_WASM_BYTE))
        .saturating_add(init_fuel)
}

/// A sha256 or keccak256 digest computed by the host, on top of [`PER_BYTE`] for the bytes it
/// reads and writes.
pub const HASH: u64 = 1_000;
/// Per byte hashed, on top of [`HASH`].
pub const HASH_PER_BYTE: u64 = 5;
/// An ed25519 signature check by the host (about 50 us natively), on top of [`PER_BYTE`] for
/// the key, message and signature it reads.
pub const ED25519_VERIFY: u64 = 150_000;
/// Per byte of the message an ed25519 check hashes, on top of [`ED25519_VERIFY`].
pub const ED25519_VERIFY_PER_BYTE: u64 = 5;

/// A secp256k1 ECDSA check by the host (about 60 us natively).
pub const SECP256K1_VERIFY: u64 = 200_000;
/// Recovering a secp256k1 public key from a signature (about 80 us natively).
pub const SECP256K1_RECOVER: u64 = 250_000;

/// Reading a native balance.
pub const BALANCE_READ: u64 = 2_000;
/// Moving native balance.
pub const TRANSFER: u64 = 10_000;
/// Calling another contract, on top of the fuel the callee itself uses.
pub const CALL: u64 = 10_000;

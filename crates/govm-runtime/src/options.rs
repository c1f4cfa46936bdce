//! The deploy options of the design document (`WASIOptions`): which limits a contract runs
//! under, fixed at deploy and stored with the contract, and which settings belong to the node.

use std::path::PathBuf;

use crate::error::{Error, Result};

/// The smallest memory limit Go's runtime can start in (its `_initialize` needs 8 MiB).
pub const MIN_MEMORY_LIMIT: u64 = 8 << 20;
/// The largest memory limit a contract may ask for. A chain constant: every node accepts the
/// same deploys.
pub const MAX_MEMORY_LIMIT: u64 = 1 << 30;
/// The largest table a contract may ask for.
pub const MAX_TABLE_SIZE: u32 = 1 << 18;
/// The smallest and largest wasm stack a contract may ask for (a power of two in between).
pub const STACK_SIZE_RANGE: (u32, u32) = (64 << 10, 4 << 20);
/// The longest deadline a contract may ask for, in milliseconds.
pub const MAX_TIMEOUT_MS: u64 = 60_000;

/// The limits one contract runs under: chosen at deploy, stored with the contract (they are
/// state: every node enforces the same ones), and applied to its package initialization and
/// to every call of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ContractOptions {
    /// Largest linear memory, in bytes. Default 64 MiB; from 8 MiB to 1 GiB.
    pub memory_limit: u64,
    /// Most elements a table may hold. Default 65,536; at most 262,144.
    pub table_size: u32,
    /// Wall-clock limit of a call (and of the initialization at deploy), in milliseconds,
    /// enforced by epoch interruption. Default 5,000; from 1 to 60,000. A safety net, not a
    /// consensus rule: fuel is what makes calls end the same way everywhere.
    pub timeout_ms: u64,
    /// Most fuel one call of the contract may use, whatever the caller offers; also the
    /// budget of Go's `_initialize` at deploy. Default 1,000,000,000.
    pub fuel_limit: u64,
    /// Largest wasm call stack, in bytes: a power of two from 64 KiB to 4 MiB. Default 512 KiB.
    pub stack_size: u32,
    /// Allow 128-bit SIMD instructions (deterministic: NaNs are canonicalised; relaxed SIMD
    /// stays off). Default off.
    pub enable_simd: bool,
    /// Allow the threads proposal. Always refused: shared memory and atomics make execution
    /// order-dependent, which a consensus engine cannot allow. Default off.
    pub enable_threads: bool,
    /// Allow bulk memory instructions. Default on, and required: Go's code generator emits
    /// `memory.copy` and `memory.fill` in every module.
    pub enable_bulk_memory: bool,
}

impl Default for ContractOptions {
    fn default() -> Self {
        Self {
            memory_limit: 64 << 20,
            table_size: 65_536,
            timeout_ms: 5_000,
            fuel_limit: 1_000_000_000,
            stack_size: 512 << 10,
            enable_simd: false,
            enable_threads: false,
            enable_bulk_memory: true,
        }
    }
}

/// Version byte of [`ContractOptions::encode`].
const OPTIONS_ENCODING: u8 = 1;
const ENCODED_LEN: usize = 1 + 8 + 4 + 8 + 8 + 4 + 1;

impl ContractOptions {
    /// Checks that the options are ones govm can honour, with a message that names the
    /// option. Every node gives the same answer.
    pub fn check(&self) -> Result<()> {
        let refuse = |m: String| Err(Error::InvalidOptions(m));
        if self.enable_threads {
            return refuse(
                "EnableThreads: threads are not supported (shared memory makes execution \
                 order-dependent, which consensus cannot allow)"
                    .into(),
            );
        }
        if !self.enable_bulk_memory {
            return refuse(
                "EnableBulkMemory: bulk memory cannot be disabled: Go's compiler emits \
                 memory.copy and memory.fill in every module"
                    .into(),
            );
        }
        if !(MIN_MEMORY_LIMIT..=MAX_MEMORY_LIMIT).contains(&self.memory_limit) {
            return refuse(format!(
                "MemoryLimit: {} bytes is outside {MIN_MEMORY_LIMIT}..={MAX_MEMORY_LIMIT} \
                 (Go's runtime needs at least 8 MiB)",
                self.memory_limit
            ));
        }
        if self.table_size == 0 || self.table_size > MAX_TABLE_SIZE {
            return refuse(format!(
                "TableSize: {} is outside 1..={MAX_TABLE_SIZE}",
                self.table_size
            ));
        }
        if self.timeout_ms == 0 || self.timeout_ms > MAX_TIMEOUT_MS {
            return refuse(format!(
                "Timeout: {} ms is outside 1..={MAX_TIMEOUT_MS}",
                self.timeout_ms
            ));
        }
        if self.fuel_limit == 0 {
            return refuse("FuelLimit: must be above 0".into());
        }
        let (lo, hi) = STACK_SIZE_RANGE;
        if !self.stack_size.is_power_of_two() || !(lo..=hi).contains(&self.stack_size) {
            return refuse(format!(
                "StackSize: {} bytes is not a power of two from {lo} to {hi}",
                self.stack_size
            ));
        }
        Ok(())
    }

    /// The stored form (docs/abi.md, "Contract records").
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(ENCODED_LEN);
        out.push(OPTIONS_ENCODING);
        out.extend_from_slice(&self.memory_limit.to_le_bytes());
        out.extend_from_slice(&self.table_size.to_le_bytes());
        out.extend_from_slice(&self.timeout_ms.to_le_bytes());
        out.extend_from_slice(&self.fuel_limit.to_le_bytes());
        out.extend_from_slice(&self.stack_size.to_le_bytes());
        out.push(
            u8::from(self.enable_simd)
                | u8::from(self.enable_threads) << 1
                | u8::from(self.enable_bulk_memory) << 2,
        );
        out
    }

    /// Reads the stored form back. Every contract record carries its options: defaults are
    /// never implied, so changing a default cannot change a deployed contract's limits.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        let bad = || Error::State(format!("contract options of {} bytes", bytes.len()));
        if bytes.len() != ENCODED_LEN || bytes[0] != OPTIONS_ENCODING {
            return Err(bad());
        }
        let mut at = 1;
        let mut take = |n: usize| {
            let s = &bytes[at..at + n];
            at += n;
            s
        };
        let u64_at = |s: &[u8]| u64::from_le_bytes(s.try_into().unwrap_or([0; 8]));
        let u32_at = |s: &[u8]| u32::from_le_bytes(s.try_into().unwrap_or([0; 4]));
        let memory_limit = u64_at(take(8));
        let table_size = u32_at(take(4));
        let timeout_ms = u64_at(take(8));
        let fuel_limit = u64_at(take(8));
        let stack_size = u32_at(take(4));
        let flags = take(1)[0];
        if flags > 0b111 {
            return Err(bad());
        }
        Ok(Self {
            memory_limit,
            table_size,
            timeout_ms,
            fuel_limit,
            stack_size,
            enable_simd: flags & 1 != 0,
            enable_threads: flags & 2 != 0,
            enable_bulk_memory: flags & 4 != 0,
        })
    }
}

/// How much of a call's output the node keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum LogLevel {
    /// Nothing: the debug output is always empty.
    Off,
    /// What the contract wrote to standard error (Go writes panics and fatal errors there).
    Error,
    /// Standard output and standard error. The default.
    #[default]
    Debug,
    /// Both, and a line per host function call with the fuel left when it was made.
    Trace,
}

impl std::str::FromStr for LogLevel {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "off" => Ok(Self::Off),
            "error" => Ok(Self::Error),
            "debug" | "info" => Ok(Self::Debug),
            "trace" => Ok(Self::Trace),
            other => Err(format!(
                "unknown log level `{other}` (expected off, error, debug or trace)"
            )),
        }
    }
}

/// The design document's `WASIOptions`: the default [`ContractOptions`] of deploys that do
/// not choose their own, and the node's own settings (not state: nodes may differ in them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WasiOptions {
    /// The default `MemoryLimit`, `TableSize`, `Timeout`, `FuelLimit`, `StackSize`,
    /// `EnableSIMD`, `EnableThreads` and `EnableBulkMemory` of a deploy.
    pub contract: ContractOptions,
    /// `PrecompiledCache`: keep compiled modules on disk, in `cache_dir`, so that a restarted
    /// node does not recompile them (Cranelift takes seconds on a Go module). Default on.
    pub precompiled_cache: bool,
    /// `CacheDir`: where compiled modules are kept. Default: none (then nothing is kept on
    /// disk; the `govm` facade sets it to its cache directory).
    pub cache_dir: Option<PathBuf>,
    /// `LogLevel`: what a call's debug output holds. Default [`LogLevel::Debug`].
    pub log_level: LogLevel,
}

impl Default for WasiOptions {
    fn default() -> Self {
        Self {
            contract: ContractOptions::default(),
            precompiled_cache: true,
            cache_dir: None,
            log_level: LogLevel::Debug,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The largest memory and table a contract may ask for are the largest a module may
    /// declare: a module the check admits is one a contract's limits can hold, on every node
    /// (pooled or not), so instantiating it never fails for a reason of this node's.
    #[test]
    fn contract_limits_are_the_module_checks_limits() {
        let limits = govm_abi::MODULE_LIMITS;
        assert_eq!(MAX_MEMORY_LIMIT, limits.memory_pages * 65_536);
        assert_eq!(u64::from(MAX_TABLE_SIZE), limits.table_elements);
    }

    #[test]
    fn options_round_trip_and_reject_garbage() {
        let o = ContractOptions {
            memory_limit: 16 << 20,
            table_size: 9,
            timeout_ms: 7,
            fuel_limit: 5,
            stack_size: 1 << 16,
            enable_simd: true,
            enable_threads: false,
            enable_bulk_memory: true,
        };
        assert_eq!(ContractOptions::decode(&o.encode()), Ok(o));
        // Every record carries its options: nothing is implied.
        assert!(ContractOptions::decode(&[]).is_err());
        assert!(ContractOptions::decode(&[1, 2, 3]).is_err());
        let mut flags = o.encode();
        *flags.last_mut().unwrap_or(&mut 0) = 0xff;
        assert!(ContractOptions::decode(&flags).is_err());
    }

    #[test]
    fn each_option_is_checked() {
        assert_eq!(ContractOptions::default().check(), Ok(()));
        let bad = [
            ContractOptions {
                enable_threads: true,
                ..Default::default()
            },
            ContractOptions {
                enable_bulk_memory: false,
                ..Default::default()
            },
            ContractOptions {
                memory_limit: 4 << 20,
                ..Default::default()
            },
            ContractOptions {
                memory_limit: 2 << 30,
                ..Default::default()
            },
            ContractOptions {
                table_size: 0,
                ..Default::default()
            },
            ContractOptions {
                timeout_ms: 0,
                ..Default::default()
            },
            ContractOptions {
                fuel_limit: 0,
                ..Default::default()
            },
            ContractOptions {
                stack_size: 100_000,
                ..Default::default()
            },
        ];
        let names = [
            "EnableThreads",
            "EnableBulkMemory",
            "MemoryLimit",
            "MemoryLimit",
            "TableSize",
            "Timeout",
            "FuelLimit",
            "StackSize",
        ];
        for (o, name) in bad.iter().zip(names) {
            let e = o.check().expect_err(name).to_string();
            assert!(e.contains(name), "{e}");
        }
    }

    #[test]
    fn log_levels_parse() {
        assert_eq!("TRACE".parse(), Ok(LogLevel::Trace));
        assert_eq!("off".parse(), Ok(LogLevel::Off));
        assert!("loud".parse::<LogLevel>().is_err());
    }
}

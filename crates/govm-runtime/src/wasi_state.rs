//! What the WASI functions of one call read and write: a clock derived from the block time,
//! randomness seeded from the call, and the captured standard output and error.

use sha2::{Digest, Sha256};

use crate::LogLevel;

/// Most bytes of stdout and stderr kept per call.
pub const DEBUG_OUTPUT_CAP: usize = 16 * 1024;
/// How far the clock moves on each reading, in nanoseconds.
const CLOCK_STEP_NS: u64 = 1_000;

/// One call's clock, randomness and captured output.
pub(crate) struct WasiState {
    pub(crate) clock_ns: u64,
    random_seed: [u8; 32],
    random_counter: u64,
    pub(crate) output: Vec<u8>,
    pub(crate) output_truncated: bool,
    /// The first bytes the contract wrote to stderr, kept whatever the log level: a Go fatal
    /// error's message comes from here, so it must not depend on node settings.
    pub(crate) stderr_head: Vec<u8>,
    level: LogLevel,
}

/// Most bytes of stderr kept for error messages.
const STDERR_HEAD_CAP: usize = 4096;

/// The clock Go's `_initialize` sees (Unix time 0) and the seed of its randomness: fixed, so
/// that a snapshot depends on the code and the options only.
const INIT_BLOCK_TIME: i64 = 0;
const INIT_SEED: &[u8] = b"govm/initialize";

impl WasiState {
    pub(crate) fn new(block_time: i64, random_seed: [u8; 32], level: LogLevel) -> Self {
        Self {
            clock_ns: u64::try_from(block_time)
                .unwrap_or(0)
                .saturating_mul(1_000_000_000),
            random_seed,
            random_counter: 0,
            output: Vec::new(),
            output_truncated: false,
            stderr_head: Vec::new(),
            level,
        }
    }

    /// The WASI state Go's package initialisation runs with: the fixed clock and seed.
    pub(crate) fn for_initialize(level: LogLevel) -> Self {
        Self::new(INIT_BLOCK_TIME, Sha256::digest(INIT_SEED).into(), level)
    }

    /// What the call's debug output keeps (the node's log level).
    pub(crate) fn level(&self) -> LogLevel {
        self.level
    }

    pub(crate) fn next_clock(&mut self) -> u64 {
        self.clock_ns = self.clock_ns.saturating_add(CLOCK_STEP_NS);
        self.clock_ns
    }

    pub(crate) fn fill_random(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(32) {
            let block = Sha256::new()
                .chain_update(self.random_seed)
                .chain_update(self.random_counter.to_le_bytes())
                .finalize();
            self.random_counter += 1;
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
    }

    /// Keeps what the contract wrote to `fd` (1 or 2), as far as the log level asks.
    pub(crate) fn capture(&mut self, fd: u32, bytes: &[u8]) {
        if fd == 2 {
            let room = STDERR_HEAD_CAP.saturating_sub(self.stderr_head.len());
            self.stderr_head
                .extend_from_slice(&bytes[..bytes.len().min(room)]);
        }
        let keep = match self.level {
            LogLevel::Off => false,
            LogLevel::Error => fd == 2,
            _ => true,
        };
        if keep {
            self.append(bytes);
        }
    }

    /// Appends output that was already filtered (a nested call's), up to the cap.
    pub(crate) fn append(&mut self, bytes: &[u8]) {
        let room = DEBUG_OUTPUT_CAP.saturating_sub(self.output.len());
        if bytes.len() > room {
            self.output_truncated = true;
        }
        self.output
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_and_random_are_deterministic() {
        let mut a = WasiState::new(1_700_000_000, [1; 32], LogLevel::Debug);
        let mut b = WasiState::new(1_700_000_000, [1; 32], LogLevel::Debug);
        assert_eq!(a.next_clock(), 1_700_000_000_000_001_000);
        assert_eq!(b.next_clock(), 1_700_000_000_000_001_000);
        let (mut x, mut y) = ([0u8; 70], [0u8; 70]);
        a.fill_random(&mut x);
        b.fill_random(&mut y);
        assert_eq!(x, y);
        let mut other = WasiState::new(1_700_000_000, [2; 32], LogLevel::Debug);
        let mut z = [0u8; 70];
        other.fill_random(&mut z);
        assert_ne!(x, z);
    }

    #[test]
    fn captured_output_is_capped() {
        let mut w = WasiState::new(0, [0; 32], LogLevel::Debug);
        w.append(&vec![b'x'; DEBUG_OUTPUT_CAP + 10]);
        assert_eq!(w.output.len(), DEBUG_OUTPUT_CAP);
        assert!(w.output_truncated);
    }

    #[test]
    fn log_level_filters_output() {
        let kept = |level| {
            let mut w = WasiState::new(0, [0; 32], level);
            w.capture(1, b"out ");
            w.capture(2, b"err");
            String::from_utf8(w.output).unwrap_or_default()
        };
        assert_eq!(kept(LogLevel::Off), "");
        assert_eq!(kept(LogLevel::Error), "err");
        assert_eq!(kept(LogLevel::Debug), "out err");
        // What error messages are built from does not depend on the level.
        let mut w = WasiState::new(0, [0; 32], LogLevel::Off);
        w.capture(1, b"out");
        w.capture(2, b"fatal error: x");
        assert_eq!(w.stderr_head, b"fatal error: x");
    }
}

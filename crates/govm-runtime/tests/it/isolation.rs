//! Isolation: a call sees nothing a previous call left behind.

use govm_runtime::{ContractOptions, Runtime, RuntimeConfig};

use crate::{call_on, init_state};

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

//! Random sequences of store operations (create, set, delete, set-owner, transfer, mint,
//! savepoint, rollback, commit, abort) on the memory and redb backends, checked against the
//! reference model of `govm_state::testing`. Run with `cargo xtask fuzz state_ops`.
#![no_main]

use govm_state::State;
use govm_state::testing::{Op, check_scenario};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ops = Op::decode_all(data);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let redb = State::open(dir.path().join("state.redb")).expect("a fresh redb store");
    if let Err(disagreement) = check_scenario(vec![("memory", State::in_memory()), ("redb", redb)], &ops) {
        panic!("{disagreement}");
    }
});

//! Calls: arguments in, results out, which entry points exist, and the runtime shared between threads.

use govm_abi::Address;
use govm_runtime::{Error, Invocation, Runtime, RuntimeConfig};
use govm_state::State;

use crate::{Fixture, SENDER};

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
fn only_exported_entry_points_can_be_called() {
    let f = Fixture::new(RuntimeConfig::default());
    for name in ["Missing", "govm_alloc", "_initialize", "memory"] {
        assert_eq!(
            f.call(name).result,
            Err(Error::UnknownFunction { name: name.into() })
        );
    }
    let invocation = Invocation {
        args: &[],
        sender: SENDER,
        block_height: 1,
        block_time: 0,
        fuel_limit: 1000,
        value: 0,
    };
    let (_, outcome) = f
        .runtime
        .call(f.state.begin(), Address([1; 20]), "Ok", &invocation);
    assert!(matches!(outcome.result, Err(Error::UnknownContract { .. })));
}

/// The runtime and the store it runs on are shared between threads.
#[test]
fn runtime_and_state_are_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<Runtime>();
    shared::<State>();
    shared::<govm_state::Transaction>();
}

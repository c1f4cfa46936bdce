//! Fuel: host costs are charged, gas is deterministic, and a contract's fuel limit caps the caller's.

use govm_runtime::{ContractOptions, Error, Runtime, RuntimeConfig, gas};

use crate::{Fixture, call_on, init_state};

#[test]
fn gas_includes_host_costs_and_is_deterministic() {
    let f = Fixture::new(RuntimeConfig::default());
    let plain = f.call("Ok").gas_used;
    let with_host_call = f.call("Sender").gas_used;
    assert!(
        with_host_call >= plain + gas::HOST_CALL + 20,
        "{plain} {with_host_call}"
    );
    assert_eq!(f.call("Sender").gas_used, with_host_call);
}

#[test]
fn a_contract_fuel_limit_caps_what_the_caller_offers() {
    let options = ContractOptions {
        fuel_limit: 50_000,
        ..ContractOptions::default()
    };
    let state = init_state(&options);
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let outcome = call_on(&runtime, &state, "Spin", &[], 10_000_000);
    assert_eq!(outcome.result, Err(Error::OutOfFuel));
    assert_eq!(outcome.gas_used, 50_000);
}

//! Nested calls: each on a native stack of its own.

use govm_abi::{Address, ContractAbi, Function};
use govm_runtime::{ContractOptions, Error, Invocation, Runtime, RuntimeConfig};
use govm_state::State;

use crate::{CHAIN, SENDER, store_contract};

/// The deepest chain of calls, each contract with the largest wasm stack and filling most of
/// it before calling the next: every nested call gets a native stack of its own, so this is
/// a result, not a crash of the host.
#[test]
fn nested_calls_with_full_wasm_stacks_do_not_overflow_the_host() {
    let wasm = wat::parse_str(CHAIN).unwrap();
    let abi = ContractAbi::new(
        "chain",
        vec![Function {
            name: "Chain".into(),
            context: false,
            params: vec![],
            results: vec![],
            error: false,
        }],
    );
    let options = ContractOptions {
        stack_size: govm_runtime::STACK_SIZE_RANGE.1,
        ..ContractOptions::default()
    };
    let state = State::in_memory();
    let contracts: Vec<Address> = (0..=govm_runtime::MAX_CALL_DEPTH as u8)
        .map(|i| Address([0x70 + i; 20]))
        .collect();
    store_contract(&state, [0xee; 32], &wasm, &abi, &options, &contracts);
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let call = |depth: u32, chain: &[Address]| {
        let mut args = depth.to_le_bytes().to_vec();
        args.extend_from_slice(&(chain.len() as u32 - 1).to_le_bytes());
        for c in &chain[1..] {
            args.extend_from_slice(&c.0);
        }
        let invocation = Invocation {
            args: &args,
            sender: SENDER,
            block_height: 1,
            block_time: 0,
            fuel_limit: 1_000_000_000,
            value: 0,
        };
        runtime
            .call(state.begin(), chain[0], "Chain", &invocation)
            .1
            .result
    };
    // The deepest recursion one contract survives alone.
    let (mut ok, mut overflow) = (1u32, 1u32 << 22);
    while overflow - ok > 1 {
        let mid = ok + (overflow - ok) / 2;
        match call(mid, &contracts[..1]) {
            Ok(_) => ok = mid,
            Err(Error::StackOverflow) => overflow = mid,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(ok > 10_000, "{ok}");
    // Nine contracts, each at 90% of that, nested: 9 x ~3.6 MiB of wasm stack.
    assert_eq!(call(ok / 10 * 9, &contracts), Ok(vec![]));
}

//! `Runtime::stats`: what each way of finding a module, and each call, counts.

use govm_abi::{Address, ContractAbi, Function};
use govm_runtime::ModuleSource::Unchecked;
use govm_runtime::{ContractOptions, Invocation, Runtime, RuntimeConfig, Stats};
use govm_state::State;

use crate::{CHAIN, MODULE, SENDER, abi, call_on, deploy, store_contract};

/// `Stats` with these counters, the others zero.
fn stats(set: impl FnOnce(&mut Stats)) -> Stats {
    let mut stats = Stats::default();
    set(&mut stats);
    stats
}

#[test]
fn stats_count_compiles_cache_hits_loads_evictions_and_instances() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = RuntimeConfig::default();
    config.wasi.cache_dir = Some(dir.path().to_path_buf());
    let state = State::in_memory();
    let wasm = wat::parse_str(MODULE).unwrap();
    deploy(&state, &wasm);

    // A deploy prepares the module: one preparation, two Cranelift compiles (the module
    // `_initialize` runs in and the snapshot), written to the disk cache.
    let runtime = Runtime::new(config.clone()).unwrap();
    assert_eq!(runtime.stats(), Stats::default());
    runtime
        .prepare(
            &[0xcc; 32],
            Unchecked(&wasm),
            &abi(),
            &ContractOptions::default(),
        )
        .unwrap();
    assert_eq!(runtime.stats(), stats(|s| s.compiles = 2));
    // Two calls: their module from memory, an instance each.
    for _ in 0..2 {
        assert_eq!(
            call_on(&runtime, &state, "Ok", &[], 1_000_000).result,
            Ok(vec![])
        );
    }
    let expected = stats(|s| {
        s.compiles = 2;
        s.hits_memory_cache = 2;
        s.instances = 2;
    });
    assert_eq!(runtime.stats(), expected);

    // A new runtime over the same disk cache (a restarted node): the first call loads the
    // module from disk without reading its code, the second finds it in memory.
    let restarted = Runtime::new(config.clone()).unwrap();
    for _ in 0..2 {
        assert_eq!(
            call_on(&restarted, &state, "Ok", &[], 1_000_000).result,
            Ok(vec![])
        );
    }
    let expected = stats(|s| {
        s.hits_disk_cache = 1;
        s.hits_memory_cache = 1;
        s.instances = 2;
    });
    assert_eq!(restarted.stats(), expected);

    // Without a disk cache the code is read from the state and compiled; a memory cache of
    // one module evicts it for the next.
    let mut no_disk = config;
    no_disk.wasi.precompiled_cache = false;
    no_disk.module_cache_capacity = 1;
    let small = Runtime::new(no_disk).unwrap();
    assert_eq!(
        call_on(&small, &state, "Ok", &[], 1_000_000).result,
        Ok(vec![])
    );
    let expected = stats(|s| {
        s.compiles = 2;
        s.loads_from_state = 1;
        s.instances = 1;
    });
    assert_eq!(small.stats(), expected);
    small
        .prepare(
            &[0xcd; 32],
            Unchecked(&wasm),
            &abi(),
            &ContractOptions::default(),
        )
        .unwrap();
    let expected = stats(|s| {
        s.compiles = 4;
        s.loads_from_state = 1;
        s.evictions = 1;
        s.instances = 1;
    });
    assert_eq!(small.stats(), expected);
}

#[test]
fn stats_count_the_instances_of_nested_calls() {
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
    let state = State::in_memory();
    let (first, second) = (Address([0x71; 20]), Address([0x72; 20]));
    let options = ContractOptions::default();
    store_contract(&state, [0xee; 32], &wasm, &abi, &options, &[first, second]);
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    // No recursion, then one nested call to `second`.
    let mut args = 0u32.to_le_bytes().to_vec();
    args.extend_from_slice(&1u32.to_le_bytes());
    args.extend_from_slice(&second.0);
    let invocation = Invocation {
        args: &args,
        sender: SENDER,
        block_height: 1,
        block_time: 0,
        fuel_limit: 100_000_000,
        value: 0,
    };
    assert_eq!(
        runtime
            .call(state.begin(), first, "Chain", &invocation)
            .1
            .result,
        Ok(vec![])
    );
    // The outer call reads the code and compiles it; the nested one, of the same code and
    // options, finds the module in memory. One instance each.
    let expected = stats(|s| {
        s.compiles = 2;
        s.loads_from_state = 1;
        s.hits_memory_cache = 1;
        s.instances = 2;
    });
    assert_eq!(runtime.stats(), expected);
}

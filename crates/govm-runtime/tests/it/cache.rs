//! The module caches: in memory (bounded, keyed by the module bytes) and on disk (verified, rebuilt when damaged).

use govm_runtime::ModuleSource::Unchecked;
use govm_runtime::{ContractOptions, Invocation, Runtime, RuntimeConfig};
use govm_state::State;

use crate::{CONTRACT, INIT_MODULE, MODULE, SENDER, call_on, deploy, init_abi, init_state};

/// A prepared module is kept for the bytes it was built from: other bytes deployed for the
/// same code hash and options (another toolchain's, or a submitter's) are prepared again, never
/// served the earlier module.
#[test]
fn other_bytes_for_the_same_code_are_prepared_again() {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let first = wat::parse_str(INIT_MODULE).unwrap();
    // The same module with a custom section: other bytes, valid, same behaviour.
    let mut other = first.clone();
    other.extend_from_slice(&[0, 3, 1, b'x', 1]);
    let options = ContractOptions::default();
    let prepare = |wasm: &[u8]| {
        runtime
            .prepare(&[0xee; 32], Unchecked(wasm), &init_abi(), &options)
            .unwrap()
    };
    prepare(&first);
    let compiled = runtime.stats().compiles;
    prepare(&first);
    assert_eq!(
        runtime.stats().compiles,
        compiled,
        "the same bytes: from memory"
    );
    prepare(&other);
    assert!(
        runtime.stats().compiles > compiled,
        "other bytes: prepared again"
    );
}

#[test]
fn compiled_modules_are_cached_on_disk_and_bad_cache_files_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = RuntimeConfig::default();
    config.wasi.cache_dir = Some(dir.path().to_path_buf());
    let state = State::in_memory();
    deploy(&state, &wat::parse_str(MODULE).unwrap());
    let fresh_call = |config: &RuntimeConfig, expect_compiled: u64| {
        let runtime = Runtime::new(config.clone()).unwrap();
        let invocation = Invocation {
            args: b"hi",
            sender: SENDER,
            block_height: 1,
            block_time: 0,
            fuel_limit: 1_000_000,
            value: 0,
        };
        let (_, outcome) = runtime.call(state.begin(), CONTRACT, "Echo", &invocation);
        assert_eq!(outcome.result, Ok(b"hi".to_vec()));
        assert_eq!(runtime.stats().compiles, expect_compiled);
    };
    // Preparing compiles twice: the instrumented module `_initialize` runs in, the snapshot.
    fresh_call(&config, 2);
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    let cwasm = files
        .iter()
        .find(|p| p.extension().unwrap() == "cwasm")
        .unwrap();
    // A new process (runtime) loads it instead of compiling.
    fresh_call(&config, 0);
    // The same bytes in another file (a copied or restored cache: another inode) are verified
    // in full, load, and become the file the next process maps without reading it.
    let meta = cwasm.with_extension("meta");
    let before = std::fs::read(&meta).unwrap();
    let copy = cwasm.with_extension("copy");
    std::fs::copy(cwasm, &copy).unwrap();
    std::fs::rename(&copy, cwasm).unwrap();
    fresh_call(&config, 0);
    let after = std::fs::read(&meta).unwrap();
    assert_ne!(after, before, "the copy's identity is recorded");
    fresh_call(&config, 0);
    assert_eq!(std::fs::read(&meta).unwrap(), after);
    // Without PrecompiledCache it compiles again.
    let mut no_cache = config.clone();
    no_cache.wasi.precompiled_cache = false;
    fresh_call(&no_cache, 2);
    // A flipped byte, a truncated file and a foreign file are all detected and rebuilt.
    let mut bytes = std::fs::read(cwasm).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(cwasm, &bytes).unwrap();
    fresh_call(&config, 2);
    let good = std::fs::read(cwasm).unwrap();
    std::fs::write(cwasm, &good[..good.len() / 3]).unwrap();
    fresh_call(&config, 2);
    std::fs::write(cwasm, b"not a module at all").unwrap();
    fresh_call(&config, 2);
    fresh_call(&config, 0);
}

#[test]
fn the_module_cache_is_bounded_and_calls_run_concurrently() {
    let runtime = Runtime::new(RuntimeConfig {
        module_cache_capacity: 2,
        // Two calls at once; the rest wait.
        max_instances: 18,
        ..RuntimeConfig::default()
    })
    .unwrap();
    let wasm = wat::parse_str(INIT_MODULE).unwrap();
    for i in 0..4u8 {
        runtime
            .prepare(
                &[i; 32],
                Unchecked(&wasm),
                &init_abi(),
                &ContractOptions::default(),
            )
            .unwrap();
    }
    assert_eq!(runtime.cached_modules(), 2);
    let state = init_state(&ContractOptions::default());
    let expected = call_on(&runtime, &state, "Read", &[], 1_000_000);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| s.spawn(|| call_on(&runtime, &state, "Read", &[], 1_000_000)))
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), expected);
        }
    });
}

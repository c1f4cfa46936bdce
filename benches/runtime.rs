//! The runtime's goals, each beside a baseline measured in the same run:
//!
//! - `token_transfer`: an isolated token Transfer (a fresh instance from the snapshot, SCALE
//!   arguments, state in memory) against the same Transfer on a warm, reused instance, against
//!   a native Rust implementation of the same token logic over the same store (the floor), and
//!   against a fresh instance that runs Go's `_initialize` (the naive design);
//! - `throughput`: isolated Transfers on one thread and on two;
//! - `metering`: a CPU-bound kernel with fuel and epoch metering against none;
//! - `module_load`: loading a compiled module from the disk cache against wasmtime's own
//!   `deserialize_file` of the same file; `first_call`: the first call in a new runtime
//!   (as after a restart) against an isolated Transfer in a warm process.
//!
//! Figures criterion cannot hold (p99, calls per second, sizes, gas) go to
//! `target/bench-extra/runtime.json`, which `cargo xtask bench` merges into its report.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use govm::{Address, CallContext, Config, ContractOptions, DeployOptions, Engine, RuntimeConfig};
use govm_abi::{Type, Value};
use govm_benches::Figures;
use govm_runtime::{Invocation, Runtime};
use govm_state::{Event, Transaction};

const DEPLOYER: Address = Address([0xd1; 20]);
const BOB: Address = Address([0xb0; 20]);

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    panic!("{what}: {e}")
}

/// A deployed token with the deployer holding the supply, and the engine around it.
struct Fixture {
    engine: Engine,
    /// The engine's state: benchmarks run calls in transactions they never commit.
    state: govm::State,
    token: Address,
    args: Vec<u8>,
    cache: PathBuf,
}

/// Go's build cache and the artifact and module caches, kept between runs (a node's caches
/// are warm too; the cold cases are measured on their own).
fn bench_cache() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/bench-cache"
    ))
}

impl Fixture {
    fn new() -> Self {
        let cache = bench_cache();
        let state = govm::State::in_memory();
        let config = Config {
            cache_dir: cache.clone(),
            ..Config::default()
        };
        let engine =
            Engine::with_state(config, state.clone()).unwrap_or_else(|e| fail("engine", e));
        let source = include_bytes!("../testdata/contracts/token/token.go");
        let options = DeployOptions {
            deployer: DEPLOYER,
            file_name: "token.go".into(),
            ..DeployOptions::default()
        };
        let token = engine
            .deploy_with_options(source, &options)
            .unwrap_or_else(|e| fail("deploy", e))
            .address;
        engine
            .execute_with_args(
                &CallContext::new(DEPLOYER),
                token,
                "Initialize",
                &[Value::U64(1 << 60)],
            )
            .unwrap_or_else(|e| fail("Initialize", e));
        let abi = engine.abi(token).unwrap_or_else(|e| fail("abi", e));
        let transfer = abi
            .function("Transfer")
            .unwrap_or_else(|| fail("abi", "no Transfer"));
        let args = abi
            .encode_args(transfer, &[Value::Address(BOB), Value::U64(1)])
            .unwrap_or_else(|e| fail("encode", e));
        Self {
            engine,
            state,
            token,
            args,
            cache,
        }
    }

    fn invocation(&self) -> Invocation<'_> {
        Invocation {
            args: &self.args,
            sender: DEPLOYER,
            block_height: 1,
            block_time: 1_700_000_000,
            fuel_limit: 50_000_000,
            value: 0,
        }
    }

    /// One isolated Transfer on `runtime`, in `tx` (never committed: every iteration does the
    /// same work on the same keys).
    fn transfer(&self, runtime: &Runtime, tx: Transaction) -> (Transaction, u64) {
        let (tx, outcome) = runtime.call(tx, self.token, "Transfer", &self.invocation());
        if let Err(e) = outcome.result {
            fail("Transfer", e);
        }
        (tx, outcome.gas_used)
    }
}

/// The token's Transfer in plain Rust over the same store: what the logic costs without a VM.
fn native_transfer(tx: &mut Transaction, contract: &[u8; 20], from: &[u8; 20], to: &[u8; 20]) {
    let codec = govm_abi::Codec::basic();
    let amount = 1u64;
    let read = |tx: &Transaction, id: &[u8; 32]| -> u64 {
        let bytes = tx.field(id, "amount").ok().flatten().unwrap_or_default();
        match codec.decode_tagged(&bytes) {
            Ok((_, Value::U64(n))) => n,
            _ => fail("native", "amount"),
        }
    };
    let tagged = |n: u64| {
        codec
            .encode_tagged(&Type::U64, &Value::U64(n))
            .unwrap_or_default()
    };
    let from_id = match tx.object_with_owner(contract, from) {
        Ok(Some(id)) => id,
        _ => fail("native", "no sender balance"),
    };
    let from_amount = read(tx, &from_id);
    assert!(from_amount >= amount, "insufficient balance");
    let to_id = match tx.object_with_owner(contract, to) {
        Ok(Some(id)) => id,
        _ => {
            let id = tx
                .create_object(contract, contract)
                .unwrap_or_else(|e| fail("native", e));
            let _ = tx.set_field(contract, &id, "amount", &tagged(0));
            let _ = tx.set_owner(contract, &id, to);
            id
        }
    };
    let _ = tx.set_field(contract, &from_id, "amount", &tagged(from_amount - amount));
    let to_amount = read(tx, &to_id);
    let _ = tx.set_field(contract, &to_id, "amount", &tagged(to_amount + amount));
    let data = codec
        .encode_event_fields(&[
            ("from".into(), Type::Address, Value::Address(Address(*from))),
            ("to".into(), Type::Address, Value::Address(Address(*to))),
            ("amount".into(), Type::U64, Value::U64(amount)),
        ])
        .unwrap_or_default();
    let _ = tx.emit(Event {
        contract: *contract,
        name: "Transfer".into(),
        data,
    });
}

/// A CPU-bound kernel: FNV-1a over 64 KiB of memory, `n` times, with the exports govm needs.
const KERNEL: &str = r#"
(module
  (memory (export "memory") 2)
  (func (export "_initialize"))
  (func (export "govm_alloc") (param i32) (result i32) (i32.const 1024))
  (func $fnv (param $rounds i32) (result i32)
    (local $h i32) (local $i i32)
    (local.set $h (i32.const 0x811c9dc5))
    (loop $round
      (local.set $i (i32.const 0))
      (loop $byte
        (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load8_u (local.get $i)))
                               (i32.const 0x01000193)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $byte (i32.lt_u (local.get $i) (i32.const 65536))))
      (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
      (br_if $round (i32.gt_s (local.get $rounds) (i32.const 0))))
    (local.get $h))
  (func (export "Work") (param i32 i32) (result i64)
    (i32.store (i32.const 4097) (call $fnv (i32.const 16)))
    (i32.store8 (i32.const 4096) (i32.const 0))
    (i64.const 0x100000000005))
)
"#;

fn runtime_bench(c: &mut Criterion) {
    let fx = Fixture::new();
    let runtime = fx.engine.runtime();
    let state = &fx.state;
    let mut extra = Figures::default();

    // Gas of one Transfer, and its agreement across the three ways of running it.
    let (_, gas) = fx.transfer(runtime, state.begin());
    extra.value("token_transfer_gas", gas as f64, "gas", "");

    // Each iteration runs in a fresh transaction over the committed state (never committed,
    // so every iteration does the same work).
    let mut group = c.benchmark_group("token_transfer");
    group.bench_function("isolated_snapshot", |b| {
        b.iter(|| black_box(fx.transfer(runtime, state.begin())))
    });
    let mut warm = runtime
        .warm_instance(&state.begin(), fx.token)
        .unwrap_or_else(|e| fail("warm instance", e));
    group.bench_function("warm_instance", |b| {
        b.iter(|| {
            let (tx, outcome) = warm.call(state.begin(), "Transfer", &fx.invocation());
            black_box(outcome.result).unwrap_or_else(|e| fail("warm Transfer", e));
            tx
        })
    });
    // The facade's whole call path: resolve the contract, encode, call, decode results and
    // events (a query: nothing is committed).
    let ctx = CallContext::new(DEPLOYER);
    let args = [Value::Address(BOB), Value::U64(1)];
    group.bench_function("facade_query", |b| {
        b.iter(|| {
            fx.engine
                .query(&ctx, fx.token, "Transfer", &args)
                .unwrap_or_else(|e| fail("facade Transfer", e))
        })
    });
    group.bench_function("native_rust", |b| {
        b.iter(|| {
            let mut tx = state.begin();
            native_transfer(&mut tx, &fx.token.0, &DEPLOYER.0, &BOB.0);
            tx
        })
    });
    let naive = Runtime::new(RuntimeConfig {
        snapshots: false,
        ..RuntimeConfig::default()
    })
    .unwrap_or_else(|e| fail("runtime", e));
    let (_, naive_gas) = fx.transfer(&naive, state.begin());
    assert_eq!(
        naive_gas, gas,
        "a fresh _initialize must cost the call what a snapshot does"
    );
    group.bench_function("fresh_initialize", |b| {
        b.iter(|| black_box(fx.transfer(&naive, state.begin())))
    });
    group.finish();

    // p99 of single isolated calls (criterion reports means of batches).
    let mut times = Vec::with_capacity(5_000);
    for _ in 0..5_000 {
        let start = Instant::now();
        black_box(fx.transfer(runtime, state.begin()));
        times.push(start.elapsed().as_nanos() as f64);
    }
    times.sort_by(f64::total_cmp);
    extra.value(
        "isolated_transfer_single_median",
        times[times.len() / 2],
        "ns",
        "",
    );
    extra.value(
        "isolated_transfer_single_p99",
        times[times.len() * 99 / 100],
        "ns",
        "",
    );

    let mut group = c.benchmark_group("throughput");
    for threads in [1u64, 2] {
        let name = if threads == 1 {
            "one_thread"
        } else {
            "two_threads"
        };
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let per_thread = iters.div_ceil(threads);
                let start = Instant::now();
                std::thread::scope(|s| {
                    for _ in 0..threads {
                        s.spawn(|| {
                            for _ in 0..per_thread {
                                black_box(fx.transfer(runtime, state.begin()));
                            }
                        });
                    }
                });
                // Wall time for `iters` calls: criterion reports it per call, the reciprocal
                // of throughput.
                start.elapsed()
            })
        });
    }
    group.finish();

    // Calls per second, measured directly (criterion reports time per call).
    let rate = |threads: u32| {
        let per_thread = 2_000;
        let start = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    for _ in 0..per_thread {
                        black_box(fx.transfer(runtime, state.begin()));
                    }
                });
            }
        });
        f64::from(per_thread * threads) / start.elapsed().as_secs_f64()
    };
    let one = rate(1);
    let two = rate(2);
    extra.value("transfers_per_second_1_thread", one, "per s", "");
    extra.value("transfers_per_second_2_threads", two, "per s", "");
    extra.value("scaling_2_threads", two / one, "x", "");

    metering(c, &mut extra);
    module_load(c, &fx, &mut extra);
    deploy_and_sizes(c, &fx, &mut extra);
    extra.write("runtime.json");
}

/// A deploy of code never prepared before (validation, an artifact cache hit, `_initialize`,
/// the snapshot and its compiles) in a new engine, against one Cranelift compile of the same
/// module by a new runtime's engine; and the module's size with and without wasm-opt, and
/// with TinyGo when it is installed.
fn deploy_and_sizes(c: &mut Criterion, fx: &Fixture, extra: &mut Figures) {
    let source = include_bytes!("../testdata/contracts/token/token.go");
    let deploy = || {
        let modules = tempfile::tempdir().unwrap_or_else(|e| fail("temporary directory", e));
        let mut runtime = RuntimeConfig::default();
        runtime.wasi.cache_dir = Some(modules.path().to_path_buf());
        let engine = Engine::new(Config {
            cache_dir: fx.cache.clone(),
            runtime,
            ..Config::default()
        })
        .unwrap_or_else(|e| fail("engine", e));
        let start = Instant::now();
        let deployed = engine
            .deploy_with_options(source, &DeployOptions::default())
            .unwrap_or_else(|e| fail("deploy", e));
        (start.elapsed(), deployed.init_gas)
    };
    let (took, gas) = deploy();
    extra.value(
        "deploy_token_new_module",
        took.as_nanos() as f64,
        "ns",
        "one deploy in a new engine",
    );
    extra.value("token_deploy_gas", gas as f64, "gas", "");
    let info = fx
        .engine
        .contract_info(fx.token)
        .unwrap_or_else(|e| fail("contract info", e));
    let wasm = fx
        .state
        .begin()
        .code(&info.code_hash.0)
        .ok()
        .flatten()
        .unwrap_or_else(|| fail("code", "missing"));
    let mut group = c.benchmark_group("deploy_token");
    group.sample_size(10);
    group.bench_function("new_module", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| deploy().0).sum())
    });
    group.bench_function("baseline_one_cranelift_compile", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    let runtime = Runtime::new(RuntimeConfig::default())
                        .unwrap_or_else(|e| fail("runtime", e));
                    let engine = runtime
                        .default_engine()
                        .unwrap_or_else(|e| fail("engine", e));
                    let start = Instant::now();
                    black_box(
                        wasmtime::Module::new(&engine, &wasm)
                            .unwrap_or_else(|e| fail("compile", e)),
                    );
                    start.elapsed()
                })
                .sum()
        })
    });
    group.finish();

    let wasm_opt = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("wasm-opt"))
            .find(|p| p.is_file())
    });
    match wasm_opt {
        Some(path) => {
            let engine = Engine::new(Config {
                cache_dir: fx.cache.clone(),
                wasm_opt: Some(path),
                ..Config::default()
            })
            .unwrap_or_else(|e| fail("engine", e));
            let (_, wasm) = engine
                .build(source, "token.go")
                .unwrap_or_else(|e| fail("build with wasm-opt", e));
            extra.value(
                "token_wasm_size_wasm_opt",
                wasm.bytes().len() as f64,
                "bytes",
                "",
            );
        }
        None => extra.note(
            "token_wasm_size_wasm_opt",
            "not measured: wasm-opt not installed",
        ),
    }
    match govm::ToolchainConfig::default().discover() {
        Ok(t) if t.kind == govm_compiler::ToolchainKind::TinyGo => {
            let (_, wasm) = fx
                .engine
                .build(source, "token.go")
                .unwrap_or_else(|e| fail("build with TinyGo", e));
            extra.value(
                "token_wasm_size_tinygo",
                wasm.bytes().len() as f64,
                "bytes",
                "",
            );
        }
        _ => extra.note(
            "token_wasm_size_tinygo",
            "not measured: TinyGo not installed",
        ),
    }
}

/// Builds `benches/gokernel` (a Go reactor with CPU-bound exports, WASI only) for wasip1 with
/// the Go toolchain govm uses, offline; `None` without Go.
fn go_kernel() -> Option<Vec<u8>> {
    let go = govm::ToolchainConfig::default().discover_go().ok()?;
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let out = bench_cache().join("gokernel.wasm");
    std::fs::create_dir_all(bench_cache()).ok()?;
    let status = std::process::Command::new(&go.path)
        .current_dir(root.join("benches/gokernel"))
        .args(["build", "-buildmode=c-shared", "-o"])
        .arg(&out)
        .arg(".")
        .envs([
            ("GOOS", "wasip1"),
            ("GOARCH", "wasm"),
            ("GOTOOLCHAIN", "local"),
            ("GOPROXY", "off"),
            ("GOFLAGS", "-mod=mod"),
            ("GOWORK", "off"),
        ])
        .env("GOCACHE", root.join("target/go-cache/build"))
        .status()
        .ok()?;
    status.success().then(|| std::fs::read(&out).ok()).flatten()
}

/// An instance of a WASI-only module with every import stubbed (results zero), initialised.
fn stubbed_instance(
    engine: &wasmtime::Engine,
    wasm: &[u8],
    metered: bool,
) -> (wasmtime::Store<()>, wasmtime::Instance) {
    let module = wasmtime::Module::new(engine, wasm).unwrap_or_else(|e| fail("kernel", e));
    let mut linker = wasmtime::Linker::new(engine);
    // Go may import a function twice.
    linker.allow_shadowing(true);
    for import in module.imports() {
        if let wasmtime::ExternType::Func(ty) = import.ty() {
            linker
                .func_new(import.module(), import.name(), ty, {
                    let name = import.name().to_owned();
                    move |mut caller, params, results| {
                        stub(&mut caller, &name, params);
                        // No preopened directories: fd_prestat_get answers EBADF.
                        let errno = if name == "fd_prestat_get" { 8 } else { 0 };
                        for r in results.iter_mut() {
                            *r = match r {
                                wasmtime::Val::I64(_) => wasmtime::Val::I64(0),
                                _ => wasmtime::Val::I32(errno),
                            };
                        }
                        Ok(())
                    }
                })
                .unwrap_or_else(|e| fail("stub", e));
        }
    }
    let mut store = wasmtime::Store::new(engine, ());
    if metered {
        store.set_epoch_deadline(u64::MAX / 2);
        let _ = store.set_fuel(u64::MAX / 2);
    }
    let instance = linker
        .instantiate(&mut store, &module)
        .unwrap_or_else(|e| fail("instance", e));
    instance
        .get_typed_func::<(), ()>(&mut store, "_initialize")
        .and_then(|f| f.call(&mut store, ()))
        .unwrap_or_else(|e| fail("_initialize", e));
    (store, instance)
}

/// The little of WASI Go's runtime needs to initialise: no arguments, environment or
/// preopened directories, a fixed clock, writes accepted whole; everything else succeeds and does nothing.
fn stub(caller: &mut wasmtime::Caller<'_, ()>, name: &str, params: &[wasmtime::Val]) {
    let Some(memory) = caller
        .get_export("memory")
        .and_then(wasmtime::Extern::into_memory)
    else {
        return;
    };
    let arg = |i: usize| params.get(i).and_then(wasmtime::Val::i32).unwrap_or(0) as usize;
    let mut put = |at: usize, bytes: &[u8]| {
        let _ = memory.write(&mut *caller, at, bytes);
    };
    match name {
        "args_sizes_get" | "environ_sizes_get" => {
            put(arg(0), &[0; 4]);
            put(arg(1), &[0; 4]);
        }
        // Go's runtime refuses a clock at zero.
        "clock_time_get" => put(arg(2), &1_000_000_000u64.to_le_bytes()),
        "fd_write" => {
            let mut total = 0u32;
            for i in 0..arg(2) {
                let mut len = [0u8; 4];
                let _ = memory.read(&*caller, arg(1) + 8 * i + 4, &mut len);
                total += u32::from_le_bytes(len);
            }
            let _ = memory.write(&mut *caller, arg(3), &total.to_le_bytes());
        }
        _ => {}
    }
}

fn metering(c: &mut Criterion, _extra: &mut Figures) {
    let wasm = wat::parse_str(KERNEL).unwrap_or_else(|e| fail("kernel", e));
    let config = |metered: bool| {
        let mut wt = wasmtime::Config::new();
        wt.consume_fuel(metered)
            .epoch_interruption(metered)
            .cranelift_nan_canonicalization(true)
            .wasm_features(!govm_abi::consensus_features(false), false)
            .wasm_features(govm_abi::consensus_features(false), true);
        wt
    };
    let mut group = c.benchmark_group("metering");
    for (name, metered) in [("fuel_and_epoch", true), ("baseline_unmetered", false)] {
        let engine = wasmtime::Engine::new(&config(metered)).unwrap_or_else(|e| fail("engine", e));
        let module = wasmtime::Module::new(&engine, &wasm).unwrap_or_else(|e| fail("kernel", e));
        let mut store = wasmtime::Store::new(&engine, ());
        if metered {
            store.set_epoch_deadline(u64::MAX / 2);
        }
        let instance = wasmtime::Instance::new(&mut store, &module, &[])
            .unwrap_or_else(|e| fail("instance", e));
        let work = instance
            .get_typed_func::<(u32, u32), u64>(&mut store, "Work")
            .unwrap_or_else(|e| fail("Work", e));
        group.bench_function(name, |b| {
            b.iter(|| {
                if metered {
                    let _ = store.set_fuel(u64::MAX / 2);
                }
                black_box(work.call(&mut store, (0, 0))).unwrap_or_else(|e| fail("Work", e))
            })
        });
    }
    group.finish();
    // The same on Go compiler output: SHA-256 and a sort, the engine settings otherwise equal.
    let Some(kernel) = go_kernel() else {
        eprintln!("metering_go: not measured (no Go toolchain)");
        return;
    };
    for (group_name, export, arg) in [
        ("metering_go_sha256", "Hash", 16),
        ("metering_go_sort", "Sort", 20_000),
    ] {
        let mut group = c.benchmark_group(group_name);
        for (name, metered) in [("fuel_and_epoch", true), ("baseline_unmetered", false)] {
            let engine =
                wasmtime::Engine::new(&config(metered)).unwrap_or_else(|e| fail("engine", e));
            let (mut store, instance) = stubbed_instance(&engine, &kernel, metered);
            let work = instance
                .get_typed_func::<i32, u32>(&mut store, export)
                .unwrap_or_else(|e| fail(export, e));
            group.bench_function(name, |b| {
                b.iter(|| {
                    if metered {
                        let _ = store.set_fuel(u64::MAX / 2);
                    }
                    black_box(work.call(&mut store, arg)).unwrap_or_else(|e| fail(export, e))
                })
            });
        }
        group.finish();
    }
}

fn module_load(c: &mut Criterion, fx: &Fixture, extra: &mut Figures) {
    let runtime = fx.engine.runtime();
    let state = &fx.state;
    let cache_dir = fx.cache.join("modules");
    let cwasm = std::fs::read_dir(&cache_dir)
        .unwrap_or_else(|e| fail("module cache", e))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "cwasm"))
        .unwrap_or_else(|| fail("module cache", "no .cwasm file"));
    extra.value(
        "token_snapshot_cwasm_size",
        std::fs::metadata(&cwasm).map_or(0, |m| m.len()) as f64,
        "bytes",
        "",
    );
    let tx = state.begin();
    let info = fx
        .engine
        .contract_info(fx.token)
        .unwrap_or_else(|e| fail("contract info", e));
    let wasm = tx
        .code(&info.code_hash.0)
        .ok()
        .flatten()
        .unwrap_or_else(|| fail("code", "missing"));
    extra.value("token_wasm_size_go", wasm.len() as f64, "bytes", "");
    let digest = tx
        .code_digest(&info.code_hash.0)
        .ok()
        .flatten()
        .unwrap_or_else(|| fail("code digest", "missing"));
    // What one deployed contract costs: on disk (its compiled snapshot and the module the
    // state keeps) and in memory (what loading it from the disk cache and one call add to the
    // process's resident set; the compiled module is mapped from its file, so only the pages
    // touched count).
    let resident = || {
        std::fs::read_to_string("/proc/self/statm")
            .ok()
            .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
            .map(|pages| pages * 4096)
    };
    // A load from the disk cache, as after a restart.
    let load = || {
        runtime.forget_modules();
        runtime
            .prepare(
                &info.code_hash.0,
                govm_runtime::ModuleSource::Stored(&wasm, digest),
                &info.abi,
                &info.options,
            )
            .unwrap_or_else(|e| fail("prepare", e))
    };
    let before = resident();
    black_box(load());
    black_box(fx.transfer(runtime, state.begin()));
    match (before, resident()) {
        (Some(b), Some(a)) => extra.value(
            "contract_resident_bytes",
            a.saturating_sub(b) as f64,
            "bytes",
            "resident memory a token contract adds when loaded from the disk cache and called once",
        ),
        _ => extra.note(
            "contract_resident_bytes",
            "not measured: no /proc/self/statm",
        ),
    }
    let disk = std::fs::metadata(&cwasm).map_or(0, |m| m.len())
        + std::fs::metadata(cwasm.with_extension("meta")).map_or(0, |m| m.len())
        + wasm.len() as u64;
    extra.value(
        "contract_disk_bytes",
        disk as f64,
        "bytes",
        "a token contract on disk: its compiled snapshot and .meta, and the module in the state",
    );
    let mut group = c.benchmark_group("module_load");
    group.bench_function("disk_cache", |b| b.iter(load));
    let engine = runtime
        .default_engine()
        .unwrap_or_else(|e| fail("engine", e));
    group.bench_function("baseline_wasmtime_deserialize_file", |b| {
        b.iter(|| deserialize_file(&engine, &cwasm))
    });
    group.finish();

    let mut group = c.benchmark_group("first_call");
    group.sample_size(10);
    let config = RuntimeConfig {
        wasi: govm::WasiOptions {
            cache_dir: Some(cache_dir.clone()),
            ..govm::WasiOptions::default()
        },
        ..RuntimeConfig::default()
    };
    group.bench_function("after_restart", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let fresh = Runtime::new(config.clone()).unwrap_or_else(|e| fail("runtime", e));
                black_box(fx.transfer(&fresh, state.begin()));
                total += start.elapsed();
                drop(fresh);
            }
            total
        })
    });
    group.bench_function("baseline_isolated_transfer", |b| {
        b.iter(|| black_box(fx.transfer(runtime, state.begin())))
    });
    group.finish();
    let _ = ContractOptions::default();
}

#[allow(unsafe_code)]
fn deserialize_file(engine: &wasmtime::Engine, path: &std::path::Path) -> wasmtime::Module {
    // SAFETY: the file is one the runtime wrote with `Module::serialize` for this engine.
    unsafe { wasmtime::Module::deserialize_file(engine, path) }
        .unwrap_or_else(|e| fail("deserialize", e))
}

criterion_group!(benches, runtime_bench);
criterion_main!(benches);

//! Compiling, each beside a baseline measured in the same run:
//!
//! - `compile_token`: token.go built by Go, cold (a contract never built before: token.go with
//!   a unique comment, so Go compiles and links the contract package again; the standard
//!   library stays in Go's build cache, as on a node that has built contracts before) against
//!   a cache hit (the artifact read and verified);
//! - `prepare_at_limits`: what a deploy of prebuilt wasm costs a node before anything is
//!   stored (`Runtime::prepare`: the module check, wizer's instrumentation, Cranelift, Go's
//!   `_initialize`, the snapshot and its compile), for hand-made modules that sit at the
//!   module check's limits (docs/abi.md §6.1) in the shapes that cost Cranelift most per byte,
//!   against the token's own module;
//! - `check`: the module check alone on those modules and on the largest module the limits
//!   allow, against the token's module (the check is CheckTx work nobody pays for).
//!
//! `prepare_at_limits` prepares each module three times (not through criterion: the slowest
//! take seconds) and reports the spread of its wall time, its CPU time (both cores' work: the
//! wall time halves when Cranelift spreads many functions over two cores, not for one big
//! function) and the gas its deploy transaction pays (`deploy_gas` and the chain's intrinsic
//! gas), as CPU seconds per million gas against the token's, in
//! `target/bench-extra/compile.json` and on standard error.
//!
//! `cargo bench -p govm-benches --bench compile [-- FILTER]`.

use std::hint::black_box;
use std::time::Instant;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use govm_abi::{ContractAbi, ModuleShape};
use govm_benches::Figures;
use govm_compiler::{Compiler, CompilerConfig};
use govm_runtime::ModuleSource::Unchecked;
use govm_runtime::{ContractOptions, Runtime, RuntimeConfig};

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    panic!("{what}: {e}")
}

mod limit_modules;

use limit_modules::{cases, largest};

/// The token's module, built by the Go toolchain, and its source.
fn token() -> (Vec<u8>, &'static str) {
    let source = include_str!("../testdata/contracts/token/token.go");
    let contract = govm_validate::validate(source, &govm_validate::Config::default())
        .unwrap_or_else(|e| fail("token.go", e));
    let dir = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/bench-cache"
    ));
    let compiler = Compiler::new(CompilerConfig::new(&dir));
    let artifact = compiler
        .compile(source, &contract, "token.go")
        .unwrap_or_else(|e| fail("compile token.go", e));
    (artifact.module.into_bytes(), source)
}

fn compile(c: &mut Criterion) {
    let source = include_str!("../testdata/contracts/token/token.go");
    let contract = govm_validate::validate(source, &govm_validate::Config::default())
        .unwrap_or_else(|e| panic!("token.go: {e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    let compiler = Compiler::new(CompilerConfig::new(dir.path()));
    // Warm Go's build cache and the artifact cache once.
    compiler
        .compile(source, &contract, "token.go")
        .unwrap_or_else(|e| panic!("{e}"));

    let mut group = c.benchmark_group("compile_token");
    group.bench_function("cache_hit", |b| {
        b.iter(|| compiler.compile(black_box(source), &contract, "token.go"))
    });
    group.sample_size(10);
    let mut round = 0u64;
    group.bench_function("cold_compile", |b| {
        b.iter_batched(
            || {
                round += 1;
                let fresh = format!("{source}\n// build {round}\n");
                let contract = govm_validate::validate(&fresh, &govm_validate::Config::default())
                    .unwrap_or_else(|e| panic!("{e}"));
                (fresh, contract)
            },
            |(fresh, contract)| compiler.compile(&fresh, &contract, "token.go"),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// This process's CPU time (user and system, every thread), from /proc/self/stat.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which may hold spaces) start after its `)`.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; Linux
    // counts them in 1/100 s.
    (ticks(11) + ticks(12)) / 100.0
}

/// The gas a chain charges the deploy transaction of `wasm` with a source of `source_len`
/// bytes: the deploy's gas (`init_fuel` for package initialisation), what compiling the
/// module's shape costs, and the intrinsic gas of a transaction that carries both (with 200
/// bytes of envelope).
fn deploy_tx_gas(source_len: usize, wasm: &[u8], init_fuel: u64) -> u64 {
    let shape = govm_abi::module_shape(wasm).unwrap_or_else(|e| fail("the module's shape", e.0));
    govm_runtime::gas::deploy_gas(source_len, wasm.len(), init_fuel)
        + govm_runtime::gas::compile_gas(&shape)
        + govm_chain::intrinsic_gas(source_len + wasm.len() + 200)
}

/// A source for a hand-made module: the smallest contract, so the least gas for its bytes.
const SMALL_SOURCE_LEN: usize = 80;

#[derive(Default)]
struct Measured {
    wall: Vec<f64>,
    cpu: Vec<f64>,
    gas: u64,
}

/// How many times each module is prepared: the spread of the times is reported.
const ROUNDS: usize = 3;

/// Not through criterion: the slowest cases take seconds, and a few rounds with their spread
/// say what matters (criterion would take ten of each).
fn prepare_at_limits(c: &mut Criterion) {
    if !c_filter_matches("prepare_at_limits") {
        return;
    }
    let runtime = Runtime::new(RuntimeConfig {
        module_cache_capacity: 1,
        ..RuntimeConfig::default()
    })
    .unwrap_or_else(|e| fail("runtime", e));
    let abi = ContractAbi::new("bench", vec![]);
    let options = ContractOptions::default();
    let (token_wasm, token_source) = token();
    let token_abi = govm_validate::validate(token_source, &govm_validate::Config::default())
        .unwrap_or_else(|e| fail("token.go", e))
        .abi;
    let mut all = vec![("token", "the token, built by Go (baseline)", token_wasm)];
    all.extend(cases());
    let mut results: Vec<(String, Measured)> = Vec::new();
    let mut next_hash = 0u64;
    // GOVM_BENCH_CASE=<part of a name>: that case and the token only.
    let only = std::env::var("GOVM_BENCH_CASE").ok();
    for (name, _, wasm) in &all {
        let is_token = *name == "token";
        if only
            .as_deref()
            .is_some_and(|o| !is_token && !name.contains(o))
        {
            continue;
        }
        let case_abi = if is_token { &token_abi } else { &abi };
        let source_len = if is_token {
            token_source.len()
        } else {
            SMALL_SOURCE_LEN
        };
        let mut measured = Measured::default();
        for _ in 0..ROUNDS {
            // A new code hash each time: nothing is cached (the Cranelift cache only serves a
            // deploy's own second compile).
            next_hash += 1;
            let mut code_hash = [0u8; 32];
            code_hash[..8].copy_from_slice(&next_hash.to_le_bytes());
            let (cpu, start) = (cpu_seconds(), Instant::now());
            let prepared = runtime
                .prepare(&code_hash, Unchecked(wasm), case_abi, &options)
                .unwrap_or_else(|e| fail(name, e));
            measured.wall.push(start.elapsed().as_secs_f64());
            measured.cpu.push(cpu_seconds() - cpu);
            measured.gas = deploy_tx_gas(source_len, wasm, prepared.init_fuel);
        }
        eprintln!("prepared {name}: {:?} s", measured.wall);
        results.push((name.to_string(), measured));
    }
    let _ = c;
    report(&all, &results);
}

/// Whether the command line's filter (the first argument that is not a flag) selects `name`.
fn c_filter_matches(name: &str) -> bool {
    std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .is_none_or(|filter| name.contains(&filter) || filter.contains(name))
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn spread(v: &[f64]) -> (f64, f64) {
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = v.iter().copied().fold(0.0, f64::max);
    (min, max)
}

fn report(cases: &[(&str, &str, Vec<u8>)], results: &[(String, Measured)]) {
    let mut figures = Figures::default();
    let per_mgas = |m: &Measured| median(&m.cpu) / (m.gas as f64 / 1e6);
    let baseline = results
        .iter()
        .find(|(n, _)| n == "token")
        .map(|(_, m)| per_mgas(m))
        .unwrap_or(f64::NAN);
    eprintln!(
        "\n{:<28} {:>10} {:>16} {:>16} {:>12} {:>10} {:>8}",
        "prepare_at_limits",
        "wasm B",
        "wall s (min-max)",
        "cpu s (min-max)",
        "gas",
        "cpu s/Mgas",
        "× token"
    );
    for (name, m) in results.iter().filter(|(_, m)| !m.wall.is_empty()) {
        let Some((_, what, wasm)) = cases.iter().find(|(n, _, _)| n == name) else {
            continue;
        };
        let (wmin, wmax) = spread(&m.wall);
        let (cmin, cmax) = spread(&m.cpu);
        let ratio = per_mgas(m);
        eprintln!(
            "{name:<28} {:>10} {:>6.2} ({:.2}-{:.2}) {:>6.2} ({:.2}-{:.2}) {:>12} {:>10.4} {:>8.1}",
            wasm.len(),
            median(&m.wall),
            wmin,
            wmax,
            median(&m.cpu),
            cmin,
            cmax,
            m.gas,
            ratio,
            ratio / baseline
        );
        let shape = govm_abi::check_module(wasm, &ContractAbi::new("bench", vec![]), false)
            .ok()
            .and_then(|info| info.shape);
        let note = format!("{what}; {}", describe(shape));
        let key = |k: &str| format!("prepare_at_limits/{name}/{k}");
        figures.value(&key("wall"), median(&m.wall), "s", &note);
        figures.value(&key("cpu"), median(&m.cpu), "s", "CPU time of both cores");
        figures.value(
            &key("gas"),
            m.gas as f64,
            "gas",
            "deploy gas + intrinsic gas",
        );
        figures.value(
            &key("cpu_per_mgas"),
            ratio,
            "s/Mgas",
            "CPU seconds per million gas",
        );
        figures.value(
            &key("vs_token"),
            ratio / baseline,
            "x",
            "CPU per gas against the token's",
        );
    }
    let worst = results
        .iter()
        .filter(|(n, m)| n != "token" && !m.wall.is_empty())
        .map(|(n, m)| (n.as_str(), per_mgas(m) / baseline))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((name, ratio)) = worst {
        eprintln!("the slowest to compile per gas: {name}, {ratio:.2}x the token");
        figures.value(
            "compile_worst_vs_token",
            ratio,
            "x",
            &format!("{name}: CPU per gas of the module at the limits slowest to compile per gas, against the token's"),
        );
    }
    figures.write("compile.json");
}

fn describe(shape: Option<ModuleShape>) -> String {
    match shape {
        Some(s) => format!(
            "{} functions, {} B code, {} blocks, {} bytes×blocks, {} locals, {} locals×blocks, {} B data",
            s.functions,
            s.code_size,
            s.blocks,
            s.size_by_blocks,
            s.locals,
            s.locals_by_blocks,
            s.data_size
        ),
        None => "refused by the module check".into(),
    }
}

fn check(c: &mut Criterion) {
    if !c_filter_matches("check") {
        return;
    }
    let (token_wasm, token_source) = token();
    let token_abi = govm_validate::validate(token_source, &govm_validate::Config::default())
        .unwrap_or_else(|e| fail("token.go", e))
        .abi;
    let abi = ContractAbi::new("bench", vec![]);
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    let mut figures = Figures::default();
    let mut modules = vec![("token", token_wasm)];
    modules.push(("largest", largest()));
    modules.extend(cases().into_iter().map(|(name, _, wasm)| (name, wasm)));
    let mut per_byte = Vec::new();
    for (name, wasm) in &modules {
        let case_abi = if *name == "token" { &token_abi } else { &abi };
        if let Err(e) = govm_abi::check_module(wasm, case_abi, false) {
            fail(name, e);
        }
        group.bench_function(*name, |b| {
            b.iter(|| govm_abi::check_module(black_box(wasm), case_abi, false))
        });
        // One more, timed here, for the per-byte figure.
        let runs = 5;
        let start = Instant::now();
        for _ in 0..runs {
            let _ = black_box(govm_abi::check_module(wasm, case_abi, false));
        }
        let ns = start.elapsed().as_nanos() as f64 / runs as f64 / wasm.len() as f64;
        per_byte.push((name.to_string(), wasm.len(), ns));
    }
    group.finish();
    let token_ns = per_byte.first().map(|p| p.2).unwrap_or(f64::NAN);
    eprintln!(
        "\n{:<28} {:>10} {:>10} {:>8} {:>8}",
        "check", "wasm B", "ms", "ns/B", "× token"
    );
    for (name, len, ns) in &per_byte {
        eprintln!(
            "{name:<28} {len:>10} {:>10.1} {ns:>8.2} {:>8.2}",
            ns * *len as f64 / 1e6,
            ns / token_ns
        );
        let note = "the module check, per byte of module";
        figures.value(&format!("check/{name}/ns_per_byte"), *ns, "ns/B", note);
        figures.value(
            &format!("check/{name}/vs_token"),
            ns / token_ns,
            "x",
            "per byte, against the token's",
        );
    }
    figures.write("compile-check.json");
}

criterion_group!(benches, compile, prepare_at_limits, check);
criterion_main!(benches);

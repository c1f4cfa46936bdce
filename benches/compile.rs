//! Compiling token.go: a cold compile (a contract never built before: token.go with a unique
//! comment, so Go compiles and links the contract package again; the standard library stays in
//! Go's build cache, as on a node that has built contracts before) against a cache hit (the
//! artifact read and verified).

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use govm_compiler::{Compiler, CompilerConfig};

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

criterion_group!(benches, compile);
criterion_main!(benches);

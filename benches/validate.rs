//! Validation of a 100 KB contract, against the floor of parsing it with gosyn alone.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn main_source() -> String {
    govm_benches::large_contract(100 * 1024)
}

fn validate(c: &mut Criterion) {
    let source = main_source();
    let config = govm_validate::Config::default();
    assert!(govm_validate::validate(&source, &config).is_ok());
    let mut group = c.benchmark_group("validate_100kb");
    group.bench_function("baseline_gosyn_parse", |b| {
        b.iter(|| gosyn::parse_source(black_box(&source)))
    });
    group.bench_function("validate", |b| {
        b.iter(|| govm_validate::validate(black_box(&source), &config))
    });
    group.finish();
}

criterion_group!(benches, validate);
criterion_main!(benches);

//! The object store on both backends: reading a field, writing one, and committing a batch of
//! 1000 writes, beside a plain BTreeMap doing the same key-value work.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use govm_state::{ContractRecord, State};

const CONTRACT: [u8; 20] = [0xcc; 20];

/// A store holding one contract and one object with 1000 fields.
fn populated(state: State) -> (State, [u8; 32]) {
    let mut tx = state.begin();
    tx.register_contract(&ContractRecord {
        address: CONTRACT,
        code_hash: [0; 32],
        deployer: [0; 20],
        deploy_height: 0,
        options: Vec::new(),
    })
    .unwrap_or_default();
    let id = tx.create_object(&CONTRACT, &[1; 20]).unwrap_or_default();
    for i in 0..1000u32 {
        let _ = tx.set_field(&CONTRACT, &id, &format!("f{i}"), &value(i));
    }
    let _ = state.commit(tx);
    (state, id)
}

fn value(i: u32) -> Vec<u8> {
    let mut v = vec![0x05];
    v.extend(u64::from(i).to_le_bytes());
    v
}

fn backends() -> Vec<(&'static str, State, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    let redb = State::open(dir.path().join("bench.redb")).unwrap_or_else(|e| panic!("redb: {e}"));
    let mem_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    vec![("memory", State::in_memory(), mem_dir), ("redb", redb, dir)]
}

fn state(c: &mut Criterion) {
    let map: BTreeMap<Vec<u8>, Vec<u8>> = (0..1000u32)
        .map(|i| (format!("f{i}").into_bytes(), value(i)))
        .collect();
    let mut get = c.benchmark_group("state_get");
    get.bench_function("baseline_btreemap", |b| {
        b.iter(|| map.get(black_box(&b"f500"[..])))
    });
    let mut set = Vec::new();
    for (name, backend, dir) in backends() {
        let (state, id) = populated(backend);
        get.bench_function(name, |b| {
            b.iter(|| state.begin().field(black_box(&id), "f500"))
        });
        set.push((name, state, id, dir));
    }
    get.finish();

    let mut group = c.benchmark_group("state_set");
    group.bench_function("baseline_btreemap", |b| {
        b.iter_batched(
            || map.clone(),
            // The map is returned so that dropping it is not timed.
            |mut m| {
                m.insert(b"f500".to_vec(), value(1));
                m
            },
            BatchSize::SmallInput,
        )
    });
    for (name, state, id, _) in &set {
        group.bench_function(*name, |b| {
            b.iter_batched(
                || state.begin(),
                |mut tx| {
                    let _ = tx.set_field(&CONTRACT, id, "f500", &value(1));
                    tx
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();

    let mut group = c.benchmark_group("state_commit_1000");
    group.bench_function("baseline_btreemap", |b| {
        b.iter_batched(
            || map.clone(),
            |mut m| {
                for i in 0..1000u32 {
                    m.insert(format!("f{i}").into_bytes(), value(i + 1));
                }
                m
            },
            BatchSize::SmallInput,
        )
    });
    for (name, state, id, _) in &set {
        let mut round = 0u32;
        group.bench_function(*name, |b| {
            b.iter_batched(
                || {
                    round += 1;
                    let mut tx = state.begin();
                    for i in 0..1000u32 {
                        let _ = tx.set_field(&CONTRACT, id, &format!("f{i}"), &value(i + round));
                    }
                    tx
                },
                |tx| state.commit(tx),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, state);
criterion_main!(benches);

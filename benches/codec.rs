//! The wire format: encoding and decoding a token Transfer's arguments through the ABI,
//! against the floor of encoding the same values directly with parity-scale-codec.

use criterion::{Criterion, criterion_group, criterion_main};
use govm_abi::{Address, ContractAbi, Function, Param, Type, Value};
use parity_scale_codec::{Decode, Encode};
use std::hint::black_box;

fn token() -> ContractAbi {
    ContractAbi::new(
        "token",
        vec![Function {
            name: "Transfer".into(),
            context: true,
            params: vec![
                Param {
                    name: "to".into(),
                    ty: Type::Address,
                },
                Param {
                    name: "amount".into(),
                    ty: Type::U64,
                },
            ],
            results: vec![],
            error: true,
        }],
    )
}

fn codec(c: &mut Criterion) {
    let abi = token();
    let f = &abi.functions[0];
    let args = [Value::Address(Address([7; 20])), Value::U64(1000)];
    let bytes = abi.encode_args(f, &args).unwrap_or_default();
    let mut group = c.benchmark_group("transfer_args");
    group.bench_function("baseline_scale_direct_encode", |b| {
        b.iter(|| black_box(([7u8; 20], 1000u64)).encode())
    });
    group.bench_function("abi_encode", |b| {
        b.iter(|| abi.encode_args(f, black_box(&args)))
    });
    group.bench_function("baseline_scale_direct_decode", |b| {
        b.iter(|| <([u8; 20], u64)>::decode(&mut black_box(&bytes[..])))
    });
    group.bench_function("abi_decode", |b| {
        b.iter(|| {
            govm_abi::decode_values("argument", &[Type::Address, Type::U64], black_box(&bytes))
        })
    });
    group.finish();
}

fn state(c: &mut Criterion) {
    let contract = govm_state::contract_address(&[1; 20], 0, &[2; 32]);
    let mut group = c.benchmark_group("state_memory");
    group.bench_function("baseline_btreemap_insert_100", |b| {
        b.iter(|| {
            let mut map = std::collections::BTreeMap::new();
            for i in 0u32..100 {
                map.insert(i.to_be_bytes().to_vec(), vec![0u8; 9]);
            }
            map
        })
    });
    group.bench_function("create_set_commit_100", |b| {
        b.iter(|| {
            let state = govm_state::State::in_memory();
            let mut tx = state.begin();
            for _ in 0..100 {
                if let Ok(id) = tx.create_object(&contract, &[3; 20]) {
                    let _ = tx.set_field(&contract, &id, "amount", &[5, 0, 0, 0, 0, 0, 0, 0, 0]);
                }
            }
            state.commit(tx)
        })
    });
    group.finish();
}

criterion_group!(benches, codec, state);
criterion_main!(benches);

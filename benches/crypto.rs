//! The host's cryptography against the same work written in Go inside a contract: SHA-256 of
//! 1 KiB and an ed25519 check, each a whole call through the facade (a query), with the gas
//! each uses written to `target/bench-extra/crypto.json`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use govm::{Address, CallContext, Config, DeployOptions, Engine, Value};
use govm_benches::Figures;

const RFC8032_TEST2: (&str, &str, &str) = (
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    "72",
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
);

fn bytes(hex_text: &str) -> Value {
    Value::Bytes(hex::decode(hex_text).unwrap_or_default())
}

fn crypto_bench(c: &mut Criterion) {
    let engine = Engine::new(Config::default()).unwrap_or_else(|e| panic!("engine: {e}"));
    let source = include_bytes!("../testdata/contracts/crypto/crypto.go");
    let options = DeployOptions {
        deployer: Address([0xd0; 20]),
        file_name: "crypto.go".into(),
        ..DeployOptions::default()
    };
    let contract = engine
        .deploy_with_options(source, &options)
        .unwrap_or_else(|e| panic!("deploy: {e}"))
        .address;
    let ctx = CallContext {
        fuel_limit: 900_000_000,
        ..CallContext::new(Address([0xa1; 20]))
    };
    let data = [Value::Bytes(vec![0x61; 1024])];
    let (public, message, signature) = RFC8032_TEST2;
    let check = [bytes(public), bytes(message), bytes(signature)];
    let cases: [(&str, &str, &[Value]); 4] = [
        ("sha256_1kib", "HostSha256", &data),
        ("sha256_1kib", "GoSha256", &data),
        ("ed25519_verify", "Verify", &check),
        ("ed25519_verify", "GoVerify", &check),
    ];
    let mut figures = Figures::default();
    for (group, function, args) in cases {
        let outcome = engine
            .query(&ctx, contract, function, args)
            .unwrap_or_else(|e| panic!("{function}: {e}"));
        let name = if function.starts_with("Go") {
            "go_in_contract"
        } else {
            "host"
        };
        figures.value(
            &format!("{group}_{name}_gas"),
            outcome.gas_used as f64,
            "gas",
            &format!("a whole call of {function}"),
        );
        let mut g = c.benchmark_group(group);
        g.sample_size(10);
        g.bench_function(name, |b| {
            b.iter(|| black_box(engine.query(&ctx, contract, function, args)))
        });
        g.finish();
    }
    figures.write("crypto.json");
}

criterion_group!(benches, crypto_bench);
criterion_main!(benches);

//! Blocks of signed token transfers through `govm-chain`: decoding, signature checks (on other
//! threads, ahead of the block thread: `ChainBlock::deliver_txs`), nonces, fees, the calls,
//! events, and the commit to redb. Criterion's iteration is one transaction, delivered in blocks of
//! [`BLOCK`]: the time per transaction is read against the isolated Transfer of
//! `benches/runtime.rs` (`token_transfer/isolated_snapshot`) in `cargo xtask bench`.
//!
//! `block_1000/sequential_checks` delivers the same blocks one transaction at a time
//! (`deliver_tx`, every check on the block thread), to show what overlapping the checks saves.
//!
//! `deploy_tx/redeploy` delivers one deploy transaction of the token (2.7 MB of wasm, the
//! source deployed before, so its module comes from the cache): what a deploy costs a node
//! besides compiling, the decoding, checks and copies of its bytes.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use govm::{Address, Config, Engine, StateBackend};
use govm_abi::{ContractAbi, Value};
use govm_benches::Figures;
use govm_chain::{Body, Chain, Code, Genesis, SigningKey, UnsignedTx, signing_key};

/// Transactions per block.
const BLOCK: usize = 1000;
/// Senders in a block (each sends `BLOCK / SENDERS` transfers, in nonce order).
const SENDERS: usize = 16;
const CHAIN: &str = "bench-block";
const PROPOSER: Address = Address([0xee; 20]);
const RECIPIENT: Address = Address([0xb0; 20]);

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    panic!("{what}: {e}")
}

fn cache() -> std::path::PathBuf {
    std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/bench-cache"
    ))
}

/// A chain on redb with the token deployed, initialised, and every sender holding tokens.
struct Fixture {
    _dir: tempfile::TempDir,
    chain: Chain,
    abi: ContractAbi,
    token: Address,
    /// The token's deploy, for redeploys: its source, its module, and the deployer's key
    /// and next nonce.
    deploy: (Vec<u8>, Vec<u8>, SigningKey, u64),
    senders: Vec<SigningKey>,
    nonces: Vec<u64>,
    height: u64,
}

fn address(key: &SigningKey) -> Address {
    govm_chain::address_of(&key.verifying_key().to_bytes())
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| fail("tempdir", e));
        let engine = Engine::new(Config {
            cache_dir: cache(),
            state: StateBackend::Redb(dir.path().join("state.redb")),
            ..Config::default()
        })
        .unwrap_or_else(|e| fail("engine", e));
        let source = include_bytes!("../testdata/contracts/token/token.go");
        let (abi, module) = engine
            .build(source, "token.go")
            .unwrap_or_else(|e| fail("build", e));
        let owner = signing_key(&[0xd0; 32]);
        let senders: Vec<SigningKey> = (0..SENDERS as u8)
            .map(|i| signing_key(&[i + 1; 32]))
            .collect();
        let balances: Vec<serde_json::Value> = std::iter::once(&owner)
            .chain(&senders)
            .map(
                |k| serde_json::json!({"address": address(k).to_string(), "amount": u64::MAX / 64}),
            )
            .collect();
        let genesis = Genesis::from_json(
            &serde_json::json!({"chain_id": CHAIN, "time": 1_700_000_000, "balances": balances})
                .to_string(),
        )
        .unwrap_or_else(|e| fail("genesis", e));
        let chain = Chain::new(engine, &genesis).unwrap_or_else(|e| fail("chain", e));
        let mut fx = Self {
            _dir: dir,
            chain,
            abi,
            token: Address::ZERO,
            deploy: (source.to_vec(), module.bytes().to_vec(), owner.clone(), 0),
            senders,
            nonces: vec![0; SENDERS],
            height: 0,
        };
        let deploy = sign(
            &owner,
            0,
            500_000_000,
            Body::Deploy {
                source: source.to_vec(),
                wasm: module.into_bytes(),
                options: Vec::new(),
            },
        );
        let deployed = fx.block(&[deploy], true).remove(0);
        fx.token = Address(
            deployed
                .data
                .try_into()
                .unwrap_or_else(|_| fail("deploy", "no address")),
        );
        let mut setup = vec![fx.call(&owner, 1, "Initialize", &[Value::U64(1 << 62)])];
        for (i, s) in fx.senders.clone().iter().enumerate() {
            let to = Value::Address(address(s));
            setup.push(fx.call(&owner, 2 + i as u64, "Transfer", &[to, Value::U64(1 << 50)]));
        }
        // The recipient's account exists from here on, as for any busy token.
        let first = &fx.senders[0].clone();
        setup.push(fx.call(
            first,
            0,
            "Transfer",
            &[Value::Address(RECIPIENT), Value::U64(1)],
        ));
        fx.nonces[0] = 1;
        fx.deploy.3 = 2 + fx.senders.len() as u64;
        fx.block(&setup, true);
        fx
    }

    /// The token deployed again by its owner: signed, untimed.
    fn redeploy(&mut self) -> Vec<u8> {
        let (source, wasm, owner, nonce) = &mut self.deploy;
        let tx = sign(
            owner,
            *nonce,
            500_000_000,
            Body::Deploy {
                source: source.clone(),
                wasm: wasm.clone(),
                options: Vec::new(),
            },
        );
        *nonce += 1;
        tx
    }

    fn call(&self, key: &SigningKey, nonce: u64, function: &str, args: &[Value]) -> Vec<u8> {
        let f = self
            .abi
            .function(function)
            .unwrap_or_else(|| fail("abi", function));
        let args = self
            .abi
            .encode_args(f, args)
            .unwrap_or_else(|e| fail("args", e));
        sign(
            key,
            nonce,
            2_000_000,
            Body::Call {
                contract: self.token.0,
                function: function.into(),
                args,
                value: 0,
            },
        )
    }

    /// The next block's transfers, signed: the senders in turn, each in nonce order.
    fn transfers(&mut self) -> Vec<Vec<u8>> {
        (0..BLOCK)
            .map(|i| {
                let s = i % SENDERS;
                let nonce = self.nonces[s];
                self.nonces[s] += 1;
                let key = self.senders[s].clone();
                self.call(
                    &key,
                    nonce,
                    "Transfer",
                    &[Value::Address(RECIPIENT), Value::U64(1)],
                )
            })
            .collect()
    }

    /// Delivers and commits a block; every transaction must succeed.
    fn block(&mut self, txs: &[Vec<u8>], parallel: bool) -> Vec<govm_chain::TxResult> {
        self.height += 1;
        let mut block = self
            .chain
            .begin_block(self.height, 1_700_000_000 + self.height as i64, PROPOSER)
            .unwrap_or_else(|e| fail("begin", e));
        let results = if parallel {
            block
                .deliver_txs(txs)
                .unwrap_or_else(|e| fail("deliver", e))
        } else {
            txs.iter()
                .map(|tx| block.deliver_tx(tx).unwrap_or_else(|e| fail("deliver", e)))
                .collect()
        };
        block.commit().unwrap_or_else(|e| fail("commit", e));
        for r in &results {
            if r.code != Code::Ok {
                fail("transaction", format!("{:?}: {}", r.code, r.log));
            }
        }
        results
    }
}

fn sign(key: &SigningKey, nonce: u64, fuel_limit: u64, body: Body) -> Vec<u8> {
    UnsignedTx {
        chain_id: CHAIN.into(),
        nonce,
        fuel_limit,
        gas_price: 1,
        body,
    }
    .sign(key)
    .encode()
}

/// Time per transaction over `iters` transactions, in whole blocks (signing untimed).
fn per_transaction(fx: &mut Fixture, iters: u64, parallel: bool) -> Duration {
    let blocks = iters.div_ceil(BLOCK as u64).max(1);
    let mut total = Duration::ZERO;
    for _ in 0..blocks {
        let txs = fx.transfers();
        let start = Instant::now();
        fx.block(&txs, parallel);
        total += start.elapsed();
    }
    total.mul_f64(iters as f64 / (blocks as f64 * BLOCK as f64))
}

fn blocks(c: &mut Criterion) {
    let mut fx = Fixture::new();
    let mut figures = Figures::default();
    // One block, timed on its own, with its gas.
    let txs = fx.transfers();
    let start = Instant::now();
    let results = fx.block(&txs, true);
    let elapsed = start.elapsed();
    let gas: u64 = results.iter().map(|r| r.gas_used).sum();
    figures.value(
        "block_1000_transfers",
        elapsed.as_nanos() as f64,
        "ns",
        "one block of 1,000 signed token transfers from 16 senders, delivered and committed to redb",
    );
    figures.value(
        "block_transfer_gas",
        (gas / BLOCK as u64) as f64,
        "gas",
        "gas of one transfer transaction in the block (intrinsic gas included)",
    );
    let mut group = c.benchmark_group("block_1000");
    group.sample_size(10);
    group.bench_function("per_transaction", |b| {
        b.iter_custom(|iters| per_transaction(&mut fx, iters, true))
    });
    group.bench_function("sequential_checks", |b| {
        b.iter_custom(|iters| per_transaction(&mut fx, iters, false))
    });
    group.finish();
    let mut group = c.benchmark_group("deploy_tx");
    group.sample_size(10);
    group.bench_function("redeploy", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let tx = fx.redeploy();
                let start = Instant::now();
                fx.block(&[tx], false);
                total += start.elapsed();
            }
            total
        })
    });
    group.finish();
    figures.write("block.json");
}

criterion_group!(benches, blocks);
criterion_main!(benches);

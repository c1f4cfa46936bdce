//! The ledger, end to end: a scripted sequence of signed transactions gives the same results,
//! gas and state hashes on every kind of node, after a restart too; malformed transactions
//! change nothing; a wall-clock deadline inside a block stops the block; results pay for
//! their bytes and a block's are bounded.
#![allow(clippy::unwrap_used)]

mod admission;
mod blocks;
mod fees;
mod replay;
mod results;

use std::path::PathBuf;
use std::sync::OnceLock;

use govm::{
    Address, Config, ContractAbi, ContractOptions, Engine, RuntimeConfig, StateBackend, Value,
};
use govm_chain::{Body, Chain, Code, Genesis, TxResult, UnsignedTx, address_of, signing_key};

const CHAIN: &str = "govm-test";
const PROPOSER: Address = Address([0xfe; 20]);

fn contract(name: &str) -> Vec<u8> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/contracts");
    std::fs::read(root.join(name).join(format!("{name}.go"))).unwrap()
}

fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("govm-cache")
}

/// The modules built so far, by contract name.
type Built = std::sync::Mutex<std::collections::HashMap<String, (ContractAbi, Vec<u8>)>>;

/// A contract's ABI and the wasm a submitter built for it (once per test run).
fn built(name: &str) -> (ContractAbi, Vec<u8>) {
    static BUILT: OnceLock<Built> = OnceLock::new();
    let cache = BUILT.get_or_init(Default::default);
    if let Some(b) = cache.lock().unwrap().get(name) {
        return b.clone();
    }
    let engine = Engine::new(Config {
        cache_dir: cache_dir(),
        ..Config::default()
    })
    .unwrap();
    let (abi, module) = engine
        .build(&contract(name), &format!("{name}.go"))
        .unwrap();
    let out = (abi, module.into_bytes());
    cache.lock().unwrap().insert(name.into(), out.clone());
    out
}

struct Keys {
    alice: govm_chain::SigningKey,
    bob: govm_chain::SigningKey,
}

fn keys() -> Keys {
    Keys {
        alice: signing_key(&[1; 32]),
        bob: signing_key(&[2; 32]),
    }
}

fn addr(key: &govm_chain::SigningKey) -> Address {
    address_of(&key.verifying_key().to_bytes())
}

fn genesis() -> Genesis {
    let k = keys();
    let (_, counter) = built("counter");
    let source = String::from_utf8(contract("counter")).unwrap();
    Genesis::from_json(
        &serde_json::json!({
            "chain_id": CHAIN,
            "time": 1_700_000_000,
            "balances": [
                {"address": addr(&k.alice).to_string(), "amount": 1_000_000_000_000u64},
                {"address": addr(&k.bob).to_string(), "amount": 1_000_000u64},
            ],
            "contracts": [{"deployer": addr(&k.alice).to_string(), "source": source, "wasm": format!("0x{}", hex::encode(counter))}],
        })
        .to_string(),
    )
    .unwrap()
}

/// How a node is set up: its state and its module caches.
#[derive(Clone, Copy, Debug)]
enum Node {
    Memory,
    RedbNoDiskCache,
    /// In memory, instances allocated on demand instead of from the pool.
    OnDemand,
}

fn engine(node: Node, dir: &std::path::Path) -> Engine {
    let mut runtime = RuntimeConfig::default();
    let state = match node {
        Node::Memory => StateBackend::Memory,
        Node::RedbNoDiskCache => {
            runtime.wasi.precompiled_cache = false;
            StateBackend::Redb(dir.join("state.redb"))
        }
        Node::OnDemand => {
            runtime.pooling = false;
            StateBackend::Memory
        }
    };
    Engine::new(Config {
        cache_dir: cache_dir(),
        state,
        runtime,
        ..Config::default()
    })
    .unwrap()
}

/// A signed transaction's bytes.
fn tx(key: &govm_chain::SigningKey, nonce: u64, fuel_limit: u64, body: Body) -> Vec<u8> {
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

fn call(contract: Address, abi: &ContractAbi, function: &str, args: &[Value], value: u64) -> Body {
    let f = abi.function(function).unwrap();
    Body::Call {
        contract: contract.0,
        function: function.into(),
        args: abi.encode_args(f, args).unwrap(),
        value,
    }
}

fn summary(r: &TxResult) -> String {
    format!(
        "{:?} gas={} data={} log={} events={:?}",
        r.code,
        r.gas_used,
        hex::encode(&r.data),
        r.log,
        r.events
    )
}

/// The address the state derives for a deploy of contract `name` (the deployer's n-th).
fn govm_state_contract_address(deployer: Address, nonce: u64, name: &str) -> [u8; 20] {
    let source = govm_state::source_hash(&contract(name));
    govm_state::contract_address(&deployer.0, nonce, &source)
}

fn accounts(chain: &Chain) -> String {
    let k = keys();
    format!(
        "{:?} {:?} {:?} {:?}",
        chain.account(addr(&k.alice)).unwrap(),
        chain.account(addr(&k.bob)).unwrap(),
        chain.account(PROPOSER).unwrap(),
        chain.info().unwrap()
    )
}

//! The ledger, end to end: a scripted sequence of signed transactions gives the same results,
//! gas and state hashes on every kind of node, after a restart too; malformed transactions
//! change nothing; a wall-clock deadline inside a block stops the block.
#![allow(clippy::unwrap_used)]

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
}

fn engine(node: Node, dir: &std::path::Path) -> Engine {
    let mut runtime = RuntimeConfig::default();
    let state = match node {
        Node::Memory => StateBackend::Memory,
        Node::RedbNoDiskCache => {
            runtime.wasi.precompiled_cache = false;
            StateBackend::Redb(dir.join("state.redb"))
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

/// Block 1: deploys, calls with and without value, a transfer, and refusals.
fn block_one(chain: &Chain) -> (Vec<String>, Address) {
    let k = keys();
    let alice = addr(&k.alice);
    let (token_abi, token_wasm) = built("token");
    let (counter_abi, _) = built("counter");
    let counter = govm::Address(govm_state_contract_address(alice, 0, &contract("counter")));
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    let mut out = Vec::new();
    let deploy = tx(
        &k.alice,
        0,
        200_000_000,
        Body::Deploy {
            source: contract("token"),
            wasm: token_wasm.clone(),
            options: Vec::new(),
        },
    );
    let deployed = block.deliver_tx(&deploy).unwrap();
    assert_eq!(deployed.code, Code::Ok, "{}", deployed.log);
    let token = Address(deployed.data.clone().try_into().unwrap());
    out.push(summary(&deployed));
    let txs = [
        tx(
            &k.alice,
            1,
            5_000_000,
            call(token, &token_abi, "Initialize", &[Value::U64(1_000_000)], 0),
        ),
        tx(
            &k.alice,
            2,
            5_000_000,
            call(counter, &counter_abi, "Add", &[Value::U64(3)], 7),
        ),
        tx(
            &k.alice,
            3,
            100_000,
            Body::Transfer {
                to: addr(&k.bob).0,
                amount: 500,
            },
        ),
        // A failing call: its fee is paid and its nonce used, its writes rolled back.
        tx(
            &k.alice,
            4,
            5_000_000,
            call(
                token,
                &token_abi,
                "Transfer",
                &[Value::Address(addr(&k.bob)), Value::U64(u64::MAX)],
                0,
            ),
        ),
        // Refusals: nothing changes.
        deploy.clone(),
        tx(
            &k.bob,
            0,
            2_000_000_000,
            Body::Transfer {
                to: alice.0,
                amount: 1,
            },
        ),
        {
            let mut bad = UnsignedTx {
                chain_id: CHAIN.into(),
                nonce: 0,
                fuel_limit: 100_000,
                gas_price: 1,
                body: Body::Transfer {
                    to: alice.0,
                    amount: 1,
                },
            }
            .sign(&k.bob);
            bad.signature[3] ^= 0x40;
            bad.encode()
        },
        UnsignedTx {
            chain_id: "another".into(),
            nonce: 0,
            fuel_limit: 100_000,
            gas_price: 1,
            body: Body::Transfer {
                to: alice.0,
                amount: 1,
            },
        }
        .sign(&k.bob)
        .encode(),
        tx(
            &k.bob,
            0,
            100_000,
            Body::Transfer {
                to: alice.0,
                amount: 2,
            },
        ),
    ];
    for t in &txs {
        out.push(summary(&block.deliver_tx(t).unwrap()));
    }
    let hash = block.commit().unwrap();
    out.push(format!("block 1 {hash}"));
    (out, token)
}

/// The address the state derives for a deploy (the deployer's n-th).
fn govm_state_contract_address(deployer: Address, nonce: u64, source: &[u8]) -> [u8; 20] {
    govm_state::contract_address(&deployer.0, nonce, &govm_state::code_hash(source))
}

/// Block 2: malformed deploys and transactions, and a call on block 1's token.
fn block_two(chain: &Chain, token: Address) -> Vec<String> {
    let k = keys();
    let alice = addr(&k.alice);
    let (token_abi, token_wasm) = built("token");
    let mut block = chain.begin_block(2, 1_700_000_010, PROPOSER).unwrap();
    let nonce = chain.account(alice).unwrap().nonce;
    let mut txs = vec![
        // Source that does not match the wasm's exports.
        tx(
            &k.alice,
            nonce,
            200_000_000,
            Body::Deploy {
                source: contract("counter"),
                wasm: token_wasm.clone(),
                options: Vec::new(),
            },
        ),
        // Bytes that are not wasm.
        tx(
            &k.alice,
            nonce,
            200_000_000,
            Body::Deploy {
                source: contract("token"),
                wasm: b"\0asm junk".to_vec(),
                options: Vec::new(),
            },
        ),
        // A syntax error: refused by the validator alone (a node runs no gofmt).
        tx(
            &k.alice,
            nonce,
            200_000_000,
            Body::Deploy {
                source: b"package x\nfunc F( {\n".to_vec(),
                wasm: token_wasm.clone(),
                options: Vec::new(),
            },
        ),
        // A source the validator rejects.
        tx(
            &k.alice,
            nonce,
            200_000_000,
            Body::Deploy {
                source: b"package x\nimport \"os\"\nfunc F() {}\n".to_vec(),
                wasm: token_wasm.clone(),
                options: Vec::new(),
            },
        ),
        tx(
            &k.alice,
            nonce,
            5_000_000,
            call(
                token,
                &token_abi,
                "CreateAccount",
                &[Value::Address(addr(&k.bob))],
                0,
            ),
        ),
    ];
    let good = tx(
        &k.alice,
        nonce + 1,
        100_000,
        Body::Transfer {
            to: addr(&k.bob).0,
            amount: 1,
        },
    );
    txs.push(good[..good.len() - 1].to_vec());
    let mut version = good.clone();
    version[0] = 9;
    txs.push(version);
    txs.push(vec![0; (chain.params().max_tx_bytes + 1) as usize]);
    txs.push(good);
    let mut out = Vec::new();
    for t in &txs {
        out.push(summary(&block.deliver_tx(t).unwrap()));
    }
    let hash = block.commit().unwrap();
    out.push(format!("block 2 {hash}"));
    out
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

fn run(node: Node, restart: bool) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = Chain::new(engine(node, dir.path()), &genesis()).unwrap();
    let mut out = vec![format!("genesis {:?}", chain.info().unwrap())];
    let (one, token) = block_one(&chain);
    out.extend(one);
    if restart {
        drop(chain);
        chain = Chain::new(engine(node, dir.path()), &genesis()).unwrap();
        assert_eq!(chain.info().unwrap().height, 1);
    }
    out.extend(block_two(&chain, token));
    out.push(accounts(&chain));
    // The node's path compiled nothing and started no process.
    assert_eq!(chain.engine().compiler().toolchain_runs(), 0);
    out
}

#[test]
fn the_same_transactions_give_the_same_results_on_every_node() {
    let memory = run(Node::Memory, false);
    let redb = run(Node::RedbNoDiskCache, false);
    let restarted = run(Node::RedbNoDiskCache, true);
    assert_eq!(memory, redb);
    assert_eq!(memory, restarted);
    let codes: Vec<&str> = memory
        .iter()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        codes,
        [
            "genesis",
            "Ok",
            "Ok",
            "Ok",
            "Ok",
            "CallFailed",
            "BadNonce",
            "CannotPayFee",
            "BadSignature",
            "WrongChain",
            "Ok",
            "block",
            "ModuleMismatch",
            "InvalidModule",
            "InvalidSource",
            "InvalidSource",
            "Ok",
            "Malformed",
            "UnknownVersion",
            "TooLarge",
            "Ok",
            "block",
            "Account"
        ],
        "{memory:#?}"
    );
}

#[test]
fn fees_nonces_and_value_follow_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new(engine(Node::Memory, dir.path()), &genesis()).unwrap();
    let k = keys();
    let (alice, bob) = (addr(&k.alice), addr(&k.bob));
    let before = chain.account(alice).unwrap();
    let (counter_abi, _) = built("counter");
    let counter = Address(govm_state_contract_address(alice, 0, &contract("counter")));
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    // A failing call (its arguments do not decode) still pays its fee and uses its nonce;
    // its value, moved before the entry point ran, comes back.
    let failing = tx(
        &k.alice,
        0,
        5_000_000,
        Body::Call {
            contract: counter.0,
            function: "Add".into(),
            args: vec![1, 2, 3],
            value: 9,
        },
    );
    let r = block.deliver_tx(&failing).unwrap();
    assert_eq!(r.code, Code::CallFailed, "{}", r.log);
    assert!(r.log.starts_with("bad arguments"), "{}", r.log);
    let ok = tx(
        &k.alice,
        1,
        5_000_000,
        call(counter, &counter_abi, "Add", &[Value::U64(1)], 9),
    );
    let r2 = block.deliver_tx(&ok).unwrap();
    assert_eq!(r2.code, Code::Ok, "{}", r2.log);
    let transfer = tx(
        &k.bob,
        0,
        100_000,
        Body::Transfer {
            to: alice.0,
            amount: 10,
        },
    );
    let r3 = block.deliver_tx(&transfer).unwrap();
    block.commit().unwrap();
    let after = chain.account(alice).unwrap();
    assert_eq!(after.nonce, before.nonce + 2);
    let fees = r.gas_used + r2.gas_used;
    assert_eq!(after.balance, before.balance - fees - 9 + 10);
    assert_eq!(chain.account(counter).unwrap().balance, 9);
    assert_eq!(chain.account(PROPOSER).unwrap().balance, fees + r3.gas_used);
    assert_eq!(
        chain.account(bob).unwrap().balance,
        1_000_000 - 10 - r3.gas_used
    );
    // check_tx agrees with delivery and never writes.
    let hash = chain.info().unwrap().state_hash;
    assert_eq!(chain.check_tx(&ok).code, Code::BadNonce);
    let next = tx(
        &k.alice,
        2,
        5_000_000,
        call(counter, &counter_abi, "Add", &[Value::U64(1)], 0),
    );
    assert_eq!(chain.check_tx(&next).code, Code::Ok);
    assert_eq!(chain.info().unwrap().state_hash, hash);
    let stored = chain.tx_result(r.hash).unwrap().unwrap();
    assert_eq!(
        (stored.code, stored.gas_used, stored.height),
        (r.code.value(), r.gas_used, 1)
    );
}

#[test]
fn a_deadline_inside_a_block_stops_the_block_and_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // The chain lets contracts ask for a 1 ms deadline (the default minimum is 5 s).
    let mut g = genesis();
    g.params.min_timeout_ms = 1;
    let chain = Chain::new(engine(Node::Memory, dir.path()), &g).unwrap();
    let k = keys();
    let (hostile_abi, hostile_wasm) = built("hostile");
    let options = ContractOptions {
        timeout_ms: 1,
        ..chain.engine().default_options()
    };
    let deploy = tx(
        &k.alice,
        0,
        200_000_000,
        Body::Deploy {
            source: contract("hostile"),
            wasm: hostile_wasm,
            options: options.encode(),
        },
    );
    let genesis_info = chain.info().unwrap();
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    let deployed = match block.deliver_tx(&deploy) {
        Ok(deployed) => deployed,
        // Package initialisation itself took longer than 1 ms here: the same halt, earlier.
        Err(err) => {
            assert!(matches!(err, govm_chain::Error::Halt(_)), "{err}");
            assert!(matches!(
                block.deliver_tx(&deploy),
                Err(govm_chain::Error::Halt(_))
            ));
            assert!(matches!(block.commit(), Err(govm_chain::Error::Halt(_))));
            assert_eq!(chain.info().unwrap(), genesis_info);
            assert_eq!(chain.account(addr(&k.alice)).unwrap().nonce, 0);
            return;
        }
    };
    assert_eq!(deployed.code, Code::Ok, "{}", deployed.log);
    block.commit().unwrap();
    let hostile = Address(deployed.data.try_into().unwrap());
    let before = chain.info().unwrap();
    let mut block = chain.begin_block(2, 1_700_000_010, PROPOSER).unwrap();
    let spin = tx(
        &k.alice,
        1,
        1_000_000_000,
        call(hostile, &hostile_abi, "Loop", &[], 0),
    );
    let err = block.deliver_tx(&spin).unwrap_err();
    assert!(matches!(err, govm_chain::Error::Halt(_)), "{err}");
    assert!(matches!(block.commit(), Err(govm_chain::Error::Halt(_))));
    assert_eq!(chain.info().unwrap(), before);
    assert_eq!(
        chain
            .tx_result(govm::Hash(govm_chain::tx_hash(&spin)))
            .unwrap(),
        None
    );
    assert_eq!(chain.account(addr(&k.alice)).unwrap().nonce, 1);
}

#[test]
fn chain_parameters_bound_transactions_and_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = genesis();
    g.params.min_gas_price = 2;
    g.params.max_tx_fuel = 150_000;
    g.params.max_block_fuel = 250_000;
    let chain = Chain::new(engine(Node::RedbNoDiskCache, dir.path()), &g).unwrap();
    let k = keys();
    let bob = addr(&k.bob);
    let priced = |nonce: u64, fuel_limit: u64, gas_price: u64| {
        UnsignedTx {
            chain_id: CHAIN.into(),
            nonce,
            fuel_limit,
            gas_price,
            body: Body::Transfer {
                to: bob.0,
                amount: 1,
            },
        }
        .sign(&k.alice)
        .encode()
    };
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    let code =
        |block: &mut govm_chain::ChainBlock<'_>, t: Vec<u8>| block.deliver_tx(&t).unwrap().code;
    assert_eq!(
        code(&mut block, priced(0, 100_000, 1)),
        Code::GasPriceTooLow
    );
    assert_eq!(code(&mut block, priced(0, 150_001, 2)), Code::BadFuelLimit);
    assert_eq!(code(&mut block, priced(0, 100, 2)), Code::BadFuelLimit);
    assert_eq!(code(&mut block, priced(0, 150_000, 2)), Code::Ok);
    // 150,000 of the block's 250,000 are taken.
    assert_eq!(code(&mut block, priced(1, 150_000, 2)), Code::BlockFull);
    assert_eq!(code(&mut block, priced(1, 100_000, 2)), Code::Ok);
    block.commit().unwrap();
    // A chain's parameters are part of its state: reopened with other ones, it refuses.
    drop(chain);
    let other = Chain::new(engine(Node::RedbNoDiskCache, dir.path()), &genesis());
    assert!(
        matches!(other, Err(govm_chain::Error::Genesis(_))),
        "{other:?}"
    );
    assert!(Chain::new(engine(Node::RedbNoDiskCache, dir.path()), &g).is_ok());
}

#[test]
fn deploys_and_transfers_pay_for_their_work_and_keep_to_chain_limits() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new(engine(Node::Memory, dir.path()), &genesis()).unwrap();
    let k = keys();
    let alice = addr(&k.alice);
    let (_, token_wasm) = built("token");
    let deploy = |nonce: u64, fuel_limit: u64, options: Vec<u8>| {
        tx(
            &k.alice,
            nonce,
            fuel_limit,
            Body::Deploy {
                source: contract("token"),
                wasm: token_wasm.clone(),
                options,
            },
        )
    };
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    // A deadline below the chain's minimum is refused before any work.
    let short = ContractOptions {
        timeout_ms: 1,
        ..chain.engine().default_options()
    };
    let r = block
        .deliver_tx(&deploy(0, 200_000_000, short.encode()))
        .unwrap();
    assert_eq!(r.code, Code::InvalidDeploy, "{}", r.log);
    // Enough for the bytes, not for package initialisation: it ran out, and paid it all.
    let probe = deploy(0, 0, Vec::new());
    let bytes = govm_chain::intrinsic_gas(probe.len())
        + govm::deploy_gas(contract("token").len(), token_wasm.len(), 0);
    let r = block
        .deliver_tx(&deploy(0, bytes + 1_000, Vec::new()))
        .unwrap();
    assert_eq!(r.code, Code::OutOfGas, "{}", r.log);
    assert_eq!(r.gas_used, bytes + 1_000);
    // A transfer whose fuel covers only the intrinsic gas.
    let t = tx(
        &k.alice,
        1,
        0,
        Body::Transfer {
            to: [5; 20],
            amount: 1,
        },
    );
    let intrinsic = govm_chain::intrinsic_gas(t.len());
    let t = tx(
        &k.alice,
        1,
        intrinsic,
        Body::Transfer {
            to: [5; 20],
            amount: 1,
        },
    );
    let r = block.deliver_tx(&t).unwrap();
    assert_eq!(r.code, Code::OutOfGas, "{}", r.log);
    block.commit().unwrap();
    assert_eq!(chain.account(alice).unwrap().nonce, 2);
    assert_eq!(chain.account(Address([5; 20])).unwrap().balance, 0);
}

/// ABCI's two steps: `FinalizeBlock` learns the app hash with nothing written, `Commit`
/// writes. A node that stops between them restarts at the previous block and computes the
/// same hash again.
#[test]
fn a_finalized_block_is_durable_only_once_committed() {
    fn finalize<'a>(chain: &'a Chain, transfer: &[u8]) -> govm_chain::FinalizedChainBlock<'a> {
        let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
        assert_eq!(block.deliver_tx(transfer).unwrap().code, Code::Ok);
        block.finalize().unwrap()
    }
    let dir = tempfile::tempdir().unwrap();
    let k = keys();
    let transfer = tx(
        &k.alice,
        0,
        100_000,
        Body::Transfer {
            to: [5; 20],
            amount: 7,
        },
    );
    let chain = Chain::new(engine(Node::RedbNoDiskCache, dir.path()), &genesis()).unwrap();
    let genesis_info = chain.info().unwrap();
    let hash = finalize(&chain, &transfer).state_hash();
    // Dropped before Commit, as in a crash: nothing was written.
    assert_eq!(chain.info().unwrap(), genesis_info);
    drop(chain);
    let chain = Chain::new(engine(Node::RedbNoDiskCache, dir.path()), &genesis()).unwrap();
    assert_eq!(chain.info().unwrap(), genesis_info);
    let finalized = finalize(&chain, &transfer);
    assert_eq!(finalized.state_hash(), hash);
    assert_eq!(finalized.commit().unwrap(), hash);
    assert_eq!(chain.info().unwrap().height, 1);
    assert_eq!(chain.info().unwrap().state_hash, hash);
}

/// The ledger's own writes (nonce, fee, stored result) never count against the body's
/// per-transaction write limit: a body that used it all still gets a result, not a node
/// failure. The genesis counts its limit per entry.
#[test]
fn the_ledgers_writes_are_not_the_bodys() {
    use govm_state::{Limits, MemoryBackend, State};
    let k = keys();
    let limits = Limits {
        max_writes_per_tx: 3,
        ..Limits::default()
    };
    let state = State::with_backend(std::sync::Arc::new(MemoryBackend::new()), limits);
    let engine = Engine::with_state(
        Config {
            cache_dir: cache_dir(),
            ..Config::default()
        },
        state,
    )
    .unwrap();
    let mut g = genesis();
    g.contracts.clear();
    let chain = Chain::new(engine, &g).unwrap();
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    // The transfer writes two balances; nonce, the proposer's balance and the result (three
    // new keys) come after: five in all, over the limit of three.
    let pay = tx(
        &k.alice,
        0,
        100_000,
        Body::Transfer {
            to: [7; 20],
            amount: 5,
        },
    );
    let result = block.deliver_tx(&pay).unwrap();
    assert_eq!(result.code, Code::Ok, "{}", result.log);
    block.commit().unwrap();
    assert_eq!(chain.account(Address([7; 20])).unwrap().balance, 5);
    assert_eq!(chain.account(addr(&k.alice)).unwrap().nonce, 1);
}

/// `check_tx` refuses what delivery refuses: a deploy whose options do not decode or break the
/// chain's parameters never reaches a block.
#[test]
fn check_tx_refuses_deploy_options_a_block_would_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new(engine(Node::Memory, dir.path()), &genesis()).unwrap();
    let k = keys();
    let (_, wasm) = built("counter");
    let deploy = |options: Vec<u8>| {
        tx(
            &k.alice,
            0,
            200_000_000,
            Body::Deploy {
                source: contract("counter"),
                wasm: wasm.clone(),
                options,
            },
        )
    };
    assert_eq!(
        chain.check_tx(&deploy(vec![1, 2, 3])).code,
        Code::InvalidDeploy
    );
    let hasty = ContractOptions {
        timeout_ms: 1,
        ..chain.engine().default_options()
    };
    let check = chain.check_tx(&deploy(hasty.encode()));
    assert_eq!(check.code, Code::InvalidDeploy, "{}", check.log);
    assert_eq!(chain.check_tx(&deploy(Vec::new())).code, Code::Ok);
}

/// `deliver_txs` checks sizes, encodings and signatures on other threads, ahead of the
/// transactions it runs in order: the results, gas and state hash are exactly those of
/// `deliver_tx` one transaction after the other, for good transactions and for every kind of
/// refusal, wherever they sit in the block.
#[test]
fn a_block_delivered_at_once_is_the_block_delivered_one_by_one() {
    let k = keys();
    let (counter_abi, _) = built("counter");
    let alice = addr(&k.alice);
    let counter = Address(govm_state_contract_address(alice, 0, &contract("counter")));
    let add = |n: u64| call(counter, &counter_abi, "Add", &[Value::U64(n)], 0);
    let mut txs = Vec::new();
    let (mut alice_nonce, mut bob_nonce) = (0, 0);
    for i in 0..70u64 {
        let bytes = match i % 10 {
            // A signature over other bytes: one byte of the signed body changed.
            3 => {
                let mut t = tx(&k.alice, alice_nonce, 5_000_000, add(i));
                let at = t.len() / 2;
                t[at] ^= 0x40;
                t
            }
            // Not a transaction at all.
            5 => vec![0x01, 0x02],
            // A nonce from the future: refused by the stateful checks.
            7 => tx(&k.bob, bob_nonce + 5, 5_000_000, add(i)),
            _ if i % 2 == 0 => {
                alice_nonce += 1;
                tx(&k.alice, alice_nonce - 1, 5_000_000, add(i))
            }
            _ => {
                bob_nonce += 1;
                tx(
                    &k.bob,
                    bob_nonce - 1,
                    100_000,
                    Body::Transfer {
                        to: alice.0,
                        amount: i,
                    },
                )
            }
        };
        txs.push(bytes);
    }
    let run = |at_once: bool| {
        let dir = tempfile::tempdir().unwrap();
        let chain = Chain::new(engine(Node::Memory, dir.path()), &genesis()).unwrap();
        let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
        let results: Vec<String> = if at_once {
            block
                .deliver_txs(&txs)
                .unwrap()
                .iter()
                .map(summary)
                .collect()
        } else {
            txs.iter()
                .map(|t| summary(&block.deliver_tx(t).unwrap()))
                .collect()
        };
        let hash = block.commit().unwrap();
        (results, hash, accounts(&chain))
    };
    let one_by_one = run(false);
    let at_once = run(true);
    assert_eq!(one_by_one, at_once);
    let codes: Vec<&str> = one_by_one
        .0
        .iter()
        .map(|s| s.split(' ').next().unwrap())
        .collect();
    for code in ["Ok", "BadSignature", "Malformed", "BadNonce"] {
        assert!(codes.contains(&code), "no {code} in {codes:?}");
    }
}

/// Signature checks keep signers' keys decompressed: a transaction naming a key it did not
/// sign with, or a signer that is no curve point, is refused every time, as `Tx::verify`
/// refuses it, and the real signer's own transaction verifies before and after its key is
/// kept.
#[test]
fn kept_signer_keys_change_no_signature_verdict() {
    let k = keys();
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new(engine(Node::Memory, dir.path()), &genesis()).unwrap();
    let signed = |key: &govm_chain::SigningKey, nonce: u64| {
        UnsignedTx {
            chain_id: CHAIN.into(),
            nonce,
            fuel_limit: 100_000,
            gas_price: 1,
            body: Body::Transfer {
                to: addr(&k.alice).0,
                amount: 1,
            },
        }
        .sign(key)
    };
    // Alice's signature under Bob's key; and under a signer that is no point.
    let mut borrowed = signed(&k.alice, 0);
    borrowed.signer = k.bob.verifying_key().to_bytes();
    // y = 2: (y² - 1) / (d·y² + 1) has no square root mod 2^255 - 19, so no point has it.
    let mut junk = signed(&k.alice, 0);
    junk.signer = [0; 32];
    junk.signer[0] = 2;
    for _ in 0..2 {
        for (tx, log) in [(&borrowed, "does not match"), (&junk, "not a public key")] {
            assert!(tx.verify().is_err());
            let check = chain.check_tx(&tx.encode());
            assert_eq!(check.code, Code::BadSignature, "{}", check.log);
            assert!(check.log.contains(log), "{}", check.log);
        }
        // Bob's own transaction still verifies, before and after his key is kept.
        let own = signed(&k.bob, 0);
        assert!(own.verify().is_ok());
        assert_eq!(chain.check_tx(&own.encode()).code, Code::Ok);
    }
}

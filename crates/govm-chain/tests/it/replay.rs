//! One scripted sequence of blocks gives the same results, gas and state hashes on every
//! kind of node, after a restart too.

use super::*;

/// Block 1: deploys, calls with and without value, a transfer, and refusals.
fn block_one(chain: &Chain) -> (Vec<String>, Address) {
    let k = keys();
    let alice = addr(&k.alice);
    let (token_abi, token_wasm) = built("token");
    let (counter_abi, _) = built("counter");
    let counter = govm::Address(govm_state_contract_address(alice, 0, "counter"));
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    let mut out = Vec::new();
    let deploy = tx(
        &k.alice,
        0,
        500_000_000,
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

/// Block 2: malformed deploys and transactions, and a call on block 1's token.
fn block_two(chain: &Chain, token: Address) -> Vec<String> {
    let k = keys();
    let alice = addr(&k.alice);
    let (token_abi, token_wasm) = built("token");
    let mut block = chain.begin_block(2, 1_700_000_010, PROPOSER).unwrap();
    let nonce = chain.account(alice).unwrap().nonce;
    // Deploys a block finds wrong: each runs (DeployFailed), so each takes the next nonce.
    let mut txs = vec![
        // Source that does not match the wasm's exports.
        tx(
            &k.alice,
            nonce,
            500_000_000,
            Body::Deploy {
                source: contract("counter"),
                wasm: token_wasm.clone(),
                options: Vec::new(),
            },
        ),
        // Bytes that are not wasm.
        tx(
            &k.alice,
            nonce + 1,
            500_000_000,
            Body::Deploy {
                source: contract("token"),
                wasm: b"\0asm junk".to_vec(),
                options: Vec::new(),
            },
        ),
        // A syntax error: refused by the validator alone (a node runs no gofmt).
        tx(
            &k.alice,
            nonce + 2,
            500_000_000,
            Body::Deploy {
                source: b"package x\nfunc F( {\n".to_vec(),
                wasm: token_wasm.clone(),
                options: Vec::new(),
            },
        ),
        // A source the validator rejects.
        tx(
            &k.alice,
            nonce + 3,
            500_000_000,
            Body::Deploy {
                source: b"package x\nimport \"os\"\nfunc F() {}\n".to_vec(),
                wasm: token_wasm.clone(),
                options: Vec::new(),
            },
        ),
        tx(
            &k.alice,
            nonce + 4,
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
        nonce + 5,
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
            "DeployFailed",
            "DeployFailed",
            "DeployFailed",
            "DeployFailed",
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

/// Block 3: the token deployed again, first short of its package initialisation's gas (the
/// module is prepared already on a node that ran block 1, not on one restarted without its
/// cache), then with enough.
fn block_three(chain: &Chain) -> Vec<String> {
    let k = keys();
    let (_, token_wasm) = built("token");
    let source = contract("token");
    let nonce = chain.account(addr(&k.alice)).unwrap().nonce;
    let body = || Body::Deploy {
        source: source.clone(),
        wasm: token_wasm.clone(),
        options: Vec::new(),
    };
    // The fuel limit is fixed-width: the length, and so the intrinsic gas, does not move.
    let len = tx(&k.alice, nonce, 0, body()).len();
    let shape = govm::module_shape(&token_wasm).unwrap();
    let before_init = govm_chain::intrinsic_gas(len)
        + govm::deploy_gas(source.len(), token_wasm.len(), 0)
        + govm::compile_gas(&shape);
    let mut block = chain.begin_block(3, 1_700_000_015, PROPOSER).unwrap();
    let mut out = Vec::new();
    for (n, init) in [(0, 1_000), (1, 10_000_000)] {
        let r = block
            .deliver_tx(&tx(&k.alice, nonce + n, before_init + init, body()))
            .unwrap();
        out.push(summary(&r));
    }
    let hash = block.commit().unwrap();
    out.push(format!("block 3 {hash}"));
    out
}

/// The whole script, and block 3, on `node`; with `stack`, on a thread of that native stack
/// size.
fn transcript(node: Node, restart: bool, stack: Option<usize>) -> Vec<String> {
    let script = move || {
        let dir = tempfile::tempdir().unwrap();
        let mut chain = Chain::new(engine(node, dir.path()), &genesis()).unwrap();
        let (mut out, token) = block_one(&chain);
        if restart {
            drop(chain);
            chain = Chain::new(engine(node, dir.path()), &genesis()).unwrap();
        }
        out.extend(block_two(&chain, token));
        out.extend(block_three(&chain));
        out.push(accounts(&chain));
        out
    };
    match stack {
        None => script(),
        Some(size) => std::thread::Builder::new()
            .stack_size(size)
            .spawn(script)
            .unwrap()
            .join()
            .unwrap(),
    }
}

/// One script, the redeploy short of its initialisation gas included, gives one transcript
/// on a node whose module cache is warm, one restarted with it wiped (and no disk cache),
/// one that allocates instances on demand (no pool), and one running on a thread with
/// another native stack size.
#[test]
fn one_script_gives_one_transcript_on_every_kind_of_node() {
    let warm = transcript(Node::Memory, false, None);
    let wiped = transcript(Node::RedbNoDiskCache, true, None);
    let on_demand = transcript(Node::OnDemand, false, None);
    let other_stack = transcript(Node::Memory, false, Some(3 << 20));
    assert_eq!(warm, wiped);
    assert_eq!(warm, on_demand);
    assert_eq!(warm, other_stack);
    let redeploys: Vec<&String> = warm.iter().rev().skip(2).take(2).collect();
    assert!(redeploys[1].starts_with("OutOfGas"), "{warm:#?}");
    assert!(
        redeploys[1].contains("package initialization failed: out of fuel"),
        "{warm:#?}"
    );
    assert!(redeploys[0].starts_with("Ok"), "{warm:#?}");
}

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
            nonce + 1,
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
            nonce + 2,
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
            nonce + 3,
            200_000_000,
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

//! Blocks: a deadline inside one stops it, a finalized block is durable only once committed,
//! and a block delivered at once is the block delivered one by one.

use super::*;

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

/// `deliver_txs` checks sizes, encodings and signatures on other threads, ahead of the
/// transactions it runs in order: the results, gas and state hash are exactly those of
/// `deliver_tx` one transaction after the other, for good transactions and for every kind of
/// refusal, wherever they sit in the block.
#[test]
fn a_block_delivered_at_once_is_the_block_delivered_one_by_one() {
    let k = keys();
    let (counter_abi, _) = built("counter");
    let alice = addr(&k.alice);
    let counter = Address(govm_state_contract_address(alice, 0, "counter"));
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

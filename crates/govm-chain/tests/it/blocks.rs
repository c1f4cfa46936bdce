//! Blocks: a deadline inside one stops it, a finalized block is durable only once committed,
//! and a block delivered at once is the block delivered one by one.

use super::*;

#[test]
fn a_deadline_inside_a_block_stops_the_block_and_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // The chain lets contracts ask for a 1 ms deadline (the default minimum is 5 s).
    // and to run 1e9 fuel in a call, far more than 1 ms of work anywhere.
    let mut g = genesis();
    g.params.min_timeout_ms = 1;
    g.params.max_call_fuel = 1_000_000_000;
    let chain = Chain::new(engine(Node::Memory, dir.path()), &g).unwrap();
    let k = keys();
    let (hostile_abi, hostile_wasm) = built("hostile");
    let options = ContractOptions {
        timeout_ms: 1,
        ..chain.params().contract_defaults()
    };
    let deploy = tx(
        &k.alice,
        0,
        500_000_000,
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

/// A proposal is checked with the block's own stateless checks: every transaction
/// `check_proposal` refuses, delivery refuses with the same code, and what it lets through
/// fails no stateless check in the block; on several threads or on one, the answers are the
/// same. A refusal names the sender only when its signature verified.
#[test]
fn a_proposal_is_checked_with_the_blocks_stateless_checks() {
    let k = keys();
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new(engine(Node::Memory, dir.path()), &genesis()).unwrap();
    let params = chain.params();
    let priced = |chain_id: &str, nonce: u64, fuel_limit: u64, gas_price: u64| {
        UnsignedTx {
            chain_id: chain_id.into(),
            nonce,
            fuel_limit,
            gas_price,
            body: Body::Transfer {
                to: [5; 20],
                amount: 1,
            },
        }
        .sign(&k.alice)
        .encode()
    };
    let mut bad_signature = priced(CHAIN, 0, 100_000, 1);
    bad_signature[10] ^= 1;
    let cases: Vec<(Vec<u8>, Option<Code>)> = vec![
        (priced(CHAIN, 0, 100_000, 1), None),
        (bad_signature, Some(Code::BadSignature)),
        (priced("other", 0, 100_000, 1), Some(Code::WrongChain)),
        (priced(CHAIN, 0, 100_000, 0), Some(Code::GasPriceTooLow)),
        (
            priced(CHAIN, 0, params.max_tx_fuel + 1, 1),
            Some(Code::BadFuelLimit),
        ),
        (priced(CHAIN, 0, 100, 1), Some(Code::BadFuelLimit)),
        (vec![1, 2, 3], Some(Code::Malformed)),
        (vec![9, 2, 3], Some(Code::UnknownVersion)),
        (
            vec![0; params.max_tx_bytes as usize + 1],
            Some(Code::TooLarge),
        ),
    ];
    let txs: Vec<&[u8]> = cases.iter().map(|(t, _)| t.as_slice()).collect();
    let checked = chain.check_proposal(&txs);
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    for ((tx, expected), check) in cases.iter().zip(&checked) {
        let delivered = block.deliver_tx(tx).unwrap();
        match (expected, check) {
            (None, Ok(p)) => {
                assert_eq!(delivered.code, Code::Ok, "{}", delivered.log);
                assert_eq!(
                    (p.sender, p.nonce, p.fuel_limit),
                    (addr(&k.alice), 0, 100_000)
                );
            }
            (Some(code), Err(refused)) => {
                assert_eq!((refused.code, delivered.code), (*code, *code));
                let verified = !matches!(
                    code,
                    Code::BadSignature | Code::Malformed | Code::UnknownVersion | Code::TooLarge
                );
                assert_eq!(refused.sender.is_some(), verified, "{code:?}");
            }
            other => panic!("{other:?}"),
        }
    }
    // Many at once (checked on several threads) give what each gives alone.
    let many: Vec<&[u8]> = txs.iter().copied().cycle().take(txs.len() * 40).collect();
    let alone: Vec<_> = many
        .iter()
        .flat_map(|t| chain.check_proposal(&[*t]))
        .collect();
    assert_eq!(chain.check_proposal(&many), alone);
}

//! The ABCI application driven in process, as CometBFT drives it, without CometBFT.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use govm::{Address, Config, Engine};
use govm_chain::{Body, Chain, Code, Genesis, UnsignedTx, address_of, signing_key};
use govm_node::{App, AppOptions, QueryCode, TX_EVENT};
use tendermint_abci::Application;
use tendermint_proto::google::protobuf::Timestamp;
use tendermint_proto::v0_38::abci::{
    RequestCheckTx, RequestFinalizeBlock, RequestInfo, RequestInitChain, RequestPrepareProposal,
    RequestProcessProposal, RequestQuery, response_process_proposal::ProposalStatus,
};

const PROPOSER: [u8; 20] = [0xfe; 20];

struct Fixture {
    app: App,
    halts: Arc<Mutex<Vec<String>>>,
    key: govm_chain::SigningKey,
}

fn fixture() -> Fixture {
    let key = signing_key(&[3; 32]);
    let alice = address_of(&key.verifying_key().to_bytes());
    let genesis = Genesis::from_json(&format!(
        r#"{{"chain_id": "abci", "time": 1700000000, "params": {{"max_block_fuel": 1000000, "max_tx_fuel": 1000000}},
            "balances": [{{"address": "{alice}", "amount": 1000000000}}]}}"#
    ))
    .unwrap();
    let chain = Chain::new(Engine::new(Config::default()).unwrap(), &genesis).unwrap();
    let halts = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&halts);
    let app = App::new(
        chain,
        AppOptions {
            halt: Arc::new(move |reason| recorded.lock().unwrap().push(reason.to_owned())),
            diverge_at: None,
        },
    );
    Fixture { app, halts, key }
}

fn transfer(f: &Fixture, nonce: u64, fuel_limit: u64) -> Vec<u8> {
    UnsignedTx {
        chain_id: "abci".into(),
        nonce,
        fuel_limit,
        gas_price: 1,
        body: Body::Transfer {
            to: [9; 20],
            amount: 5,
        },
    }
    .sign(&f.key)
    .encode()
}

fn finalize(height: i64, txs: Vec<Vec<u8>>) -> RequestFinalizeBlock {
    RequestFinalizeBlock {
        txs: txs.into_iter().map(Into::into).collect(),
        height,
        time: Some(Timestamp {
            seconds: 1_700_000_000 + height,
            nanos: 0,
        }),
        proposer_address: PROPOSER.to_vec().into(),
        ..RequestFinalizeBlock::default()
    }
}

fn query(app: &App, path: &str) -> (u32, serde_json::Value) {
    let r = app.query(RequestQuery {
        path: path.into(),
        ..RequestQuery::default()
    });
    let value = if r.value.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&r.value).unwrap()
    };
    (r.code, value)
}

#[test]
fn a_block_goes_through_the_abci_lifecycle() {
    let f = fixture();
    let info = f.app.info(RequestInfo::default());
    assert_eq!(info.last_block_height, 0);
    let init = f.app.init_chain(RequestInitChain {
        chain_id: "abci".into(),
        ..RequestInitChain::default()
    });
    assert_eq!(init.app_hash, info.last_block_app_hash);

    // The mempool admits a sender's next nonces before they are in a block.
    let txs: Vec<Vec<u8>> = (0..3).map(|n| transfer(&f, n, 100_000)).collect();
    for tx in &txs {
        let check = f.app.check_tx(RequestCheckTx {
            tx: tx.clone().into(),
            ..RequestCheckTx::default()
        });
        assert_eq!(check.code, 0, "{}", check.log);
    }
    let skipped = f.app.check_tx(RequestCheckTx {
        tx: transfer(&f, 7, 100_000).into(),
        ..RequestCheckTx::default()
    });
    assert_eq!(skipped.code, Code::BadNonce.value());

    let response = f.app.finalize_block(finalize(1, txs.clone()));
    assert_eq!(response.tx_results.len(), 3);
    assert!(response.tx_results.iter().all(|r| r.code == 0));
    let events = &response.tx_results[0].events;
    assert_eq!(events[0].r#type, TX_EVENT);
    assert!(
        events[0]
            .attributes
            .iter()
            .any(|a| a.key == "kind" && a.value == "transfer")
    );
    // Not yet committed: a query still reads height 0.
    let (_, account) = query(
        &f.app,
        &format!("/account/{}", address_of(&f.key.verifying_key().to_bytes())),
    );
    assert_eq!(account["nonce"], 0);
    f.app.commit();
    let info = f.app.info(RequestInfo::default());
    assert_eq!(info.last_block_height, 1);
    assert_eq!(info.last_block_app_hash, response.app_hash);
    let (code, account) = query(
        &f.app,
        &format!("/account/{}", address_of(&f.key.verifying_key().to_bytes())),
    );
    assert_eq!((code, account["nonce"].as_u64()), (0, Some(3)));
    let (code, fees) = query(&f.app, &format!("/account/{}", Address(PROPOSER)));
    assert_eq!(code, 0);
    assert!(
        fees["balance"].as_u64().unwrap() > 0,
        "the proposer is paid"
    );
    let hash = govm::Hash(govm_chain::tx_hash(&txs[0]));
    let (code, record) = query(&f.app, &format!("/tx/{hash}"));
    assert_eq!((code, record["height"].as_u64()), (0, Some(1)));
    assert!(f.halts.lock().unwrap().is_empty());
}

fn paying(f: &Fixture, nonce: u64, amount: u64) -> Vec<u8> {
    UnsignedTx {
        chain_id: "abci".into(),
        nonce,
        fuel_limit: 100_000,
        gas_price: 1,
        body: Body::Transfer {
            to: [9; 20],
            amount,
        },
    }
    .sign(&f.key)
    .encode()
}

fn check(f: &Fixture, tx: &[u8], recheck: bool) -> u32 {
    let r = f.app.check_tx(RequestCheckTx {
        tx: tx.to_vec().into(),
        r#type: i32::from(recheck),
    });
    r.code
}

/// CheckTx counts what the sender's transactions in the mempool may spend (fees at their
/// fuel limits, amounts) against its committed balance; after a commit, CometBFT's recheck
/// of what is left in the mempool counts it again against the new balance.
#[test]
fn check_tx_counts_the_mempools_pending_spend() {
    let f = fixture();
    // Alice has 1,000,000,000; each transaction's fee is 100,000.
    let big = paying(&f, 0, 600_000_000);
    assert_eq!(check(&f, &big, false), 0);
    // The committed balance pays it, not beside the pending one.
    let also_big = paying(&f, 1, 600_000_000);
    assert_eq!(check(&f, &also_big, false), Code::CannotPayFee.value());
    let smaller = paying(&f, 1, 300_000_000);
    assert_eq!(check(&f, &smaller, false), 0);
    f.app.finalize_block(finalize(1, vec![big]));
    f.app.commit();
    // The recheck: 399,900,000 left, and the smaller one pending again.
    assert_eq!(check(&f, &smaller, true), 0);
    let next = paying(&f, 2, 100_000_000);
    assert_eq!(check(&f, &next, false), Code::CannotPayFee.value());
    let fits = paying(&f, 2, 99_700_000);
    assert_eq!(check(&f, &fits, false), 0);
    assert!(f.halts.lock().unwrap().is_empty());
}

fn signed(seed: u8, chain_id: &str, nonce: u64, fuel_limit: u64, gas_price: u64) -> Vec<u8> {
    UnsignedTx {
        chain_id: chain_id.into(),
        nonce,
        fuel_limit,
        gas_price,
        body: Body::Transfer {
            to: [9; 20],
            amount: 5,
        },
    }
    .sign(&signing_key(&[seed; 32]))
    .encode()
}

fn bad_signature(mut tx: Vec<u8>) -> Vec<u8> {
    let last = tx.len() - 1;
    tx[last] ^= 1;
    tx
}

fn prepare(f: &Fixture, txs: &[Vec<u8>], max_tx_bytes: i64) -> Vec<Vec<u8>> {
    f.app
        .prepare_proposal(RequestPrepareProposal {
            max_tx_bytes,
            txs: txs.iter().cloned().map(Into::into).collect(),
            ..RequestPrepareProposal::default()
        })
        .txs
        .into_iter()
        .map(|t| t.to_vec())
        .collect()
}

fn process(f: &Fixture, txs: &[Vec<u8>]) -> i32 {
    f.app
        .process_proposal(RequestProcessProposal {
            txs: txs.iter().cloned().map(Into::into).collect(),
            ..RequestProcessProposal::default()
        })
        .status
}

/// PrepareProposal leaves out what does not fit or fails a stateless check and goes on: a
/// sender whose transaction was left out has its later ones left out too (their nonces would
/// be wrong), other senders' later transactions still go in. A transaction whose signature
/// fails names no sender, and leaves its claimed sender's others be.
#[test]
fn a_proposal_skips_what_does_not_fit_and_keeps_each_senders_order() {
    let f = fixture();
    // max_block_fuel is 1,000,000. Alice is seed 3, Bob 4, Carol 5.
    let txs = vec![
        signed(3, "abci", 0, 400_000, 1),                // 0: in, 400,000
        signed(4, "abci", 0, 300_000, 1),                // 1: in, 700,000
        signed(3, "abci", 1, 400_000, 1),                // 2: does not fit: Alice stops
        signed(3, "abci", 2, 100_000, 1),                // 3: would fit, but after 2
        b"garbage".to_vec(),                             // 4: out
        bad_signature(signed(4, "abci", 1, 100_000, 1)), // 5: out, Bob goes on
        signed(5, "other", 0, 50_000, 1),                // 6: another chain: Carol stops
        signed(5, "abci", 1, 50_000, 1),                 // 7: after 6
        signed(4, "abci", 1, 200_000, 1),                // 8: in, 900,000
        signed(4, "abci", 2, 50_000, 0),                 // 9: gas price 0: Bob stops
        signed(4, "abci", 3, 50_000, 1),                 // 10: after 9
        signed(6, "abci", 0, 100_000, 1),                // 11: in, 1,000,000
    ];
    let kept = prepare(&f, &txs, 1 << 20);
    let expected: Vec<Vec<u8>> = [0, 1, 8, 11].iter().map(|&i| txs[i].clone()).collect();
    assert_eq!(kept, expected);
    assert_eq!(process(&f, &kept), ProposalStatus::Accept as i32);
    // The block's bytes bound it the same way: room for two transfers only.
    let two = i64::try_from(txs[0].len() * 2).unwrap();
    let kept = prepare(&f, &txs, two);
    assert_eq!(kept, vec![txs[0].clone(), txs[1].clone()]);
}

/// ProcessProposal rejects a proposal holding any transaction that a block would refuse
/// without reading state (size, encoding, signature, chain id, gas price, fuel limit), or
/// whose transactions ask for more than `max_block_fuel` together; it accepts a good one.
#[test]
fn a_proposal_with_a_transaction_no_block_may_hold_is_rejected() {
    let f = fixture();
    let (accept, reject) = (ProposalStatus::Accept as i32, ProposalStatus::Reject as i32);
    let good = vec![
        signed(3, "abci", 0, 400_000, 1),
        signed(4, "abci", 0, 300_000, 1),
    ];
    assert_eq!(process(&f, &good), accept);
    assert_eq!(process(&f, &[]), accept);
    let intrinsic = govm_chain::intrinsic_gas(good[0].len());
    for (why, bad) in [
        (
            "bad signature",
            bad_signature(signed(5, "abci", 0, 100_000, 1)),
        ),
        ("wrong chain id", signed(5, "other", 0, 100_000, 1)),
        ("fuel over max_tx_fuel", signed(5, "abci", 0, 1_000_001, 1)),
        (
            "fuel below intrinsic",
            signed(5, "abci", 0, intrinsic - 1, 1),
        ),
        ("gas price below minimum", signed(5, "abci", 0, 100_000, 0)),
        ("garbage", b"garbage".to_vec()),
        ("over max_tx_bytes", vec![1; 8 * 1024 * 1024 + 1]),
    ] {
        let mut txs = good.clone();
        txs.insert(1, bad);
        assert_eq!(process(&f, &txs), reject, "{why}");
    }
    // 1,000,000 of fuel is the block's: 100,001 more is over it.
    let mut over = good.clone();
    over.push(signed(5, "abci", 0, 300_001, 1));
    assert_eq!(process(&f, &over), reject);
    // A proposal large enough to be checked on several threads: one bad signature anywhere
    // rejects it.
    let many: Vec<Vec<u8>> = (0..80).map(|n| signed(7, "abci", n, 12_000, 1)).collect();
    assert_eq!(process(&f, &many), accept);
    for at in [0, 40, 79] {
        let mut bad = many.clone();
        bad[at] = bad_signature(bad[at].clone());
        assert_eq!(process(&f, &bad), reject, "at {at}");
    }
}

#[test]
fn a_block_at_the_wrong_height_halts_the_node() {
    let f = fixture();
    f.app.finalize_block(finalize(5, Vec::new()));
    let halts = f.halts.lock().unwrap();
    assert_eq!(halts.len(), 1);
    assert!(halts[0].contains("height"), "{}", halts[0]);
}

#[test]
fn queries_answer_with_codes() {
    let f = fixture();
    assert_eq!(query(&f.app, "/nope").0, QueryCode::BadRequest as u32);
    assert_eq!(
        query(&f.app, "/account/xyz").0,
        QueryCode::BadRequest as u32
    );
    let missing = format!("/tx/0x{}", "00".repeat(32));
    assert_eq!(query(&f.app, &missing).0, QueryCode::NotFound as u32);
    let unknown = format!("/call/{}/Get", Address([4; 20]));
    assert_eq!(query(&f.app, &unknown).0, QueryCode::NotFound as u32);
    let (code, info) = query(&f.app, "/info");
    assert_eq!((code, info["chain_id"].as_str()), (0, Some("abci")));
    assert_eq!(info["params"]["max_block_fuel"], 1_000_000);
    // This node's own figures (Runtime::stats), beside the consensus ones.
    for counter in [
        "compiles",
        "hits_memory_cache",
        "hits_disk_cache",
        "instances",
    ] {
        assert!(info["runtime"][counter].is_u64(), "{counter}: {info}");
    }
}

#[test]
fn a_block_finalized_again_before_commit_replaces_the_first() {
    // CometBFT restarted between FinalizeBlock and Commit replays the block.
    let f = fixture();
    let first = f
        .app
        .finalize_block(finalize(1, vec![transfer(&f, 0, 100_000)]));
    let again = f
        .app
        .finalize_block(finalize(1, vec![transfer(&f, 0, 100_000)]));
    assert_eq!(first.app_hash, again.app_hash);
    f.app.commit();
    assert_eq!(f.app.info(RequestInfo::default()).last_block_height, 1);
    assert!(
        f.halts.lock().unwrap().is_empty(),
        "{:?}",
        f.halts.lock().unwrap()
    );
}

/// `/events` and `/objects` answer by page: a `limit` within 1..=1000 (100 when none is
/// given) and an `after` of the right kind, else a bad request.
#[test]
fn listings_are_read_by_bounded_pages() {
    let f = fixture();
    let with_data = |path: &str, data: &str| {
        let r = f.app.query(RequestQuery {
            path: path.into(),
            data: data.as_bytes().to_vec().into(),
            ..RequestQuery::default()
        });
        (r.code, r.log)
    };
    assert_eq!(query(&f.app, "/events"), (0, serde_json::json!([])));
    assert_eq!(with_data("/events", r#"{"limit": 5, "after": 7}"#).0, 0);
    for (path, data, says) in [
        ("/events", r#"{"limit": 0}"#, "limit 0"),
        ("/events", r#"{"limit": 1001}"#, "limit 1001"),
        ("/events", r#"{"after": "x"}"#, "after"),
        ("/events", r#"{"page": 2}"#, "unknown field"),
        (
            "/objects/0x0101010101010101010101010101010101010101",
            r#"{"after": "0x01"}"#,
            "cursor",
        ),
    ] {
        let (code, log) = with_data(path, data);
        assert_eq!(code, QueryCode::BadRequest as u32, "{path} {data}: {log}");
        assert!(log.contains(says), "{path} {data}: {log}");
    }
}

//! The attack suite (issue 25): one network of four validators, under an honest load of
//! transfers, attacked from its own funded key per attack: worst-case execution kernels at the
//! most fuel a call may run, 1 MiB results and errors, event floods, a deploy whose package
//! initialisation cannot be paid, modules at and past the structural limits, deploys that
//! fail after the module check, blocks stuffed with fuel limits, a result budget flood,
//! garbage, forged and foreign transactions at CometBFT's RPC, and a validator that proposes
//! invalid transactions (its test-only switch, `Localnet::propose_invalid`). The chain must
//! commit at every height with one app hash on all four validators, no invalid transaction
//! may enter a block, the load must keep committing, and every attacker must pay for what it
//! made the validators do (docs/node.md, "Testing: the attack suite").

mod attacker;
mod modules;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use govm::Address;
use govm_chain::{
    Body, ChainParams, Code, MAX_BLOCK_RESULT_BYTES, SigningKey, Tx, UnsignedTx, call_body,
    transfer_body, tx_hash,
};
use govm_node::localnet::Localnet;
use govm_node::rpc::Included;

use crate::testnet::{MINUTE, NETWORK, Net, agree, committed, height, key, load, network_with};
use crate::{Home, contract};

use self::attacker::Attacker;

/// Where the attackers' transfers go (nobody's key).
const SINK: Address = Address([0x5a; 20]);
/// The validator whose proposals carry invalid transactions.
const DISHONEST: usize = 3;

fn deploy(source: &[u8], wasm: Vec<u8>) -> Body {
    Body::Deploy {
        source: source.to_vec(),
        wasm,
        options: Vec::new(),
    }
}

fn call(contract: Address, function: &str, args: Vec<u8>) -> Body {
    call_body(contract, function, args, 0)
}

/// SCALE `u64`s.
fn u64s(values: &[u64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A SCALE string or byte slice: its compact length, then its bytes.
fn scale_bytes(bytes: &[u8]) -> Vec<u8> {
    let len = u32::try_from(bytes.len()).unwrap();
    assert!(len < 1 << 30);
    let mut out = match len {
        0..64 => vec![(len << 2) as u8],
        64..16_384 => ((len << 2) as u16 | 1).to_le_bytes().to_vec(),
        _ => ((len << 2) | 2).to_le_bytes().to_vec(),
    };
    out.extend_from_slice(bytes);
    out
}

/// The largest `n` in 1..=1024 for which a read-only run of `function` with the `u64`
/// arguments `args(n)` succeeds: the most the contract's fuel limit pays for.
fn most(net: &Localnet, contract: Address, function: &str, args: &dyn Fn(u64) -> Vec<u64>) -> u64 {
    let client = net.client(0);
    let ok = |n: u64| {
        let data = serde_json::json!({ "args": args(n) }).to_string();
        let answer = client
            .query(&format!("/call/{contract}/{function}"), data.as_bytes())
            .unwrap();
        let out_of_gas = govm_node::QueryCode::OutOfGas as u32;
        assert!(
            answer.code == 0 || answer.code == out_of_gas,
            "{function}({n}): {} {}",
            answer.code,
            answer.log
        );
        answer.code == 0
    };
    assert!(ok(1), "{function}(1) fails");
    let (mut low, mut high) = (1u64, 1_024);
    while low < high {
        let mid = (low + high).div_ceil(2);
        if ok(mid) {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    low
}

/// A deploy's contract address: its result's data.
fn deployed(included: &Included) -> Address {
    Address(included.data.as_slice().try_into().unwrap())
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in text.bytes().filter(|&c| c != b'=') {
        acc = (acc << 6 | value(c)) & 0xffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// Every transaction in blocks 1..=`to` (validator 0's) passes the checks a block makes
/// without state, and none is one of `invalid`; returns how many there are.
fn no_invalid_transaction_in_blocks(
    net: &Localnet,
    to: u64,
    chain_id: &str,
    invalid: &BTreeSet<[u8; 32]>,
) -> usize {
    let client = net.client(0);
    let params = ChainParams::default();
    let mut count = 0;
    for h in 1..=to {
        let block = client
            .call("block", serde_json::json!({ "height": h.to_string() }))
            .unwrap();
        let txs = block["block"]["data"]["txs"].as_array().cloned();
        for tx in txs.into_iter().flatten() {
            let bytes = base64(tx.as_str().unwrap());
            assert!(
                !invalid.contains(&tx_hash(&bytes)),
                "a transaction CheckTx refused is in block {h}"
            );
            let decoded = Tx::decode(&bytes).unwrap_or_else(|e| {
                panic!("block {h} holds a transaction that does not decode: {e:?}")
            });
            decoded
                .verify()
                .unwrap_or_else(|e| panic!("block {h} holds a forged transaction: {e:?}"));
            let unsigned = &decoded.unsigned;
            assert_eq!(unsigned.chain_id, chain_id, "block {h}");
            assert!(
                unsigned.gas_price >= params.min_gas_price
                    && unsigned.fuel_limit <= params.max_tx_fuel
                    && bytes.len() as u64 <= params.max_tx_bytes,
                "block {h} holds a transaction a block refuses"
            );
            count += 1;
        }
    }
    count
}

/// `govm build` of a test contract: its source and module.
fn build(home: &Home, name: &str) -> (Vec<u8>, Vec<u8>) {
    let source = contract(name);
    let out = home.path().join(format!("{name}.wasm"));
    let (code, stdout, stderr) = home.run(&["build", &source, "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    (std::fs::read(source).unwrap(), std::fs::read(out).unwrap())
}

fn testdata(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/attack")
        .join(name);
    std::fs::read(path).unwrap()
}

/// Every validator's processes are running: none halted or crashed.
fn all_running(net: &mut Localnet, when: &str) {
    for i in 0..net.len() {
        assert!(net.is_running(i), "validator {i} exited {when}");
    }
}

#[test]
fn four_validators_under_load_withstand_attacks_and_make_attackers_pay() {
    let _one = NETWORK.lock().unwrap_or_else(|e| e.into_inner());
    let home = Home::new();
    let (hostile_source, hostile_wasm) = build(&home, "hostile");
    let params = ChainParams::default();

    let load_keys: Vec<SigningKey> = (0..3).map(key).collect();
    let seeds = 20..32u8;
    let mut funded = load_keys.clone();
    funded.extend(seeds.clone().map(key));
    let Net { mut net, _dir } = network_with(4, &funded, |n| n.propose_invalid(DISHONEST));
    let chain_id = net.status(0).unwrap().chain_id;
    let honest = load(&net, &load_keys, None);
    net.wait_for_height(0, 3, MINUTE).unwrap();
    let started_at = height(&net, 0);
    let mut phases = vec![started_at];

    let mut names = seeds.clone().zip([
        "deployer", "kernels", "results", "errors", "events", "redeploy", "limits", "refused",
        "stuffing", "junk", "budget", "spare",
    ]);
    let mut attacker = |node: usize| {
        let (seed, name) = names.next().unwrap();
        Attacker::new(name, seed, node, &chain_id)
    };
    let mut deployer = attacker(0);
    let mut kernels = attacker(1);
    let mut results = attacker(2);
    let mut errors = attacker(0);
    let mut events = attacker(1);
    let mut redeploy = attacker(2);
    let mut limits = attacker(0);
    let mut refused = attacker(1);
    let mut stuffing = attacker(2);
    let mut junk = attacker(0);
    let mut budget = attacker(1);

    // Phase 1: what needs no contract.
    let big = params.max_tx_fuel;
    deployer.send(
        &net,
        "deploy kernels",
        deploy(&testdata("kernels.go"), modules::kernels()),
        big,
        &[Code::Ok],
    );
    deployer.send(
        &net,
        "deploy hostile",
        deploy(&hostile_source, hostile_wasm.clone()),
        big,
        &[Code::Ok],
    );
    // Modules one past a structural limit: refused for free, before anything compiles.
    let run = testdata("run.go");
    for (limit, wasm) in modules::limits(false) {
        let log = limits.refused_deploy(
            &net,
            &format!("a module past {limit}"),
            deploy(&run, wasm),
            Code::InvalidModule,
        );
        assert!(log.contains("over the limit"), "{limit}: {log}");
    }
    // Modules at the limits: they compile, run and pay.
    for (limit, wasm) in modules::limits(true) {
        limits.send(
            &net,
            &format!("a module at {limit}"),
            deploy(&run, wasm),
            big,
            &[Code::Ok],
        );
    }
    // A module that does not match its source: refused for free, again and again. A module
    // that traps in its package initialisation passes CheckTx: each block that holds it
    // compiles it, runs it, and charges it.
    for i in 0..3 {
        refused.refused_deploy(
            &net,
            &format!("a deploy with an extra export ({i})"),
            deploy(&run, modules::extra_export()),
            Code::InvalidModule,
        );
    }
    for i in 0..3 {
        refused.send(
            &net,
            &format!("a deploy that traps in _initialize ({i})"),
            deploy(&run, modules::trapping_init()),
            50_000_000,
            &[Code::InitFailed],
        );
    }
    // Blocks stuffed with fuel limits: each transfer declares the most a transaction may.
    for i in 0..10 {
        stuffing.send(
            &net,
            &format!("a transfer declaring max_tx_fuel ({i})"),
            transfer_body(SINK, 1),
            big,
            &[Code::Ok],
        );
    }
    // Garbage, a forged signature and another chain's transaction, at CometBFT's RPC.
    junk.refused(&net, "garbage", b"\x01garbage".to_vec(), Code::Malformed);
    junk.refused(&net, "another version", vec![7; 200], Code::UnknownVersion);
    let transfer = |chain_id: &str| UnsignedTx {
        chain_id: chain_id.into(),
        nonce: 0,
        fuel_limit: 100_000,
        gas_price: 1,
        body: transfer_body(SINK, 1),
    };
    let mut forged = transfer(&chain_id).sign(&junk.key);
    forged.signature[5] ^= 0x40;
    junk.refused(
        &net,
        "a forged signature",
        forged.encode(),
        Code::BadSignature,
    );
    let mut tampered = transfer(&chain_id).sign(&junk.key);
    tampered.unsigned.fuel_limit += 1;
    junk.refused(
        &net,
        "a tampered transaction",
        tampered.encode(),
        Code::BadSignature,
    );
    let foreign = transfer("another-chain").sign(&junk.key).encode();
    junk.refused(
        &net,
        "another chain's transaction",
        foreign,
        Code::WrongChain,
    );
    for a in [&mut deployer, &mut limits, &mut refused, &mut stuffing] {
        a.wait(&net);
    }
    all_running(&mut net, "in phase 1");
    phases.push(height(&net, 0));

    // Phase 2: the contracts deployed, attacked.
    let kernel_contract = deployed(deployer.included("deploy kernels"));
    let hostile = deployed(deployer.included("deploy hostile"));
    // Each kernel at the most fuel a call may run (the contract's fuel limit, the chain's
    // max_call_fuel), from a transaction declaring the most a transaction may.
    for kernel in ["Grow", "Fill", "Chase"] {
        kernels.send(
            &net,
            kernel,
            call(kernel_contract, kernel, Vec::new()),
            big,
            &[Code::OutOfGas],
        );
    }
    let mib = 1u64 << 20;
    for i in 0..2 {
        results.send(
            &net,
            &format!("a result of 1 MiB ({i})"),
            call(hostile, "Huge", u64s(&[mib - 16])),
            100_000_000,
            &[Code::Ok],
        );
    }
    results.send(
        &net,
        "a result past 1 MiB",
        call(hostile, "Huge", u64s(&[mib])),
        100_000_000,
        &[Code::ResourceLimit],
    );
    let message = "e".repeat(mib as usize - 64);
    for i in 0..2 {
        errors.send(
            &net,
            &format!("an error of 1 MiB ({i})"),
            call(hostile, "Panic", scale_bytes(message.as_bytes())),
            100_000_000,
            &[Code::CallFailed],
        );
    }
    // Event floods: the most events a call's fuel pays for (found by read-only runs, which
    // run as a block does under the contract's fuel limit), then one more; 1,024 (the store's
    // limit, which the fuel limit now keeps out of reach).
    let spam = most(&net, hostile, "Spam", &|n| vec![n]);
    let shout = most(&net, hostile, "Shout", &|n| vec![n, 16 << 10]);
    let floods: [(String, &str, Vec<u64>, &'static [Code]); 5] = [
        (format!("{spam} events"), "Spam", vec![spam], &[Code::Ok]),
        (
            format!("{} events", spam + 1),
            "Spam",
            vec![spam + 1],
            &[Code::OutOfGas],
        ),
        ("1024 events".into(), "Spam", vec![1_024], &[Code::OutOfGas]),
        (
            format!("{shout} events of 16 KiB"),
            "Shout",
            vec![shout, 16 << 10],
            &[Code::Ok],
        ),
        (
            format!("{} events of 16 KiB", shout + 1),
            "Shout",
            vec![shout + 1, 16 << 10],
            &[Code::OutOfGas],
        ),
    ];
    for (what, function, args, expect) in floods {
        events.send(
            &net,
            &what,
            call(hostile, function, u64s(&args)),
            100_000_000,
            expect,
        );
    }
    // The deployed source again, with less fuel than its package initialisation takes.
    let deploy_gas = deployer.included("deploy hostile").gas_used;
    redeploy.send(
        &net,
        "a redeploy short of its package initialisation",
        deploy(&hostile_source, hostile_wasm),
        deploy_gas - 1_000_000,
        &[Code::OutOfGas],
    );
    for a in [
        &mut kernels,
        &mut results,
        &mut errors,
        &mut events,
        &mut redeploy,
    ] {
        a.wait(&net);
    }
    for kernel in ["Grow", "Fill", "Chase"] {
        let gas = kernels.included(kernel).gas_used;
        assert!(
            gas >= params.max_call_fuel,
            "{kernel} ran {gas} gas, less than max_call_fuel"
        );
    }
    for i in 0..2 {
        let log = &errors.included(&format!("an error of 1 MiB ({i})")).log;
        assert!(log.len() as u64 >= mib - 64, "a {} byte error", log.len());
    }
    all_running(&mut net, "in phase 2");
    phases.push(height(&net, 0));

    // Phase 3: more results of 1 MiB than a block's result budget holds.
    for i in 0..20 {
        budget.send(
            &net,
            &format!("a result of 1 MiB against the block's budget ({i})"),
            call(hostile, "Huge", u64s(&[mib - 16])),
            100_000_000,
            &[Code::Ok, Code::ResourceLimit],
        );
    }
    budget.wait(&net);
    let mut per_block: BTreeMap<u64, u64> = BTreeMap::new();
    for s in &budget.sent {
        let included = s.included.as_ref().unwrap();
        if included.code == Code::Ok.value() {
            *per_block.entry(included.height).or_default() += included.data.len() as u64;
        }
    }
    assert!(
        per_block.values().all(|&b| b <= MAX_BLOCK_RESULT_BYTES),
        "{per_block:?}"
    );
    all_running(&mut net, "in phase 3");
    phases.push(height(&net, 0));

    // The load stops; every transaction it had admitted commits.
    let report = honest.stop();
    let last = height(&net, 0);
    net.wait_for_height(0, last + 3, MINUTE).unwrap();
    let seen = committed(&net, &report);
    assert_eq!(
        seen.len(),
        report.admitted.len(),
        "honest transactions admitted but never committed"
    );
    for w in phases.windows(2) {
        assert!(
            seen.values().any(|&h| h > w[0] && h <= w[1]),
            "no honest transaction committed in heights {}..={}",
            w[0] + 1,
            w[1]
        );
    }

    // One app hash per height on all four, no invalid transaction in any block, every
    // attacker paid; the dishonest proposer proposed invalid blocks and the others refused
    // them.
    let end = height(&net, 0);
    agree(&net, &[0, 1, 2, 3], end);
    all_running(&mut net, "at the end");
    let attackers = [
        &deployer, &kernels, &results, &errors, &events, &redeploy, &limits, &refused, &stuffing,
        &junk, &budget,
    ];
    let invalid: BTreeSet<[u8; 32]> = attackers.iter().flat_map(|a| a.refused.clone()).collect();
    let txs = no_invalid_transaction_in_blocks(&net, end, &chain_id, &invalid);
    for a in attackers {
        a.paid(&net);
    }
    let log = |i: usize| std::fs::read_to_string(net.home(i).root().join("app.log")).unwrap();
    let proposed = log(DISHONEST)
        .matches("proposing 2 invalid transactions")
        .count();
    assert!(
        proposed > 0,
        "validator {DISHONEST} proposed no invalid block"
    );
    for i in (0..4).filter(|&i| i != DISHONEST) {
        assert!(
            log(i).contains("refusing the proposal at height"),
            "validator {i} refused no proposal"
        );
    }
    eprintln!(
        "attack suite: heights {started_at}..={end} (phases end at {phases:?}), {txs} \
         transactions in blocks, {} honest ones, {proposed} invalid proposals",
        seen.len()
    );
    net.stop_all();
}

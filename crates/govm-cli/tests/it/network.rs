//! Networks of validators on 127.0.0.1: each a CometBFT process and a `govm node start`
//! process (govm_node::localnet). Every test bounds its waits and stops every process it
//! started (the Localnet's Drop kills them, on failure too). They run one at a time.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use govm::Address;
use govm_chain::{Body, SigningKey, UnsignedTx};
use govm_node::localnet::Localnet;

use crate::testnet::{
    MINUTE, NETWORK, Net, addr, agree, committed, height, key, load, network, nonce,
};
use crate::{Home, contract};

/// A key the CLI sends the same transfer from, again and again, through two homes: one that
/// records what it sent, one that never sent from it (so only the node's answers guide it).
/// Every run must send a new transaction that commits, or exit non-zero saying why.
struct Lagging {
    homes: [Home; 2],
    key: SigningKey,
    /// The nonce before the first transfer.
    start: u64,
    /// Each reported success: its transaction, nonce and block.
    sent: Vec<(String, u64, u64)>,
    /// Each refusal's message, by node.
    refused: Vec<(usize, String)>,
    started: Instant,
}

const LAG_TO: &str = "0x1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a";

impl Lagging {
    fn new(net: &Localnet, key: &SigningKey) -> Self {
        let homes = [Home::new(), Home::new()];
        let seed = format!("0x{}", hex::encode(key.to_bytes()));
        for home in &homes {
            let (code, _, err) = home.run(&["keys", "add", "lagging", "--seed", &seed]);
            assert_eq!(code, 0, "{err}");
        }
        Self {
            homes,
            key: key.clone(),
            start: nonce(net, addr(key)),
            sent: Vec::new(),
            refused: Vec::new(),
            started: Instant::now(),
        }
    }

    /// `transfer` from home `h` through `url`: the transaction, or the refusal's message.
    fn send(&mut self, h: usize, url: &str) -> Result<String, String> {
        let (code, out, err) = self.homes[h].run(&[
            "--node",
            url,
            "--from",
            "lagging",
            "--json",
            "--wait-ms",
            "30000",
            "transfer",
            LAG_TO,
            "5",
        ]);
        if code == 0 {
            let sent: serde_json::Value = serde_json::from_str(&out).unwrap();
            let tx = sent["tx"].as_str().unwrap().to_owned();
            let (nonce, height) = (sent["nonce"].as_u64(), sent["height"].as_u64());
            self.sent
                .push((tx.clone(), nonce.unwrap(), height.unwrap()));
            return Ok(tx);
        }
        let error: serde_json::Value = serde_json::from_str(&out)
            .unwrap_or_else(|_| panic!("exit {code} without a JSON error: {out}{err}"));
        let message = error["error"].as_str().unwrap_or_default().to_owned();
        assert!(!message.is_empty(), "exit {code} says nothing: {out}{err}");
        Err(message)
    }

    /// Validator `i`, restarted cut off from its peers, stays behind, syncing: the CLI refuses
    /// to sign through it, from either home, and says why.
    fn refused_while_isolated(&mut self, net: &mut Localnet, i: usize) {
        net.start_isolated(i).unwrap();
        answers(net, i);
        let url = net.rpc_url(i);
        for h in 0..2 {
            let message = self
                .send(h, &url)
                .expect_err("signed through a node that lags");
            assert!(
                message.contains("catching up") && message.contains("nothing was sent"),
                "{message}"
            );
            self.refused.push((i, message));
        }
        net.kill(i);
    }

    /// Sends through validator `i`, restarted, from both homes in turn, while it catches up
    /// and until each home has sent through it once it is in step.
    fn send_while_catching_up(&mut self, net: &Localnet, i: usize) {
        answers(net, i);
        let url = net.rpc_url(i);
        let started = Instant::now();
        let mut after = [false; 2];
        while after != [true; 2] {
            assert!(
                started.elapsed() < MINUTE,
                "validator {i} did not catch up: {:?}",
                self.refusals()
            );
            let in_step = net.status(i).is_some_and(|s| {
                !s.catching_up && s.height + 1 >= net.status(0).map_or(0, |s| s.height)
            });
            for (h, sent_in_step) in after.iter_mut().enumerate() {
                match self.send(h, &url) {
                    Ok(_) => *sent_in_step |= in_step,
                    Err(message) => self.refused.push((i, message)),
                }
            }
        }
    }

    /// The sender's nonce moved once per reported success, and never twice to one nonce.
    fn nonce_moved_once_per_success(&self, net: &Localnet) {
        // Validator 0's state holds every block a success was seen in (its status may be a
        // block ahead of its state).
        let last = self.sent.iter().map(|s| s.2).max().unwrap_or(0);
        net.wait_for_height(0, last + 1, MINUTE).unwrap();
        let now = nonce(net, addr(&self.key));
        let mut nonces: Vec<u64> = self.sent.iter().map(|s| s.1).collect();
        nonces.sort_unstable();
        nonces.dedup();
        assert_eq!(nonces.len(), self.sent.len(), "two successes at one nonce");
        assert_eq!(
            now - self.start,
            self.sent.len() as u64,
            "the nonce moved {} times for {} reported successes ({:?}); refused: {:?}",
            now - self.start,
            self.sent.len(),
            self.sent,
            self.refusals()
        );
        eprintln!(
            "lagging validator, {:?}: {} transfers sent; refused: {:?}",
            self.started.elapsed(),
            self.sent.len(),
            self.refusals()
        );
    }
}

impl Lagging {
    /// Each distinct refusal (its message up to the first colon after the node's address)
    /// and how often it came.
    fn refusals(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for (i, message) in &self.refused {
            let why = message.split(": ").take(2).collect::<Vec<_>>().join(": ");
            *counts.entry(format!("validator {i}: {why}")).or_default() += 1;
        }
        counts
    }
}

/// Waits until validator `i`'s RPC answers.
fn answers(net: &Localnet, i: usize) {
    let started = Instant::now();
    while net.status(i).is_none() {
        assert!(
            started.elapsed() < MINUTE,
            "validator {i}'s RPC does not answer"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A token deployed with the CLI (`--node`, `--from`), and initialised by the deployer.
fn deploy_token(net: &Localnet, home: &Home, seed: u8) -> Address {
    let url = net.rpc_url(0);
    let seed_hex = format!("0x{}", hex::encode([seed + 1; 32]));
    let (code, _, err) = home.run(&["keys", "add", "deployer", "--seed", &seed_hex]);
    assert!(code == 0 || err.contains("exists already"), "{err}");
    let node = ["--node", url.as_str(), "--from", "deployer"];
    let (code, out, err) =
        home.run(&[&node[..], &["--json", "deploy", &contract("token")]].concat());
    assert_eq!(code, 0, "{out}{err}");
    let deployed: serde_json::Value = serde_json::from_str(&out).unwrap();
    // Its fuel limit is its deploy gas, measured here, and one (package initialisation must
    // be given more than it uses); it pays that.
    assert_eq!(
        deployed["fuel_limit"].as_u64(),
        deployed["gas_used"].as_u64().map(|g| g + 1),
        "{deployed}"
    );
    assert_eq!(
        deployed["fee"].as_u64(),
        Some(deployed["fuel_limit"].as_u64().unwrap() * deployed["gas_price"].as_u64().unwrap())
    );
    let token = deployed["address"].as_str().unwrap().to_owned();
    let (code, out, err) =
        home.run(&[&node[..], &["call", &token, "Initialize", "1000000000"]].concat());
    assert_eq!(code, 0, "{out}{err}");
    Address::from_hex(&token).unwrap()
}

#[test]
fn four_validators_agree_under_load_through_crashes_and_pauses() {
    let _one = NETWORK.lock().unwrap_or_else(|e| e.into_inner());
    let keys: Vec<SigningKey> = (0..4).map(key).collect();
    // The key the CLI sends from through a lagging validator, apart from the load's.
    let lagging_key = key(4);
    let Net { mut net, _dir } =
        network(4, &[&keys[..], std::slice::from_ref(&lagging_key)].concat());
    let home = Home::new();

    // Load, a deploy in the middle, more load with calls: 50 heights, one app hash each.
    let first = load(&net, &keys[1..], None);
    net.wait_for_height(0, 5, MINUTE).unwrap();
    let token = deploy_token(&net, &home, 0);
    let report = first.stop();
    let calls = load(&net, &keys[..1], Some(token));
    let transfers = load(&net, &keys[1..], None);
    net.wait_for_height(0, 52, 3 * MINUTE).unwrap();
    agree(&net, &[0, 1, 2, 3], 50);
    assert!(
        !committed(&net, &report).is_empty(),
        "no transfer was committed"
    );

    // One validator killed: the others go on; restarted, it replays, catches up and agrees.
    // Through it, the CLI never reports a transaction it did not make.
    let mut lagging = Lagging::new(&net, &lagging_key);
    lagging.send(0, &net.rpc_url(0)).unwrap();
    net.wait_for_height(3, height(&net, 0), MINUTE).unwrap();
    net.kill(3);
    let at_kill = height(&net, 0);
    lagging.send(0, &net.rpc_url(0)).unwrap();
    net.wait_for_height(0, at_kill + 7, MINUTE).unwrap();
    lagging.refused_while_isolated(&mut net, 3);
    net.start(3).unwrap();
    lagging.send_while_catching_up(&net, 3);
    let now = height(&net, 0);
    agree(&net, &[0, 1, 2, 3], now);
    lagging.nonce_moved_once_per_success(&net);

    // Two of four frozen: no height can be committed without them; thawed, heights go on.
    net.freeze(1, true);
    net.freeze(2, true);
    std::thread::sleep(Duration::from_secs(2));
    let frozen_at = height(&net, 0).max(height(&net, 3));
    std::thread::sleep(Duration::from_secs(4));
    assert!(
        height(&net, 0) <= frozen_at && height(&net, 3) <= frozen_at,
        "a height was committed with half the validators frozen"
    );
    net.freeze(1, false);
    net.freeze(2, false);
    net.wait_for_height(0, frozen_at + 3, MINUTE).unwrap();

    // All four killed in the middle of the load: the chain resumes from where it was, and
    // every transaction a client saw committed is still there.
    let seen = committed(&net, &calls.stop());
    let seen_transfers = committed(&net, &transfers.stop());
    assert!(!seen.is_empty(), "no token call was committed");
    let last_load = load(&net, &keys, Some(token));
    std::thread::sleep(Duration::from_secs(2));
    for i in 0..4 {
        net.kill(i);
    }
    let _ = last_load.stop();
    let before = (0..4)
        .map(|i| net.client(i))
        .filter_map(|c| c.status().ok())
        .count();
    assert_eq!(before, 0, "a validator survived SIGKILL");
    net.start_all().unwrap();
    let resumed = height(&net, 0).max(1);
    net.wait_for_height(0, resumed + 3, MINUTE).unwrap();
    let end = height(&net, 0);
    agree(&net, &[0, 1, 2, 3], end);
    for i in [1, 2] {
        let client = net.client(i);
        for (hash, h) in seen.iter().chain(&seen_transfers) {
            let answer = client
                .query(&format!("/tx/0x{}", hex::encode(hash)), &[])
                .unwrap();
            assert_eq!(
                answer.code,
                0,
                "validator {i} lost transaction 0x{}",
                hex::encode(hash)
            );
            let record: serde_json::Value = serde_json::from_slice(&answer.value).unwrap();
            assert_eq!(record["height"], *h);
        }
    }
    net.stop_all();
}

#[test]
fn a_wiped_validator_resyncs_and_a_diverging_one_is_refused() {
    let _one = NETWORK.lock().unwrap_or_else(|e| e.into_inner());
    let keys: Vec<SigningKey> = (0..2).map(key).collect();
    let Net { mut net, _dir } = network(4, &keys);
    let traffic = load(&net, &keys, None);
    net.wait_for_height(0, 8, MINUTE).unwrap();

    // Wiped data, same keys: it syncs from genesis and agrees.
    net.kill(2);
    net.wipe(2).unwrap();
    net.start(2).unwrap();
    let now = height(&net, 0) + 2;
    agree(&net, &[0, 1, 2, 3], now);

    // Altered state: CometBFT's app-hash check refuses it; the others go on.
    net.kill(3);
    let diverge = height(&net, 0) + 3;
    net.diverge_at(3, diverge);
    net.start(3).unwrap();
    net.wait_for_height(0, diverge + 6, MINUTE).unwrap();
    let stuck = net.status(3).map_or(0, |s| s.height);
    assert!(
        stuck <= diverge,
        "the diverging validator went on to height {stuck} (diverged at {diverge})"
    );
    let log = std::fs::read_to_string(net.home(3).root().join("cometbft.log")).unwrap();
    assert!(
        log.contains("AppHash") || log.contains("app hash"),
        "CometBFT did not report the app-hash mismatch"
    );
    agree(&net, &[0, 1, 2], diverge + 6);
    let _ = traffic.stop();
    net.stop_all();
}

#[test]
fn the_cli_works_against_a_network() {
    let _one = NETWORK.lock().unwrap_or_else(|e| e.into_inner());
    let keys = vec![key(10)];
    let Net { net, _dir } = network(1, &keys);
    let url = net.rpc_url(0);
    let home = Home::new();
    let token = deploy_token(&net, &home, 10);
    let token = token.to_string();
    let node = ["--node", url.as_str(), "--from", "deployer"];
    let run = |args: &[&str]| home.run(&[&node[..], args].concat());

    // A call with --json, a query, a transfer, balances, nonces.
    let bob = "0xb0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
    let (code, out, err) = run(&["--json", "call", &token, "Transfer", bob, "250"]);
    assert_eq!(code, 0, "{out}{err}");
    let outcome: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(outcome["status"], "ok");
    // Its fuel limit: the read-only run's gas, 20% and 20,000 more, and the intrinsic gas.
    let (fuel_limit, gas_used) = (
        outcome["fuel_limit"].as_u64().unwrap(),
        outcome["gas_used"].as_u64().unwrap(),
    );
    assert!(
        fuel_limit > gas_used && fuel_limit <= gas_used + gas_used / 5 + 20_000,
        "{outcome}"
    );
    assert_eq!(outcome["fee"].as_u64(), Some(fuel_limit), "gas price 1");
    assert_eq!(outcome["events"][0]["name"], "Transfer");
    let amount = outcome["events"][0]["fields"]["amount"].to_string();
    assert_eq!(amount.trim_matches('"'), "250");
    let (code, out, _) = run(&["state", &token]);
    assert_eq!(code, 0);
    let bob_object = out
        .lines()
        .collect::<Vec<_>>()
        .windows(2)
        .find(|w| w[1].contains(bob))
        .map(|w| w[0].trim_start_matches("object ").to_owned())
        .unwrap();
    let (code, out, _) = run(&["query", &token, "GetBalance", &bob_object]);
    assert_eq!((code, out.lines().next().unwrap()), (0, "result  250"));
    let (code, out, err) = run(&["transfer", bob, "777"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(", fee ") && out.contains("fuel limit"),
        "{out}"
    );
    assert_eq!(run(&["balance", bob]).1.trim(), "777");
    let (_, out, _) = run(&["--json", "account", &addr(&keys[0]).to_string()]);
    let account: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        account["nonce"], 4,
        "deploy, Initialize, Transfer, transfer"
    );
    let (code, out, _) = run(&["events", "--contract", &token]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Transfer {") && out.contains("Initialize {"),
        "{out}"
    );
    let (code, out, _) = run(&["inspect", &token]);
    assert_eq!(code, 0);
    assert!(
        out.contains("func Transfer(ctx vm.Context, to vm.Address, amount uint64)"),
        "{out}"
    );

    // The contract fails: exit 1, as embedded, and nothing is sent (its read-only run fails
    // already); a bad function: exit 2.
    let nonce_of = |who: &SigningKey| {
        let (_, out, _) = run(&["--json", "account", &addr(who).to_string()]);
        let account: serde_json::Value = serde_json::from_str(&out).unwrap();
        (
            account["nonce"].as_u64().unwrap(),
            account["balance"].as_u64().unwrap(),
        )
    };
    let (code, _, err) = run(&["call", &token, "Transfer", bob, "99999999999999"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("insufficient balance") && err.contains("not sent"),
        "{err}"
    );
    assert_eq!(
        nonce_of(&keys[0]).0,
        4,
        "a call that fails read-only is not sent"
    );
    let (code, _, err) = run(&["call", &token, "Nope"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&["query", &token, "GetBalance", "0x00"]);
    assert_eq!(code, 2, "{err}");
    // With --fuel it is sent anyway: it fails in its block, and pays its fuel limit.
    let (code, out, _) = run(&[
        "--json",
        "call",
        &token,
        "Transfer",
        bob,
        "99999999999999",
        "--fuel",
        "400000",
    ]);
    assert_eq!(code, 1, "{out}");
    let failed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (failed["status"].clone(), failed["fuel_limit"].clone()),
        ("error".into(), 400_000.into()),
        "{failed}"
    );
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("insufficient balance")
    );

    // The transaction's record; a transfer's fuel limit is exactly what it uses.
    let (nonce, balance) = nonce_of(&keys[0]);
    assert_eq!(nonce, 5);
    let (_, out, _) = run(&["--json", "transfer", bob, "1"]);
    let sent: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sent["fuel_limit"], sent["gas_used"], "{sent}");
    assert_eq!(sent["nonce"], 5, "{sent}");
    let fee = sent["fee"].as_u64().unwrap();
    assert_eq!(Some(fee), sent["fuel_limit"].as_u64(), "gas price 1");
    assert_eq!(nonce_of(&keys[0]), (6, balance - fee - 1));
    let (code, out, _) = run(&["--json", "tx", sent["tx"].as_str().unwrap()]);
    assert_eq!(code, 0);
    let record: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (record["code"].clone(), record["height"].clone()),
        (0.into(), sent["height"].clone())
    );

    // A transaction the command stopped waiting for: run again, the same command sends the
    // same transaction again and reports it once (or, when it is in a block by then, the home
    // knows and the next nonce makes a new one). Either way one nonce per transaction.
    let (code, out, _) = run(&["--json", "--wait-ms", "1", "transfer", bob, "3"]);
    assert_eq!(code, 4, "{out}");
    let waited: serde_json::Value = serde_json::from_str(&out).unwrap();
    let waited = waited["error"].as_str().unwrap().to_owned();
    assert!(waited.contains("not in a block after 1 ms"), "{waited}");
    let (code, out, _) = run(&["--json", "transfer", bob, "3"]);
    assert_eq!(code, 0, "{out}");
    let again: serde_json::Value = serde_json::from_str(&out).unwrap();
    let same = waited.contains(again["tx"].as_str().unwrap());
    assert_eq!(again["nonce"], if same { 6 } else { 7 }, "{waited} {again}");
    assert_eq!(nonce_of(&keys[0]).0, again["nonce"].as_u64().unwrap() + 1);

    // A bad signature is refused at the door.
    let chain_id = net.status(0).unwrap().chain_id;
    let mut tx = UnsignedTx {
        chain_id,
        nonce: 8,
        fuel_limit: 100_000,
        gas_price: 1,
        body: Body::Transfer {
            to: [1; 20],
            amount: 1,
        },
    }
    .sign(&keys[0]);
    tx.signature[0] ^= 1;
    let refused = net.client(0).broadcast(&tx.encode()).unwrap();
    assert_eq!(
        refused.code,
        govm_chain::Code::BadSignature.value(),
        "{}",
        refused.log
    );

    // A missing key, a wrong node address, a node that is no URL.
    let (code, _, err) = home.run(&["--node", &url, "--from", "nobody", "transfer", bob, "1"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = home.run(&["--node", "http://127.0.0.1:9", "balance", bob]);
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("cannot reach the node at http://127.0.0.1:9"),
        "{err}"
    );
    let (code, _, err) = home.run(&["--node", "127.0.0.1:26657", "balance", bob]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = home.run(&["--node", &url, "transfer", bob, "1"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--from"), "{err}");
}

//! Networks of validators on 127.0.0.1: each a CometBFT process and a `govm node start`
//! process (govm_node::localnet). Every test bounds its waits and stops every process it
//! started (the Localnet's Drop kills them, on failure too). They run one at a time.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use govm::Address;
use govm_chain::{Body, ChainParams, SigningKey, UnsignedTx, address_of, signing_key};
use govm_node::load::{Load, LoadReport, LoadSpec};
use govm_node::localnet::{Localnet, LocalnetConfig};

use crate::{Home, contract};

/// One network at a time: two cores cannot run two.
static NETWORK: Mutex<()> = Mutex::new(());

const MINUTE: Duration = Duration::from_secs(60);

fn cometbft() -> PathBuf {
    let path = std::env::var_os("GOVM_COMETBFT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/tools/bin/cometbft")
        });
    assert!(
        path.is_file(),
        "CometBFT {} is not at {}: `cargo xtask setup` installs it (or set GOVM_COMETBFT)",
        govm_node::COMETBFT_VERSION,
        path.display()
    );
    path
}

/// A base port whose 40 ports above it are free on 127.0.0.1.
fn free_base_port() -> u16 {
    let mut base = 27_000 + (std::process::id() % 200) as u16 * 50;
    loop {
        let free = (0..40).all(|p| TcpListener::bind(("127.0.0.1", base + p)).is_ok());
        if free {
            return base;
        }
        base = if base > 60_000 { 27_000 } else { base + 50 };
    }
}

fn key(i: u8) -> SigningKey {
    signing_key(&[i + 1; 32])
}

fn addr(k: &SigningKey) -> Address {
    address_of(&k.verifying_key().to_bytes())
}

struct Net {
    net: Localnet,
    _dir: tempfile::TempDir,
}

fn network(validators: usize, keys: &[SigningKey]) -> Net {
    let dir = tempfile::tempdir().unwrap();
    let govm = PathBuf::from(env!("CARGO_BIN_EXE_govm"));
    let mut net = Localnet::create(LocalnetConfig {
        dir: dir.path().join("net"),
        validators,
        govm,
        cometbft: cometbft(),
        base_port: free_base_port(),
        timeout_commit: "200ms".into(),
        params: ChainParams::default(),
        balances: keys.iter().map(|k| (addr(k), 1 << 60)).collect(),
    })
    .unwrap();
    net.start_all().unwrap();
    net.wait_for_height(0, 1, MINUTE).unwrap();
    Net { net, _dir: dir }
}

fn load(net: &Localnet, keys: &[SigningKey], token: Option<Address>) -> Load {
    Load::start(LoadSpec {
        nodes: (0..net.len()).map(|i| net.rpc_url(i)).collect(),
        chain_id: net.status(0).unwrap().chain_id,
        keys: keys.to_vec(),
        token,
        only_calls: false,
        interval: Duration::from_millis(10),
        fuel_limit: 1_000_000,
    })
}

/// Every validator of `among` has every block of 1..=`to`, all with the same app hash.
fn agree(net: &Localnet, among: &[usize], to: u64) {
    let mut reference: Option<Vec<(u64, String)>> = None;
    for &i in among {
        net.wait_for_height(i, to, MINUTE).unwrap();
        let hashes = net.client(i).app_hashes(1, to).unwrap();
        assert_eq!(hashes.len() as u64, to, "validator {i} lacks blocks");
        match &reference {
            None => reference = Some(hashes),
            Some(r) => {
                for (a, b) in r.iter().zip(&hashes) {
                    assert_eq!(a, b, "validator {i} disagrees at height {}", a.0);
                }
            }
        }
    }
}

fn height(net: &Localnet, i: usize) -> u64 {
    net.status(i).map_or(0, |s| s.height)
}

/// The transactions of `report` that are in a block, with their heights.
fn committed(net: &Localnet, report: &LoadReport) -> BTreeMap<[u8; 32], u64> {
    let client = net.client(0);
    report
        .admitted
        .iter()
        .filter_map(|(hash, _)| Some((*hash, client.tx(hash).ok()??.height)))
        .collect()
}

/// A token deployed with the CLI (`--node`, `--from`), and initialised by the deployer.
fn deploy_token(net: &Localnet, home: &Home, seed: u8) -> Address {
    let url = net.rpc_url(0);
    let seed_hex = format!("0x{}", hex::encode([seed + 1; 32]));
    let (code, _, err) = home.run(&["keys", "add", "deployer", "--seed", &seed_hex]);
    assert!(code == 0 || err.contains("exists already"), "{err}");
    let node = ["--node", url.as_str(), "--from", "deployer"];
    let (code, out, err) = home.run(&[&node[..], &["deploy", &contract("token")]].concat());
    assert_eq!(code, 0, "{out}{err}");
    let token = out.trim().to_owned();
    let (code, out, err) =
        home.run(&[&node[..], &["call", &token, "Initialize", "1000000000"]].concat());
    assert_eq!(code, 0, "{out}{err}");
    Address::from_hex(&token).unwrap()
}

#[test]
fn four_validators_agree_under_load_through_crashes_and_pauses() {
    let _one = NETWORK.lock().unwrap_or_else(|e| e.into_inner());
    let keys: Vec<SigningKey> = (0..4).map(key).collect();
    let Net { mut net, _dir } = network(4, &keys);
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
    net.kill(3);
    let at_kill = height(&net, 0);
    net.wait_for_height(0, at_kill + 5, MINUTE).unwrap();
    net.start(3).unwrap();
    let now = height(&net, 0);
    agree(&net, &[0, 1, 2, 3], now);

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

    // The contract fails: exit 1, as embedded; a bad function: exit 2.
    let (code, _, err) = run(&["call", &token, "Transfer", bob, "99999999999999"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("insufficient balance"), "{err}");
    let (code, _, err) = run(&["call", &token, "Nope"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&["query", &token, "GetBalance", "0x00"]);
    assert_eq!(code, 2, "{err}");

    // The transaction's record.
    let (_, out, _) = run(&["--json", "transfer", bob, "1"]);
    let sent: serde_json::Value = serde_json::from_str(&out).unwrap();
    let (code, out, _) = run(&["--json", "tx", sent["tx"].as_str().unwrap()]);
    assert_eq!(code, 0);
    let record: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (record["code"].clone(), record["height"].clone()),
        (0.into(), sent["height"].clone())
    );

    // A bad signature is refused at the door.
    let chain_id = net.status(0).unwrap().chain_id;
    let mut tx = UnsignedTx {
        chain_id,
        nonce: 6,
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

//! What the network tests share (`network.rs`, `attack.rs`): CometBFT, free ports, keys, a
//! network of validators on 127.0.0.1, a load, and the agreement of app hashes.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use govm::Address;
use govm_chain::{ChainParams, SigningKey, address_of, signing_key};
use govm_node::load::{Load, LoadReport, LoadSpec};
use govm_node::localnet::{Localnet, LocalnetConfig};

/// One network at a time: two cores cannot run two.
pub(crate) static NETWORK: Mutex<()> = Mutex::new(());

pub(crate) const MINUTE: Duration = Duration::from_secs(60);

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

pub(crate) fn key(i: u8) -> SigningKey {
    signing_key(&[i + 1; 32])
}

pub(crate) fn addr(k: &SigningKey) -> Address {
    address_of(&k.verifying_key().to_bytes())
}

pub(crate) struct Net {
    pub(crate) net: Localnet,
    pub(crate) _dir: tempfile::TempDir,
}

pub(crate) fn network(validators: usize, keys: &[SigningKey]) -> Net {
    network_with(validators, keys, |_| {})
}

/// [`network`], with `prepare` run on the network before it starts.
pub(crate) fn network_with(
    validators: usize,
    keys: &[SigningKey],
    prepare: impl FnOnce(&mut Localnet),
) -> Net {
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
    prepare(&mut net);
    net.start_all().unwrap();
    net.wait_for_height(0, 1, MINUTE).unwrap();
    Net { net, _dir: dir }
}

pub(crate) fn load(net: &Localnet, keys: &[SigningKey], token: Option<Address>) -> Load {
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
pub(crate) fn agree(net: &Localnet, among: &[usize], to: u64) {
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

pub(crate) fn height(net: &Localnet, i: usize) -> u64 {
    net.status(i).map_or(0, |s| s.height)
}

pub(crate) fn nonce(net: &Localnet, address: Address) -> u64 {
    let answer = net
        .client(0)
        .query(&format!("/account/{address}"), &[])
        .unwrap();
    let account: serde_json::Value = serde_json::from_slice(&answer.value).unwrap();
    account["nonce"].as_u64().unwrap()
}

/// The transactions of `report` that are in a block, with their heights.
pub(crate) fn committed(net: &Localnet, report: &LoadReport) -> BTreeMap<[u8; 32], u64> {
    let client = net.client(0);
    report
        .admitted
        .iter()
        .filter_map(|(hash, _)| Some((*hash, client.tx(hash).ok()??.height)))
        .collect()
}

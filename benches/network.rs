//! Token transfers through a local four-validator network (CometBFT + `govm node start` per
//! validator, on 127.0.0.1): transactions per second, and the latency from broadcast to the
//! block that holds it (p50, p99). Not a criterion bench: one run of a fixed load, whose
//! figures go to `target/bench-extra/network.json` for `cargo xtask bench`.
//!
//! Needs `GOVM_BIN` (a built `govm`) and `GOVM_COMETBFT`; `cargo xtask bench` sets both.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use govm::{Address, Config, Engine};
use govm_chain::{Body, ChainParams, SigningKey, UnsignedTx, address_of, signing_key, tx_hash};
use govm_node::load::{Load, LoadSpec};
use govm_node::localnet::{Localnet, LocalnetConfig};
use govm_node::rpc::Client;

const VALIDATORS: usize = 4;
const SENDERS: u8 = 8;
const TIMEOUT_COMMIT: &str = "200ms";

fn main() {
    // `cargo bench -- <filter>` passes arguments; this bench runs only unfiltered or when
    // named.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if !args.is_empty() && !args.iter().any(|a| "network".contains(a.as_str())) {
        return;
    }
    let mut figures = Figures::default();
    match (
        std::env::var_os("GOVM_BIN"),
        std::env::var_os("GOVM_COMETBFT"),
    ) {
        (Some(govm), Some(cometbft)) => {
            if let Err(e) = measure(PathBuf::from(govm), PathBuf::from(cometbft), &mut figures) {
                eprintln!("network bench: {e}");
                figures.note("network_tps_token_transfers", &format!("failed: {e}"));
            }
        }
        _ => figures.note(
            "network_tps_token_transfers",
            "needs GOVM_BIN and GOVM_COMETBFT (cargo xtask bench sets them)",
        ),
    }
    figures.write();
}

fn measure(govm: PathBuf, cometbft: PathBuf, figures: &mut Figures) -> Result<(), String> {
    let quick = std::env::var_os("GOVM_BENCH_QUICK").is_some();
    let seconds = if quick { 15 } else { 40 };
    let keys: Vec<SigningKey> = (0..SENDERS).map(|i| signing_key(&[i + 1; 32])).collect();
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut net = Localnet::create(LocalnetConfig {
        dir: dir.path().join("net"),
        validators: VALIDATORS,
        govm,
        cometbft,
        base_port: 28_400,
        timeout_commit: TIMEOUT_COMMIT.into(),
        params: ChainParams::default(),
        balances: keys
            .iter()
            .map(|k| (address_of(&k.verifying_key().to_bytes()), 1 << 60))
            .collect(),
    })
    .map_err(|e| e.to_string())?;
    net.start_all().map_err(|e| e.to_string())?;
    net.wait_for_height(0, 1, Duration::from_secs(60))
        .map_err(|e| e.to_string())?;
    let client = net.client(0);
    let chain_id = client.status().map_err(|e| e.to_string())?.chain_id;
    let token = setup_token(&client, &chain_id, &keys)?;

    // Commits as node 0 sees them: the first instant each height is there.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let stop = Arc::clone(&stop);
        let client = Client::new(&net.rpc_url(0), Duration::from_secs(2));
        std::thread::spawn(move || {
            let mut seen: Vec<(u64, Instant)> = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                if let Ok(s) = client.status()
                    && seen.last().is_none_or(|(h, _)| *h < s.height)
                {
                    seen.push((s.height, Instant::now()));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            seen
        })
    };
    let spec = |keys: &[SigningKey]| LoadSpec {
        nodes: (0..net.len()).map(|i| net.rpc_url(i)).collect(),
        chain_id: chain_id.clone(),
        keys: keys.to_vec(),
        token: Some(token),
        only_calls: true,
        interval: Duration::ZERO,
        fuel_limit: 1_000_000,
    };
    let half = keys.len() / 2;
    let started = Instant::now();
    let loads = [
        Load::start(spec(&keys[..half])),
        Load::start(spec(&keys[half..])),
    ];
    std::thread::sleep(Duration::from_secs(seconds));
    let reports: Vec<_> = loads.into_iter().map(Load::stop).collect();
    std::thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::Relaxed);
    let seen = watcher
        .join()
        .map_err(|_| "the watcher panicked".to_owned())?;

    let mut latencies = Vec::new();
    let mut last_commit = started;
    let mut failed = 0;
    for (hash, sent) in reports.iter().flat_map(|r| &r.admitted) {
        let Ok(Some(included)) = client.tx(hash) else {
            continue;
        };
        if included.code != 0 {
            failed += 1;
        }
        if let Some((_, at)) = seen.iter().find(|(h, _)| *h >= included.height) {
            latencies.push(at.saturating_duration_since(*sent));
            last_commit = last_commit.max(*at);
        }
    }
    let admitted: usize = reports.iter().map(|r| r.admitted.len()).sum();
    let refused: usize = reports.iter().map(|r| r.refused).sum();
    latencies.sort();
    let committed = latencies.len();
    if committed == 0 {
        return Err("no transaction was committed".into());
    }
    let window = last_commit.duration_since(started).as_secs_f64();
    let pct = |p: f64| latencies[((committed as f64 * p) as usize).min(committed - 1)];
    let settings = format!(
        "{VALIDATORS} validators on 127.0.0.1, timeout_commit {TIMEOUT_COMMIT}, {SENDERS} senders \
         over {seconds} s: {committed} of {admitted} admitted committed ({failed} failed calls, \
         {refused} refused); govm dev build"
    );
    figures.value(
        "network_tps_token_transfers",
        committed as f64 / window,
        "tx/s",
        &settings,
    );
    figures.value(
        "network_latency_p50",
        pct(0.5).as_nanos() as f64,
        "ns",
        "broadcast_tx_sync sent -> its block committed on node 0",
    );
    figures.value(
        "network_latency_p99",
        pct(0.99).as_nanos() as f64,
        "ns",
        "broadcast_tx_sync sent -> its block committed on node 0",
    );
    net.stop_all();
    Ok(())
}

/// Deploys the token (built here), initialises it and gives every sender tokens.
fn setup_token(client: &Client, chain_id: &str, keys: &[SigningKey]) -> Result<Address, String> {
    let source = include_bytes!("../testdata/contracts/token/token.go");
    let engine = Engine::new(Config::default()).map_err(|e| e.to_string())?;
    let (_, module) = engine
        .build(source, "token.go")
        .map_err(|e| e.to_string())?;
    let mut nonce = 0;
    let mut send = |body: Body, fuel: u64| -> Result<Vec<u8>, String> {
        let tx = UnsignedTx {
            chain_id: chain_id.into(),
            nonce,
            fuel_limit: fuel,
            gas_price: 1,
            body,
        }
        .sign(&keys[0])
        .encode();
        nonce += 1;
        let b = client.broadcast(&tx).map_err(|e| e.to_string())?;
        if b.code != 0 {
            return Err(format!("refused: {}", b.log));
        }
        match client.wait_for_tx(&tx_hash(&tx), Duration::from_secs(120)) {
            Ok(Some(included)) if included.code == 0 => Ok(included.data),
            Ok(Some(included)) => Err(format!("failed: {}", included.log)),
            Ok(None) => Err("not included".into()),
            Err(e) => Err(e.to_string()),
        }
    };
    let data = send(
        Body::Deploy {
            source: source.to_vec(),
            wasm: module.bytes().to_vec(),
            options: Vec::new(),
        },
        1_000_000_000,
    )?;
    let token = Address(data.as_slice().try_into().map_err(|_| "no address")?);
    let call = |function: &str, args: Vec<u8>| Body::Call {
        contract: token.0,
        function: function.into(),
        args,
        value: 0,
    };
    send(
        call("Initialize", (1u64 << 60).to_le_bytes().to_vec()),
        50_000_000,
    )?;
    for k in &keys[1..] {
        let mut args = address_of(&k.verifying_key().to_bytes()).0.to_vec();
        args.extend_from_slice(&(1u64 << 40).to_le_bytes());
        send(call("Transfer", args), 50_000_000)?;
    }
    Ok(token)
}

#[derive(Default)]
struct Figures {
    rows: Vec<serde_json::Value>,
}

impl Figures {
    fn value(&mut self, name: &str, value: f64, unit: &str, note: &str) {
        self.rows.push(serde_json::json!({
            "name": name, "value": value, "unit": unit, "note": note,
        }));
    }

    fn note(&mut self, name: &str, note: &str) {
        self.rows.push(serde_json::json!({
            "name": name, "value": null, "unit": "", "note": note,
        }));
    }

    fn write(&self) {
        let dir = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../target/bench-extra"
        ));
        let _ = std::fs::create_dir_all(&dir);
        let text = serde_json::to_string_pretty(&self.rows).unwrap_or_default();
        if let Err(e) = std::fs::write(dir.join("network.json"), text) {
            eprintln!("cannot write the network figures: {e}");
        }
    }
}

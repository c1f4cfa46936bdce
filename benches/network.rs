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
use govm_benches::Figures;
use govm_chain::{Body, ChainParams, SigningKey, UnsignedTx, address_of, signing_key, tx_hash};
use govm_node::load::{Load, LoadReport, LoadSpec};
use govm_node::localnet::{Localnet, LocalnetConfig};
use govm_node::rpc::Client;

const VALIDATORS: usize = 4;
const SENDERS: u8 = 16;
const TIMEOUT_COMMIT: &str = "200ms";

fn main() {
    // `cargo bench -- <filter>` passes arguments; this bench runs only unfiltered or when
    // named.
    // Criterion's options that take a value: that value is not a filter (`cargo xtask bench
    // --quick` passes `--warm-up-time 0.5`).
    const WITH_VALUE: &[&str] = &[
        "--warm-up-time",
        "--measurement-time",
        "--sample-size",
        "--profile-time",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--nresamples",
        "--save-baseline",
        "--baseline",
        "--load-baseline",
        "--color",
        "--format",
        "--output-format",
        "--plotting-backend",
    ];
    let mut args = Vec::new();
    let mut all = std::env::args().skip(1);
    while let Some(a) = all.next() {
        if WITH_VALUE.contains(&a.as_str()) {
            all.next();
        } else if !a.starts_with('-') {
            args.push(a);
        }
    }
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
    figures.write("network.json");
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

    let spec = |i: usize, keys: &[SigningKey], interval: Duration| LoadSpec {
        // Sender i starts at node i mod 4.
        nodes: (0..net.len())
            .map(|n| net.rpc_url((n + i) % net.len()))
            .collect(),
        chain_id: chain_id.clone(),
        keys: keys.to_vec(),
        token: Some(token),
        only_calls: true,
        interval,
        fuel_limit: 1_000_000,
    };
    // One thread per sender: `broadcast_tx_sync` waits for CheckTx (CometBFT's ABCI socket
    // client flushes requests on a 20 ms timer), so one sender alone cannot load a network.
    let run = |senders: &[SigningKey], interval: Duration, seconds: u64| -> Result<Run, String> {
        let watcher = Watcher::start(net.rpc_url(0));
        let started = Instant::now();
        let loads: Vec<Load> = senders
            .chunks(1)
            .enumerate()
            .map(|(i, k)| Load::start(spec(i, k, interval)))
            .collect();
        std::thread::sleep(Duration::from_secs(seconds));
        let mut stops = Vec::new();
        for load in &loads {
            stops.push(load.stopper());
        }
        stops.iter().for_each(|s| s.store(true, Ordering::Relaxed));
        let reports: Vec<LoadReport> = loads.into_iter().map(Load::stop).collect();
        let sent: Vec<([u8; 32], Instant)> =
            reports.iter().flat_map(|r| r.admitted.clone()).collect();
        // Until every admitted transaction is in a block (at most two minutes).
        let drain = Instant::now();
        let mut heights = Vec::with_capacity(sent.len());
        for (hash, _) in &sent {
            let left = Duration::from_secs(120).saturating_sub(drain.elapsed());
            match client.wait_for_tx(hash, left) {
                Ok(Some(included)) => heights.push(Some(included.height)),
                _ => heights.push(None),
            }
        }
        let seen = watcher.stop();
        let mut latencies = Vec::new();
        let mut last_commit = started;
        for ((_, sent_at), height) in sent.iter().zip(&heights) {
            let Some(height) = height else { continue };
            if let Some((_, at)) = seen.iter().find(|(h, _)| h >= height) {
                latencies.push(at.saturating_duration_since(*sent_at));
                last_commit = last_commit.max(*at);
            }
        }
        latencies.sort();
        Ok(Run {
            admitted: sent.len(),
            refused: reports.iter().map(|r| r.refused).sum(),
            committed: latencies.len(),
            seconds: last_commit.duration_since(started).as_secs_f64(),
            latencies,
        })
    };

    // Latency: a light load (4 senders, one call every 100 ms each).
    let light = run(&keys[..4], Duration::from_millis(100), seconds / 2)?;
    // Throughput: every sender as fast as the nodes admit, then until all is committed.
    let full = run(&keys, Duration::ZERO, seconds)?;
    if light.committed == 0 || full.committed == 0 {
        return Err("no transaction was committed".into());
    }
    figures.value(
        "network_tps_token_transfers",
        full.committed as f64 / full.seconds,
        "tx/s",
        &format!(
            "{VALIDATORS} validators on 127.0.0.1, timeout_commit {TIMEOUT_COMMIT}; {SENDERS} \
             senders for {seconds} s, then until committed: {} of {} admitted in {:.1} s \
             ({} refused); p50 latency under this load {:.2} s",
            full.committed,
            full.admitted,
            full.seconds,
            full.refused,
            full.percentile(0.5).as_secs_f64()
        ),
    );
    let light_note = format!(
        "broadcast_tx_sync sent -> its block seen committed on node 0; 4 senders, each \
         pausing 100 ms after each call: {} committed",
        light.committed
    );
    figures.value(
        "network_latency_p50",
        light.percentile(0.5).as_nanos() as f64,
        "ns",
        &light_note,
    );
    figures.value(
        "network_latency_p99",
        light.percentile(0.99).as_nanos() as f64,
        "ns",
        &light_note,
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

/// One load's outcome.
struct Run {
    admitted: usize,
    refused: usize,
    committed: usize,
    /// From the first send to the last commit.
    seconds: f64,
    /// Sorted.
    latencies: Vec<Duration>,
}

impl Run {
    fn percentile(&self, p: f64) -> Duration {
        let n = self.latencies.len();
        self.latencies[((n as f64 * p) as usize).min(n - 1)]
    }
}

/// Commits as node 0 sees them: the first instant each height is there.
struct Watcher {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<Vec<(u64, Instant)>>,
}

impl Watcher {
    fn start(url: String) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::spawn(move || {
            let client = Client::new(&url, Duration::from_secs(2));
            let mut seen: Vec<(u64, Instant)> = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                if let Ok(s) = client.status()
                    && seen.last().is_none_or(|(h, _)| *h < s.height)
                {
                    seen.push((s.height, Instant::now()));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            seen
        });
        Self { stop, handle }
    }

    fn stop(self) -> Vec<(u64, Instant)> {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or_default()
    }
}

//! `cargo xtask bench [--quick]`: runs the criterion benches and reports every metric beside a
//! baseline measured in the same run, as a table and as `target/bench-report.json`.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// One reported metric: a bench, the baseline it is read against, and its goal.
pub(crate) struct Metric {
    pub(crate) name: &'static str,
    /// The measured bench: `group/bench`.
    pub(crate) bench: &'static str,
    /// The baseline bench measured in the same run.
    pub(crate) baseline: &'static str,
    /// The goal and how to check it.
    pub(crate) goal: Goal,
}

#[derive(Clone, Copy)]
pub(crate) enum Goal {
    /// The median must be at most this many nanoseconds.
    AtMostNanos(f64),
    /// The median divided by the baseline's must be at most this.
    AtMostRatio(f64),
    /// The baseline's median divided by the median (a speedup) must be at least this.
    AtLeastSpeedup(f64),
    /// Reported for information.
    None,
}

pub(crate) const METRICS: &[Metric] = &[
    Metric {
        name: "isolated_transfer_vs_warm",
        bench: "token_transfer/isolated_snapshot",
        baseline: "token_transfer/warm_instance",
        goal: Goal::AtMostRatio(2.0),
    },
    Metric {
        name: "isolated_transfer_vs_native",
        bench: "token_transfer/isolated_snapshot",
        baseline: "token_transfer/native_rust",
        goal: Goal::AtMostRatio(8.0),
    },
    Metric {
        name: "facade_transfer_query",
        bench: "token_transfer/facade_query",
        baseline: "token_transfer/isolated_snapshot",
        goal: Goal::None,
    },
    Metric {
        name: "fresh_initialize_transfer",
        bench: "token_transfer/fresh_initialize",
        baseline: "token_transfer/isolated_snapshot",
        goal: Goal::None,
    },
    Metric {
        name: "throughput_two_threads",
        bench: "throughput/two_threads",
        baseline: "throughput/one_thread",
        goal: Goal::AtLeastSpeedup(1.9),
    },
    Metric {
        name: "metering_overhead",
        bench: "metering/fuel_and_epoch",
        baseline: "metering/baseline_unmetered",
        goal: Goal::AtMostRatio(1.15),
    },
    Metric {
        name: "metering_overhead_go_sha256",
        bench: "metering_go_sha256/fuel_and_epoch",
        baseline: "metering_go_sha256/baseline_unmetered",
        goal: Goal::None,
    },
    Metric {
        name: "metering_overhead_go_sort",
        bench: "metering_go_sort/fuel_and_epoch",
        baseline: "metering_go_sort/baseline_unmetered",
        goal: Goal::None,
    },
    Metric {
        name: "module_load_disk_cache",
        bench: "module_load/disk_cache",
        baseline: "module_load/baseline_wasmtime_deserialize_file",
        goal: Goal::AtMostRatio(1.5),
    },
    Metric {
        name: "first_call_after_restart",
        bench: "first_call/after_restart",
        baseline: "first_call/baseline_isolated_transfer",
        goal: Goal::AtMostRatio(10.0),
    },
    Metric {
        name: "deploy_vs_one_compile",
        bench: "deploy_token/new_module",
        baseline: "deploy_token/baseline_one_cranelift_compile",
        goal: Goal::AtMostRatio(1.25),
    },
    Metric {
        name: "block_transfer_vs_isolated",
        bench: "block_1000/per_transaction",
        baseline: "token_transfer/isolated_snapshot",
        goal: Goal::AtMostRatio(1.5),
    },
    Metric {
        name: "block_parallel_vs_sequential_checks",
        bench: "block_1000/per_transaction",
        baseline: "block_1000/sequential_checks",
        goal: Goal::None,
    },
    Metric {
        name: "validation_100kb",
        bench: "validate_100kb/validate",
        baseline: "validate_100kb/baseline_gosyn_parse",
        goal: Goal::AtMostNanos(10e6),
    },
    Metric {
        name: "compile_token_cache_hit",
        bench: "compile_token/cache_hit",
        baseline: "compile_token/cold_compile",
        goal: Goal::AtMostNanos(10e6),
    },
    Metric {
        name: "compile_token_cold",
        bench: "compile_token/cold_compile",
        baseline: "compile_token/cache_hit",
        goal: Goal::None,
    },
    Metric {
        name: "abi_encode_transfer_args",
        bench: "transfer_args/abi_encode",
        baseline: "transfer_args/baseline_scale_direct_encode",
        goal: Goal::AtMostRatio(3.0),
    },
    Metric {
        name: "abi_decode_transfer_args",
        bench: "transfer_args/abi_decode",
        baseline: "transfer_args/baseline_scale_direct_decode",
        goal: Goal::None,
    },
    Metric {
        name: "host_sha256_1kib_vs_go",
        bench: "sha256_1kib/host",
        baseline: "sha256_1kib/go_in_contract",
        goal: Goal::None,
    },
    Metric {
        name: "host_ed25519_verify_vs_go",
        bench: "ed25519_verify/host",
        baseline: "ed25519_verify/go_in_contract",
        goal: Goal::None,
    },
    Metric {
        name: "state_get_memory",
        bench: "state_get/memory",
        baseline: "state_get/baseline_btreemap",
        goal: Goal::None,
    },
    Metric {
        name: "state_get_redb",
        bench: "state_get/redb",
        baseline: "state_get/baseline_btreemap",
        goal: Goal::None,
    },
    Metric {
        name: "state_set_memory",
        bench: "state_set/memory",
        baseline: "state_set/baseline_btreemap",
        goal: Goal::None,
    },
    Metric {
        name: "state_set_redb",
        bench: "state_set/redb",
        baseline: "state_set/baseline_btreemap",
        goal: Goal::None,
    },
    Metric {
        name: "state_commit_1000_memory",
        bench: "state_commit_1000/memory",
        baseline: "state_commit_1000/baseline_btreemap",
        goal: Goal::None,
    },
    Metric {
        name: "state_commit_1000_redb",
        bench: "state_commit_1000/redb",
        baseline: "state_commit_1000/baseline_btreemap",
        goal: Goal::None,
    },
    Metric {
        name: "state_memory_create_set_commit_100",
        bench: "state_memory/create_set_commit_100",
        baseline: "state_memory/baseline_btreemap_insert_100",
        goal: Goal::None,
    },
];

/// For every metric with a goal: what was done for it and what was tried and measured,
/// printed (and put in the report) when the goal is missed. Keep it true as the code moves.
pub(crate) const TRIED: &[(&str, &str)] = &[
    (
        "isolated_transfer_vs_warm",
        "About 9-12 us of an isolated Transfer is the pool slot's reset: the kernel's PAGEMAP_SCAN \
         walk over the slot's ~780 page-table entries (the call dirties ~32 pages, copied back \
         in ~2 us). Done: the SDK fills Go's allocator caches before the snapshot (26 -> 23 us). \
         Tried: the reset on a background thread (one caller 15.5-17.7 us, but two saturated \
         callers lost 6-19% of their throughput and blocks got slower: dropped); no scan \
         (165 us: every page faults again); 8 and 6 MiB kept resident instead of 16 (slower).",
    ),
    (
        "isolated_transfer_vs_native",
        "The same slot reset and instantiation as isolated_transfer_vs_warm; the Go call itself \
         takes about twice the native Rust's time.",
    ),
    (
        "throughput_two_threads",
        "Calls share no lock; the figure moves with the machine's noise (1.58-2.06x across \
         runs on 2 vCPUs).",
    ),
    (
        "metering_overhead",
        "Fuel and epoch checks as wasmtime compiles them; nothing govm adds.",
    ),
    (
        "module_load_disk_cache",
        "A module verified once is trusted by its file's identity (device, inode, change time) \
         recorded in its checksummed .meta (2.9 -> 1.0).",
    ),
    (
        "first_call_after_restart",
        "Done: the module comes from the disk cache without reading the contract's code from \
         the state (resolve 330-465 -> 190-300 us); the ticker no longer delays a drop. Left: \
         making the runtime and its pool (200-250 us) and the fresh slot's page faults \
         (220-340 us against 32-40 us in a warm slot).",
    ),
    (
        "deploy_vs_one_compile",
        "The snapshot's compile reuses the first compile's functions through Cranelift's \
         incremental cache (2.3 -> 1.4 s); left: wizer's run, _initialize and the cache \
         lookups. 1.23-1.34 from run to run.",
    ),
    (
        "block_transfer_vs_isolated",
        "Done: signatures checked ahead on another thread, keys kept decompressed, redb reads \
         sharing one transaction (81 -> 38 us per transaction). Left per transaction: the same \
         slot reset as an isolated call, the nonce, fee and receipt writes, and the block's \
         commit to redb (about 6 us). Tried: a second checker thread on 2 cores (slower).",
    ),
    (
        "validation_100kb",
        "One parse and one walk of the syntax tree.",
    ),
    (
        "compile_token_cache_hit",
        "Artifacts are keyed by the source, the SDK and the toolchain.",
    ),
    (
        "abi_encode_transfer_args",
        "Fixed-size arguments are written inline into one allocation, error paths built only \
         on error (24 -> 18-22 ns); the rest is the allocation and the Result. 2.5-3.2 from run \
         to run.",
    ),
    (
        "gas_worst_over_median",
        "Gas schedules 5 and 6 price every operator class and host function from \
         benches/calibration.rs (about one unit per cycle of latency): the operator classes \
         run at 0.2-0.3 ns/gas but memory.fill of 0 bytes (0.6-0.65: glibc's memset takes 150 \
         ns for 0 bytes here, and 255 is the most wasmtime lets an operator cost). Schedule 6 \
         raised emit_event's bytes (50 -> 80) and the scan entry (500 -> 1,500), the two host \
         classes above it. A loaded machine slows every class.",
    ),
    (
        "gas_consensus_margin",
        "The bound is max_call_fuel (10 million), the most wasm one transaction may run: the \
         slowest priced class fits it hundreds of times inside min_timeout_ms.",
    ),
    (
        "gas_consensus_margin_worst_call",
        "A pointer chase over memory larger than the caches waits on every load (35-40 ns/gas \
         over 32 MiB on the calibration machine), and first writes to a page fault it in (30-40 \
         us a 64 KiB page, about 50 ms for max_contract_memory): no price per operator follows \
         either. max_call_fuel (10 million) and max_contract_memory (64 MiB) bound them; a \
         busier memory system or a chain that raises either moves this margin.",
    ),
    (
        "compile_worst_vs_token",
        "Compiling is priced by the module's shape (gas schedule 6: functions, blocks, calls, \
         locals, bytes x blocks, locals x blocks, br_table targets and locals x targets), \
         fitted on benches/compile.rs's modules at the structural limits against the token's \
         CPU per gas; the worst of them was at 2.2-2.8x the token from run to run (calls, \
         empty functions, call_indirect blocks). Before schedule 6, 40x.",
    ),
];

/// A figure's goal: the value must stay on one side of a bound.
#[derive(Clone, Copy)]
pub(crate) enum Bound {
    AtMost(f64),
    AtLeast(f64),
}

/// The figures held to a goal (the calibration's, `benches/calibration.rs`).
pub(crate) const FIGURE_GOALS: &[(&str, Bound)] = &[
    ("gas_worst_over_median", Bound::AtMost(3.0)),
    ("gas_consensus_margin", Bound::AtLeast(4.0)),
    ("gas_consensus_margin_worst_call", Bound::AtLeast(4.0)),
    ("compile_worst_vs_token", Bound::AtMost(3.0)),
];

/// Figures the benches write to `target/bench-extra/*.json` (not criterion measurements).
pub(crate) const FIGURES: &[&str] = &[
    "token_transfer_gas",
    "isolated_transfer_single_median",
    "isolated_transfer_single_p99",
    "transfers_per_second_1_thread",
    "transfers_per_second_2_threads",
    "scaling_2_threads",
    "token_snapshot_cwasm_size",
    "token_wasm_size_go",
    "deploy_token_new_module",
    "token_deploy_gas",
    "token_wasm_size_wasm_opt",
    "token_wasm_size_tinygo",
    "network_tps_token_transfers",
    "network_latency_p50",
    "network_latency_p99",
    "sha256_1kib_host_gas",
    "sha256_1kib_go_in_contract_gas",
    "ed25519_verify_host_gas",
    "ed25519_verify_go_in_contract_gas",
    "block_1000_transfers",
    "block_transfer_gas",
    "contract_resident_bytes",
    "contract_disk_bytes",
    "gas_ns_per_gas_median",
    "gas_ns_per_gas_worst",
    "gas_worst_over_median",
    "gas_bounded_memory_seconds",
    "gas_consensus_margin",
    "gas_consensus_margin_worst_call",
    "gas_fuel_per_tx_for_margin_4",
    "compile_worst_vs_token",
];

pub(crate) fn run(root: &Path, quick: bool, cometbft: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(root.join("target/bench-extra"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // The network bench runs validators: `govm node start` processes (a release build, as
    // an operator runs) and CometBFT.
    let built = Command::new(&cargo)
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--locked",
            "--quiet",
            "-p",
            "govm-cli",
        ])
        .status()
        .context("building govm")?;
    if !built.success() {
        bail!("building govm failed");
    }
    // Only this run's measurements are read: a bench it skips (no Go toolchain, say) must
    // show as missing, not with an earlier run's figures.
    for stale in ["target/criterion", "target/bench-extra"] {
        match std::fs::remove_dir_all(root.join(stale)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("clearing {stale}"));
            }
            _ => {}
        }
    }
    let mut cmd = Command::new(&cargo);
    cmd.env("GOVM_BIN", root.join("target/release/govm"))
        .env("GOVM_COMETBFT", cometbft);
    cmd.current_dir(root)
        .args(["bench", "--locked", "-p", "govm-benches", "--"]);
    if quick {
        cmd.args(["--warm-up-time", "0.5", "--measurement-time", "1.5"]);
        cmd.env("GOVM_BENCH_QUICK", "1");
    }
    eprintln!(
        "$ cargo bench -p govm-benches{}",
        if quick { " (quick)" } else { "" }
    );
    let status = cmd.status().context("running cargo bench")?;
    if !status.success() {
        bail!("cargo bench failed");
    }
    let criterion = root.join("target/criterion");
    let mut rows = Vec::new();
    let mut table = format!(
        "{:<36} {:>14} {:>14} {:>9} {:>14} {:>6}\n",
        "metric", "median", "baseline", "ratio", "goal", ""
    );
    let mut missed = String::new();
    for m in METRICS {
        let (Ok(value), Ok(base)) = (median(&criterion, m.bench), median(&criterion, m.baseline))
        else {
            // A bench this run skipped: shown as such, never with an old figure.
            table.push_str(&format!("{:<36} {:>14}\n", m.name, "not measured"));
            rows.push(serde_json::json!({ "name": m.name, "status": "missing" }));
            continue;
        };
        let ratio = value / base;
        let (goal_text, pass) = match m.goal {
            Goal::AtMostNanos(n) => (format!("<= {}", nanos(n)), Some(value <= n)),
            Goal::AtMostRatio(r) => (format!("ratio <= {r}"), Some(ratio <= r)),
            Goal::AtLeastSpeedup(x) => (format!("speedup >= {x}x"), Some(base / value >= x)),
            Goal::None => ("-".to_owned(), None),
        };
        let verdict = match pass {
            Some(true) => "pass",
            Some(false) => "MISS",
            None => "",
        };
        table.push_str(&format!(
            "{:<36} {:>14} {:>14} {:>9.2} {:>14} {:>6}\n",
            m.name,
            nanos(value),
            nanos(base),
            ratio,
            goal_text,
            verdict
        ));
        let status = match pass {
            None => "info",
            Some(true) => "pass",
            Some(false) => "miss",
        };
        let mut row = metric_row(m, value, base, &goal_text, status);
        if pass == Some(false) {
            let tried = tried(m.name);
            missed.push_str(&format!("\n{}:\n{}", m.name, wrap(tried, 92)));
            row["tried"] = tried.into();
        }
        rows.push(row);
    }
    if !missed.is_empty() {
        table.push_str("\nmissed goals: what was done, tried and measured\n");
        table.push_str(&missed);
    }
    // Figures criterion cannot hold (p99, rates, sizes, gas), written by the benches.
    let mut figures = Vec::new();
    if let Ok(entries) = std::fs::read_dir(root.join("target/bench-extra")) {
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path)?;
            let rows: Vec<serde_json::Value> = serde_json::from_str(&text)
                .with_context(|| format!("reading {}", path.display()))?;
            figures.extend(rows);
        }
    }
    for name in FIGURES {
        if !figures.iter().any(|f| f["name"] == *name) {
            figures.push(serde_json::json!({
                "name": name, "value": null, "unit": "", "note": "missing: the bench did not report it",
            }));
        }
    }
    let mut figure_missed = String::new();
    for f in &mut figures {
        let Some((name, bound)) = FIGURE_GOALS.iter().find(|(n, _)| f["name"] == *n) else {
            continue;
        };
        let (goal, pass) = figure_goal(*bound, f["value"].as_f64());
        f["goal"] = goal.into();
        f["status"] = match pass {
            Some(true) => "pass",
            Some(false) => "miss",
            None => "missing",
        }
        .into();
        if pass == Some(false) {
            let tried = tried(name);
            figure_missed.push_str(&format!("\n{name}:\n{}", wrap(tried, 92)));
            f["tried"] = tried.into();
        }
    }
    table.push_str(&format!(
        "\n{:<36} {:>22}   {}\n",
        "figure", "value", "note"
    ));
    for f in &figures {
        let unit = f["unit"].as_str().unwrap_or_default();
        let shown = match (f["value"].as_f64(), unit) {
            (None, _) => "-".to_owned(),
            (Some(v), "ns") => nanos(v),
            (Some(v), "x") => format!("{v:.2}x"),
            (Some(v), "tx/s") => format!("{v:.1} tx/s"),
            (Some(v), "ns/gas") => format!("{v:.3} ns/gas"),
            (Some(v), "s") => format!("{v:.3} s"),
            (Some(v), u) => format!("{v:.0} {u}"),
        };
        let verdict = match (f["goal"].as_str(), f["status"].as_str()) {
            (Some(goal), Some(status)) => format!("[{goal}: {status}] "),
            _ => String::new(),
        };
        table.push_str(&format!(
            "{:<36} {:>22}   {verdict}{}\n",
            f["name"].as_str().unwrap_or_default(),
            shown,
            f["note"].as_str().unwrap_or_default()
        ));
    }
    if !figure_missed.is_empty() {
        table.push_str("\nmissed figure goals: what was done, tried and measured\n");
        table.push_str(&figure_missed);
    }
    print!("{table}");
    let report = report(quick, rows, figures);
    let path = root.join("target/bench-report.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// One metric of `target/bench-report.json`.
fn metric_row(m: &Metric, value: f64, base: f64, goal: &str, status: &str) -> serde_json::Value {
    serde_json::json!({
        "name": m.name,
        "value_ns": value,
        "baseline": m.baseline,
        "baseline_ns": base,
        "ratio": value / base,
        "goal": goal,
        "status": status,
    })
}

/// A figure's goal as text, and whether `value` meets it (`None` when not measured).
fn figure_goal(bound: Bound, value: Option<f64>) -> (String, Option<bool>) {
    match bound {
        Bound::AtMost(b) => (format!("<= {b}"), value.map(|v| v <= b)),
        Bound::AtLeast(b) => (format!(">= {b}"), value.map(|v| v >= b)),
    }
}

/// `text` in lines of at most `width` columns (longer words alone), each indented by two.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            out.push_str(&format!("  {line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("  {line}\n"));
    }
    out
}

/// What was tried for a metric's goal (see [`TRIED`]).
fn tried(name: &str) -> &'static str {
    TRIED
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("(nothing recorded)", |(_, t)| t)
}

/// The whole report: its schema version, the metrics (a missed goal with what was tried) and
/// the figures.
fn report(
    quick: bool,
    metrics: Vec<serde_json::Value>,
    figures: Vec<serde_json::Value>,
) -> serde_json::Value {
    serde_json::json!({ "schema": 4, "quick": quick, "metrics": metrics, "figures": figures })
}

fn median(criterion: &Path, bench: &str) -> Result<f64> {
    let path = criterion.join(bench).join("new/estimates.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)?;
    json["median"]["point_estimate"]
        .as_f64()
        .with_context(|| format!("no median in {}", path.display()))
}

fn nanos(n: f64) -> String {
    match n {
        n if n >= 1e9 => format!("{:.2} s", n / 1e9),
        n if n >= 1e6 => format!("{:.2} ms", n / 1e6),
        n if n >= 1e3 => format!("{:.2} us", n / 1e3),
        n => format!("{n:.1} ns"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report's metric names are an interface: dashboards and reviewers read them.
    #[test]
    fn metric_names_are_stable_and_unique() {
        let names: Vec<&str> = METRICS.iter().map(|m| m.name).collect();
        assert_eq!(
            names,
            [
                "isolated_transfer_vs_warm",
                "isolated_transfer_vs_native",
                "facade_transfer_query",
                "fresh_initialize_transfer",
                "throughput_two_threads",
                "metering_overhead",
                "metering_overhead_go_sha256",
                "metering_overhead_go_sort",
                "module_load_disk_cache",
                "first_call_after_restart",
                "deploy_vs_one_compile",
                "block_transfer_vs_isolated",
                "block_parallel_vs_sequential_checks",
                "validation_100kb",
                "compile_token_cache_hit",
                "compile_token_cold",
                "abi_encode_transfer_args",
                "abi_decode_transfer_args",
                "host_sha256_1kib_vs_go",
                "host_ed25519_verify_vs_go",
                "state_get_memory",
                "state_get_redb",
                "state_set_memory",
                "state_set_redb",
                "state_commit_1000_memory",
                "state_commit_1000_redb",
                "state_memory_create_set_commit_100",
            ]
        );
        assert_eq!(FIGURES.len(), 31);
        // The report's shape: consumers read these keys.
        let row = metric_row(&METRICS[0], 2.0, 1.0, "ratio <= 3", "pass");
        let keys: Vec<&String> = row
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            [
                "baseline",
                "baseline_ns",
                "goal",
                "name",
                "ratio",
                "status",
                "value_ns"
            ]
        );
        let whole = report(true, vec![row], vec![]);
        assert_eq!(whole["schema"], 4);
        let keys: Vec<&String> = whole
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["figures", "metrics", "quick", "schema"]);
        let mut unique = FIGURES.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), FIGURES.len());
        // Every goal says what was tried for it, and nothing else has an entry; every figure
        // held to a goal is one the report expects.
        let mut goals: Vec<&str> = METRICS
            .iter()
            .filter(|m| !matches!(m.goal, Goal::None))
            .map(|m| m.name)
            .collect();
        goals.extend(FIGURE_GOALS.iter().map(|(n, _)| *n));
        for (name, _) in FIGURE_GOALS {
            assert!(FIGURES.contains(name), "{name}");
        }
        assert_eq!(
            figure_goal(Bound::AtLeast(4.0), Some(3.9)),
            (">= 4".to_owned(), Some(false))
        );
        assert_eq!(
            figure_goal(Bound::AtMost(3.0), None),
            ("<= 3".to_owned(), None)
        );
        let recorded: Vec<&str> = TRIED.iter().map(|(n, _)| *n).collect();
        assert_eq!(goals, recorded);
        assert_eq!(wrap("a bb ccc dddd", 6), "  a bb\n  ccc\n  dddd\n");
        for m in METRICS {
            assert!(
                m.bench.contains('/') && m.baseline.contains('/'),
                "{}",
                m.name
            );
            assert_ne!(m.bench, m.baseline);
        }
    }
}

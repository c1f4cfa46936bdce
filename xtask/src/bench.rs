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
    /// Reported for information.
    None,
}

pub(crate) const METRICS: &[Metric] = &[
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
        goal: Goal::None,
    },
    Metric {
        name: "abi_decode_transfer_args",
        bench: "transfer_args/abi_decode",
        baseline: "transfer_args/baseline_scale_direct_decode",
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

pub(crate) fn run(root: &Path, quick: bool) -> Result<()> {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root)
        .args(["bench", "--locked", "-p", "govm-benches", "--"]);
    if quick {
        cmd.args(["--warm-up-time", "0.5", "--measurement-time", "1.5"]);
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
    for m in METRICS {
        let value = median(&criterion, m.bench)?;
        let base = median(&criterion, m.baseline)?;
        let ratio = value / base;
        let (goal_text, pass) = match m.goal {
            Goal::AtMostNanos(n) => (format!("<= {}", nanos(n)), Some(value <= n)),
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
        rows.push(serde_json::json!({
            "name": m.name,
            "value_ns": value,
            "baseline": m.baseline,
            "baseline_ns": base,
            "ratio": ratio,
            "goal": goal_text,
            "status": if verdict.is_empty() { "info" } else if pass == Some(true) { "pass" } else { "miss" },
        }));
    }
    print!("{table}");
    let report = serde_json::json!({ "schema": 1, "quick": quick, "metrics": rows });
    let path = root.join("target/bench-report.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    eprintln!("wrote {}", path.display());
    Ok(())
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
                "validation_100kb",
                "compile_token_cache_hit",
                "compile_token_cold",
                "abi_encode_transfer_args",
                "abi_decode_transfer_args",
                "state_get_memory",
                "state_get_redb",
                "state_set_memory",
                "state_set_redb",
                "state_commit_1000_memory",
                "state_commit_1000_redb",
                "state_memory_create_set_commit_100",
            ]
        );
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

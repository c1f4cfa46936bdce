//! What `govm` prints: text for people, `--json` for programs, from the same values.

use std::path::Path;

use govm::{ContractAbi, EventRecord, Outcome, Rejected};
use serde_json::{Value as Json, json};

/// Where results go: text or JSON on standard output.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Output {
    pub(crate) json: bool,
}

impl Output {
    /// Prints `value` with `--json`, else `text()` (nothing when it is empty).
    pub(crate) fn print(&self, value: Json, text: impl FnOnce() -> String) {
        if self.json {
            println!("{value}");
            return;
        }
        let text = text();
        if !text.is_empty() {
            println!("{text}");
        }
    }

    /// A successful call: its result, events and gas.
    pub(crate) fn outcome(&self, outcome: &Outcome) {
        if !self.json && !outcome.debug_output.is_empty() {
            eprint!("{}", outcome.debug_output);
        }
        self.outcome_json(&outcome.to_json());
    }

    /// A successful call in its JSON form (`Outcome::to_json`), as text or JSON.
    pub(crate) fn outcome_json(&self, outcome: &Json) {
        if self.json {
            println!("{outcome}");
            return;
        }
        println!("result  {}", outcome["result"]);
        for e in outcome["events"].as_array().into_iter().flatten() {
            println!("event   {}", event_text(e));
        }
        println!("gas     {}", outcome["gas_used"]);
        // A transaction's cost (a network's call): fee, fuel limit and gas price.
        if let Some(fee) = outcome.get("fee") {
            println!(
                "fee     {fee} (fuel limit {} × gas price {})",
                outcome["fuel_limit"], outcome["gas_price"]
            );
        }
    }

    /// A failed call: the error, what the contract printed, and the gas it used.
    pub(crate) fn call_failure(
        &self,
        error: &impl std::fmt::Display,
        gas_used: u64,
        debug_output: &str,
    ) {
        if self.json {
            println!(
                "{}",
                json!({ "status": "error", "result": null, "error": error.to_string(), "events": [], "gas_used": gas_used })
            );
        } else {
            if !debug_output.is_empty() {
                eprint!("{debug_output}");
            }
            eprintln!("error: {error}\ngas used {gas_used}");
        }
    }

    /// A network's transaction that ran and failed: the error, the gas it used, and
    /// `sent`, where it is and what it cost (`fee`, its text form).
    pub(crate) fn tx_failure(&self, error: &str, sent: &Json, fee: &str) {
        if self.json {
            let mut failure =
                json!({ "status": "error", "result": null, "error": error, "events": [] });
            if let (Some(f), Some(sent)) = (failure.as_object_mut(), sent.as_object()) {
                f.extend(sent.clone());
            }
            println!("{failure}");
        } else {
            eprintln!("error: {error}\ngas used {}\n{fee}", sent["gas_used"]);
        }
    }

    /// A word for people, on standard error; nothing with `--json`.
    pub(crate) fn note(&self, text: &str) {
        if !self.json {
            eprintln!("{text}");
        }
    }

    /// Events, oldest first.
    pub(crate) fn events(&self, events: &[EventRecord]) {
        self.events_json(&events.iter().map(EventRecord::to_json).collect::<Vec<_>>());
    }

    /// Events in their JSON form (`EventRecord::to_json`).
    pub(crate) fn events_json(&self, events: &[Json]) {
        if self.json {
            println!("{}", Json::Array(events.to_vec()));
        } else {
            for e in events {
                println!("{}", event_text(e));
            }
        }
    }

    /// Objects in their JSON form (`ObjectRecord::to_json`).
    pub(crate) fn objects(&self, list: &[Json]) {
        self.print(Json::Array(list.to_vec()), || {
            let mut text = Vec::new();
            for r in list {
                text.push(format!(
                    "object {}\n  owner  {}",
                    plain(&r["id"]),
                    plain(&r["owner"])
                ));
                for (name, value) in r["fields"].as_object().into_iter().flatten() {
                    text.push(format!("  {name} = {}", plain(value)));
                }
            }
            text.join("\n")
        });
    }

    /// A failure, on standard error (or as `{"status":"error"}` with `--json`).
    pub(crate) fn failure(&self, message: &str) {
        if self.json {
            println!("{}", json!({ "status": "error", "error": message }));
        } else {
            eprintln!("{message}");
        }
    }
}

/// `Name { key: value, … } from 0x…`, from an event's JSON form.
fn event_text(e: &Json) -> String {
    let fields: Vec<String> = e["fields"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}: {}", plain(v)))
        .collect();
    format!(
        "{} {{ {} }} from {}",
        plain(&e["name"]),
        fields.join(", "),
        plain(&e["contract"])
    )
}

/// A JSON value as text: strings without their quotes.
pub(crate) fn plain(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A contract's ABI in Go syntax.
pub(crate) fn abi_text(abi: &ContractAbi) -> String {
    let mut out = format!("package {}", abi.package);
    for f in &abi.functions {
        let mut params: Vec<String> = Vec::new();
        if f.context {
            params.push("ctx vm.Context".into());
        }
        params.extend(f.params.iter().map(|p| format!("{} {}", p.name, p.ty)));
        let mut results: Vec<String> = f.results.iter().map(ToString::to_string).collect();
        if f.error {
            results.push("error".into());
        }
        let results = match results.as_slice() {
            [] => String::new(),
            [one] => format!(" {one}"),
            many => format!(" ({})", many.join(", ")),
        };
        out.push_str(&format!(
            "\n  func {}({}){results}",
            f.name,
            params.join(", ")
        ));
    }
    for s in &abi.structs {
        let fields: Vec<String> = s
            .fields
            .iter()
            .map(|f| format!("{} {}", f.name, f.ty))
            .collect();
        out.push_str(&format!(
            "\n  type {} struct {{ {} }}",
            s.name,
            fields.join("; ")
        ));
    }
    for e in &abi.events {
        out.push_str(&format!("\n  event {}({})", e.name, e.keys.join(", ")));
    }
    out
}

/// Validation diagnostics, each with the source line and a caret under the column.
pub(crate) fn diagnostics(rejected: &Rejected, file: Option<(&Path, &str)>) -> String {
    let (path, source) = file.unwrap_or((Path::new("contract.go"), ""));
    let lines: Vec<&str> = source.lines().collect();
    let mut out = String::new();
    for d in &rejected.diagnostics {
        out.push_str(&format!(
            "error[{}]: {}\n --> {}:{}:{}\n",
            d.rule,
            d.message,
            path.display(),
            d.line,
            d.column
        ));
        if let Some(line) = lines.get(d.line.wrapping_sub(1)) {
            // A column inside a multi-byte character (or past the line) must not panic.
            let before = line.get(..d.column.saturating_sub(1)).unwrap_or(line);
            let caret = " ".repeat(before.chars().count());
            out.push_str(&format!("  |\n  | {line}\n  | {caret}^\n"));
        }
    }
    out.push_str(&format!("{} problem(s) found", rejected.diagnostics.len()));
    out
}

/// Runs `work` under a spinner with the elapsed time on standard error, when standard output
/// is a terminal and the output is not JSON (compiles take seconds; cache hits finish before
/// the spinner shows).
pub(crate) fn with_spinner<T>(out: Output, message: &str, work: impl FnOnce() -> T) -> T {
    use std::io::IsTerminal;
    if out.json || !std::io::stdout().is_terminal() || !std::io::stderr().is_terminal() {
        return work();
    }
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    spinner.set_message(message.to_owned());
    spinner.enable_steady_tick(std::time::Duration::from_millis(100));
    let result = work();
    spinner.finish_and_clear();
    result
}

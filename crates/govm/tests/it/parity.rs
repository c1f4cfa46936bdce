//! Semantic parity (docs/testing.md §3-§5): every scenario (`testdata/contracts/*/parity.json`)
//! runs through the real engine here and natively through the Go SDK's vmtest (the runner in
//! `testdata/parity`), and the two transcripts must be equal: results, errors, events,
//! objects, owners, fields and balances (not gas).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use govm::{
    Address, CallContext, ContractAbi, DeployOptions, Engine, Error, ToolchainConfig, Value,
};
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use crate::cache_dir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn account(name: &str) -> Address {
    let digest = Sha256::new()
        .chain_update(b"govm/test-account")
        .chain_update(name.as_bytes())
        .finalize();
    let mut a = [0u8; 20];
    a.copy_from_slice(&digest[..20]);
    Address(a)
}

/// The engine's side of a scenario.
struct Run {
    engine: Engine,
    accounts: BTreeMap<String, Address>,
    contracts: BTreeMap<String, Address>,
    saved: HashMap<String, Json>,
    height: u64,
    time: i64,
    steps: Vec<Json>,
    unmet: Vec<String>,
}

impl Run {
    fn resolve(&self, v: &Json) -> Json {
        match v {
            Json::String(s) => self.resolve_str(s),
            Json::Array(items) => Json::Array(items.iter().map(|i| self.resolve(i)).collect()),
            Json::Object(map) => Json::Object(
                map.iter()
                    .map(|(k, v)| {
                        let key = match self.resolve_str(k) {
                            Json::String(s) => s,
                            other => panic!("key {k} resolves to {other}, not a string"),
                        };
                        (key, self.resolve(v))
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn resolve_str(&self, s: &str) -> Json {
        if let Some(rest) = s.strip_prefix("@@").or_else(|| s.strip_prefix("$$")) {
            return Json::String(format!("{}{rest}", &s[..1]));
        }
        if let Some(name) = s.strip_prefix('@') {
            let a = self
                .accounts
                .get(name)
                .unwrap_or_else(|| panic!("unknown account {name}"));
            return Json::String(a.to_string());
        }
        if let Some(name) = s.strip_prefix('$') {
            if let Some(a) = self.contracts.get(name) {
                return Json::String(a.to_string());
            }
            return self
                .saved
                .get(name)
                .cloned()
                .unwrap_or_else(|| panic!("unknown name {name}"));
        }
        Json::String(s.to_owned())
    }

    fn address(&self, v: &Json) -> Address {
        match self.resolve(v) {
            Json::String(s) => s.parse().unwrap_or_else(|e| panic!("{s}: {e}")),
            other => panic!("{other} is not an address"),
        }
    }

    fn step(&mut self, step: &Json) {
        let op = step["op"].as_str().unwrap_or_default();
        let entry = match op {
            "deploy" => {
                let contract = step["contract"].as_str().unwrap();
                let name = step["name"].as_str().unwrap_or(contract).to_owned();
                assert!(
                    !self.contracts.contains_key(&name),
                    "deployment {name} exists"
                );
                let source = std::fs::read(
                    root().join(format!("testdata/contracts/{contract}/{contract}.go")),
                )
                .unwrap();
                let options = DeployOptions {
                    deployer: self.address(&step["sender"]),
                    block_height: self.height,
                    ..DeployOptions::default()
                };
                let address = self
                    .engine
                    .deploy_with_options(&source, &options)
                    .unwrap_or_else(|e| panic!("deploy {contract}: {e}"))
                    .address;
                self.contracts.insert(name.clone(), address);
                json!({"op": "deploy", "name": name, "address": address.to_string()})
            }
            "call" => self.call(step),
            "mint" => {
                let to = self.address(&step["to"]);
                self.engine
                    .mint(to, step["amount"].as_u64().unwrap())
                    .unwrap();
                let balance = self.engine.balance(to).unwrap();
                json!({"op": "mint", "to": to.to_string(), "balance": balance})
            }
            "block" => {
                if let Some(h) = step["height"].as_u64() {
                    self.height = h;
                }
                if let Some(t) = step["time"].as_i64() {
                    self.time = t;
                }
                json!({"op": "block", "height": self.height, "time": self.time})
            }
            other => panic!("unknown op {other}"),
        };
        self.steps.push(entry);
    }

    fn call(&mut self, step: &Json) -> Json {
        let written = step["contract"].as_str().unwrap().to_owned();
        let contract = match self.contracts.get(&written) {
            Some(a) => *a,
            None => written.parse().unwrap_or_else(|e| panic!("{written}: {e}")),
        };
        let function = step["function"].as_str().unwrap();
        let sender = self.address(&step["sender"]);
        // Arguments are read only when the function exists: else the engine fails first.
        let args = match self.engine.abi(contract) {
            Ok(abi) => match abi.function(function) {
                Some(f) => {
                    let json = self.resolve(step.get("args").unwrap_or(&json!([])));
                    abi.args_from_json(f, &json)
                        .unwrap_or_else(|e| panic!("{function} arguments: {e}"))
                }
                None => Vec::new(),
            },
            Err(_) => Vec::new(),
        };
        let ctx = CallContext {
            sender,
            block_height: self.height,
            block_time: self.time,
            value: step["value"].as_u64().unwrap_or(0),
            fuel_limit: step["fuel"]
                .as_u64()
                .unwrap_or(CallContext::new(sender).fuel_limit),
        };
        let (result, error, events) = match self
            .engine
            .execute_with_args(&ctx, contract, function, &args)
        {
            Ok(o) => {
                let events: Vec<Json> = o
                        .events
                        .iter()
                        .map(|e| {
                            let fields: Vec<Json> = e
                                .fields
                                .iter()
                                .map(|(k, v)| json!([k, v.to_json()]))
                                .collect();
                            json!({"contract": e.contract.to_string(), "name": e.name, "fields": fields})
                        })
                        .collect();
                (ContractAbi::results_to_json(&o.results), Json::Null, events)
            }
            Err(Error::Call { error, .. }) => {
                (Json::Null, Json::String(error.to_string()), Vec::new())
            }
            Err(e) => panic!("{function}: {e}"),
        };
        if let Some(expect) = step.get("expect") {
            let ok = match (expect.get("result"), expect.get("error")) {
                (Some(r), _) => error.is_null() && self.resolve(r) == result,
                (_, Some(e)) => &error == e,
                _ => panic!("bad expect {expect}"),
            };
            if !ok {
                self.unmet.push(format!(
                    "step {}: {written}.{function}: expected {expect}, got result {result} error {error}",
                    self.steps.len()
                ));
            }
        }
        if let Some(name) = step["save"].as_str() {
            assert!(error.is_null(), "saving the result of a failed call");
            self.saved.insert(name.to_owned(), result.clone());
        }
        json!({"op": "call", "contract": written, "function": function, "result": result, "error": error, "events": events})
    }

    fn transcript(&self) -> Json {
        let mut objects = serde_json::Map::new();
        let mut balances = serde_json::Map::new();
        for (name, address) in &self.contracts {
            let list: Vec<Json> = self
                .engine
                .objects(*address)
                .unwrap()
                .into_iter()
                .map(|o| {
                    let fields: serde_json::Map<String, Json> = o
                        .fields
                        .iter()
                        .map(|(k, v): &(String, Value)| (k.clone(), v.to_json()))
                        .collect();
                    json!({"id": o.id.to_string(), "owner": o.owner.to_string(), "fields": fields})
                })
                .collect();
            objects.insert(name.clone(), Json::Array(list));
            balances.insert(name.clone(), json!(self.engine.balance(*address).unwrap()));
        }
        for (name, address) in &self.accounts {
            balances.insert(name.clone(), json!(self.engine.balance(*address).unwrap()));
        }
        let names = |m: &BTreeMap<String, Address>| -> Json {
            m.iter()
                .map(|(k, a)| (k.clone(), Json::String(a.to_string())))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        json!({
            "accounts": names(&self.accounts),
            "contracts": names(&self.contracts),
            "steps": self.steps,
            "state": {"objects": objects, "balances": balances},
        })
    }
}

fn engine_transcript(scenario: &Json) -> (Json, Vec<String>) {
    let engine = Engine::new(govm::Config {
        cache_dir: cache_dir(),
        ..govm::Config::default()
    })
    .unwrap();
    let accounts = scenario["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let n = n.as_str().unwrap();
            (n.to_owned(), account(n))
        })
        .collect();
    let mut run = Run {
        engine,
        accounts,
        contracts: BTreeMap::new(),
        saved: HashMap::new(),
        height: 1,
        time: 1_700_000_000,
        steps: Vec::new(),
        unmet: Vec::new(),
    };
    for step in scenario["steps"].as_array().unwrap() {
        run.step(step);
    }
    (run.transcript(), run.unmet)
}

/// Builds the Go runner once (`go test -c`) and runs it per scenario.
fn native_runner(dir: &Path) -> impl Fn(&Path) -> (Json, Option<String>) {
    let go = ToolchainConfig::default()
        .discover_go()
        .unwrap_or_else(|e| panic!("{e} (run `cargo xtask setup`)"));
    let bin = tempfile::tempdir().unwrap();
    let test_bin = bin.path().join("parity.test");
    let built = Command::new(&go.path)
        .current_dir(dir)
        .envs([
            ("GOTOOLCHAIN", "local"),
            ("GOFLAGS", "-mod=mod"),
            ("GOPROXY", "off"),
            ("GOWORK", "off"),
        ])
        .args(["test", "-c", "-o"])
        .arg(&test_bin)
        .arg(".")
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "go test -c: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    let dir = dir.to_path_buf();
    move |scenario: &Path| {
        let out = bin.path().join("native.json");
        let run = Command::new(&test_bin)
            .current_dir(&dir)
            .env("GOVM_PARITY_SCENARIO", scenario)
            .env("GOVM_PARITY_OUT", &out)
            .args(["-test.run", "^TestParity$", "-test.count=1"])
            .output()
            .unwrap();
        let text = std::fs::read_to_string(&out).unwrap_or_else(|_| {
            panic!(
                "the native runner wrote no transcript for {}:\n{}{}",
                scenario.display(),
                String::from_utf8_lossy(&run.stdout),
                String::from_utf8_lossy(&run.stderr)
            )
        });
        std::fs::remove_file(&out).unwrap();
        // An unmet expectation fails the runner but still writes the transcript.
        let failed = (!run.status.success()).then(|| {
            format!(
                "the native runner failed:\n{}",
                String::from_utf8_lossy(&run.stdout)
            )
        });
        (serde_json::from_str(&text).unwrap(), failed)
    }
}

#[test]
fn every_scenario_gives_the_same_transcript_natively_and_on_the_engine() {
    let runner = root().join("testdata/parity");
    let native = native_runner(&runner);
    let mut scenarios: Vec<PathBuf> = std::fs::read_dir(root().join("testdata/contracts"))
        .unwrap()
        .map(|e| e.unwrap().path().join("parity.json"))
        .filter(|p| p.is_file())
        .collect();
    scenarios.sort();
    assert!(scenarios.len() >= 8, "{scenarios:?}");
    let mut failures = Vec::new();
    for path in &scenarios {
        let scenario: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let (engine, unmet) = engine_transcript(&scenario);
        failures.extend(
            unmet
                .into_iter()
                .map(|u| format!("{}: {u}", path.display())),
        );
        let (native, native_failure) = native(path);
        failures.extend(native_failure.map(|f| format!("{}: {f}", path.display())));
        if engine != native {
            failures.push(format!(
                "{}: the transcripts differ\n{}",
                path.display(),
                first_difference(&engine, &native)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Where two transcripts first differ, step by step, for a readable failure.
fn first_difference(engine: &Json, native: &Json) -> String {
    let steps = |t: &Json| t["steps"].as_array().cloned().unwrap_or_default();
    for (i, (e, n)) in steps(engine).iter().zip(steps(native).iter()).enumerate() {
        if e != n {
            return format!("step {i}:\n  engine: {e}\n  native: {n}");
        }
    }
    for key in ["accounts", "contracts", "state"] {
        if engine[key] != native[key] {
            return format!(
                "{key}:\n  engine: {}\n  native: {}",
                engine[key], native[key]
            );
        }
    }
    "the step counts differ".into()
}

//! `govm inspect ADDRESS|FILE.go`: a contract's ABI, module and limits.

use std::path::Path;

use clap::Args;
use govm::ContractAbi;
use serde_json::{Value as Json, json};

use crate::commands::Env;
use crate::exit::{Exit, Failure, OrFail};
use crate::input::{address, file_name, read};
use crate::output::{abi_text, with_spinner};

/// Show a contract's ABI, module size, exports and toolchain (ADDR or FILE.go).
#[derive(Args, Debug)]
pub(crate) struct Inspect {
    /// A deployed contract's address, or a source file.
    target: String,
}

pub(crate) fn run(env: &Env, args: &Inspect) -> Result<Exit, Failure> {
    let path = Path::new(&args.target);
    let is_file = path.extension().is_some();
    if !is_file && let Some(net) = env.network()? {
        let contract = address(&args.target, "contract")?;
        let mut value = net.query(&format!("/contract/{contract}"), &[])?;
        if let Some(o) = value.as_object_mut() {
            o.insert("toolchain".into(), Json::String(String::new()));
        }
        return print(env, &value);
    }
    let engine = if is_file {
        env.builder()?
    } else {
        env.engine()?
    };
    let mut value = if is_file {
        let (code, source) = read(path)?;
        let (abi, module) = with_spinner(env.out, &format!("building {}", path.display()), || {
            engine.build(&code, &file_name(path))
        })
        .or_fail_in(path, &source)?;
        let info = module.info();
        json!({
            "abi": serde_json::from_str::<Json>(&abi.to_json()).unwrap_or(Json::Null),
            "wasm_size": info.size,
            "exports": info.exports,
            "imports": info.imports,
        })
    } else {
        engine
            .contract_info(address(&args.target, "contract")?)
            .or_fail()?
            .to_json()
    };
    let toolchain = engine
        .compiler()
        .toolchain()
        .map(ToString::to_string)
        .unwrap_or_default();
    if let Some(o) = value.as_object_mut() {
        o.insert("toolchain".into(), Json::String(toolchain));
    }
    print(env, &value)
}

/// Prints a contract's JSON form (`ContractInfo::to_json` and the toolchain), as text or
/// JSON.
pub(crate) fn print(env: &Env, value: &Json) -> Result<Exit, Failure> {
    let abi = ContractAbi::from_json(&value["abi"].to_string())
        .map_err(|e| Failure::internal(format!("the contract's ABI: {e}")))?;
    env.out.print(value.clone(), || text(value, &abi));
    Ok(Exit::Ok)
}

fn text(d: &Json, abi: &ContractAbi) -> String {
    let mut lines = Vec::new();
    if let Some(addr) = d.get("address").and_then(Json::as_str) {
        lines.push(format!("contract {addr}"));
    }
    lines.push(abi_text(abi));
    let count = |k: &str| d[k].as_array().map_or(0, Vec::len);
    lines.push(format!(
        "wasm {} bytes, {} exports, {} imports; toolchain {}",
        d["wasm_size"],
        count("exports"),
        count("imports"),
        d["toolchain"].as_str().unwrap_or_default()
    ));
    if let (Some(source), Some(module)) = (
        d.get("source_hash").and_then(Json::as_str),
        d.get("module_hash").and_then(Json::as_str),
    ) {
        // What `govm verify` checks: that the source builds to exactly this module.
        lines.push(format!("source sha256 {source}, module sha256 {module}"));
    }
    if let Some(o) = d.get("options") {
        lines.push(format!(
            "limits: fuel {} per call, memory {} bytes, timeout {} ms, stack {} bytes, table {}",
            o["fuel_limit"], o["memory_limit"], o["timeout_ms"], o["stack_size"], o["table_size"]
        ));
    }
    lines.join("\n")
}

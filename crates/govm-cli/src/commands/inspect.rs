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

/// What is shown of a module, deployed or built.
struct Shown {
    abi: ContractAbi,
    size: usize,
    exports: Vec<String>,
    imports: Vec<String>,
    /// The deployed contract's record, as JSON; `Null` for a source file.
    deployed: Json,
}

pub(crate) fn run(env: &Env, args: &Inspect) -> Result<Exit, Failure> {
    let path = Path::new(&args.target);
    let is_file = path.extension().is_some();
    let engine = if is_file {
        env.builder()?
    } else {
        env.engine()?
    };
    let shown = if is_file {
        let (code, source) = read(path)?;
        let (abi, module) = with_spinner(env.out, &format!("building {}", path.display()), || {
            engine.build(&code, &file_name(path))
        })
        .or_fail_in(path, &source)?;
        let info = module.info().clone();
        Shown {
            abi,
            size: info.size,
            exports: info.exports,
            imports: info.imports,
            deployed: Json::Null,
        }
    } else {
        let info = engine
            .contract_info(address(&args.target, "contract")?)
            .or_fail()?;
        let o = info.options;
        Shown {
            deployed: json!({
                "address": info.address.to_string(),
                "code_hash": info.code_hash.to_string(),
                "deployer": info.deployer.to_string(),
                "deploy_height": info.deploy_height,
                "options": {
                    "memory_limit": o.memory_limit,
                    "table_size": o.table_size,
                    "timeout_ms": o.timeout_ms,
                    "fuel_limit": o.fuel_limit,
                    "stack_size": o.stack_size,
                    "enable_simd": o.enable_simd,
                },
            }),
            abi: info.abi,
            size: info.wasm_size,
            exports: info.exports,
            imports: info.imports,
        }
    };
    let toolchain = engine
        .compiler()
        .toolchain()
        .map(ToString::to_string)
        .unwrap_or_default();
    let mut value = json!({
        "abi": serde_json::from_str::<Json>(&shown.abi.to_json()).unwrap_or(Json::Null),
        "wasm_size": shown.size,
        "exports": shown.exports,
        "imports": shown.imports,
        "toolchain": toolchain,
    });
    if let (Some(o), Some(d)) = (value.as_object_mut(), shown.deployed.as_object()) {
        o.extend(d.clone());
    }
    env.out.print(value, || text(&shown, &toolchain));
    Ok(Exit::Ok)
}

fn text(shown: &Shown, toolchain: &str) -> String {
    let d = &shown.deployed;
    let mut lines = Vec::new();
    if let Some(addr) = d.get("address").and_then(Json::as_str) {
        lines.push(format!("contract {addr}"));
    }
    lines.push(abi_text(&shown.abi));
    lines.push(format!(
        "wasm {} bytes, {} exports, {} imports; toolchain {toolchain}",
        shown.size,
        shown.exports.len(),
        shown.imports.len()
    ));
    if let Some(o) = d.get("options") {
        lines.push(format!(
            "limits: fuel {} per call, memory {} bytes, timeout {} ms, stack {} bytes, table {}",
            o["fuel_limit"], o["memory_limit"], o["timeout_ms"], o["stack_size"], o["table_size"]
        ));
    }
    lines.join("\n")
}

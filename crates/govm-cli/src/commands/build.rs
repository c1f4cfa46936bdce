//! `govm build FILE [-o OUT]`: validate and compile to wasm.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use crate::commands::Env;
use crate::exit::{Exit, Failure, OrFail};
use crate::input::{file_name, read, wasm_path};
use crate::output::with_spinner;

/// Validate and compile a contract to wasm without deploying it.
#[derive(Args, Debug)]
pub(crate) struct Build {
    /// The contract: FILE.go or FILE.go.gz.
    file: PathBuf,
    /// Where to write the module. Default: FILE with the extension .wasm.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub(crate) fn run(env: &Env, args: &Build) -> Result<Exit, Failure> {
    let (code, source) = read(&args.file)?;
    let engine = env.builder()?;
    let (abi, module) = with_spinner(
        env.out,
        &format!("building {}", args.file.display()),
        || engine.build(&code, &file_name(&args.file)),
    )
    .or_fail_in(&args.file, &source)?;
    let out = args.output.clone().unwrap_or_else(|| wasm_path(&args.file));
    std::fs::write(&out, module.bytes())
        .map_err(|e| Failure::input(format!("cannot write {}: {e}", out.display())))?;
    let toolchain = engine
        .compiler()
        .toolchain()
        .map(ToString::to_string)
        .unwrap_or_default();
    let functions: Vec<&str> = abi.functions.iter().map(|f| f.name.as_str()).collect();
    let size = module.bytes().len();
    env.out.print(
        json!({ "output": out.display().to_string(), "wasm_size": size, "toolchain": toolchain, "functions": functions }),
        || format!("wrote {} ({size} bytes, {toolchain})", out.display()),
    );
    Ok(Exit::Ok)
}

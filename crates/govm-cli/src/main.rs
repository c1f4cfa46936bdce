//! `govm`: the command-line tool for Go contract authors.
//!
//! Exit codes: 0 success, 2 usage or input error (including a rejected or non-compiling
//! contract), 4 internal error (for example no toolchain).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use govm::{Config, ContractAbi, Engine, Error};

#[derive(Parser, Debug)]
#[command(
    name = "govm",
    version,
    about = "Deploy and run smart contracts written in Go"
)]
struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Validate a contract and print its entry points (its ABI).
    Inspect {
        /// The contract: FILE.go or FILE.go.gz.
        file: PathBuf,
    },
    /// Validate and compile a contract to wasm.
    Build {
        /// The contract: FILE.go or FILE.go.gz.
        file: PathBuf,
        /// Where to write the module. Default: FILE with the extension .wasm.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn input(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }
}

fn run(cli: &Cli) -> Result<(), Failure> {
    let engine = Engine::new(Config::default()).map_err(|e| Failure {
        code: 4,
        message: format!("error: {e}"),
    })?;
    match &cli.command {
        Command::Inspect { file } => {
            let (code, source) = read(file)?;
            let abi = engine.check(&code).map_err(|e| failure(e, file, &source))?;
            if cli.json {
                println!("{}", abi.to_json());
            } else {
                print_abi(&abi);
            }
        }
        Command::Build { file, output } => {
            let (code, source) = read(file)?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (abi, wasm) = engine
                .build(&code, &name)
                .map_err(|e| failure(e, file, &source))?;
            let out = output.clone().unwrap_or_else(|| wasm_path(file));
            std::fs::write(&out, &wasm).map_err(|e| {
                Failure::input(format!("error: cannot write {}: {e}", out.display()))
            })?;
            let toolchain = engine
                .compiler()
                .toolchain()
                .map(ToString::to_string)
                .unwrap_or_default();
            if cli.json {
                let functions: Vec<&str> = abi.functions.iter().map(|f| f.name.as_str()).collect();
                println!(
                    "{{\"output\":{:?},\"wasm_size\":{},\"toolchain\":{:?},\"functions\":{:?}}}",
                    out.display().to_string(),
                    wasm.len(),
                    toolchain,
                    functions
                );
            } else {
                println!(
                    "wrote {} ({} bytes, {toolchain})",
                    out.display(),
                    wasm.len()
                );
            }
        }
    }
    Ok(())
}

fn read(file: &Path) -> Result<(Vec<u8>, String), Failure> {
    let code = std::fs::read(file)
        .map_err(|e| Failure::input(format!("error: cannot read {}: {e}", file.display())))?;
    let source = String::from_utf8_lossy(&code).into_owned();
    Ok((code, source))
}

fn wasm_path(file: &Path) -> PathBuf {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.trim_end_matches(".gz").trim_end_matches(".go");
    file.with_file_name(format!("{stem}.wasm"))
}

/// Renders an error; validation diagnostics show the source line with a caret.
fn failure(e: Error, file: &Path, source: &str) -> Failure {
    match e {
        Error::Rejected(rejected) => {
            let lines: Vec<&str> = source.lines().collect();
            let mut out = String::new();
            for d in &rejected.diagnostics {
                out.push_str(&format!(
                    "error[{}]: {}\n --> {}:{}:{}\n",
                    d.rule,
                    d.message,
                    file.display(),
                    d.line,
                    d.column
                ));
                if let Some(line) = lines.get(d.line.wrapping_sub(1)) {
                    let caret = " ".repeat(line[..(d.column - 1).min(line.len())].chars().count());
                    out.push_str(&format!("  |\n  | {line}\n  | {caret}^\n"));
                }
            }
            out.push_str(&format!("{} problem(s) found", rejected.diagnostics.len()));
            Failure::input(out)
        }
        Error::Source(_) | Error::Compile(govm::CompileError::Compile { .. }) => {
            Failure::input(format!("error: {e}"))
        }
        other => Failure {
            code: 4,
            message: format!("error: {other}"),
        },
    }
}

fn print_abi(abi: &ContractAbi) {
    println!("package {}", abi.package);
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
        let results = match results.len() {
            0 => String::new(),
            1 => format!(" {}", results[0]),
            _ => format!(" ({})", results.join(", ")),
        };
        println!("  func {}({}){results}", f.name, params.join(", "));
    }
}

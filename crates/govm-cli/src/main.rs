//! `govm`: deploy, call and inspect Go contracts on a local state home.
//!
//! Exit codes: 0 success, 1 the contract failed (its call was reverted; for `govm test`, a
//! test failed), 2 usage or input error (bad arguments, a rejected or non-compiling contract,
//! invalid deploy options, an unknown contract or function), 3 a resource limit (fuel, time,
//! memory, stack; at deploy too, in package initialisation), 4 an internal or environment
//! error (for example no toolchain, or the home in use by another govm process).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use govm::{
    Address, CallContext, CallError, Config, ContractAbi, DeployOptions, Engine, Error,
    EventRecord, ObjectId, Outcome, StateBackend, Value,
};
use serde_json::{Value as Json, json};

mod scaffold;

#[derive(Parser, Debug)]
#[command(
    name = "govm",
    version,
    about = "Deploy and run smart contracts written in Go"
)]
struct Cli {
    /// The state home: the redb state, compiled artifacts and caches.
    #[arg(long, global = true, env = "GOVM_HOME", default_value = ".govm")]
    home: PathBuf,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug, Clone)]
struct CallArgs {
    /// The contract's address.
    contract: String,
    /// The entry point.
    function: String,
    /// Arguments, each a JSON value (a bare word is a string: 0x-hex for addresses and IDs).
    args: Vec<String>,
    /// All arguments as one JSON array, instead of positional ones.
    #[arg(long = "args", value_name = "JSON_ARRAY", conflicts_with = "args")]
    args_json: Option<String>,
    /// The caller's address.
    #[arg(long, default_value = "0x0000000000000000000000000000000000000000")]
    sender: String,
    /// The most fuel the call may use.
    #[arg(long, default_value_t = 50_000_000)]
    fuel: u64,
    /// The block height.
    #[arg(long, default_value_t = 1)]
    height: u64,
    /// The block time, Unix seconds.
    #[arg(long, default_value_t = 1_700_000_000)]
    time: i64,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Validate, compile and deploy a contract (FILE.go or FILE.go.gz); prints its address.
    Deploy {
        /// The contract source.
        file: PathBuf,
        /// The deployer's address.
        #[arg(long, default_value = "0x0000000000000000000000000000000000000000")]
        sender: String,
        /// The block height recorded with the contract.
        #[arg(long, default_value_t = 0)]
        height: u64,
        /// Most fuel one call of the contract may use (and its package initialization at
        /// deploy). Default 1,000,000,000.
        #[arg(long, value_name = "N")]
        fuel: Option<u64>,
        /// Largest memory the contract may use, in bytes (8 MiB to 1 GiB). Default 64 MiB.
        #[arg(long, value_name = "BYTES")]
        memory_limit: Option<u64>,
        /// Wall-clock limit of one call, in milliseconds (1 to 60,000). Default 5,000.
        #[arg(long, value_name = "N")]
        timeout_ms: Option<u64>,
    },
    /// Call an entry point and commit its writes if it succeeds.
    Call(CallArgs),
    /// Call an entry point without writing anything, even on success.
    Query(CallArgs),
    /// Show a contract's ABI, module size, exports and toolchain (ADDR or FILE.go).
    Inspect {
        /// A deployed contract's address, or a source file.
        target: String,
    },
    /// Show a contract's objects, owners and decoded fields.
    State {
        /// The contract's address.
        contract: String,
        /// Only this object.
        #[arg(long)]
        object: Option<String>,
    },
    /// Show committed events.
    Events {
        /// Only this contract's.
        #[arg(long)]
        contract: Option<String>,
    },
    /// Show an address's native balance.
    Balance {
        /// The address.
        address: String,
    },
    /// Create native balance (a development faucet).
    Mint {
        /// Who receives it.
        address: String,
        /// How much.
        amount: u64,
    },
    /// Validate and compile a contract to wasm without deploying it.
    Build {
        /// The contract: FILE.go or FILE.go.gz.
        file: PathBuf,
        /// Where to write the module. Default: FILE with the extension .wasm.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Start a new contract: a folder NAME with the contract, a test, go.mod and a README.
    New {
        /// The contract's name: a Go package name (lowercase letters, digits, `_`).
        name: String,
    },
    /// Check a contract folder's contracts and run its tests natively (`go vet`, `go test`).
    Test {
        /// The folder (with a go.mod). Default: the current one.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Extra arguments for `go test` (after `--`), such as `-run TestAdd -v`.
        #[arg(last = true)]
        go_args: Vec<String>,
    },
}

/// A failure with its exit code.
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            if cli.json {
                println!("{}", json!({ "status": "error", "error": failure.message }));
            } else {
                eprintln!("{}", failure.message);
            }
            ExitCode::from(failure.code)
        }
    }
}

fn engine(home: &Path, with_state: bool) -> Result<Engine, Failure> {
    let state = if with_state {
        std::fs::create_dir_all(home).map_err(|e| Failure {
            code: 4,
            message: format!("error: cannot create {}: {e}", home.display()),
        })?;
        StateBackend::Redb(home.join("state.redb"))
    } else {
        StateBackend::Memory
    };
    let config = Config {
        cache_dir: home.join("cache"),
        state,
        ..Config::default()
    };
    Engine::new(config).map_err(|e| Failure {
        code: 4,
        message: format!("error: {e}"),
    })
}

fn run(cli: &Cli) -> Result<u8, Failure> {
    match &cli.command {
        Command::New { name } => {
            if !scaffold::valid_name(name) {
                return Err(Failure::input(format!(
                    "error: `{name}` is not a contract name: use lowercase letters, digits and `_`, starting with a letter"
                )));
            }
            let dir = PathBuf::from(name);
            if dir.exists() {
                return Err(Failure::input(format!(
                    "error: {} already exists",
                    dir.display()
                )));
            }
            scaffold::write(&dir, name).map_err(|e| Failure {
                code: 4,
                message: format!("error: cannot write {}: {e}", dir.display()),
            })?;
            if cli.json {
                println!("{}", json!({ "dir": dir.display().to_string() }));
            } else {
                println!(
                    "created {name}/ ({name}.go, {name}_test.go, go.mod, README.md)\nnext: cd {name} && govm test"
                );
            }
            Ok(0)
        }
        Command::Test { dir, go_args } => test(cli, dir, go_args),
        Command::Deploy {
            file,
            sender,
            height,
            fuel,
            memory_limit,
            timeout_ms,
        } => {
            let (code, source) = read(file)?;
            let engine = engine(&cli.home, true)?;
            let mut limits = engine.default_options();
            limits.fuel_limit = fuel.unwrap_or(limits.fuel_limit);
            limits.memory_limit = memory_limit.unwrap_or(limits.memory_limit);
            limits.timeout_ms = timeout_ms.unwrap_or(limits.timeout_ms);
            let options = DeployOptions {
                deployer: address(sender, "--sender")?,
                block_height: *height,
                file_name: file_name(file),
                options: Some(limits),
            };
            let deployment =
                with_spinner(cli.json, &format!("deploying {}", file.display()), || {
                    engine.deploy_with_options(&code, &options)
                })
                .map_err(|e| failure(e, Some((file, &source))))?;
            let functions: Vec<&str> = deployment
                .abi
                .functions
                .iter()
                .map(|f| f.name.as_str())
                .collect();
            if cli.json {
                println!(
                    "{}",
                    json!({ "address": deployment.address.to_string(), "code_hash": deployment.code_hash.to_string(), "functions": functions, "init_gas": deployment.init_gas, "snapshot_hash": deployment.snapshot_hash.map(|h| h.to_string()) })
                );
            } else {
                println!("{}", deployment.address);
            }
            Ok(0)
        }
        Command::Call(args) | Command::Query(args) => {
            let commit = matches!(cli.command, Command::Call(_));
            let engine = engine(&cli.home, true)?;
            call(&engine, args, commit, cli.json)
        }
        Command::Inspect { target } => {
            let engine = engine(&cli.home, Path::new(target).extension().is_none())?;
            inspect(&engine, target, cli.json)?;
            Ok(0)
        }
        Command::State { contract, object } => {
            let engine = engine(&cli.home, true)?;
            let records = match object {
                Some(id) => {
                    let id = ObjectId::from_hex(id)
                        .map_err(|e| Failure::input(format!("error: --object: {e}")))?;
                    engine
                        .object(id)
                        .map_err(|e| failure(e, None))?
                        .into_iter()
                        .collect()
                }
                None => engine
                    .objects(address(contract, "contract")?)
                    .map_err(|e| failure(e, None))?,
            };
            if cli.json {
                let list: Vec<Json> = records
                    .iter()
                    .map(|r| {
                        json!({
                            "id": r.id.to_string(),
                            "owner": r.owner.to_string(),
                            "contract": r.contract.to_string(),
                            "fields": fields_json(&r.fields),
                        })
                    })
                    .collect();
                println!("{}", Json::Array(list));
            } else {
                for r in &records {
                    println!("object {}\n  owner  {}", r.id, r.owner);
                    for (name, value) in &r.fields {
                        println!("  {name} = {value}");
                    }
                }
            }
            Ok(0)
        }
        Command::Events { contract } => {
            let engine = engine(&cli.home, true)?;
            let filter = contract
                .as_deref()
                .map(|c| address(c, "--contract"))
                .transpose()?;
            let events = engine.events(filter).map_err(|e| failure(e, None))?;
            print_events(&events, cli.json);
            Ok(0)
        }
        Command::Balance { address: a } => {
            let engine = engine(&cli.home, true)?;
            let balance = engine
                .balance(address(a, "address")?)
                .map_err(|e| failure(e, None))?;
            println!(
                "{}",
                if cli.json {
                    json!({ "balance": balance }).to_string()
                } else {
                    balance.to_string()
                }
            );
            Ok(0)
        }
        Command::Mint { address: a, amount } => {
            let engine = engine(&cli.home, true)?;
            let to = address(a, "address")?;
            let hash = engine.mint(to, *amount).map_err(|e| failure(e, None))?;
            let balance = engine.balance(to).map_err(|e| failure(e, None))?;
            if cli.json {
                println!(
                    "{}",
                    json!({ "balance": balance, "state_hash": hash.to_string() })
                );
            } else {
                println!("{to} now has {balance}");
            }
            Ok(0)
        }
        Command::Build { file, output } => {
            let (code, source) = read(file)?;
            let engine = engine(&cli.home, false)?;
            let (abi, wasm) =
                with_spinner(cli.json, &format!("building {}", file.display()), || {
                    engine.build(&code, &file_name(file))
                })
                .map_err(|e| failure(e, Some((file, &source))))?;
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
                    "{}",
                    json!({ "output": out.display().to_string(), "wasm_size": wasm.len(), "toolchain": toolchain, "functions": functions })
                );
            } else {
                println!(
                    "wrote {} ({} bytes, {toolchain})",
                    out.display(),
                    wasm.len()
                );
            }
            Ok(0)
        }
    }
}

fn call(engine: &Engine, args: &CallArgs, commit: bool, as_json: bool) -> Result<u8, Failure> {
    let contract = address(&args.contract, "contract")?;
    let abi = engine.abi(contract).map_err(|e| failure(e, None))?;
    let function = abi.function(&args.function).ok_or_else(|| {
        Failure::input(format!(
            "error: contract {contract} has no function `{}`",
            args.function
        ))
    })?;
    let json_args = match &args.args_json {
        Some(text) => {
            serde_json::from_str(text).map_err(|e| Failure::input(format!("error: --args: {e}")))?
        }
        None => Json::Array(
            args.args
                .iter()
                .map(|a| serde_json::from_str(a).unwrap_or_else(|_| Json::String(a.clone())))
                .collect(),
        ),
    };
    let values = abi
        .args_from_json(function, &json_args)
        .map_err(|e| Failure::input(format!("error: {e}")))?;
    let ctx = CallContext {
        sender: address(&args.sender, "--sender")?,
        block_height: args.height,
        block_time: args.time,
        fuel_limit: args.fuel,
    };
    let outcome = if commit {
        engine.execute_with_args(&ctx, contract, &args.function, &values)
    } else {
        engine.query(&ctx, contract, &args.function, &values)
    };
    match outcome {
        Ok(outcome) => {
            print_outcome(&outcome, as_json);
            Ok(0)
        }
        Err(Error::Call {
            error,
            gas_used,
            debug_output,
        }) => {
            let code = match &error {
                e if e.is_resource_limit() => 3,
                CallError::UnknownFunction { .. }
                | CallError::UnknownContract { .. }
                | CallError::BadArguments { .. } => 2,
                _ => 1,
            };
            if as_json {
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
            Ok(code)
        }
        Err(e) => Err(failure(e, None)),
    }
}

fn print_outcome(outcome: &Outcome, as_json: bool) {
    let result = ContractAbi::results_to_json(&outcome.results);
    if as_json {
        let events: Vec<Json> = outcome.events.iter().map(event_json).collect();
        println!(
            "{}",
            json!({ "status": "ok", "result": result, "error": null, "events": events, "gas_used": outcome.gas_used })
        );
        return;
    }
    if !outcome.debug_output.is_empty() {
        eprint!("{}", outcome.debug_output);
    }
    println!("result  {result}");
    for e in &outcome.events {
        println!("event   {}", event_text(e));
    }
    println!("gas     {}", outcome.gas_used);
}

fn fields_json(fields: &[(String, Value)]) -> Json {
    Json::Object(
        fields
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect(),
    )
}

fn event_json(e: &EventRecord) -> Json {
    json!({ "contract": e.contract.to_string(), "name": e.name, "fields": fields_json(&e.fields) })
}

fn event_text(e: &EventRecord) -> String {
    let fields: Vec<String> = e.fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{} {{ {} }} from {}", e.name, fields.join(", "), e.contract)
}

fn print_events(events: &[EventRecord], as_json: bool) {
    if as_json {
        println!("{}", Json::Array(events.iter().map(event_json).collect()));
    } else {
        for e in events {
            println!("{}", event_text(e));
        }
    }
}

fn inspect(engine: &Engine, target: &str, as_json: bool) -> Result<(), Failure> {
    let path = Path::new(target);
    let (abi, size, exports, imports, extra) = if path.extension().is_some() {
        let (code, source) = read(path)?;
        let (abi, wasm) = with_spinner(as_json, &format!("building {}", path.display()), || {
            engine.build(&code, &file_name(path))
        })
        .map_err(|e| failure(e, Some((path, &source))))?;
        let module = govm::check_module(&wasm, &abi).map_err(|e| Failure {
            code: 4,
            message: format!("error: {e}"),
        })?;
        (abi, module.size, module.exports, module.imports, json!({}))
    } else {
        let info = engine
            .contract_info(address(target, "contract")?)
            .map_err(|e| failure(e, None))?;
        let extra = json!({
            "address": info.address.to_string(),
            "code_hash": info.code_hash.to_string(),
            "deployer": info.deployer.to_string(),
            "deploy_height": info.deploy_height,
            "options": {
                "memory_limit": info.options.memory_limit,
                "table_size": info.options.table_size,
                "timeout_ms": info.options.timeout_ms,
                "fuel_limit": info.options.fuel_limit,
                "stack_size": info.options.stack_size,
                "enable_simd": info.options.enable_simd,
            },
        });
        (info.abi, info.wasm_size, info.exports, info.imports, extra)
    };
    let toolchain = engine
        .compiler()
        .toolchain()
        .map(ToString::to_string)
        .unwrap_or_default();
    if as_json {
        let mut out = json!({
            "abi": serde_json::from_str::<Json>(&abi.to_json()).unwrap_or(Json::Null),
            "wasm_size": size,
            "exports": exports,
            "imports": imports,
            "toolchain": toolchain,
        });
        if let (Some(o), Some(e)) = (out.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        println!("{out}");
        return Ok(());
    }
    if let Some(addr) = extra.get("address") {
        println!("contract {}", addr.as_str().unwrap_or_default());
    }
    print_abi(&abi);
    println!(
        "wasm {size} bytes, {} exports, {} imports; toolchain {toolchain}",
        exports.len(),
        imports.len()
    );
    if let Some(o) = extra.get("options") {
        println!(
            "limits: fuel {} per call, memory {} bytes, timeout {} ms, stack {} bytes, table {}",
            o["fuel_limit"], o["memory_limit"], o["timeout_ms"], o["stack_size"], o["table_size"]
        );
    }
    Ok(())
}

fn read(file: &Path) -> Result<(Vec<u8>, String), Failure> {
    let code = std::fs::read(file)
        .map_err(|e| Failure::input(format!("error: cannot read {}: {e}", file.display())))?;
    let source = String::from_utf8_lossy(&code).into_owned();
    Ok((code, source))
}

fn file_name(file: &Path) -> String {
    file.file_name()
        .map(|n| n.to_string_lossy().trim_end_matches(".gz").to_owned())
        .unwrap_or_default()
}

fn address(text: &str, what: &str) -> Result<Address, Failure> {
    Address::from_hex(text).map_err(|e| Failure::input(format!("error: {what}: {e}")))
}

fn wasm_path(file: &Path) -> PathBuf {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.trim_end_matches(".gz").trim_end_matches(".go");
    file.with_file_name(format!("{stem}.wasm"))
}

/// `govm test`: every contract file of the folder must pass govm's validation (a contract
/// that tests fine natively but would be refused at deploy fails here), then its native
/// tests run with the SDK that ships with this `govm`.
fn test(cli: &Cli, dir: &Path, go_args: &[String]) -> Result<u8, Failure> {
    let go_mod = std::fs::read_to_string(dir.join("go.mod")).map_err(|e| {
        Failure::input(format!(
            "error: {} has no readable go.mod ({e}); start a contract with `govm new NAME`",
            dir.display()
        ))
    })?;
    let engine = engine(&cli.home, false)?;
    let mut contracts: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Failure::input(format!("error: cannot read {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            name.is_some_and(|n| n.ends_with(".go") && !n.ends_with("_test.go"))
        })
        .collect();
    contracts.sort();
    for path in &contracts {
        let (code, source) = read(path)?;
        engine
            .check(&code)
            .map_err(|e| failure(e, Some((path, &source))))?;
    }
    if go_mod.contains(scaffold::SDK_DIR) {
        scaffold::govm_abi_sdk(dir).map_err(|e| Failure {
            code: 4,
            message: format!("error: cannot write the SDK into {}: {e}", dir.display()),
        })?;
    }
    match engine.compiler().go_test(dir, go_args) {
        Ok(true) => Ok(0),
        Ok(false) => {
            eprintln!("govm test: tests failed in {}", dir.display());
            Ok(1)
        }
        Err(e) => Err(Failure {
            code: 4,
            message: format!("error: {e}"),
        }),
    }
}

/// Runs `work` under a spinner with the elapsed time on standard error, when standard output
/// is a terminal and the output is not JSON (compiles take seconds; cache hits finish before
/// the spinner shows).
fn with_spinner<T>(json: bool, message: &str, work: impl FnOnce() -> T) -> T {
    use std::io::IsTerminal;
    if json || !std::io::stdout().is_terminal() || !std::io::stderr().is_terminal() {
        return work();
    }
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    spinner.set_message(message.to_owned());
    spinner.enable_steady_tick(std::time::Duration::from_millis(100));
    let out = work();
    spinner.finish_and_clear();
    out
}

/// Renders an error with its exit code; validation diagnostics show the source line with a
/// caret.
fn failure(e: Error, file: Option<(&Path, &str)>) -> Failure {
    match e {
        Error::Rejected(rejected) => {
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
            Failure::input(out)
        }
        Error::Source(_) | Error::Compile(govm::CompileError::Compile { .. }) | Error::Abi(_) => {
            Failure::input(format!("error: {e}"))
        }
        Error::Call { error, .. }
        | Error::Runtime(
            error @ (govm::CallError::InvalidOptions(_) | govm::CallError::Initialization(_)),
        ) => {
            let code = if error.is_resource_limit() { 3 } else { 2 };
            Failure {
                code,
                message: format!("error: {error}"),
            }
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
    for s in &abi.structs {
        let fields: Vec<String> = s
            .fields
            .iter()
            .map(|f| format!("{} {}", f.name, f.ty))
            .collect();
        println!("  type {} struct {{ {} }}", s.name, fields.join("; "));
    }
    for e in &abi.events {
        println!("  event {}({})", e.name, e.keys.join(", "));
    }
}

//! Project automation. `cargo xtask <command>`:
//!
//! - `setup`: find a contract toolchain (TinyGo >= 0.34 or Go >= 1.24), installing Debian's
//!   Go 1.24 when none is found and that can be done safely; and CometBFT (pinned), with
//!   `go install` into `target/tools/bin` when missing.
//! - `demo`: set up, then run the token contract end to end.
//! - `test`: set up, then every check CI runs.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

mod bench;
mod tidy;
mod vectors;
use govm_compiler::ToolchainConfig;

fn main() {
    // Print the error chain, not a backtrace: RUST_BACKTRACE is often set on these machines.
    if let Err(e) = run_command() {
        eprintln!("xtask: {e:#}");
        std::process::exit(1);
    }
}

fn run_command() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("setup") => {
            setup(true)?;
            cometbft().map(drop)
        }
        Some("demo") => {
            setup(false)?;
            demo()
        }
        Some("test") => {
            setup(true)?;
            test(&cometbft()?)
        }
        Some("testnet") => {
            setup(false)?;
            testnet(&cometbft()?, &args[1..])
        }
        Some("tidy") => {
            layering()?;
            file_sizes()?;
            tidy::import_cycles(&root().join("crates"))
        }
        Some("fuzz") => fuzz(&args[1..]),
        Some("vectors") => vectors::write(&root()),
        Some("bench") => bench::run(
            &root(),
            args.get(1).map(String::as_str) == Some("--quick"),
            &cometbft()?,
        ),
        _ => {
            eprintln!(
                "usage: cargo xtask <setup|demo|test|tidy|vectors|testnet [--validators N]|bench [--quick]|fuzz TARGET [--seconds N]>"
            );
            eprintln!(
                "  setup  find or install the contract toolchain (Go >= 1.24 or TinyGo >= 0.34) and CometBFT {COMETBFT_VERSION}"
            );
            eprintln!("  demo   deploy the token contract and run a transfer, end to end");
            eprintln!(
                "  test   formatting, lints, tests, docs and the layering rules: what CI runs"
            );
            eprintln!(
                "  tidy   the layering rules, file sizes and import cycles alone (part of test)"
            );
            eprintln!(
                "  testnet  a local network of validators (default 4) on 127.0.0.1: deploys the token, sends transfers, prints heights and app hashes until Ctrl-C"
            );
            eprintln!(
                "  bench  run the benchmarks and report each metric against its baseline [--quick]"
            );
            eprintln!(
                "  fuzz   run a cargo-fuzz target (default 60 s); targets: {}",
                FUZZ_TARGETS.join(", ")
            );
            std::process::exit(2);
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("$ {}", shown(cmd));
    let status = cmd
        .current_dir(root())
        .status()
        .with_context(|| format!("running {}", shown(cmd)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", shown(cmd));
    }
    Ok(())
}

fn shown(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

// ---- setup ----

const TRIXIE_SOURCES: &str = "/etc/apt/sources.list.d/govm-trixie.sources";
const TRIXIE_PIN: &str = "/etc/apt/preferences.d/govm-trixie.pref";

/// Finds (or installs) the contract toolchain, and with `for_tests` also binaryen's wasm-opt,
/// which the tests of the optional wasm-opt step use.
fn setup(for_tests: bool) -> Result<()> {
    let toolchain = ToolchainConfig::default().discover();
    let wasm_opt_ok = !for_tests || find_on_path("wasm-opt");
    if let (Ok(toolchain), true) = (&toolchain, wasm_opt_ok) {
        eprintln!("setup: contract toolchain {toolchain}");
        return Ok(());
    }
    let debian =
        Path::new("/etc/debian_version").exists() && Path::new("/usr/bin/apt-get").exists();
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !(debian && root_user) {
        if toolchain.is_ok() {
            bail!(
                "wasm-opt not found: install binaryen (Debian: apt-get install binaryen) for the tests"
            );
        }
        bail!(
            "no contract toolchain found (need TinyGo >= 0.34 or Go >= 1.24).\n\
             Install one of:\n  \
             - Go 1.24 or newer from https://go.dev/dl/, then put it on PATH or set GOVM_GO=/path/to/go\n  \
             - on Debian, as root: add the trixie suite with a low pin priority and run\n    \
             apt-get install golang-1.24-go   (cargo xtask setup does this when run as root)\n  \
             - TinyGo 0.34 or newer, then set GOVM_TINYGO=/path/to/tinygo"
        );
    }
    let mut packages = Vec::new();
    if toolchain.is_err() {
        eprintln!(
            "setup: installing golang-1.24-go from Debian trixie (pinned low: nothing else changes)"
        );
        // Trixie is added at priority 100: below the installed release's 500, so no installed
        // package is upgraded from it; only packages that exist nowhere else come from it.
        write_if_changed(
            TRIXIE_SOURCES,
            "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\n\
             Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
        )?;
        write_if_changed(
            TRIXIE_PIN,
            "Package: *\nPin: release n=trixie\nPin-Priority: 100\n",
        )?;
        packages.push("golang-1.24-go");
    }
    if !wasm_opt_ok {
        eprintln!("setup: installing binaryen (wasm-opt) for the tests");
        packages.push("binaryen");
    }
    run(Command::new("apt-get").args(["update", "-q"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(&packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    let toolchain = ToolchainConfig::default()
        .discover()
        .context("golang-1.24-go was installed but is not usable")?;
    eprintln!("setup: contract toolchain {toolchain}");
    Ok(())
}

/// The CometBFT release govm's node runs with (ABCI 2.0).
const COMETBFT_VERSION: &str = "v0.38.19";

/// CometBFT, installed when missing with the Go toolchain's ordinary `go install` into
/// `target/tools/bin` (the project's own folder; the Go module proxy is reached for it, and
/// only for it: contracts build offline).
fn cometbft() -> Result<PathBuf> {
    let bin_dir = root().join("target/tools/bin");
    let bin = bin_dir.join("cometbft");
    let version = |bin: &Path| {
        Command::new(bin)
            .arg("version")
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let wanted = COMETBFT_VERSION.trim_start_matches('v');
    if version(&bin).as_deref() == Some(wanted) {
        eprintln!("setup: CometBFT {wanted} ({})", bin.display());
        return Ok(bin);
    }
    let go = ToolchainConfig::default()
        .discover_go()
        .context("installing CometBFT needs Go")?;
    let cache = root().join("target/go-cache");
    eprintln!(
        "setup: installing CometBFT {COMETBFT_VERSION} into {}",
        bin_dir.display()
    );
    run(Command::new(&go.path)
        .args([
            "install",
            &format!("github.com/cometbft/cometbft/cmd/cometbft@{COMETBFT_VERSION}"),
        ])
        .env("GOBIN", &bin_dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod")
        .env("GOWORK", "off")
        .env("GOCACHE", cache.join("build"))
        .env("GOMODCACHE", cache.join("mod")))?;
    match version(&bin) {
        Some(v) if v == wanted => Ok(bin),
        other => bail!("CometBFT was installed but reports version {other:?}, not {wanted}"),
    }
}

fn find_on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|dir| dir.join(name).is_file()))
}

fn write_if_changed(path: &str, text: &str) -> Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|t| t == text) {
        return Ok(());
    }
    std::fs::write(path, text).with_context(|| format!("writing {path}"))
}

// ---- demo ----

/// The token scenario through the `govm` command on a fresh home: what a newcomer would type.
fn demo() -> Result<()> {
    run(cargo().args(["build", "--quiet", "--package", "govm-cli"]))?;
    let govm = root().join("target/debug/govm");
    let home = std::env::temp_dir().join(format!("govm-demo-{}", std::process::id()));
    let result = demo_steps(&govm, &home);
    let _ = std::fs::remove_dir_all(&home);
    result
}

fn demo_steps(govm: &Path, home: &Path) -> Result<()> {
    const DEPLOYER: &str = "0xd0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0";
    const ALICE: &str = "0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    println!(
        "govm demo: the token contract through the govm command, on a fresh home {}\n",
        home.display()
    );
    let step = |title: &str, args: &[&str]| -> Result<String> {
        println!("$ govm {}    # {title}", args.join(" "));
        let out = Command::new(govm)
            .arg("--home")
            .arg(home)
            .args(args)
            .current_dir(root())
            .output()
            .context("running govm")?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        print!("{stdout}");
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        println!();
        if !out.status.success() {
            bail!("`govm {}` failed ({})", args.join(" "), out.status);
        }
        Ok(stdout)
    };
    let result = |out: &str| -> String {
        out.lines()
            .find_map(|l| l.strip_prefix("result  "))
            .unwrap_or_default()
            .trim_matches('"')
            .to_owned()
    };
    let token = step(
        "validate, compile and deploy",
        &[
            "deploy",
            "testdata/contracts/token/token.go",
            "--sender",
            DEPLOYER,
        ],
    )?
    .trim()
    .to_owned();
    let owner_id = result(&step(
        "as the deployer",
        &[
            "call",
            &token,
            "Initialize",
            "1000000",
            "--sender",
            DEPLOYER,
        ],
    )?);
    let alice_id = result(&step(
        "an account for alice",
        &["call", &token, "CreateAccount", ALICE, "--sender", DEPLOYER],
    )?);
    step(
        "pay alice",
        &[
            "call", &token, "Transfer", ALICE, "1000", "--sender", DEPLOYER,
        ],
    )?;
    let alice = result(&step(
        "alice's balance, read from contract state",
        &["call", &token, "GetBalance", &alice_id],
    )?);
    let owner = result(&step(
        "the deployer's balance",
        &["call", &token, "GetBalance", &owner_id],
    )?);
    step("the objects the contract holds", &["state", &token])?;
    println!("alice has {alice}, the deployer has {owner}");
    if (alice.as_str(), owner.as_str()) != ("1000", "999000") {
        bail!("expected balances 1000 and 999000, read {alice} and {owner}");
    }
    Ok(())
}

// ---- test ----

/// `govm node testnet` with the token contract, in place of this process (Ctrl-C reaches it
/// directly, and it stops every validator it started).
fn testnet(cometbft: &Path, args: &[String]) -> Result<()> {
    use std::os::unix::process::CommandExt;
    run(cargo().args(["build", "--quiet", "--package", "govm-cli"]))?;
    let home = std::env::temp_dir().join(format!("govm-testnet-home-{}", std::process::id()));
    let error = Command::new(root().join("target/debug/govm"))
        .current_dir(root())
        .arg("--home")
        .arg(&home)
        .args([
            "node",
            "testnet",
            "--contract",
            "testdata/contracts/token/token.go",
        ])
        .arg("--cometbft")
        .arg(cometbft)
        .args(args)
        .exec();
    bail!("cannot start govm: {error}")
}

fn test(cometbft: &Path) -> Result<()> {
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))?;
    // What runs on a node, built alone: the facade without its `build` feature.
    run(cargo().args([
        "clippy",
        "--package",
        "govm-chain",
        "--package",
        "govm-node",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))?;
    // The network tests find CometBFT through GOVM_COMETBFT.
    run(cargo()
        .args(["test", "--workspace", "--locked"])
        .env("GOVM_COMETBFT", cometbft))?;
    go_sdk_checks()?;
    js_client_checks()?;
    run(cargo()
        .args(["doc", "--workspace", "--no-deps", "--locked"])
        .env("RUSTDOCFLAGS", "-D warnings"))?;
    layering()?;
    file_sizes()?;
    tidy::import_cycles(&root().join("crates"))?;
    package()?;
    eprintln!("xtask test: all checks passed");
    Ok(())
}

/// The Go half of the wire format: the SDK's own tests (the conformance vectors, run natively)
/// and `go vet` of the SDK as contracts build it (wasip1).
fn go_sdk_checks() -> Result<()> {
    let go = ToolchainConfig::default()
        .discover_go()
        .context("the SDK's Go tests need Go")?;
    let cache = root().join("target/go-cache");
    let go_cmd = |dir: &Path, args: &[&str]| {
        let mut cmd = Command::new(&go.path);
        cmd.args(args)
            .current_dir(dir)
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "-mod=mod")
            .env("GOPROXY", "off")
            .env("GOCACHE", cache.join("build"))
            .env("GOMODCACHE", cache.join("mod"))
            .env("GOWORK", "off");
        cmd
    };
    // The SDK (with vmtest), every contract's native tests, and the native parity runner.
    let mut modules = vec![root().join("crates/govm-sdk/go/vm")];
    let mut contracts: Vec<PathBuf> = std::fs::read_dir(root().join("testdata/contracts"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("go.mod").is_file())
        .collect();
    contracts.sort();
    modules.extend(contracts);
    modules.push(root().join("testdata/parity"));
    for dir in &modules {
        for args in [&["vet", "./..."][..], &["test", "-count=1", "./..."]] {
            eprintln!("$ go {} (in {})", args.join(" "), dir.display());
            if !go_cmd(dir, args).status().context("running go")?.success() {
                bail!("go {} failed in {}", args.join(" "), dir.display());
            }
        }
    }
    eprintln!("$ GOOS=wasip1 GOARCH=wasm go vet ./... (the SDK)");
    let status = go_cmd(&modules[0], &["vet", "./..."])
        .env("GOOS", "wasip1")
        .env("GOARCH", "wasm")
        .status()?;
    if !status.success() {
        bail!("go vet of the SDK for wasip1 failed");
    }
    Ok(())
}

/// The JavaScript client's tests (`clients/js`, no dependencies to install): the shared
/// vectors the Rust side writes (`cargo xtask vectors`, whose own test keeps the file in step)
/// and the client's unit tests, with Node 20 or later.
fn js_client_checks() -> Result<()> {
    let dir = root().join("clients/js");
    let version = Command::new("node").arg("--version").output();
    let Ok(version) = version else {
        bail!("the JavaScript client's tests need Node 20 or later (`node` is not on PATH)");
    };
    let text = String::from_utf8_lossy(&version.stdout);
    let major: u32 = text
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 20 {
        bail!(
            "the JavaScript client's tests need Node 20 or later, found {}",
            text.trim()
        );
    }
    run(Command::new("node").arg("--test").arg(dir.join("test")))
}

/// The library crates, in dependency order: what `cargo package` checks would publish.
const LIBRARY_CRATES: &[&str] = &[
    "govm-abi",
    "govm-state",
    "govm-validate",
    "govm-sdk",
    "govm-compiler",
    "govm-runtime",
    "govm",
    "govm-chain",
    "govm-node",
];

/// Every library crate packages as it would for publishing (manifest, versions on workspace
/// dependencies, README and LICENSE, the files it embeds), and each package builds on its own
/// from what it holds. Nothing is uploaded.
fn package() -> Result<()> {
    let mut cmd = cargo();
    cmd.args(["package", "--locked", "--allow-dirty"]);
    for krate in LIBRARY_CRATES {
        cmd.args(["--package", krate]);
    }
    run(&mut cmd)
}

/// Checks one crate's `cargo tree --prefix none` output against its layer.
fn check_layer(krate: &str, allowed: &[&str], wasmtime: bool, tree: &str) -> Result<()> {
    for line in tree.lines().skip(1) {
        let name = line.split_whitespace().next().unwrap_or_default();
        if name.starts_with("govm") && !allowed.contains(&name) {
            bail!("layering: {krate} must not depend on {name} (ARCHITECTURE.md, Invariants)");
        }
        if name == "wasmtime" && !wasmtime {
            bail!("layering: {krate} must not depend on wasmtime (ARCHITECTURE.md, Invariants)");
        }
    }
    Ok(())
}

// ---- fuzz ----

const FUZZ_TARGETS: &[&str] = &["abi_decode", "validate_source", "state_ops", "deploy_wasm"];

fn fuzz(args: &[String]) -> Result<()> {
    let Some(target) = args.first() else {
        bail!(
            "usage: cargo xtask fuzz TARGET [--seconds N]; targets: {}",
            FUZZ_TARGETS.join(", ")
        );
    };
    if !FUZZ_TARGETS.contains(&target.as_str()) {
        bail!(
            "unknown fuzz target {target}; targets: {}",
            FUZZ_TARGETS.join(", ")
        );
    }
    let seconds = match args.get(1).map(String::as_str) {
        None => 60,
        Some("--seconds") => args
            .get(2)
            .and_then(|s| s.parse::<u64>().ok())
            .context("--seconds takes a whole number")?,
        Some(other) => bail!("unexpected argument {other}"),
    };
    let has_fuzz = cargo()
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_fuzz {
        run(cargo().args(["install", "cargo-fuzz", "--locked"]))?;
    }
    // New inputs go to the first corpus folder (ignored by git); the test contracts seed the
    // source fuzzer.
    let corpus = root().join("fuzz/corpus").join(target);
    std::fs::create_dir_all(&corpus)?;
    let mut corpora = vec![corpus];
    if target == "validate_source" {
        for entry in std::fs::read_dir(root().join("testdata/contracts"))? {
            corpora.push(entry?.path());
        }
    }
    // cargo-fuzz needs a nightly compiler for its sanitizer flags.
    let mut cmd = Command::new("cargo");
    cmd.env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO")
        .args(["+nightly", "fuzz", "run", "--fuzz-dir", "fuzz", target])
        .args(&corpora)
        .args(["--", &format!("-max_total_time={seconds}")]);
    run(&mut cmd)
}

/// The workspace crates each crate may depend on (normal dependencies, at any depth), and
/// whether it may depend on wasmtime: ARCHITECTURE.md's Architecture Invariants.
const LAYERS: &[(&str, &[&str], bool)] = &[
    ("govm-abi", &[], false),
    ("govm-state", &[], false),
    ("govm-validate", &["govm-abi"], false),
    ("govm-sdk", &["govm-abi"], false),
    (
        "govm-compiler",
        &["govm-abi", "govm-validate", "govm-sdk"],
        false,
    ),
    ("govm-runtime", &["govm-abi", "govm-state"], true),
    (
        "govm",
        &[
            "govm-abi",
            "govm-validate",
            "govm-sdk",
            "govm-compiler",
            "govm-runtime",
            "govm-state",
        ],
        true,
    ),
    // What runs on a node reaches neither the compiler nor the SDK: the facade without its
    // `build` feature.
    (
        "govm-chain",
        &[
            "govm",
            "govm-abi",
            "govm-validate",
            "govm-runtime",
            "govm-state",
        ],
        true,
    ),
    (
        "govm-node",
        &[
            "govm",
            "govm-abi",
            "govm-validate",
            "govm-runtime",
            "govm-state",
            "govm-chain",
        ],
        true,
    ),
];

/// The dependency rules of ARCHITECTURE.md that a command can check.
fn layering() -> Result<()> {
    for (krate, allowed, wasmtime) in LAYERS {
        let output = cargo()
            .args([
                "tree", "--locked", "-e", "normal", "--prefix", "none", "-p", krate,
            ])
            .current_dir(root())
            .output()
            .context("running cargo tree")?;
        if !output.status.success() {
            bail!(
                "cargo tree -p {krate} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        check_layer(
            krate,
            allowed,
            *wasmtime,
            &String::from_utf8_lossy(&output.stdout),
        )?;
    }
    // Only the compiler (toolchains) and the node (CometBFT, validators) spawn processes.
    for entry in std::fs::read_dir(root().join("crates"))? {
        let dir = entry?.path();
        if dir.ends_with("govm-compiler") || dir.ends_with("govm-node") {
            continue;
        }
        for file in rust_files(&dir.join("src"))? {
            let text = std::fs::read_to_string(&file)?;
            if text.contains("process::Command") {
                bail!(
                    "layering: {} spawns processes; only govm-compiler and govm-node may",
                    file.display()
                );
            }
        }
    }
    eprintln!("layering: ok");
    Ok(())
}

/// Most lines in one source file, its unit tests and comments included: a module past it
/// holds more than one concept (ARCHITECTURE.md).
const MAX_LINES: usize = 700;

fn file_sizes() -> Result<()> {
    let mut too_long = Vec::new();
    for entry in std::fs::read_dir(root().join("crates"))? {
        for file in rust_files(&entry?.path().join("src"))? {
            let lines = std::fs::read_to_string(&file)?.lines().count();
            if lines > MAX_LINES {
                too_long.push(format!("{} ({lines} lines)", file.display()));
            }
        }
    }
    if !too_long.is_empty() {
        bail!(
            "file sizes: over {MAX_LINES} lines, tests included, split by concept: {}",
            too_long.join(", ")
        );
    }
    eprintln!("file sizes: ok");
    Ok(())
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(krate: &str) -> (&'static [&'static str], bool) {
        LAYERS
            .iter()
            .find(|(k, _, _)| *k == krate)
            .map(|(_, allowed, wasmtime)| (*allowed, *wasmtime))
            .unwrap_or_else(|| panic!("no layer for {krate}"))
    }

    #[test]
    fn a_node_that_reaches_the_compiler_is_refused() {
        let (allowed, wasmtime) = layer("govm-node");
        let clean = "govm-node v0.1.0 (/w/crates/govm-node)\ngovm v0.1.0 (/w/crates/govm)\n\
                     govm-chain v0.1.0 (/w/crates/govm-chain)\nwasmtime v48.0.8\n";
        assert!(check_layer("govm-node", allowed, wasmtime, clean).is_ok());
        for added in ["govm-compiler", "govm-sdk"] {
            let tree = format!("{clean}{added} v0.1.0 (/w/crates/{added})\n");
            let err = check_layer("govm-node", allowed, wasmtime, &tree)
                .expect_err("a path to the builder must be refused")
                .to_string();
            assert!(err.contains(added), "{err}");
        }
        let (allowed, wasmtime) = layer("govm-chain");
        let tree = "govm-chain v0.1.0\ngovm-compiler v0.1.0\n";
        assert!(check_layer("govm-chain", allowed, wasmtime, tree).is_err());
    }

    #[test]
    fn leaves_may_not_reach_wasmtime() {
        let (allowed, wasmtime) = layer("govm-state");
        let tree = "govm-state v0.1.0\nredb v4.6.0\nwasmtime v48.0.8\n";
        assert!(check_layer("govm-state", allowed, wasmtime, tree).is_err());
    }
}

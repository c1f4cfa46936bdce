//! Compiling a validated contract in a hermetic temporary module, with an artifact cache.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use govm_abi::{CheckedModule, SDK_IMPORT_PATH};
use govm_sdk::{CONTRACT_MODULE_PATH, SDK_FILES, generate_wrapper};
use govm_validate::ValidContract;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result, io};
use crate::toolchain::{Toolchain, ToolchainConfig, ToolchainKind};

/// Version of the build recipe (flags, layout, wrapper protocol); part of every cache key.
const RECIPE_VERSION: &str = "govm-build-1";

/// How the compiler runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompilerConfig {
    /// Where to look for TinyGo and Go.
    pub toolchain: ToolchainConfig,
    /// Holds the artifact cache and the toolchain's own build cache.
    pub cache_dir: PathBuf,
    /// The longest a toolchain process may run before it is killed. Default 300 s.
    pub timeout: Duration,
    /// Binaryen's `wasm-opt`, to shrink modules after the build (`-Oz`). Off by default, and
    /// never picked up from PATH: the module's bytes are consensus data, so every node must
    /// make the same choice with the same wasm-opt version (which joins the cache key and the
    /// fingerprint). An optimised module is kept only when it passes the module check.
    pub wasm_opt: Option<PathBuf>,
}

impl CompilerConfig {
    /// Defaults with the given cache directory.
    pub fn new(cache_dir: impl Into<PathBuf>) -> Self {
        Self {
            toolchain: ToolchainConfig::default(),
            cache_dir: cache_dir.into(),
            timeout: Duration::from_secs(300),
            wasm_opt: None,
        }
    }
}

/// A compiled contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    /// The wasm module, checked against the contract's ABI and the module interface.
    pub module: CheckedModule,
    /// The fingerprint of the toolchain that built it.
    pub toolchain: String,
    /// Whether it came from the artifact cache rather than a toolchain run.
    pub cached: bool,
}

/// Compiles contracts; safe to share between threads.
#[derive(Debug)]
pub struct Compiler {
    config: CompilerConfig,
    toolchain: OnceLock<Toolchain>,
    runs: AtomicU64,
}

impl Compiler {
    /// A compiler; the toolchain is discovered on first use. A relative cache directory is
    /// made absolute against the current directory now: the toolchain runs elsewhere, and Go
    /// refuses a relative GOPATH.
    pub fn new(mut config: CompilerConfig) -> Self {
        if let Ok(absolute) = std::path::absolute(&config.cache_dir) {
            config.cache_dir = absolute;
        }
        Self {
            config,
            toolchain: OnceLock::new(),
            runs: AtomicU64::new(0),
        }
    }

    /// The toolchain this compiler uses, discovering it if needed.
    pub fn toolchain(&self) -> Result<&Toolchain> {
        if let Some(t) = self.toolchain.get() {
            return Ok(t);
        }
        let found = self.config.toolchain.discover()?;
        Ok(self.toolchain.get_or_init(|| found))
    }

    /// Go's own syntax errors for `source`, from `gofmt -e`, as diagnostics at the positions
    /// Go reports (the validator's parser can place some errors differently). `None` when no
    /// Go toolchain with gofmt is installed or gofmt finds nothing.
    pub fn syntax_diagnostics(&self, source: &str) -> Option<Vec<govm_validate::Diagnostic>> {
        let go = self.config.toolchain.discover_go().ok()?;
        let gofmt = go.path.parent()?.join("gofmt");
        let mut cmd = Command::new(gofmt);
        cmd.arg("-e")
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().ok()?;
        let mut stdin = child.stdin.take()?;
        let text = source.to_owned();
        let writer =
            std::thread::spawn(move || std::io::Write::write_all(&mut stdin, text.as_bytes()));
        let output = child.wait_with_output().ok()?;
        let _ = writer.join();
        let diagnostics: Vec<_> = String::from_utf8_lossy(&output.stderr)
            .lines()
            .filter_map(|l| {
                let rest = l.strip_prefix("<standard input>:")?;
                let mut parts = rest.splitn(3, ':');
                let line = parts.next()?.parse().ok()?;
                let column = parts.next()?.parse().ok()?;
                let message = format!("syntax error: {}", parts.next()?.trim());
                Some(govm_validate::Diagnostic {
                    rule: "syntax",
                    line,
                    column,
                    message,
                })
            })
            .collect();
        let mut diagnostics: Vec<govm_validate::Diagnostic> = diagnostics;
        diagnostics.dedup();
        (!diagnostics.is_empty()).then_some(diagnostics)
    }

    /// Runs a contract folder's native tests: `go vet ./...` then `go test ./...` in `dir`,
    /// with Go (native tests need Go even where TinyGo builds the wasm), offline, with the
    /// build cache in this compiler's cache directory. Output goes to this process's
    /// standard output and error. Returns whether both passed.
    pub fn go_test(&self, dir: &Path, extra_args: &[String]) -> Result<bool> {
        let go = self.config.toolchain.discover_go()?;
        let cache = &self.config.cache_dir;
        for args in [vec!["vet".to_owned(), "./...".to_owned()], {
            let mut a = vec!["test".to_owned()];
            a.extend(extra_args.iter().cloned());
            a.push("./...".to_owned());
            a
        }] {
            let mut cmd = Command::new(&go.path);
            cmd.args(&args).current_dir(dir);
            // The user's `go env -w` settings (a GOOS of wasip1, say) stay out too.
            offline_go_env(&mut cmd, cache)
                .env_remove("GOOS")
                .env_remove("GOARCH")
                .stdin(Stdio::null());
            self.runs.fetch_add(1, Ordering::Relaxed);
            let status = cmd.status().map_err(|source| Error::Io {
                action: "running",
                path: go.path.clone(),
                source,
            })?;
            if !status.success() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// How many toolchain processes this compiler has started.
    pub fn toolchain_runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    /// Compiles a validated contract. `file_name` is the author's name for the file, used in
    /// compiler messages in place of temporary paths.
    pub fn compile(
        &self,
        source: &str,
        contract: &ValidContract,
        file_name: &str,
    ) -> Result<Artifact> {
        let mut toolchain = self.toolchain()?.clone();
        if let Some(opt) = &self.config.wasm_opt {
            toolchain.version = format!("{}+{}", toolchain.version, wasm_opt_version(opt)?);
        }
        let wrapper = generate_wrapper(&contract.abi);
        let key = cache_key(source, &wrapper, &toolchain);
        let artifacts = self.config.cache_dir.join("artifacts");
        let cached_path = artifacts.join(format!("{key}.wasm"));
        // A cached artifact verifies its own bytes, and only checked modules are written: it
        // entered checked, and is not checked again.
        let cached =
            read_artifact(&cached_path).and_then(|wasm| CheckedModule::stored(wasm, false).ok());
        if let Some(module) = cached {
            return Ok(Artifact {
                module,
                toolchain: toolchain.fingerprint(),
                cached: true,
            });
        }
        let built = self.build(source, contract, &wrapper, &toolchain, file_name)?;
        let mut module =
            CheckedModule::check(built, &contract.abi, false).map_err(|e| Error::Module(e.0))?;
        if let Some(opt) = &self.config.wasm_opt {
            let optimized = self.optimize(opt, module.bytes())?;
            // Keep the optimised module only if it still passes the module check.
            if let Ok(checked) = CheckedModule::check(optimized, &contract.abi, false) {
                module = checked;
            }
        }
        let (wasm, info) = (module.bytes(), module.info());
        std::fs::create_dir_all(&artifacts).map_err(io("create", &artifacts))?;
        write_artifact(&cached_path, wasm)?;
        let metadata = format!(
            "{{\n  \"toolchain\": {:?},\n  \"recipe\": {RECIPE_VERSION:?},\n  \"wasm_size\": {},\n  \"wasm_sha256\": \"{}\",\n  \"imports\": {:?},\n  \"abi\": {}\n}}\n",
            toolchain.fingerprint(),
            wasm.len(),
            hex::encode(Sha256::digest(wasm)),
            info.imports,
            contract.abi.to_json().replace('\n', "\n  "),
        );
        // The metadata is a record for people and tools; the wasm file verifies itself.
        write_atomically(&artifacts.join(format!("{key}.json")), metadata.as_bytes())?;
        Ok(Artifact {
            module,
            toolchain: toolchain.fingerprint(),
            cached: false,
        })
    }

    fn build(
        &self,
        source: &str,
        contract: &ValidContract,
        wrapper: &str,
        toolchain: &Toolchain,
        file_name: &str,
    ) -> Result<Vec<u8>> {
        let dir = tempfile::Builder::new()
            .prefix("govm-build-")
            .tempdir()
            .map_err(io("create a temporary directory in", std::env::temp_dir()))?;
        let root = dir.path();
        let write = |rel: &str, text: &str| -> Result<()> {
            let path = root.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io("create", parent))?;
            }
            std::fs::write(&path, text).map_err(io("write", &path))
        };
        write(
            "go.mod",
            &format!(
                "module {CONTRACT_MODULE_PATH}\n\ngo 1.24\n\nrequire {SDK_IMPORT_PATH} v0.0.0\n\nreplace {SDK_IMPORT_PATH} => ./vm\n"
            ),
        )?;
        for (name, text) in SDK_FILES {
            write(&format!("vm/{name}"), text)?;
        }
        let mut renamed = String::with_capacity(source.len());
        renamed.push_str(&source[..contract.package_name.start]);
        renamed.push_str("main");
        renamed.push_str(&source[contract.package_name.end..]);
        write(CONTRACT_FILE, &renamed)?;
        write("govm_wrapper.go", wrapper)?;

        let cache = &self.config.cache_dir;
        let home = root.join("home");
        let mut cmd = Command::new(&toolchain.path);
        match toolchain.kind {
            ToolchainKind::Go => {
                cmd.args([
                    "build",
                    "-buildmode=c-shared",
                    "-trimpath",
                    "-ldflags=-s -w",
                ]);
            }
            ToolchainKind::TinyGo => {
                cmd.args([
                    "build",
                    "-target=wasip1",
                    "-buildmode=c-shared",
                    "-opt=z",
                    "-no-debug",
                    "-scheduler=none",
                ]);
            }
        }
        cmd.args(["-o", "contract.wasm", "."]);
        let tool_dir = toolchain.path.parent().unwrap_or(Path::new("/"));
        let path_var = std::env::join_paths([tool_dir, Path::new("/usr/bin"), Path::new("/bin")])
            .unwrap_or_default();
        cmd.current_dir(root)
            .env_clear()
            .env("PATH", path_var)
            .env("HOME", &home)
            .env("GOPATH", cache.join("go-path"))
            .env("GOOS", "wasip1")
            .env("GOARCH", "wasm")
            .env("CGO_ENABLED", "0");
        offline_go_env(&mut cmd, cache)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(tmp) = std::env::var_os("TMPDIR") {
            cmd.env("TMPDIR", tmp);
        }
        self.runs.fetch_add(1, Ordering::Relaxed);
        let (ok, output) = run_with_timeout(cmd, self.config.timeout)?;
        if !ok {
            return Err(Error::Compile {
                output: clean_output(&output, root, file_name),
            });
        }
        let out = root.join("contract.wasm");
        std::fs::read(&out).map_err(io("read", out))
    }
}

impl Compiler {
    fn optimize(&self, wasm_opt: &Path, wasm: &[u8]) -> Result<Vec<u8>> {
        let dir = tempfile::Builder::new()
            .prefix("govm-opt-")
            .tempdir()
            .map_err(io("create a temporary directory in", std::env::temp_dir()))?;
        let (input, output) = (dir.path().join("in.wasm"), dir.path().join("out.wasm"));
        std::fs::write(&input, wasm).map_err(io("write", &input))?;
        let mut cmd = Command::new(wasm_opt);
        cmd.arg("-Oz")
            .args(WASM_OPT_FEATURES)
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        self.runs.fetch_add(1, Ordering::Relaxed);
        let (ok, out) = run_with_timeout(cmd, self.config.timeout)?;
        if !ok {
            return Err(Error::Module(format!("wasm-opt failed: {}", out.trim())));
        }
        std::fs::read(&output).map_err(io("read", output))
    }
}

/// The features wasm-opt may assume: those of the consensus feature set.
const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-sign-ext",
    "--enable-nontrapping-float-to-int",
    "--enable-mutable-globals",
    "--enable-multivalue",
];

fn wasm_opt_version(path: &Path) -> Result<String> {
    let out = Command::new(path)
        .arg("--version")
        .env_clear()
        .output()
        .map_err(io("run", path))?;
    let text = String::from_utf8_lossy(&out.stdout);
    // "wasm-opt version 108"
    match text.split_whitespace().nth(2) {
        Some(v) if out.status.success() => Ok(format!("wasm-opt{v}")),
        _ => Err(Error::Module(format!(
            "{} is not a usable wasm-opt",
            path.display()
        ))),
    }
}

const CONTRACT_FILE: &str = "contract.go";

/// What every Go run of govm's gets: caches under govm's cache folder, no network, no
/// workspace, no user `go env` file, the local toolchain only.
fn offline_go_env<'a>(cmd: &'a mut Command, cache: &Path) -> &'a mut Command {
    cmd.env("GOCACHE", cache.join("go-build"))
        .env("GOMODCACHE", cache.join("go-mod"))
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("GOENV", "off")
        .env("GOTELEMETRY", "off")
}

fn cache_key(source: &str, wrapper: &str, toolchain: &Toolchain) -> String {
    let mut h = Sha256::new();
    for part in [RECIPE_VERSION, &toolchain.fingerprint(), source, wrapper] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    for (name, text) in SDK_FILES {
        h.update(name);
        h.update(text);
    }
    hex::encode(h.finalize())
}

/// An artifact file is the sha256 of the wasm followed by the wasm: a torn or corrupted file
/// fails the check and is rebuilt, never used.
fn read_artifact(path: &Path) -> Option<Vec<u8>> {
    let bytes = std::fs::read(path).ok()?;
    let (digest, wasm) = bytes.split_at_checked(32)?;
    (Sha256::digest(wasm).as_slice() == digest).then(|| wasm.to_vec())
}

fn write_artifact(path: &Path, wasm: &[u8]) -> Result<()> {
    let mut bytes = Sha256::digest(wasm).to_vec();
    bytes.extend_from_slice(wasm);
    write_atomically(path, &bytes)
}

/// Writes a temporary file beside `path` and renames it into place: readers see the old file
/// or the new one, never a torn one, even with concurrent writers.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io("create a file in", dir))?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(io("write", tmp.path().to_path_buf()))?;
    tmp.persist(path).map_err(|e| Error::Io {
        action: "rename into",
        path: path.to_path_buf(),
        source: e.error,
    })?;
    Ok(())
}

fn run_with_timeout(mut cmd: Command, timeout: Duration) -> Result<(bool, String)> {
    let program = PathBuf::from(cmd.get_program());
    let mut child = cmd.spawn().map_err(io("run", program))?;
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|mut r| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = r.read_to_end(&mut out);
            out
        })
    })
    .collect();
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::Timeout {
                    seconds: timeout.as_secs(),
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                return Err(Error::Io {
                    action: "wait for",
                    path: PathBuf::from("the toolchain"),
                    source: e,
                });
            }
        }
    };
    let mut output = Vec::new();
    for r in readers {
        output.extend(r.join().unwrap_or_default());
    }
    Ok((
        status.success(),
        String::from_utf8_lossy(&output).into_owned(),
    ))
}

/// Points messages at the author's file and hides the temporary module.
fn clean_output(output: &str, root: &Path, file_name: &str) -> String {
    let root = root.display().to_string();
    output
        .lines()
        .filter(|l| !l.starts_with("# "))
        .map(|l| {
            l.replace(&format!("{root}/"), "")
                .replace(&format!("./{CONTRACT_FILE}"), file_name)
                .replace(CONTRACT_FILE, file_name)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_artifacts_are_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wasm");
        write_artifact(&path, b"\0asm-module").unwrap();
        assert_eq!(read_artifact(&path).as_deref(), Some(&b"\0asm-module"[..]));
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(read_artifact(&path), None);
        std::fs::write(&path, &bytes[..10]).unwrap();
        assert_eq!(read_artifact(&path), None);
    }

    #[test]
    fn compiler_messages_name_the_authors_file() {
        let root = Path::new("/tmp/govm-build-x");
        let out = "# govm.contract\n./contract.go:7:2: undefined: foo\n/tmp/govm-build-x/govm_wrapper.go:3:1: x";
        assert_eq!(
            clean_output(out, root, "token.go"),
            "token.go:7:2: undefined: foo\ngovm_wrapper.go:3:1: x"
        );
    }
}

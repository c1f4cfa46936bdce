//! A local network: validators on 127.0.0.1, each a CometBFT process and a `govm node start`
//! process, for `govm node testnet`, the tests and the benchmarks.
//!
//! Validator `i` listens on `base_port + 10·i` (peer-to-peer), `+1` (JSON-RPC) and `+2`
//! (ABCI). Every process started is stopped when the [`Localnet`] is dropped.

use std::fs::OpenOptions;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use govm::Address;
use govm_chain::ChainParams;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::home::{CometSettings, NodeConfig, NodeHome, configure_cometbft, genesis_from_cometbft};
use crate::rpc::{Client, Status};

/// What a local network is made of.
#[derive(Clone, Debug)]
pub struct LocalnetConfig {
    /// Where the validators' homes go (`node0`, `node1`, …); created, must not exist.
    pub dir: PathBuf,
    /// How many validators.
    pub validators: usize,
    /// The `govm` binary (its `node start` serves each validator's application).
    pub govm: PathBuf,
    /// The `cometbft` binary.
    pub cometbft: PathBuf,
    /// The first port; validator `i` uses `base_port + 10·i` to `+2`.
    pub base_port: u16,
    /// CometBFT's wait after a commit (`"200ms"`): the block interval of an idle network.
    pub timeout_commit: String,
    /// The chain's parameters.
    pub params: ChainParams,
    /// Genesis balances.
    pub balances: Vec<(Address, u64)>,
}

/// A running (or stopped) local network.
#[derive(Debug)]
pub struct Localnet {
    config: LocalnetConfig,
    nodes: Vec<Node>,
}

#[derive(Debug)]
struct Node {
    home: NodeHome,
    p2p: u16,
    rpc: u16,
    abci: u16,
    app: Option<Child>,
    comet: Option<Child>,
    diverge_at: Option<u64>,
    invalid_proposals: bool,
}

/// Why the network could not be set up or driven.
#[derive(Debug, thiserror::Error)]
pub enum LocalnetError {
    /// A command failed.
    #[error("{0}")]
    Failed(String),
    /// A home could not be written.
    #[error(transparent)]
    Home(#[from] crate::HomeError),
}

type Result<T> = std::result::Result<T, LocalnetError>;

impl Localnet {
    /// Creates the validators' homes (keys and CometBFT genesis from `cometbft testnet`, one
    /// govm genesis for all, configs with loopback ports), without starting anything.
    pub fn create(config: LocalnetConfig) -> Result<Self> {
        if config.validators == 0 {
            return Err(LocalnetError::Failed("a network needs a validator".into()));
        }
        if config.dir.exists() {
            return Err(LocalnetError::Failed(format!(
                "{} exists already",
                config.dir.display()
            )));
        }
        let generated = config.dir.join("cometbft-testnet");
        run(Command::new(&config.cometbft)
            .arg("testnet")
            .args(["--v", &config.validators.to_string()])
            .arg("--o")
            .arg(&generated)
            .arg("--populate-persistent-peers=false"))?;
        let mut nodes = Vec::new();
        let mut peers = Vec::new();
        for i in 0..config.validators {
            let home = NodeHome::new(config.dir.join(format!("node{i}")));
            std::fs::create_dir_all(home.root()).map_err(io(home.root()))?;
            let from = generated.join(format!("node{i}"));
            std::fs::rename(&from, home.cometbft()).map_err(io(&from))?;
            let id = output(
                Command::new(&config.cometbft)
                    .args(["show-node-id", "--home"])
                    .arg(home.cometbft()),
            )?;
            let base = u16::try_from(10 * i)
                .ok()
                .and_then(|offset| config.base_port.checked_add(offset))
                .filter(|b| b.checked_add(2).is_some())
                .ok_or_else(|| {
                    LocalnetError::Failed(format!(
                        "base port {} leaves no room for {} validators",
                        config.base_port, config.validators
                    ))
                })?;
            peers.push(format!("{}@127.0.0.1:{base}", id.trim()));
            nodes.push(Node {
                home,
                p2p: base,
                rpc: base + 1,
                abci: base + 2,
                app: None,
                comet: None,
                diverge_at: None,
                invalid_proposals: false,
            });
        }
        let _ = std::fs::remove_dir_all(&generated);
        let genesis = genesis_from_cometbft(
            &nodes[0].home.cometbft().join("config/genesis.json"),
            config.params,
            &config.balances,
            0,
        )?;
        for (i, node) in nodes.iter().enumerate() {
            let others: Vec<&str> = peers
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, p)| p.as_str())
                .collect();
            configure_cometbft(
                &node.home.cometbft(),
                &CometSettings {
                    abci: format!("127.0.0.1:{}", node.abci),
                    rpc: format!("127.0.0.1:{}", node.rpc),
                    p2p: format!("127.0.0.1:{}", node.p2p),
                    persistent_peers: others.join(","),
                    timeout_commit: config.timeout_commit.clone(),
                    timeout_propose: "1s".into(),
                    max_tx_bytes: config.params.max_tx_bytes,
                },
            )?;
            node.home.write_genesis(&genesis)?;
            node.home.write_config(&NodeConfig {
                abci: format!("127.0.0.1:{}", node.abci),
            })?;
        }
        Ok(Self { config, nodes })
    }

    /// How many validators.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there are none (never: [`Localnet::create`] refuses).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Validator `i`'s home.
    pub fn home(&self, i: usize) -> &NodeHome {
        &self.nodes[i].home
    }

    /// Validator `i`'s JSON-RPC address.
    pub fn rpc_url(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.nodes[i].rpc)
    }

    /// A JSON-RPC client of validator `i`.
    pub fn client(&self, i: usize) -> Client {
        Client::new(&self.rpc_url(i), Duration::from_secs(10))
    }

    /// Test-only: validator `i`'s application diverges at `height` after its next start.
    pub fn diverge_at(&mut self, i: usize, height: u64) {
        self.nodes[i].diverge_at = Some(height);
    }

    /// Test-only: validator `i`'s application, from its next start, puts invalid transactions
    /// into every block it proposes ([`crate::INVALID_PROPOSALS_ENV`]).
    pub fn propose_invalid(&mut self, i: usize) {
        self.nodes[i].invalid_proposals = true;
    }

    /// Starts every validator.
    pub fn start_all(&mut self) -> Result<()> {
        for i in 0..self.nodes.len() {
            self.start(i)?;
        }
        Ok(())
    }

    /// Starts validator `i`: its application, then (once it listens) CometBFT. Their output
    /// goes to `app.log` and `cometbft.log` in its home.
    pub fn start(&mut self, i: usize) -> Result<()> {
        self.start_with(i, false)
    }

    /// Starts validator `i` cut off from its peers: it dials none (no persistent peers, no
    /// peer exchange) and listens where none dials, so it stays at the height it had,
    /// syncing (`catching_up`), until it is stopped and started again: a node that lags.
    pub fn start_isolated(&mut self, i: usize) -> Result<()> {
        self.start_with(i, true)
    }

    fn start_with(&mut self, i: usize, isolated: bool) -> Result<()> {
        let node = &mut self.nodes[i];
        if node.app.is_some() || node.comet.is_some() {
            return Err(LocalnetError::Failed(format!("validator {i} is running")));
        }
        let mut app = Command::new(&self.config.govm);
        app.args(["node", "start", "--home"]).arg(node.home.root());
        if let Some(h) = node.diverge_at {
            app.args(["--diverge-at-height", &h.to_string()]);
        }
        if node.invalid_proposals {
            app.env(crate::INVALID_PROPOSALS_ENV, "1");
        } else {
            app.env_remove(crate::INVALID_PROPOSALS_ENV);
        }
        node.app = Some(spawn(&mut app, &node.home.root().join("app.log"))?);
        let started = Instant::now();
        let address = format!("127.0.0.1:{}", node.abci);
        while TcpStream::connect(&address).is_err() {
            if let Some(Ok(Some(status))) = node.app.as_mut().map(Child::try_wait) {
                return Err(LocalnetError::Failed(format!(
                    "validator {i}'s application exited ({status}); see {}",
                    node.home.root().join("app.log").display()
                )));
            }
            if started.elapsed() > Duration::from_secs(60) {
                return Err(LocalnetError::Failed(format!(
                    "validator {i}'s application does not listen on {address}"
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut comet = Command::new(&self.config.cometbft);
        comet.args(["start", "--home"]).arg(node.home.cometbft());
        if isolated {
            // The port between the ABCI one and the next validator's: nobody's address.
            let alone = format!("tcp://127.0.0.1:{}", node.p2p + 5);
            comet.args([
                "--p2p.persistent_peers",
                "",
                "--p2p.pex=false",
                "--p2p.laddr",
                &alone,
            ]);
        }
        node.comet = Some(spawn(&mut comet, &node.home.root().join("cometbft.log"))?);
        Ok(())
    }

    /// Kills validator `i` at once (SIGKILL to both processes): a crash.
    pub fn kill(&mut self, i: usize) {
        let node = &mut self.nodes[i];
        for child in [node.comet.take(), node.app.take()].into_iter().flatten() {
            reap(child, Signal::SIGKILL);
        }
    }

    /// Stops validator `i` in an orderly way (SIGTERM, then SIGKILL after 5 s).
    pub fn stop(&mut self, i: usize) {
        let node = &mut self.nodes[i];
        for child in [node.comet.take(), node.app.take()].into_iter().flatten() {
            reap(child, Signal::SIGTERM);
        }
    }

    /// Freezes validator `i`'s processes (SIGSTOP), or thaws them (SIGCONT).
    pub fn freeze(&mut self, i: usize, frozen: bool) {
        let signal = if frozen {
            Signal::SIGSTOP
        } else {
            Signal::SIGCONT
        };
        let node = &mut self.nodes[i];
        for child in [&mut node.comet, &mut node.app].into_iter().flatten() {
            // Never signal a child already reaped: its pid may belong to another process.
            if matches!(child.try_wait(), Ok(None)) {
                let _ = kill(pid(child), signal);
            }
        }
    }

    /// Whether validator `i`'s processes are both still running.
    pub fn is_running(&mut self, i: usize) -> bool {
        let node = &mut self.nodes[i];
        [&mut node.app, &mut node.comet]
            .into_iter()
            .all(|c| c.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None))))
    }

    /// Deletes validator `i`'s chain data (govm state, CometBFT's blocks and state) and keeps
    /// its keys and its record of what it signed; the validator must be stopped.
    pub fn wipe(&mut self, i: usize) -> Result<()> {
        let home = self.nodes[i].home.clone();
        let state = home.state_path();
        if state.exists() {
            std::fs::remove_file(&state).map_err(io(&state))?;
        }
        let data = home.cometbft().join("data");
        for entry in std::fs::read_dir(&data).map_err(io(&data))? {
            let path = entry.map_err(io(&data))?.path();
            if path
                .file_name()
                .is_some_and(|n| n == "priv_validator_state.json")
            {
                continue;
            }
            let removed = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            removed.map_err(io(&path))?;
        }
        Ok(())
    }

    /// Validator `i`'s status (`None` when it does not answer).
    pub fn status(&self, i: usize) -> Option<Status> {
        Client::new(&self.rpc_url(i), Duration::from_secs(2))
            .status()
            .ok()
    }

    /// Waits until validator `i` has committed `height`; `Err` after `timeout`.
    pub fn wait_for_height(&self, i: usize, height: u64, timeout: Duration) -> Result<Status> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.status(i).filter(|s| s.height >= height) {
                return Ok(status);
            }
            if started.elapsed() > timeout {
                return Err(LocalnetError::Failed(format!(
                    "validator {i} did not reach height {height} within {timeout:?} (at {:?}); \
                     see its logs in {}",
                    self.status(i).map(|s| s.height),
                    self.nodes[i].home.root().display()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops every validator.
    pub fn stop_all(&mut self) {
        for i in 0..self.nodes.len() {
            self.stop(i);
        }
    }
}

impl Drop for Localnet {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.freeze(i, false);
            self.kill(i);
        }
    }
}

fn pid(child: &Child) -> Pid {
    Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX))
}

/// Signals `child` (thawed first, so that it can act on it) and waits for it; SIGKILL after
/// 5 s.
fn reap(mut child: Child, signal: Signal) {
    if !matches!(child.try_wait(), Ok(None)) {
        return;
    }
    let _ = kill(pid(&child), Signal::SIGCONT);
    let _ = kill(pid(&child), signal);
    let started = Instant::now();
    while matches!(child.try_wait(), Ok(None)) {
        if started.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            let _ = child.wait();
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn spawn(command: &mut Command, log: &Path) -> Result<Child> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(io(log))?;
    let err = file.try_clone().map_err(io(log))?;
    command
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .spawn()
        .map_err(|e| LocalnetError::Failed(format!("cannot start {command:?}: {e}")))
}

fn run(command: &mut Command) -> Result<()> {
    output(command).map(drop)
}

fn output(command: &mut Command) -> Result<String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| LocalnetError::Failed(format!("cannot run {command:?}: {e}")))?;
    if !out.status.success() {
        return Err(LocalnetError::Failed(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> LocalnetError + '_ {
    move |e| LocalnetError::Failed(format!("{}: {e}", path.display()))
}

//! Integration tests of the facade: real contracts, compiled with the real toolchain.
#![allow(clippy::unwrap_used)]

mod calls;
mod counter;
mod deploy;
mod gas;
mod hostile;
mod market;
mod parity;
mod sdk;
mod token;
mod vote;

use std::path::PathBuf;

use govm::{Address, Config, Engine};

/// An engine on a fresh in-memory state, sharing one artifact and Go build cache across
/// tests so that each source is compiled once per test run.
pub fn engine() -> Engine {
    let config = Config {
        cache_dir: cache_dir(),
        ..Config::default()
    };
    Engine::new(config).unwrap()
}

pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("govm-cache")
}

pub fn contract(path: &str) -> Vec<u8> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/contracts");
    std::fs::read(root.join(path)).unwrap()
}

/// Deploys `testdata/contracts/<name>/<name>.go` as the deployer.
pub fn deploy(engine: &Engine, name: &str) -> Address {
    let options = govm::DeployOptions {
        deployer: DEPLOYER,
        ..govm::DeployOptions::default()
    };
    engine
        .deploy_with_options(&contract(&format!("{name}/{name}.go")), &options)
        .unwrap()
        .address
}

pub const DEPLOYER: Address = Address([0xd0; 20]);
pub const ALICE: Address = Address([0xa1; 20]);

//! The state home (`--home`): the redb state, compiled artifacts and caches; opening it waits
//! while another `govm` holds it.

use std::path::Path;
use std::time::{Duration, Instant};

use govm::{Config, Engine, Error, StateBackend};

use crate::exit::Failure;

/// How often a waiting `govm` tries the home again.
const RETRY: Duration = Duration::from_millis(50);

/// An engine on the home: over its redb state (`with_state`), or in memory for commands that
/// only build or check. A home another `govm` holds is waited for, saying so on stderr once,
/// for up to `lock_timeout`.
pub(crate) fn engine(
    home: &Path,
    with_state: bool,
    lock_timeout: Duration,
) -> Result<Engine, Failure> {
    let state = if with_state {
        std::fs::create_dir_all(home)
            .map_err(|e| Failure::internal(format!("cannot create {}: {e}", home.display())))?;
        StateBackend::Redb(home.join("state.redb"))
    } else {
        StateBackend::Memory
    };
    let config = Config {
        cache_dir: home.join("cache"),
        state,
        ..Config::default()
    };
    let started = Instant::now();
    let mut said = false;
    loop {
        match Engine::new(config.clone()) {
            Err(Error::State(in_use @ govm::StateError::InUse { .. })) => {
                if started.elapsed() >= lock_timeout {
                    return Err(Failure::internal(format!(
                        "{in_use}; waited {} ms (--lock-timeout)",
                        lock_timeout.as_millis()
                    )));
                }
                if !said {
                    eprintln!(
                        "govm: waiting for another govm to release {} (up to {} ms)",
                        home.display(),
                        lock_timeout.as_millis()
                    );
                    said = true;
                }
                std::thread::sleep(RETRY);
            }
            other => return other.map_err(Failure::internal),
        }
    }
}

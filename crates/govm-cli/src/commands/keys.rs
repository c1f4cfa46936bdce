//! `govm keys add|list|show NAME`: ed25519 keys in the home (`keys/NAME.json`, readable only
//! by their owner), used with `--from NAME` to sign transactions for a network.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use govm_chain::{SigningKey, address_of, signing_key};
use serde_json::{Value as Json, json};

use crate::commands::Env;
use crate::exit::{Exit, Failure};
use crate::output::plain;

/// Manage signing keys (ed25519) in the home.
#[derive(Args, Debug)]
pub(crate) struct Keys {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// Create a key (random, or from --seed) and print its address.
    Add {
        /// The key's name.
        name: String,
        /// The 32-byte secret seed, 0x-hex, instead of a random one (to import a key).
        #[arg(long, value_name = "HEX")]
        seed: Option<String>,
    },
    /// List the keys.
    List,
    /// Show a key's address and public key.
    Show {
        /// The key's name.
        name: String,
    },
}

pub(crate) fn run(env: &Env, args: &Keys) -> Result<Exit, Failure> {
    match &args.command {
        KeysCommand::Add { name, seed } => {
            let seed = match seed {
                Some(hex_seed) => {
                    let bytes = hex::decode(hex_seed.trim_start_matches("0x"))
                        .map_err(|e| Failure::input(format!("--seed: {e}")))?;
                    <[u8; 32]>::try_from(bytes)
                        .map_err(|_| Failure::input("--seed: give 32 bytes (64 hex digits)"))?
                }
                None => {
                    let mut seed = [0; 32];
                    getrandom::fill(&mut seed)
                        .map_err(|e| Failure::internal(format!("no randomness: {e}")))?;
                    seed
                }
            };
            let key = signing_key(&seed);
            let path = key_path(&env.home, name)?;
            let dir = keys_dir(&env.home);
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)
                .map_err(|e| Failure::internal(format!("cannot create {}: {e}", dir.display())))?;
            let record = json!({
                "name": name,
                "address": address_of(&key.verifying_key().to_bytes()).to_string(),
                "public_key": format!("0x{}", hex::encode(key.verifying_key().to_bytes())),
                "seed": format!("0x{}", hex::encode(seed)),
            });
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => {
                        Failure::input(format!("a key named {name:?} exists already"))
                    }
                    _ => Failure::internal(format!("cannot write {}: {e}", path.display())),
                })?;
            writeln!(file, "{record:#}")
                .map_err(|e| Failure::internal(format!("cannot write {}: {e}", path.display())))?;
            print_key(env, &record);
        }
        KeysCommand::List => {
            let mut list = Vec::new();
            if let Ok(entries) = std::fs::read_dir(keys_dir(&env.home)) {
                let mut names: Vec<String> = entries
                    .filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .filter_map(|n| n.strip_suffix(".json").map(str::to_owned))
                    .collect();
                names.sort();
                for name in names {
                    list.push(public(&read_record(&env.home, &name)?));
                }
            }
            env.out.print(Json::Array(list.clone()), || {
                list.iter()
                    .map(|k| format!("{}  {}", plain(&k["name"]), plain(&k["address"])))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        KeysCommand::Show { name } => print_key(env, &read_record(&env.home, name)?),
    }
    Ok(Exit::Ok)
}

/// The signing key named `name` (`--from NAME`).
pub(crate) fn load(home: &Path, name: &str) -> Result<SigningKey, Failure> {
    let record = read_record(home, name)?;
    let seed = record["seed"]
        .as_str()
        .and_then(|s| hex::decode(s.trim_start_matches("0x")).ok())
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| Failure::input(format!("the key file of {name:?} holds no valid seed")))?;
    Ok(signing_key(&seed))
}

fn print_key(env: &Env, record: &Json) {
    let shown = public(record);
    env.out.print(shown.clone(), || plain(&shown["address"]));
}

/// A key's record without its seed.
fn public(record: &Json) -> Json {
    json!({
        "name": record["name"],
        "address": record["address"],
        "public_key": record["public_key"],
    })
}

fn read_record(home: &Path, name: &str) -> Result<Json, Failure> {
    let path = key_path(home, name)?;
    let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Failure::input(format!(
            "no key named {name:?} in {} (govm keys add {name})",
            keys_dir(home).display()
        )),
        _ => Failure::internal(format!("cannot read {}: {e}", path.display())),
    })?;
    if let Ok(meta) = std::fs::metadata(&path)
        && meta.permissions().mode() & 0o077 != 0
    {
        return Err(Failure::input(format!(
            "{} is readable by others: chmod 600 it",
            path.display()
        )));
    }
    serde_json::from_str(&text).map_err(|e| Failure::input(format!("{}: {e}", path.display())))
}

fn keys_dir(home: &Path) -> PathBuf {
    home.join("keys")
}

fn key_path(home: &Path, name: &str) -> Result<PathBuf, Failure> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(Failure::input(format!(
            "key name {name:?}: use letters, digits, '-' and '_'"
        )));
    }
    Ok(keys_dir(home).join(format!("{name}.json")))
}

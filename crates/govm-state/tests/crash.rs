//! Crash safety of the redb backend. A child process commits batches to a store and reports
//! each commit on stdout; the parent kills it with SIGKILL at pseudo-random moments, reopens
//! the store, and checks that every reported batch is there, complete, and that at most the one
//! batch in flight when the child died was added besides (whole, never partial).
//!
//! `harness = false`: the same binary is the parent (no arguments) and the child
//! (`GOVM_CRASH_CHILD` set to the store's path).
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use govm_state::{ContractRecord, State};

const CONTRACT: [u8; 20] = [0xcc; 20];
const WRITES_PER_BATCH: u32 = 40;
const TRIALS: u32 = 50;
/// Kills of a child that is still creating a store that did not exist.
const FIRST_OPEN_TRIALS: u32 = 30;

fn object() -> [u8; 32] {
    govm_state::default_object_id(&CONTRACT)
}

/// Batches present in the store, checking each one is complete.
fn batches(state: &State) -> Result<u32, String> {
    let id = object();
    let tx = state.begin();
    // Killed before its first commit: an empty store.
    if tx.contract(&CONTRACT).map_err(|e| e.to_string())?.is_none() {
        return Ok(0);
    }
    let count = match tx.field(&id, "count").map_err(|e| e.to_string())? {
        None => 0,
        Some(v) => u32::from_le_bytes(v[1..5].try_into().unwrap()),
    };
    for batch in 0..=count {
        for j in 0..WRITES_PER_BATCH {
            let present = tx
                .field(&id, &format!("b{batch}.{j}"))
                .map_err(|e| e.to_string())?
                .is_some();
            if present != (batch < count) {
                return Err(format!(
                    "batch {batch} write {j}: present={present} with count {count}: partial batch"
                ));
            }
        }
    }
    Ok(count)
}

fn child(path: &str) {
    let state = State::open(path).unwrap();
    let id = object();
    if state.begin().contract(&CONTRACT).unwrap().is_none() {
        let mut tx = state.begin();
        tx.register_contract(&ContractRecord {
            address: CONTRACT,
            code_hash: [0; 32],
            deployer: [0; 20],
            deploy_height: 0,
            options: Vec::new(),
        })
        .unwrap();
        state.commit(tx).unwrap();
    }
    let mut next = batches(&state).unwrap();
    let mut out = std::io::stdout().lock();
    loop {
        let mut tx = state.begin();
        for j in 0..WRITES_PER_BATCH {
            let mut value = vec![0x0b];
            value.extend(next.to_le_bytes());
            value.extend(j.to_le_bytes());
            tx.set_field(&CONTRACT, &id, &format!("b{next}.{j}"), &value)
                .unwrap();
        }
        let mut count = vec![0x04];
        count.extend((next + 1).to_le_bytes());
        tx.set_field(&CONTRACT, &id, "count", &count).unwrap();
        state.commit(tx).unwrap();
        next += 1;
        writeln!(out, "{next}").unwrap();
        out.flush().unwrap();
    }
}

fn main() {
    if let Ok(path) = std::env::var("GOVM_CRASH_CHILD") {
        child(&path);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let exe = std::env::current_exe().unwrap();
    let mut reported_total = 0u32;
    let mut seed = 0x2545_f491u32;
    let (mut passed, mut failed) = (0, 0);
    for trial in 0..TRIALS {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let delay = Duration::from_millis(u64::from(5 + (seed >> 16) % 120));
        let mut child = Command::new(&exe)
            .env("GOVM_CRASH_CHILD", &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.parse::<u32>().ok())
                .last()
        });
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if let Some(last) = reader.join().unwrap() {
            reported_total = reported_total.max(last);
        }
        let state = State::open(&path).unwrap();
        match batches(&state) {
            Ok(n) if n == reported_total || n == reported_total + 1 => {
                reported_total = n;
                passed += 1;
            }
            Ok(n) => {
                println!(
                    "trial {trial}: {n} batches in the store, {reported_total} reported committed"
                );
                failed += 1;
            }
            Err(e) => {
                println!("trial {trial}: {e}");
                failed += 1;
            }
        }
    }
    println!("crash: {reported_total} batches committed across {TRIALS} kills");
    // Kills while the store is first created: whatever is left must open, and hold whole
    // batches only.
    for trial in 0..FIRST_OPEN_TRIALS {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let fresh = dir.path().join(format!("fresh-{trial}.redb"));
        let mut child = Command::new(&exe)
            .env("GOVM_CRASH_CHILD", &fresh)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // From at once to a few milliseconds: the child is starting, creating the file,
        // or writing its first batches.
        std::thread::sleep(Duration::from_micros(u64::from((seed >> 16) % 6_000)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        match State::open(&fresh)
            .map_err(|e| e.to_string())
            .and_then(|s| batches(&s))
        {
            Ok(_) => passed += 1,
            Err(e) => {
                println!("first-open trial {trial}: {e}");
                failed += 1;
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 || reported_total == 0 {
        std::process::exit(1);
    }
}

use serde_json::Value as Json;

use crate::{ALICE, DEPLOYER, Home, contract};

fn json(text: &str) -> Json {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn deploy_call_query_state_events_balance_and_mint() {
    let home = Home::new();
    let (code, out, err) =
        home.run(&["--json", "deploy", &contract("token"), "--sender", DEPLOYER]);
    assert_eq!(code, 0, "{err}");
    let deployed = json(&out);
    let token = deployed["address"].as_str().unwrap().to_owned();
    assert_eq!(
        deployed["functions"],
        serde_json::json!(["Initialize", "Transfer", "GetBalance", "CreateAccount"])
    );
    assert!(deployed["code_hash"].as_str().unwrap().starts_with("0x"));

    let (code, out, err) = home.run(&[
        "--json",
        "call",
        &token,
        "Initialize",
        "1000000",
        "--sender",
        DEPLOYER,
    ]);
    assert_eq!(code, 0, "{err}");
    let init = json(&out);
    assert_eq!(init["status"], "ok");
    assert_eq!(init["events"][0]["name"], "Initialize");
    assert_eq!(init["events"][0]["fields"]["total_supply"], 1_000_000);
    assert!(init["gas_used"].as_u64().unwrap() > 0);
    let owner_id = init["result"].as_str().unwrap().to_owned();

    let (code, _, err) = home.run(&[
        "call", &token, "Transfer", ALICE, "\"1000\"", "--sender", DEPLOYER,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = home.run(&["call", &token, "GetBalance", &owner_id]);
    assert_eq!(code, 0);
    assert!(out.starts_with("result  999000\n"), "{out}");

    // A query runs the same code and writes nothing.
    let (_, before, _) = home.run(&["--json", "events"]);
    let (code, out, _) = home.run(&[
        "--json",
        "query",
        &token,
        "Transfer",
        "--args",
        &format!("[\"{ALICE}\", 1]"),
        "--sender",
        DEPLOYER,
    ]);
    assert_eq!((code, json(&out)["status"].clone()), (0, Json::from("ok")));
    let (_, after, _) = home.run(&["--json", "events"]);
    assert_eq!(before, after);
    assert_eq!(json(&after).as_array().unwrap().len(), 2);

    let (code, out, _) = home.run(&["--json", "state", &token]);
    assert_eq!(code, 0);
    let objects = json(&out);
    let amounts: Vec<u64> = objects
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["fields"]["amount"].as_u64())
        .collect();
    assert_eq!(amounts, [999_000, 1000]);
    let (code, out, _) = home.run(&["state", &token, "--object", &owner_id]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!("owner  {DEPLOYER}")) && out.contains("amount = 999000"),
        "{out}"
    );

    let (code, out, _) = home.run(&["--json", "inspect", &token]);
    assert_eq!(code, 0);
    let info = json(&out);
    assert!(info["wasm_size"].as_u64().unwrap() > 100_000);
    assert_eq!(info["deployer"], DEPLOYER);
    assert!(
        info["exports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == "Transfer")
    );

    assert_eq!(home.run(&["balance", ALICE]).1, "0\n");
    let (code, out, _) = home.run(&["mint", ALICE, "500"]);
    assert_eq!((code, out), (0, format!("{ALICE} now has 500\n")));
    assert_eq!(
        home.run(&["--json", "balance", ALICE]).1.trim(),
        "{\"balance\":500}"
    );
}

#[test]
fn exit_codes_tell_what_went_wrong() {
    let home = Home::new();
    let (_, out, _) = home.run(&["deploy", &contract("hostile")]);
    let hostile = out.trim().to_owned();
    // 1: the contract failed.
    let (code, _, err) = home.run(&["call", &hostile, "Panic", "boom"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("contract panicked: boom"), "{err}");
    let (code, out, _) = home.run(&["--json", "call", &hostile, "WriteThenFail"]);
    assert_eq!(code, 1);
    assert_eq!(json(&out)["error"], "failing after writing");
    // 2: bad input.
    let (code, _, err) = home.run(&["call", &hostile, "Index", "\"seven\""]);
    assert_eq!(code, 2);
    assert!(
        err.contains("argument 1 \"i\": expected uint64, got string \"seven\""),
        "{err}"
    );
    assert_eq!(home.run(&["call", &hostile, "Nope"]).0, 2);
    assert_eq!(home.run(&["call", "0x1234", "Nope"]).0, 2);
    assert_eq!(
        home.run(&["call", &format!("0x{}", "ab".repeat(20)), "Nope"])
            .0,
        2
    );
    assert_eq!(home.run(&["deploy", "/nonexistent.go"]).0, 2);
    assert_eq!(home.run(&["frobnicate"]).0, 2);
    // 3: a resource limit.
    let (code, _, err) = home.run(&["call", &hostile, "Loop", "--fuel", "1000000"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("out of fuel"), "{err}");
}

#[test]
fn deploy_options_are_checked_stored_and_enforced() {
    let home = Home::new();
    // Options govm cannot honour are input errors that name the option.
    let (code, _, err) = home.run(&["deploy", &contract("hostile"), "--memory-limit", "1024"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("MemoryLimit"), "{err}");
    let (code, _, err) = home.run(&["deploy", &contract("hostile"), "--timeout-ms", "0"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Timeout"), "{err}");
    // Too little fuel for Go's package initialization: a resource limit, at deploy.
    let (code, _, err) = home.run(&["deploy", &contract("hostile"), "--fuel", "1000"]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("package initialization failed: out of fuel"),
        "{err}"
    );
    // The contract's own limits hold whatever a caller offers.
    let (code, out, err) = home.run(&[
        "--json",
        "deploy",
        &contract("hostile"),
        "--fuel",
        "20000000",
        "--memory-limit",
        "16777216",
        "--timeout-ms",
        "3000",
    ]);
    assert_eq!(code, 0, "{err}");
    let deployed = json(&out);
    assert!(deployed["init_gas"].as_u64().unwrap() > 0, "{out}");
    let hostile = deployed["address"].as_str().unwrap().to_owned();
    let (code, out, _) = home.run(&["--json", "call", &hostile, "Loop", "--fuel", "900000000"]);
    assert_eq!(code, 3);
    assert_eq!(json(&out)["error"], "out of fuel");
    assert_eq!(json(&out)["gas_used"], 20_000_000);
    let (code, out, _) = home.run(&["--json", "call", &hostile, "Hog", "64"]);
    assert_eq!(code, 3);
    assert_eq!(
        json(&out)["error"],
        "memory limit of 16777216 bytes exceeded"
    );
    let (_, out, _) = home.run(&["--json", "inspect", &hostile]);
    assert_eq!(json(&out)["options"]["fuel_limit"], 20_000_000);
    assert_eq!(json(&out)["options"]["timeout_ms"], 3000);
    let (_, out, _) = home.run(&["inspect", &hostile]);
    assert!(
        out.contains("limits: fuel 20000000 per call, memory 16777216 bytes, timeout 3000 ms"),
        "{out}"
    );
}

#[test]
fn a_rejected_contract_shows_the_line_with_a_caret_and_exits_2() {
    let home = Home::new();
    let file = home.path().join("bad.go");
    std::fs::write(
        &file,
        "package bad\n\nimport \"os\"\n\nfunc F() { os.Exit(1) }\n",
    )
    .unwrap();
    let (code, _, err) = home.run(&["deploy", file.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("error[import]: import \"os\" is not allowed"),
        "{err}"
    );
    assert!(
        err.contains("bad.go:3:8\n  |\n  | import \"os\"\n  |        ^\n"),
        "{err}"
    );
}

#[test]
fn a_home_in_use_is_waited_for_up_to_the_lock_timeout() {
    let home = Home::new();
    let (_, out, _) = home.run(&["deploy", &contract("counter")]);
    let counter = out.trim().to_owned();
    // Hold the home open from this process, as a second govm would find it.
    let held = govm::State::open(home.path().join("state.redb")).unwrap();
    let (code, _, err) = home.run(&["--lock-timeout", "300", "call", &counter, "Add", "1"]);
    assert_eq!(code, 4);
    assert!(err.contains("waiting for another govm to release"), "{err}");
    assert!(
        err.contains("open in another process; waited 300 ms"),
        "{err}"
    );
    // Released while a second govm waits: it goes on.
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(500));
        drop(held);
    });
    let (code, out, err) = home.run(&["call", &counter, "Add", "1"]);
    release.join().unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("result  1\n"), "{out}");
}

#[test]
fn a_call_carries_value_and_gives_it_back_when_it_fails() {
    let home = Home::new();
    let (_, out, _) = home.run(&["deploy", &contract("escrow")]);
    let escrow = out.trim().to_owned();
    home.run(&["mint", ALICE, "50"]);
    let fund = |value: &str, seller: &str| {
        home.run(&[
            "call", &escrow, "Fund", seller, DEPLOYER, "--sender", ALICE, "--value", value,
        ])
    };
    let (code, out, err) = fund("30", DEPLOYER);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("event   Opened"), "{out}");
    let (code, _, err) = fund("10", ALICE);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("a buyer cannot be its own seller"), "{err}");
    let (code, _, err) = fund("21", DEPLOYER);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("balance of 20 cannot pay the 21"), "{err}");
    let balance = |a: &str| home.run(&["balance", a]).1.trim().to_owned();
    assert_eq!(
        (balance(ALICE), balance(&escrow)),
        ("20".into(), "30".into())
    );
}

#[test]
fn verify_says_whether_a_source_builds_to_the_deployed_module() {
    let home = Home::new();
    let (_, out, _) = home.run(&["deploy", &contract("counter")]);
    let counter = out.trim().to_owned();
    let (code, out, _) = home.run(&["verify", &counter, &contract("counter")]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("builds to the module deployed at"), "{out}");
    let (code, out, _) = home.run(&["verify", &counter, &contract("vote")]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("does NOT build"), "{out}");
}

#[test]
fn concurrent_commands_on_one_home_all_succeed() {
    let home = Home::new();
    let (_, out, _) = home.run(&["deploy", &contract("counter")]);
    let counter = out.trim().to_owned();
    let children: Vec<_> = (0..6)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_govm"))
                .arg("--home")
                .arg(home.path())
                .args(["call", &counter, "Add", "1"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (code, out, _) = home.run(&["query", &counter, "Add", "0"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("result  6\n"), "{out}");
}

#[test]
fn inspect_and_build_work_on_source_files() {
    let home = Home::new();
    let (code, out, _) = home.run(&["inspect", &contract("vote")]);
    assert_eq!(code, 0);
    assert!(
        out.contains("  func Vote(ctx vm.Context, poll vm.ObjectID, option uint32) error\n"),
        "{out}"
    );
    assert!(
        out.contains("  type Poll struct { Question string; Options []string; Closes uint64 }\n"),
        "{out}"
    );
    assert!(
        out.contains("  event Voted(poll, voter, option)\n"),
        "{out}"
    );
    let wasm = home.path().join("vote.wasm");
    let (code, out, _) = home.run(&["build", &contract("vote"), "-o", wasm.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(std::fs::read(&wasm).unwrap().starts_with(b"\0asm"));
    assert!(out.starts_with("wrote "), "{out}");
}

#[test]
fn keys_are_kept_for_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    let seed = format!("0x{}", "07".repeat(32));
    let (code, address, err) = home.run(&["keys", "add", "alice", "--seed", &seed]);
    assert_eq!(code, 0, "{err}");
    let file = home.path().join("keys/alice.json");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let dir_mode = std::fs::metadata(home.path().join("keys"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o700);
    assert_eq!(home.run(&["keys", "show", "alice"]).1, address);
    assert!(home.run(&["keys", "list"]).1.contains(address.trim()));
    // The same name twice, a name that is a path, a key others can read: refused.
    assert_eq!(home.run(&["keys", "add", "alice"]).0, 2);
    assert_eq!(home.run(&["keys", "add", "../x"]).0, 2);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, _, err) = home.run(&["keys", "show", "alice"]);
    assert_eq!(code, 2);
    assert!(err.contains("readable by others"), "{err}");
}

/// The default home is `.govm` in the current directory, a relative path, and builds work
/// from it (Go refuses a relative GOPATH). A `vm.Uint256` wider than 64 bits is typed as
/// its digits on the command line and comes back as a decimal string.
#[test]
fn the_default_home_builds_and_wide_integers_are_typed_as_digits() {
    let cwd = tempfile::tempdir().unwrap();
    let shared = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("govm-cache");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::create_dir(cwd.path().join(".govm")).unwrap();
    std::os::unix::fs::symlink(&shared, cwd.path().join(".govm/cache")).unwrap();
    let run = |args: &[&str]| {
        let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_govm"));
        cmd.current_dir(cwd.path())
            .env_remove("GOVM_HOME")
            .args(args);
        crate::output(cmd)
    };
    let (code, out, err) = run(&["deploy", &contract("crowdfund")]);
    assert_eq!(code, 0, "{err}");
    let fund = out.trim().to_owned();
    assert!(cwd.path().join(".govm").read_dir().unwrap().count() > 1);
    let goal = "1000000000000000000000000000000";
    let (code, _, err) = run(&["call", &fund, "Start", goal, "5", "--sender", ALICE]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["--json", "query", &fund, "Status"]);
    assert_eq!(code, 0, "{err}");
    let status: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(status["result"]["Goal"], goal, "{out}");
    assert_eq!(status["result"]["Raised"], "0", "{out}");
    let (code, out, err) = run(&[
        "--json",
        "query",
        &fund,
        "Total",
        &format!("[\"{goal}\", 7]"),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("\"result\":\"1000000000000000000000000000007\""),
        "{out}"
    );
    // Past 2^256 - 1: refused before the call, as out of range.
    let (code, _, err) = run(&[
        "query",
        &fund,
        "Total",
        &format!("[\"{}\"]", "9".repeat(78)),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("out of range"), "{err}");
}

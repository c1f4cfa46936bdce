use std::io::Write;

use govm::{Address, DeployOptions, Error};

use crate::{DEPLOYER, contract, engine};

#[test]
fn a_contract_importing_os_is_rejected_naming_the_import_and_its_line() {
    let engine = engine();
    let source = b"package bad\n\nimport (\n\t\"os\"\n)\n\nfunc Read() string { return os.Getenv(\"HOME\") }\n";
    let err = engine.deploy(source).unwrap_err();
    let Error::Rejected(rejected) = &err else {
        panic!("expected a rejection, got {err:?}")
    };
    let d = &rejected.diagnostics[0];
    assert_eq!((d.rule, d.line, d.column), ("import", 4, 2));
    assert!(
        d.message.starts_with("import \"os\" is not allowed"),
        "{}",
        d.message
    );
    assert!(
        err.to_string()
            .contains("4:2: import \"os\" is not allowed"),
        "{err}"
    );
}

#[test]
fn the_same_source_deploys_twice_to_two_addresses_and_compiles_once() {
    let engine = engine();
    let options = DeployOptions {
        deployer: DEPLOYER,
        ..DeployOptions::default()
    };
    let first = engine
        .deploy_with_options(&contract("token/token.go"), &options)
        .unwrap();
    let runs = engine.compiler().toolchain_runs();
    let second = engine
        .deploy_with_options(&contract("token/token.go"), &options)
        .unwrap();
    assert_ne!(first.address, second.address);
    assert_eq!(first.code_hash, second.code_hash);
    assert!(!second.compiled);
    assert_eq!(engine.compiler().toolchain_runs(), runs);

    // Another deployer gets another address for the same code.
    let other = DeployOptions {
        deployer: Address([1; 20]),
        ..DeployOptions::default()
    };
    let third = engine
        .deploy_with_options(&contract("token/token.go"), &other)
        .unwrap();
    assert_ne!(third.address, first.address);
}

#[test]
fn gzip_source_deploys_like_plain_source() {
    let engine = engine();
    let plain = contract("token/token.go");
    let mut gz = flate2_encode(&plain);
    let options = DeployOptions {
        deployer: DEPLOYER,
        ..DeployOptions::default()
    };
    let a = engine.deploy_with_options(&plain, &options).unwrap();
    let b = engine.deploy_with_options(&gz, &options).unwrap();
    assert_eq!(a.code_hash, b.code_hash);
    gz.truncate(gz.len() / 2);
    assert!(matches!(engine.deploy(&gz), Err(Error::Source(_))));
}

#[test]
fn a_type_error_is_reported_at_the_authors_line() {
    let engine = engine();
    let source = b"package broken\n\nfunc Get() uint64 {\n\treturn \"text\"\n}\n";
    let options = DeployOptions {
        file_name: "broken.go".into(),
        ..DeployOptions::default()
    };
    let err = engine.deploy_with_options(source, &options).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Compile(_)), "{err:?}");
    assert!(text.contains("broken.go:4:9"), "{text}");
    assert!(!text.contains("govm-build-"), "{text}");
}

#[test]
fn a_redb_home_keeps_contracts_and_state_across_engines() {
    let home = tempfile::tempdir().unwrap();
    let config = || govm::Config {
        cache_dir: crate::cache_dir(),
        state: govm::StateBackend::Redb(home.path().join("state.redb")),
        ..govm::Config::default()
    };
    let ctx = govm::CallContext::new(DEPLOYER);
    let (counter, hash) = {
        let engine = govm::Engine::new(config()).unwrap();
        let options = DeployOptions {
            deployer: DEPLOYER,
            ..DeployOptions::default()
        };
        let counter = engine
            .deploy_with_options(&contract("counter/counter.go"), &options)
            .unwrap()
            .address;
        let out = engine
            .execute_with_args(&ctx, counter, "Add", &[5u64.into()])
            .unwrap();
        (counter, out.state_hash.unwrap())
    };
    // While one engine holds the home, a second cannot open it.
    let engine = govm::Engine::new(config()).unwrap();
    assert!(
        govm::Engine::new(config())
            .unwrap_err()
            .to_string()
            .contains("open in another process")
    );
    assert_eq!(engine.state_hash().unwrap(), hash);
    // The module is rebuilt from the stored wasm: no toolchain run.
    let out = engine
        .execute_with_args(&ctx, counter, "Add", &[1u64.into()])
        .unwrap();
    assert_eq!(out.result::<u64>().unwrap(), 6);
    assert_eq!(engine.compiler().toolchain_runs(), 0);
}

#[test]
fn syntax_errors_point_where_gofmt_does() {
    let engine = engine();
    // gosyn places this error on the `2`; Go's parser reports the missing comma at the newline.
    let source = b"package p\n\nfunc F() {\n\tx := []int{1, 2\n\t_ = x\n}\n";
    let Err(Error::Rejected(rejected)) = engine.check(source) else {
        panic!("accepted")
    };
    let first = &rejected.diagnostics[0];
    assert_eq!((first.rule, first.line, first.column), ("syntax", 4, 17));
    assert_eq!(
        first.message,
        "syntax error: missing ',' before newline in composite literal"
    );
}

fn flate2_encode(data: &[u8]) -> Vec<u8> {
    // A minimal gzip writer would be a dependency for one test; the compiler crate already
    // depends on flate2, so reach it through `gzip` on PATH-free means: build a stored
    // (uncompressed) deflate stream by hand.
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    for (i, chunk) in data.chunks(65_535).enumerate() {
        let last = (i + 1) * 65_535 >= data.len();
        out.push(u8::from(last));
        let len = chunk.len() as u16;
        out.write_all(&len.to_le_bytes()).unwrap();
        out.write_all(&(!len).to_le_bytes()).unwrap();
        out.write_all(chunk).unwrap();
    }
    out.write_all(&crc32(data).to_le_bytes()).unwrap();
    out.write_all(&(data.len() as u32).to_le_bytes()).unwrap();
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// An engine is shared between threads: calls and queries from several at once.
#[test]
fn the_engine_is_send_and_sync_and_serves_threads_at_once() {
    fn shared<T: Send + Sync>() {}
    shared::<govm::Engine>();
    let engine = crate::engine();
    let counter = crate::deploy(&engine, "counter");
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let ctx = govm::CallContext::new(crate::ALICE);
                for _ in 0..5 {
                    engine
                        .execute_with_args(&ctx, counter, "Add", &[1u64.into()])
                        .unwrap();
                }
            });
        }
    });
    let total = engine
        .query(
            &govm::CallContext::new(crate::ALICE),
            counter,
            "Add",
            &[0u64.into()],
        )
        .unwrap();
    assert_eq!(total.result::<u64>().unwrap(), 20);
}

/// A prebuilt module must match its source exactly: an export for every entry point, and no
/// callable export beyond them and the module interface's own. The node path runs no tool.
#[test]
fn prebuilt_modules_must_match_their_source() {
    let engine = crate::engine();
    let counter = contract("counter/counter.go");
    let (_, module) = engine.build(&counter, "counter.go").unwrap();
    let options = DeployOptions {
        deployer: DEPLOYER,
        ..DeployOptions::default()
    };
    let runs = engine.compiler().toolchain_runs();
    let deployed = engine
        .deploy_prebuilt(&counter, module.bytes().to_vec(), &options)
        .unwrap();
    assert!(deployed.deploy_gas > deployed.init_gas + module.bytes().len() as u64 * 30);
    // The same source with one more entry point gives a module with an extra export.
    let mut wider = counter.clone();
    wider.extend_from_slice(
        b"\n// Sub is not in the deployed source.\nfunc Sub(n uint64) uint64 { return n - 1 }\n",
    );
    let (_, extra) = engine.build(&wider, "counter.go").unwrap();
    let runs_after_builds = engine.compiler().toolchain_runs();
    match engine.deploy_prebuilt(&counter, extra.bytes().to_vec(), &options) {
        Err(govm::Error::Runtime(govm::CallError::InvalidModule(m))) => {
            assert!(m.contains("exports the function `Sub`"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    match engine.deploy_prebuilt(&wider, module.bytes().to_vec(), &options) {
        Err(govm::Error::Runtime(govm::CallError::InvalidModule(m))) => {
            assert!(m.contains("missing export `Sub`"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    // Deploying prebuilt code started no toolchain process.
    assert!(runs_after_builds >= runs);
    assert_eq!(engine.compiler().toolchain_runs(), runs_after_builds);
    assert!(
        engine
            .verify(deployed.address, &counter, "counter.go")
            .unwrap()
    );
}

/// A deploy runs the module its deployer sent: someone who deploys a source first, with a
/// module of their own, does not decide what a later deploy of that source runs. The two are
/// two codes with one source hash, and `verify` tells them apart.
#[test]
fn a_source_deployed_first_with_another_module_does_not_squat_it() {
    let engine = crate::engine();
    let counter = contract("counter/counter.go");
    let text = String::from_utf8(counter.clone()).unwrap();
    // The squatter's module: the same entry points, other behaviour.
    let squatter_source = text.replace("total += n", "total += n + 1000");
    assert_ne!(squatter_source, text);
    let (_, squatter_module) = engine
        .build(squatter_source.as_bytes(), "counter.go")
        .unwrap();
    let squatter = DeployOptions {
        deployer: Address([0x5a; 20]),
        ..DeployOptions::default()
    };
    let squatted = engine
        .deploy_prebuilt(&counter, squatter_module.bytes().to_vec(), &squatter)
        .unwrap();
    let honest = DeployOptions {
        deployer: DEPLOYER,
        ..DeployOptions::default()
    };
    let deployed = engine.deploy_with_options(&counter, &honest).unwrap();
    assert_ne!(deployed.code_hash, squatted.code_hash);
    let ctx = govm::CallContext::new(DEPLOYER);
    let add = |at| {
        engine
            .execute_with_args(&ctx, at, "Add", &[govm::Value::U64(5)])
            .unwrap()
            .result::<u64>()
            .unwrap()
    };
    assert_eq!(add(deployed.address), 5);
    assert_eq!(add(squatted.address), 1005);
    // Both show the source they were deployed with, and the module they run.
    let (mine, theirs) = (
        engine.contract_info(deployed.address).unwrap(),
        engine.contract_info(squatted.address).unwrap(),
    );
    assert_eq!(mine.source_hash, theirs.source_hash);
    assert_ne!(mine.module_hash, theirs.module_hash);
    assert!(
        engine
            .verify(deployed.address, &counter, "counter.go")
            .unwrap()
    );
    assert!(
        !engine
            .verify(squatted.address, &counter, "counter.go")
            .unwrap()
    );
}

/// A deploy whose package initialisation gets less fuel than it needs fails the same way on a
/// node that has the module prepared (in memory or on disk) and on one that must run
/// `_initialize`: the cache never decides a result.
#[test]
fn a_deploy_short_of_its_initialisation_gas_fails_alike_cached_or_not() {
    let warm = crate::engine();
    let counter = contract("counter/counter.go");
    let (_, module) = warm.build(&counter, "counter.go").unwrap();
    let options = DeployOptions {
        deployer: DEPLOYER,
        ..DeployOptions::default()
    };
    let first = warm
        .deploy_prebuilt(&counter, module.bytes().to_vec(), &options)
        .unwrap();
    // A block's deploy pays for compiling (the module's shape) before package
    // initialisation gets the rest.
    let compile = first.compile_gas;
    assert_eq!(
        compile,
        govm::compile_gas(&govm::module_shape(module.bytes()).unwrap())
    );
    assert_eq!(
        first.deploy_gas,
        govm::deploy_gas(counter.len(), module.bytes().len(), first.init_gas) + compile
    );
    let attempt = |engine: &govm::Engine, fuel: u64| {
        let mut block = engine.begin_block(1, 1_700_000_000);
        block
            .deploy_prebuilt(&counter, module.bytes().to_vec(), &options, compile + fuel)
            .map(|d| d.init_gas)
            .map_err(|e| e.to_string())
    };
    let dir = tempfile::tempdir().unwrap();
    let mut config = govm::Config {
        cache_dir: dir.path().to_path_buf(),
        ..govm::Config::default()
    };
    config.runtime.wasi.precompiled_cache = false;
    let cold = govm::Engine::new(config).unwrap();
    // Just enough, one short (which wasmtime may run to its end past the fuel: fuel is
    // checked at calls and loop headers), and far too little.
    for fuel in [first.init_gas, first.init_gas - 1, first.init_gas / 2] {
        let cached = attempt(&warm, fuel);
        assert_eq!(cached, attempt(&cold, fuel), "with {fuel} fuel");
        assert_eq!(
            cached,
            Err("package initialization failed: out of fuel".into())
        );
    }
    // Short of compiling's gas: refused before compiling, cached or not.
    let short = attempt(&warm, 0).map_err(|_| ());
    assert_eq!(short, Err(()));
    let refused = warm
        .begin_block(1, 1_700_000_000)
        .deploy_prebuilt(&counter, module.bytes().to_vec(), &options, compile - 1)
        .unwrap_err();
    assert_eq!(refused.class(), govm::Class::InitOutOfGas);
    assert_eq!(
        refused.to_string(),
        format!(
            "compiling the module costs {compile} gas (docs/gas.md), the deploy has {} left",
            compile - 1
        )
    );
    // Initialisation needs less than it is given to succeed, cached or not.
    let cold = govm::Engine::new(govm::Config {
        cache_dir: tempfile::tempdir().unwrap().path().to_path_buf(),
        ..govm::Config::default()
    })
    .unwrap();
    assert_eq!(attempt(&cold, first.init_gas + 1), Ok(first.init_gas));
    assert_eq!(attempt(&warm, first.init_gas + 1), Ok(first.init_gas));
}

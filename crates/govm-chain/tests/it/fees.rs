//! Fees, nonces, value and the chain's parameters: who pays for what, and what bounds
//! transactions and blocks.

use super::*;

#[test]
fn fees_nonces_and_value_follow_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new(engine(Node::Memory, dir.path()), &genesis()).unwrap();
    let k = keys();
    let (alice, bob) = (addr(&k.alice), addr(&k.bob));
    let before = chain.account(alice).unwrap();
    let (counter_abi, _) = built("counter");
    let counter = Address(govm_state_contract_address(alice, 0, "counter"));
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    // A failing call (its arguments do not decode) still pays its fee and uses its nonce;
    // its value, moved before the entry point ran, comes back.
    let failing = tx(
        &k.alice,
        0,
        5_000_000,
        Body::Call {
            contract: counter.0,
            function: "Add".into(),
            args: vec![1, 2, 3],
            value: 9,
        },
    );
    let r = block.deliver_tx(&failing).unwrap();
    assert_eq!(r.code, Code::CallFailed, "{}", r.log);
    assert!(r.log.starts_with("bad arguments"), "{}", r.log);
    let ok = tx(
        &k.alice,
        1,
        5_000_000,
        call(counter, &counter_abi, "Add", &[Value::U64(1)], 9),
    );
    let r2 = block.deliver_tx(&ok).unwrap();
    assert_eq!(r2.code, Code::Ok, "{}", r2.log);
    let transfer = tx(
        &k.bob,
        0,
        100_000,
        Body::Transfer {
            to: alice.0,
            amount: 10,
        },
    );
    let r3 = block.deliver_tx(&transfer).unwrap();
    block.commit().unwrap();
    let after = chain.account(alice).unwrap();
    assert_eq!(after.nonce, before.nonce + 2);
    // Each pays its fuel limit at gas price 1, whatever it used.
    let fees = 5_000_000 + 5_000_000;
    assert_eq!((r.fee, r2.fee, r3.fee), (5_000_000, 5_000_000, 100_000));
    assert!(r.gas_used < r.gas_wanted && r3.gas_used < r3.gas_wanted);
    assert_eq!(after.balance, before.balance - fees - 9 + 10);
    assert_eq!(chain.account(counter).unwrap().balance, 9);
    assert_eq!(chain.account(PROPOSER).unwrap().balance, fees + 100_000);
    assert_eq!(
        chain.account(bob).unwrap().balance,
        1_000_000 - 10 - 100_000
    );
    // check_tx agrees with delivery and never writes.
    let hash = chain.info().unwrap().state_hash;
    assert_eq!(chain.check_tx(&ok).code, Code::BadNonce);
    let next = tx(
        &k.alice,
        2,
        5_000_000,
        call(counter, &counter_abi, "Add", &[Value::U64(1)], 0),
    );
    assert_eq!(chain.check_tx(&next).code, Code::Ok);
    assert_eq!(chain.info().unwrap().state_hash, hash);
    let stored = chain.tx_result(r.hash).unwrap().unwrap();
    assert_eq!(
        (stored.code, stored.gas_used, stored.height),
        (r.code.value(), r.gas_used, 1)
    );
}

/// A transaction pays for the block fuel it takes: five transfers declaring `max_tx_fuel`
/// fill a block and pay it all, though each used about 21,000 gas (the attack that took an
/// honest block's room for 21,630 gas a transaction under the fee rules of version 1). The
/// gas used is still what the body measured, in the result and in the stored record.
#[test]
fn a_transaction_pays_for_the_room_it_takes() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new(engine(Node::Memory, dir.path()), &genesis()).unwrap();
    let k = keys();
    let alice = addr(&k.alice);
    let params = chain.params();
    let before = chain.account(alice).unwrap().balance;
    let fill = |nonce: u64, gas_price: u64| {
        UnsignedTx {
            chain_id: CHAIN.into(),
            nonce,
            fuel_limit: params.max_tx_fuel,
            gas_price,
            body: Body::Transfer {
                to: [5; 20],
                amount: 1,
            },
        }
        .sign(&k.alice)
        .encode()
    };
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    let mut paid = 0;
    let mut results = Vec::new();
    for nonce in 0..5 {
        let bytes = fill(nonce, 1 + nonce % 2);
        let r = block.deliver_tx(&bytes).unwrap();
        assert_eq!(r.code, Code::Ok, "{}", r.log);
        let intrinsic = govm_chain::intrinsic_gas(bytes.len());
        assert_eq!(r.gas_used, intrinsic + govm_chain::TRANSFER_GAS);
        assert_eq!(r.fee, params.max_tx_fuel * (1 + nonce % 2));
        paid += r.fee;
        results.push(r);
    }
    assert_eq!(5 * params.max_tx_fuel, params.max_block_fuel);
    let full = block.deliver_tx(&fill(5, 1)).unwrap();
    assert_eq!((full.code, full.fee), (Code::BlockFull, 0));
    block.commit().unwrap();
    assert_eq!(chain.account(PROPOSER).unwrap().balance, paid);
    assert_eq!(chain.account(alice).unwrap().balance, before - paid - 5);
    let stored = chain.tx_result(results[0].hash).unwrap().unwrap();
    assert_eq!(stored.gas_used, results[0].gas_used);
}

#[test]
fn chain_parameters_bound_transactions_and_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = genesis();
    g.params.min_gas_price = 2;
    g.params.max_tx_fuel = 150_000;
    g.params.max_block_fuel = 250_000;
    let chain = Chain::new(engine(Node::RedbNoDiskCache, dir.path()), &g).unwrap();
    let k = keys();
    let bob = addr(&k.bob);
    let priced = |nonce: u64, fuel_limit: u64, gas_price: u64| {
        UnsignedTx {
            chain_id: CHAIN.into(),
            nonce,
            fuel_limit,
            gas_price,
            body: Body::Transfer {
                to: bob.0,
                amount: 1,
            },
        }
        .sign(&k.alice)
        .encode()
    };
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    let code =
        |block: &mut govm_chain::ChainBlock<'_>, t: Vec<u8>| block.deliver_tx(&t).unwrap().code;
    assert_eq!(
        code(&mut block, priced(0, 100_000, 1)),
        Code::GasPriceTooLow
    );
    assert_eq!(code(&mut block, priced(0, 150_001, 2)), Code::BadFuelLimit);
    assert_eq!(code(&mut block, priced(0, 100, 2)), Code::BadFuelLimit);
    assert_eq!(code(&mut block, priced(0, 150_000, 2)), Code::Ok);
    // 150,000 of the block's 250,000 are taken.
    assert_eq!(code(&mut block, priced(1, 150_000, 2)), Code::BlockFull);
    assert_eq!(code(&mut block, priced(1, 100_000, 2)), Code::Ok);
    block.commit().unwrap();
    // A chain's parameters are part of its state: reopened with other ones, it refuses.
    drop(chain);
    let other = Chain::new(engine(Node::RedbNoDiskCache, dir.path()), &genesis());
    assert!(
        matches!(other, Err(govm_chain::Error::Genesis(_))),
        "{other:?}"
    );
    assert!(Chain::new(engine(Node::RedbNoDiskCache, dir.path()), &g).is_ok());
}

#[test]
fn deploys_and_transfers_pay_for_their_work_and_keep_to_chain_limits() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new(engine(Node::Memory, dir.path()), &genesis()).unwrap();
    let k = keys();
    let alice = addr(&k.alice);
    let (_, token_wasm) = built("token");
    let deploy = |nonce: u64, fuel_limit: u64, options: Vec<u8>| {
        tx(
            &k.alice,
            nonce,
            fuel_limit,
            Body::Deploy {
                source: contract("token"),
                wasm: token_wasm.clone(),
                options,
            },
        )
    };
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    // A deadline below the chain's minimum: check_tx refuses it, and a block that holds it
    // anyway charges it (DeployFailed) with its bytes' gas as the gas used.
    let short = ContractOptions {
        timeout_ms: 1,
        ..chain.params().contract_defaults()
    };
    let short = deploy(0, 500_000_000, short.encode());
    assert_eq!(chain.check_tx(&short).code, Code::InvalidDeploy);
    let r = block.deliver_tx(&short).unwrap();
    assert_eq!(r.code, Code::DeployFailed, "{}", r.log);
    let probe = deploy(0, 0, Vec::new());
    let bytes = govm_chain::intrinsic_gas(probe.len())
        + govm::deploy_gas(contract("token").len(), token_wasm.len(), 0);
    let options_len = short.len() - probe.len();
    assert_eq!(
        (r.gas_used, r.fee),
        (bytes + options_len as u64 * 10, 500_000_000)
    );
    // Enough for the bytes, not for compiling (priced by the module's shape, before it
    // compiles): it ran out, and paid it all.
    let compile = govm::compile_gas(&govm::module_shape(&token_wasm).unwrap());
    let r = block
        .deliver_tx(&deploy(1, bytes + 1_000, Vec::new()))
        .unwrap();
    assert_eq!(r.code, Code::OutOfGas, "{}", r.log);
    assert!(r.log.starts_with("compiling the module costs"), "{}", r.log);
    assert_eq!(r.gas_used, bytes + 1_000);
    // Enough for the bytes and compiling, not for package initialisation: the same.
    let r = block
        .deliver_tx(&deploy(2, bytes + compile + 1_000, Vec::new()))
        .unwrap();
    assert_eq!(r.code, Code::OutOfGas, "{}", r.log);
    assert!(r.log.contains("package initialization failed"), "{}", r.log);
    assert_eq!(r.gas_used, bytes + compile + 1_000);
    // A transfer whose fuel covers only the intrinsic gas.
    let t = tx(
        &k.alice,
        3,
        0,
        Body::Transfer {
            to: [5; 20],
            amount: 1,
        },
    );
    let intrinsic = govm_chain::intrinsic_gas(t.len());
    let t = tx(
        &k.alice,
        3,
        intrinsic,
        Body::Transfer {
            to: [5; 20],
            amount: 1,
        },
    );
    let r = block.deliver_tx(&t).unwrap();
    assert_eq!(r.code, Code::OutOfGas, "{}", r.log);
    block.commit().unwrap();
    assert_eq!(chain.account(alice).unwrap().nonce, 4);
    assert_eq!(chain.account(Address([5; 20])).unwrap().balance, 0);
}

/// A deploy a block finds wrong after admitting it (a module that does not match its
/// source, bytes that are no module, a source the validator rejects) runs: it moves its
/// nonce and pays its fuel limit, and writes nothing else, so the same bytes cannot take a
/// block's work again for free. check_tx still refuses each, with its own code.
#[test]
fn a_deploy_a_block_finds_wrong_pays_and_moves_its_nonce() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new(engine(Node::Memory, dir.path()), &genesis()).unwrap();
    let k = keys();
    let alice = addr(&k.alice);
    let (_, token_wasm) = built("token");
    let wrong = |nonce: u64, source: Vec<u8>, wasm: Vec<u8>| {
        tx(
            &k.alice,
            nonce,
            300_000_000,
            Body::Deploy {
                source,
                wasm,
                options: Vec::new(),
            },
        )
    };
    let cases = [
        // The token's module under the counter's source: compiled, then found not to match.
        (contract("counter"), token_wasm.clone(), Code::InvalidModule),
        (
            contract("token"),
            b"\0asm junk".to_vec(),
            Code::InvalidModule,
        ),
        (
            b"package x\nimport \"os\"\nfunc F() {}\n".to_vec(),
            token_wasm.clone(),
            Code::InvalidSource,
        ),
    ];
    let before = chain.account(alice).unwrap();
    let info = chain.info().unwrap();
    for (source, wasm, checked) in &cases {
        assert_eq!(
            chain.check_tx(&wrong(0, source.clone(), wasm.clone())).code,
            *checked
        );
    }
    assert_eq!(chain.info().unwrap(), info, "check_tx writes nothing");
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    // The mismatched deploy twice: the second pays again.
    let order = [&cases[0], &cases[0], &cases[1], &cases[2]];
    for (nonce, (source, wasm, _)) in (0..).zip(order) {
        let bytes = wrong(nonce, source.clone(), wasm.clone());
        let r = block.deliver_tx(&bytes).unwrap();
        assert_eq!(r.code, Code::DeployFailed, "{}", r.log);
        assert!(r.code.ran());
        assert_eq!(r.fee, 300_000_000);
        assert!(r.data.is_empty() && r.events.is_empty());
        assert_eq!(
            r.gas_used,
            govm_chain::intrinsic_gas(bytes.len()) + govm::deploy_gas(source.len(), wasm.len(), 0)
        );
        let tx = r.tx.as_ref().unwrap();
        assert!(!tx.details.iter().any(|(k, _)| *k == "contract"));
    }
    block.commit().unwrap();
    let after = chain.account(alice).unwrap();
    assert_eq!(after.nonce, before.nonce + 4);
    assert_eq!(after.balance, before.balance - 4 * 300_000_000);
    assert_eq!(chain.account(PROPOSER).unwrap().balance, 4 * 300_000_000);
    // No contract was made at any of those nonces.
    for n in 0..4 {
        let code = govm_state::code_hash(&contract("counter"), &token_wasm);
        let address = Address(govm_state::contract_address(&alice.0, n, &code));
        assert!(chain.engine().contract_info(address).is_err());
    }
}

/// The ledger's own writes (nonce, fee, stored result) never count against the body's
/// per-transaction write limit: a body that used it all still gets a result, not a node
/// failure. The genesis counts its limit per entry.
#[test]
fn the_ledgers_writes_are_not_the_bodys() {
    use govm_state::{Limits, MemoryBackend, State};
    let k = keys();
    let limits = Limits {
        max_writes_per_tx: 3,
        ..Limits::default()
    };
    let state = State::with_backend(std::sync::Arc::new(MemoryBackend::new()), limits);
    let engine = Engine::with_state(
        Config {
            cache_dir: cache_dir(),
            ..Config::default()
        },
        state,
    )
    .unwrap();
    let mut g = genesis();
    g.contracts.clear();
    let chain = Chain::new(engine, &g).unwrap();
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    // The transfer writes two balances; nonce, the proposer's balance and the result (three
    // new keys) come after: five in all, over the limit of three.
    let pay = tx(
        &k.alice,
        0,
        100_000,
        Body::Transfer {
            to: [7; 20],
            amount: 5,
        },
    );
    let result = block.deliver_tx(&pay).unwrap();
    assert_eq!(result.code, Code::Ok, "{}", result.log);
    block.commit().unwrap();
    assert_eq!(chain.account(Address([7; 20])).unwrap().balance, 5);
    assert_eq!(chain.account(addr(&k.alice)).unwrap().nonce, 1);
}

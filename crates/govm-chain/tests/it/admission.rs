//! Admission: `check_tx` refuses what a block would refuse, and kept signer keys change no
//! signature verdict.

use super::*;

/// `check_tx` refuses what delivery refuses: a deploy whose options do not decode or break the
/// chain's parameters never reaches a block.
#[test]
fn check_tx_refuses_deploy_options_a_block_would_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new(engine(Node::Memory, dir.path()), &genesis()).unwrap();
    let k = keys();
    let (_, wasm) = built("counter");
    let deploy = |options: Vec<u8>| {
        tx(
            &k.alice,
            0,
            500_000_000,
            Body::Deploy {
                source: contract("counter"),
                wasm: wasm.clone(),
                options,
            },
        )
    };
    assert_eq!(
        chain.check_tx(&deploy(vec![1, 2, 3])).code,
        Code::InvalidDeploy
    );
    let defaults = chain.params().contract_defaults();
    // A deadline below min_timeout_ms, more fuel than max_call_fuel, more memory than
    // max_contract_memory.
    let params = chain.params();
    for (what, options) in [
        (
            "deadline",
            ContractOptions {
                timeout_ms: 1,
                ..defaults
            },
        ),
        (
            "fuel",
            ContractOptions {
                fuel_limit: params.max_call_fuel + 1,
                ..defaults
            },
        ),
        (
            "memory",
            ContractOptions {
                memory_limit: params.max_contract_memory * 2,
                ..defaults
            },
        ),
    ] {
        let check = chain.check_tx(&deploy(options.encode()));
        assert_eq!(check.code, Code::InvalidDeploy, "{what}: {}", check.log);
    }
    assert_eq!(chain.check_tx(&deploy(defaults.encode())).code, Code::Ok);
    assert_eq!(chain.check_tx(&deploy(Vec::new())).code, Code::Ok);
}

/// A deploy without options gets the chain's defaults, never the node's engine's: a node
/// configured with other defaults deploys the same contract.
#[test]
fn a_deploy_without_options_gets_the_chains_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = genesis();
    g.params.max_call_fuel = 6_000_000;
    g.params.max_contract_memory = 32 << 20;
    let chain = Chain::new(engine(Node::Memory, dir.path()), &g).unwrap();
    let k = keys();
    let (_, wasm) = built("counter");
    let deploy = tx(
        &k.alice,
        0,
        500_000_000,
        Body::Deploy {
            source: contract("counter"),
            wasm,
            options: Vec::new(),
        },
    );
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    let r = block.deliver_tx(&deploy).unwrap();
    assert_eq!(r.code, Code::Ok, "{}", r.log);
    block.commit().unwrap();
    let address = Address(r.data.try_into().unwrap());
    let info = chain.engine().contract_info(address).unwrap();
    assert_eq!(info.options, g.params.contract_defaults());
    assert_eq!(info.options.fuel_limit, 6_000_000);
    assert_eq!(info.options.memory_limit, 32 << 20);
    assert_ne!(info.options, chain.engine().default_options());
}

/// Signature checks keep signers' keys decompressed: a transaction naming a key it did not
/// sign with, or a signer that is no curve point, is refused every time, as `Tx::verify`
/// refuses it, and the real signer's own transaction verifies before and after its key is
/// kept.
#[test]
fn kept_signer_keys_change_no_signature_verdict() {
    let k = keys();
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new(engine(Node::Memory, dir.path()), &genesis()).unwrap();
    let signed = |key: &govm_chain::SigningKey, nonce: u64| {
        UnsignedTx {
            chain_id: CHAIN.into(),
            nonce,
            fuel_limit: 100_000,
            gas_price: 1,
            body: Body::Transfer {
                to: addr(&k.alice).0,
                amount: 1,
            },
        }
        .sign(key)
    };
    // Alice's signature under Bob's key; and under a signer that is no point.
    let mut borrowed = signed(&k.alice, 0);
    borrowed.signer = k.bob.verifying_key().to_bytes();
    // y = 2: (y² - 1) / (d·y² + 1) has no square root mod 2^255 - 19, so no point has it.
    let mut junk = signed(&k.alice, 0);
    junk.signer = [0; 32];
    junk.signer[0] = 2;
    for _ in 0..2 {
        for (tx, log) in [(&borrowed, "does not match"), (&junk, "not a public key")] {
            assert!(tx.verify().is_err());
            let check = chain.check_tx(&tx.encode());
            assert_eq!(check.code, Code::BadSignature, "{}", check.log);
            assert!(check.log.contains(log), "{}", check.log);
        }
        // Bob's own transaction still verifies, before and after his key is kept.
        let own = signed(&k.bob, 0);
        assert!(own.verify().is_ok());
        assert_eq!(chain.check_tx(&own.encode()).code, Code::Ok);
    }
}

/// A mempool's pending transactions count against the sender's balance as well as its
/// nonces: what the committed balance less their fees (at their fuel limits) and values
/// cannot pay is refused; pending transactions the committed state already holds count for
/// nothing.
#[test]
fn check_tx_counts_what_pending_transactions_may_spend() {
    use govm_chain::Pending;
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new(engine(Node::Memory, dir.path()), &genesis()).unwrap();
    let k = keys();
    let bob = addr(&k.bob);
    // Bob has 1,000,000: each of these may take 100,000 of fee and 400,000 sent.
    let pay = |nonce: u64| {
        tx(
            &k.bob,
            nonce,
            100_000,
            Body::Transfer {
                to: [6; 20],
                amount: 400_000,
            },
        )
    };
    let first = chain.check_tx(&pay(0));
    let held = first.pending.unwrap();
    assert_eq!(
        held,
        Pending {
            next_nonce: 1,
            spend: 500_000
        }
    );
    let second = chain.check_tx_after(&pay(1), &|s| (s == bob).then_some(held));
    assert_eq!(second.code, Code::Ok, "{}", second.log);
    let held = second.pending.unwrap();
    assert_eq!(held.spend, 1_000_000);
    // The committed balance would pay a third; after the pending two it cannot.
    let third = chain.check_tx_after(&pay(2), &|s| (s == bob).then_some(held));
    assert_eq!(third.code, Code::CannotPayFee, "{}", third.log);
    assert!(third.log.contains("pending"), "{}", third.log);
    assert_eq!((third.sender, third.pending), (None, None));
    // Another sender's pending spend is not Alice's.
    let alice_pay = tx(
        &k.alice,
        0,
        100_000,
        Body::Transfer {
            to: bob.0,
            amount: 1,
        },
    );
    let check = chain.check_tx_after(&alice_pay, &|s| (s == bob).then_some(held));
    assert_eq!(check.code, Code::Ok, "{}", check.log);
    // Once the pending ones are committed, what was pending counts for nothing, and the
    // count starts again from the committed state.
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    assert_eq!(block.deliver_tx(&pay(0)).unwrap().code, Code::Ok);
    block.commit().unwrap();
    let stale = Pending {
        next_nonce: 1,
        spend: 500_000,
    };
    let again = chain.check_tx_after(&pay(1), &|_| Some(stale));
    assert_eq!(again.code, Code::Ok, "{}", again.log);
    assert_eq!(
        again.pending,
        Some(Pending {
            next_nonce: 2,
            spend: 500_000
        })
    );
}

/// A node refuses a state made under another protocol version (fee rules, gas schedule, state
/// layout): it would compute other results for the same blocks. A state from before the
/// version was stored counts as version 1.
#[test]
fn a_state_of_another_protocol_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new(engine(Node::RedbNoDiskCache, dir.path()), &genesis()).unwrap();
    assert_eq!(chain.info().unwrap().height, 0);
    drop(chain);
    // Version 1 written out, and a record that is not a version (read as none).
    for (height, stored, version) in [(1, 1u64.to_be_bytes().to_vec(), 1), (2, Vec::new(), 1)] {
        let engine = engine(Node::RedbNoDiskCache, dir.path());
        let mut block = engine.begin_block(height, 1_700_000_000 + height as i64);
        block
            .transaction()
            .set_chain_record("protocol", &stored)
            .unwrap();
        block.commit().unwrap();
        let err = Chain::new(engine, &genesis()).unwrap_err().to_string();
        assert!(
            err.contains(&format!("protocol version {version}"))
                && err.contains(&format!("version {}", govm_chain::PROTOCOL_VERSION)),
            "{err}"
        );
    }
}

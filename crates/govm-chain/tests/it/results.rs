//! Results: the bytes a transaction's result puts into its block are paid per byte and
//! bounded per block, and the state keeps a record of them, not the bytes.

use govm_chain::{
    MAX_BLOCK_RESULT_BYTES, RECORD_DATA_BYTES, RECORD_LOG_BYTES, RESULT_BYTE_GAS,
    RESULT_FREE_BYTES, intrinsic_gas,
};
use sha2::{Digest, Sha256};

use super::*;

/// The hostile contract, deployed by alice in block 1 (her nonce 0).
fn hostile(chain: &Chain) -> (Address, ContractAbi) {
    let k = keys();
    let (abi, wasm) = built("hostile");
    let mut block = chain.begin_block(1, 1_700_000_005, PROPOSER).unwrap();
    let deploy = Body::Deploy {
        source: contract("hostile"),
        wasm,
        options: Vec::new(),
    };
    let r = block
        .deliver_tx(&tx(&k.alice, 0, 300_000_000, deploy))
        .unwrap();
    assert_eq!(r.code, Code::Ok, "{}", r.log);
    block.commit().unwrap();
    (Address(r.data.try_into().unwrap()), abi)
}

/// A call's gas as the committed state measures it (a read-only run: the body's gas).
fn body_gas(chain: &Chain, contract: Address, function: &str, n: u64) -> u64 {
    let alice = addr(&keys().alice);
    let args = serde_json::json!([n]);
    chain
        .query(alice, contract, function, &args)
        .unwrap()
        .gas_used
}

/// A call's result pays `RESULT_BYTE_GAS` for each byte of its data and its events' stored
/// records beyond the first `RESULT_FREE_BYTES`; a transaction whose fuel cannot pay for its
/// result ends `OutOfGas`, its body rolled back (value, events) and its fuel limit paid.
#[test]
fn a_result_pays_for_its_bytes_and_runs_out_when_it_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new(engine(Node::Memory, dir.path()), &genesis()).unwrap();
    let k = keys();
    let alice = addr(&k.alice);
    let (hostile, abi) = hostile(&chain);
    let at = |nonce: u64, fuel: u64, function: &str, n: u64, value: u64| {
        tx(
            &k.alice,
            nonce,
            fuel,
            call(hostile, &abi, function, &[Value::U64(n)], value),
        )
    };
    let before = chain.account(alice).unwrap().balance;
    let mut block = chain.begin_block(2, 1_700_000_010, PROPOSER).unwrap();
    // 100,000 bytes of data (a compact length of 4 bytes before them).
    let big = at(1, 10_000_000, "Huge", 100_000, 0);
    let r = block.deliver_tx(&big).unwrap();
    assert_eq!(r.code, Code::Ok, "{}", r.log);
    assert_eq!(r.data.len(), 100_004);
    let huge_gas = intrinsic_gas(big.len())
        + body_gas(&chain, hostile, "Huge", 100_000)
        + (100_004 - RESULT_FREE_BYTES) * RESULT_BYTE_GAS;
    assert_eq!(r.gas_used, huge_gas);
    // Twenty events of 40 stored bytes each (contract 20, name length 4, "Spam" 4, the
    // fields 12: a count, the key "i", a tagged u64) and 8 bytes of data.
    let spam = at(2, 10_000_000, "Spam", 20, 0);
    let r = block.deliver_tx(&spam).unwrap();
    assert_eq!((r.code, r.events.len()), (Code::Ok, 20), "{}", r.log);
    let spam_gas = intrinsic_gas(spam.len())
        + body_gas(&chain, hostile, "Spam", 20)
        + (20 * 40 + 8 - RESULT_FREE_BYTES) * RESULT_BYTE_GAS;
    assert_eq!(r.gas_used, spam_gas);
    // Exactly enough fuel succeeds; one less cannot pay for the result. (The fuel limit is
    // fixed-width: the intrinsic gas does not move with it.)
    let r = block
        .deliver_tx(&at(3, huge_gas, "Huge", 100_000, 0))
        .unwrap();
    assert_eq!((r.code, r.gas_used), (Code::Ok, huge_gas), "{}", r.log);
    let short = block
        .deliver_tx(&at(4, huge_gas - 1, "Huge", 100_000, 9))
        .unwrap();
    assert_eq!(short.code, Code::OutOfGas, "{}", short.log);
    assert!(short.log.contains("result's 100004 bytes"), "{}", short.log);
    assert_eq!((short.gas_used, short.fee), (huge_gas - 1, huge_gas - 1));
    assert!(short.data.is_empty());
    let short_spam = block
        .deliver_tx(&at(5, spam_gas - 1, "Spam", 20, 9))
        .unwrap();
    assert_eq!(short_spam.code, Code::OutOfGas, "{}", short_spam.log);
    assert!(short_spam.events.is_empty() && short_spam.data.is_empty());
    block.commit().unwrap();
    // The value went back, the events were dropped; the fees were paid, the nonces moved.
    assert_eq!(chain.account(hostile).unwrap().balance, 0);
    assert_eq!(chain.engine().events(Some(hostile)).unwrap().len(), 20);
    let after = chain.account(alice).unwrap();
    assert_eq!(after.nonce, 6);
    let paid = 10_000_000 + 10_000_000 + huge_gas + (huge_gas - 1) + (spam_gas - 1);
    assert_eq!(after.balance, before - paid);
    let stored = chain.tx_result(short.hash).unwrap().unwrap();
    assert_eq!(stored.code, Code::OutOfGas.value());
}

/// A block takes at most `MAX_BLOCK_RESULT_BYTES` of results: once they are spent, the next
/// big result ends `ResourceLimit` (body rolled back, fee paid, nonce moved), the results
/// before it stay, a small one still fits, and the next block starts again.
#[test]
fn a_block_whose_result_bytes_are_spent_refuses_the_next_big_result() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new(engine(Node::Memory, dir.path()), &genesis()).unwrap();
    let k = keys();
    let alice = addr(&k.alice);
    let (hostile, abi) = hostile(&chain);
    const FUEL: u64 = 40_000_000;
    let huge = |nonce: u64, n: u64, value: u64| {
        tx(
            &k.alice,
            nonce,
            FUEL,
            call(hostile, &abi, "Huge", &[Value::U64(n)], value),
        )
    };
    let n = 1_000_000;
    let len = n + 4;
    let fit = MAX_BLOCK_RESULT_BYTES / len;
    let mut block = chain.begin_block(2, 1_700_000_010, PROPOSER).unwrap();
    let mut kept = Vec::new();
    for nonce in 1..=fit {
        let r = block.deliver_tx(&huge(nonce, n, 0)).unwrap();
        assert_eq!(r.code, Code::Ok, "{}", r.log);
        kept.push(r.hash);
    }
    let spent = block.deliver_tx(&huge(fit + 1, n, 5)).unwrap();
    assert_eq!(spent.code, Code::ResourceLimit, "{}", spent.log);
    assert!(spent.code.ran());
    assert!(
        spent.log.starts_with("the block's result bytes are spent"),
        "{}",
        spent.log
    );
    assert_eq!(spent.fee, FUEL);
    assert!(spent.data.is_empty());
    // What is left still takes a small result.
    let small = block.deliver_tx(&huge(fit + 2, 10, 0)).unwrap();
    assert_eq!(small.code, Code::Ok, "{}", small.log);
    block.commit().unwrap();
    assert_eq!(
        chain.account(hostile).unwrap().balance,
        0,
        "the value went back"
    );
    assert_eq!(chain.account(alice).unwrap().nonce, fit + 3);
    for hash in &kept {
        let stored = chain.tx_result(*hash).unwrap().unwrap();
        assert_eq!((stored.code, stored.data_len), (0, len));
    }
    let stored = chain.tx_result(spent.hash).unwrap().unwrap();
    assert_eq!(
        (stored.code, stored.data_len),
        (Code::ResourceLimit.value(), 0)
    );
    // The next block has its own budget.
    let mut block = chain.begin_block(3, 1_700_000_015, PROPOSER).unwrap();
    let again = block.deliver_tx(&huge(fit + 3, n, 0)).unwrap();
    assert_eq!(again.code, Code::Ok, "{}", again.log);
    block.commit().unwrap();
}

/// The state keeps a result's code, gas, height, its data's length and sha256, the data itself
/// only when short (else its first `RECORD_DATA_BYTES`), and its log cut to at most
/// `RECORD_LOG_BYTES` at a character boundary with the whole log's length; the result
/// delivered (what `FinalizeBlock` sends) is whole.
#[test]
fn the_record_of_a_large_result_holds_its_hash_length_and_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new(engine(Node::RedbNoDiskCache, dir.path()), &genesis()).unwrap();
    let k = keys();
    let (hostile, abi) = hostile(&chain);
    let mut block = chain.begin_block(2, 1_700_000_010, PROPOSER).unwrap();
    let huge = |nonce: u64, n: u64| {
        tx(
            &k.alice,
            nonce,
            10_000_000,
            call(hostile, &abi, "Huge", &[Value::U64(n)], 0),
        )
    };
    let large = block.deliver_tx(&huge(1, 1_000)).unwrap();
    let small = block.deliver_tx(&huge(2, 10)).unwrap();
    // A panic whose message is 4,000 two-byte characters, after an odd number of bytes.
    let message = format!("x{}", "é".repeat(4_000));
    let panics = tx(
        &k.alice,
        3,
        10_000_000,
        call(hostile, &abi, "Panic", &[Value::String(message.clone())], 0),
    );
    let panicked = block.deliver_tx(&panics).unwrap();
    block.commit().unwrap();
    assert_eq!((large.code, large.data.len()), (Code::Ok, 1_002));
    let record = chain.tx_result(large.hash).unwrap().unwrap();
    assert_eq!(
        (record.code, record.gas_used, record.height),
        (0, large.gas_used, 2)
    );
    assert_eq!(record.data_len, 1_002);
    assert_eq!(
        record.data_hash,
        <[u8; 32]>::from(Sha256::digest(&large.data))
    );
    assert_eq!(record.data, large.data[..RECORD_DATA_BYTES]);
    assert!(!record.data_is_whole());
    let record = chain.tx_result(small.hash).unwrap().unwrap();
    assert_eq!(record.data, small.data);
    assert!(record.data_is_whole() && record.log.is_empty());
    assert_eq!(panicked.code, Code::CallFailed, "{}", panicked.log);
    assert!(
        panicked.log.contains(&message),
        "the delivered log is whole"
    );
    let record = chain.tx_result(panicked.hash).unwrap().unwrap();
    assert_eq!(record.log_len, panicked.log.len() as u64);
    assert!(record.log.len() <= RECORD_LOG_BYTES && record.log.len() > RECORD_LOG_BYTES - 4);
    assert!(panicked.log.starts_with(&record.log));
    assert!(!record.log_is_whole() && record.data_len == 0);
}

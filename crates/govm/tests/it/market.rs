use govm::{Address, CallContext, ObjectId, Value};

use crate::{ALICE, deploy, engine};

const BOB: Address = Address([0xb0; 20]);
const JUDGE: Address = Address([0x1d; 20]);

#[test]
fn nft_tokens_are_objects_held_by_their_owners() {
    let engine = engine();
    let nft = deploy(&engine, "nft");
    let admin = CallContext::new(ALICE);
    let metadata = Value::Map(vec![
        ("color".into(), "blue".into()),
        ("size".into(), "L".into()),
    ]);
    let mint = |ctx: &CallContext, name: &str| {
        engine.execute_with_args(
            ctx,
            nft,
            "Mint",
            &[name.into(), "ipfs://x".into(), metadata.clone()],
        )
    };
    let first: ObjectId = mint(&admin, "one").unwrap().result().unwrap();
    let second: ObjectId = mint(&admin, "two").unwrap().result().unwrap();
    assert_eq!(
        mint(&CallContext::new(BOB), "three")
            .unwrap_err()
            .to_string(),
        "only the admin may mint"
    );

    let described = engine
        .query(&admin, nft, "Describe", &[second.into()])
        .unwrap();
    assert_eq!(
        described.results[0],
        Value::Struct(vec![
            ("Name".into(), "two".into()),
            ("URI".into(), "ipfs://x".into()),
            ("Serial".into(), Value::U64(2)),
            ("Metadata".into(), metadata.clone()),
        ])
    );
    assert_eq!(described.results[1], Value::Address(ALICE));

    engine
        .execute_with_args(&admin, nft, "TransferToken", &[first.into(), BOB.into()])
        .unwrap();
    let stolen =
        engine.execute_with_args(&admin, nft, "TransferToken", &[first.into(), ALICE.into()]);
    assert_eq!(
        stolen.unwrap_err().to_string(),
        "only the holder may transfer a token"
    );
    let bobs = engine.query(&admin, nft, "FirstOf", &[BOB.into()]).unwrap();
    assert_eq!(bobs.results, [Value::ObjectId(first)]);
    let alices = engine
        .query(&admin, nft, "FirstOf", &[ALICE.into()])
        .unwrap();
    assert_eq!(alices.results, [Value::ObjectId(second)]);

    engine
        .execute_with_args(&CallContext::new(BOB), nft, "Burn", &[first.into()])
        .unwrap();
    let gone = engine.query(&admin, nft, "Describe", &[first.into()]);
    assert_eq!(gone.unwrap_err().to_string(), "not found");
}

#[test]
fn escrow_releases_to_the_seller_or_refunds_the_buyer() {
    let engine = engine();
    let escrow = deploy(&engine, "escrow");
    let buyer = CallContext::new(ALICE);
    let open = |amount: u64| {
        engine.execute_with_args(
            &buyer,
            escrow,
            "Open",
            &[BOB.into(), JUDGE.into(), amount.into()],
        )
    };
    assert_eq!(
        open(100).unwrap_err().to_string(),
        "escrow holds 0 unallocated, need 100"
    );
    engine.mint(escrow, 150).unwrap();
    let deal: ObjectId = open(100).unwrap().result().unwrap();
    assert_eq!(
        open(100).unwrap_err().to_string(),
        "escrow holds 50 unallocated, need 100"
    );
    let refundable: ObjectId = open(50).unwrap().result().unwrap();

    let by_seller =
        engine.execute_with_args(&CallContext::new(BOB), escrow, "Release", &[deal.into()]);
    assert_eq!(
        by_seller.unwrap_err().to_string(),
        "not allowed to settle this deal"
    );
    engine
        .execute_with_args(&buyer, escrow, "Release", &[deal.into()])
        .unwrap();
    assert_eq!(engine.balance(BOB).unwrap(), 100);
    let twice = engine.execute_with_args(&buyer, escrow, "Release", &[deal.into()]);
    assert_eq!(twice.unwrap_err().to_string(), "the deal is settled");

    engine
        .execute_with_args(
            &CallContext::new(JUDGE),
            escrow,
            "Refund",
            &[refundable.into()],
        )
        .unwrap();
    assert_eq!(engine.balance(ALICE).unwrap(), 50);
    assert_eq!(engine.balance(escrow).unwrap(), 0);
    let status = engine
        .query(&buyer, escrow, "Status", &[refundable.into()])
        .unwrap();
    let Value::Struct(fields) = &status.results[0] else {
        panic!("{status:?}")
    };
    assert_eq!(fields[4], ("State".into(), Value::U8(2)));
}

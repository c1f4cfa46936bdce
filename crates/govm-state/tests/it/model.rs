use govm_state::State;
use govm_state::testing::{Op, check_scenario};
use proptest::prelude::*;

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<u8>(), any::<u8>()).prop_map(|(contract, owner)| Op::Create { contract, owner }),
        4 => (any::<u8>(), any::<u8>(), any::<u8>(), proptest::collection::vec(any::<u8>(), 0..6))
            .prop_map(|(object, contract, field, value)| Op::Set { object, contract, field, value }),
        1 => (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(object, contract, field)| Op::DeleteField { object, contract, field }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(object, contract)| Op::Delete { object, contract }),
        2 => (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(object, contract, owner)| Op::SetOwner { object, contract, owner }),
        2 => (any::<u8>(), any::<u8>(), 0u16..300).prop_map(|(from, to, amount)| Op::Transfer { from, to, amount }),
        1 => (any::<u8>(), 0u16..300).prop_map(|(to, amount)| Op::Mint { to, amount }),
        1 => Just(Op::Savepoint),
        1 => Just(Op::Rollback),
        1 => Just(Op::Commit),
        1 => Just(Op::Abort),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn both_backends_agree_with_the_model(ops in proptest::collection::vec(op(), 1..60)) {
        let dir = tempfile::tempdir().unwrap();
        let redb = State::open(dir.path().join("state.redb")).unwrap();
        let result = check_scenario(vec![("memory", State::in_memory()), ("redb", redb)], &ops);
        prop_assert!(result.is_ok(), "{}", result.unwrap_err());
    }
}

#[test]
fn a_scenario_that_exercises_every_operation() {
    let ops = vec![
        Op::Mint { to: 0, amount: 100 },
        Op::Create {
            contract: 0,
            owner: 1,
        },
        Op::Create {
            contract: 1,
            owner: 1,
        },
        Op::Set {
            object: 2,
            contract: 0,
            field: 0,
            value: vec![1, 2],
        },
        Op::Set {
            object: 3,
            contract: 0,
            field: 0,
            value: vec![9],
        },
        Op::Savepoint,
        Op::SetOwner {
            object: 2,
            contract: 0,
            owner: 2,
        },
        Op::Transfer {
            from: 0,
            to: 1,
            amount: 60,
        },
        Op::Delete {
            object: 2,
            contract: 0,
        },
        Op::Rollback,
        Op::Commit,
        Op::Transfer {
            from: 1,
            to: 2,
            amount: 61,
        },
        Op::DeleteField {
            object: 2,
            contract: 0,
            field: 0,
        },
        Op::Abort,
        Op::Commit,
    ];
    let dir = tempfile::tempdir().unwrap();
    let redb = State::open(dir.path().join("state.redb")).unwrap();
    check_scenario(vec![("memory", State::in_memory()), ("redb", redb)], &ops).unwrap();
}

#[test]
fn the_model_catches_a_store_that_disagrees() {
    // Decoding arbitrary bytes always yields a scenario, and the checker reports a difference
    // when two stores do not start equal: here one already holds a balance.
    let ops = Op::decode_all(&[5, 0, 1, 10, 0, 9]);
    assert_eq!(
        ops[0],
        Op::Transfer {
            from: 0,
            to: 1,
            amount: 10
        }
    );
    let tampered = State::in_memory();
    let mut tx = tampered.begin();
    tx.mint(&[1; 20], 50).unwrap();
    tampered.commit(tx).unwrap();
    let result = check_scenario(
        vec![("memory", State::in_memory()), ("tampered", tampered)],
        &ops,
    );
    assert!(result.unwrap_err().contains("tampered"));
}

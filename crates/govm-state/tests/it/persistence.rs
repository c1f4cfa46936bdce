use govm_state::{ContractRecord, Error, State};

#[test]
fn committed_state_survives_reopening_and_hashes_match_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let memory = State::in_memory();
    let contract = [7; 20];
    let (id, hash) = {
        let redb = State::open(&path).unwrap();
        let mut ids = Vec::new();
        let mut hashes = Vec::new();
        for state in [&redb, &memory] {
            let mut tx = state.begin();
            tx.register_contract(&ContractRecord {
                address: contract,
                code_hash: [1; 32],
                deployer: [2; 20],
                deploy_height: 3,
                options: Vec::new(),
            })
            .unwrap();
            let id = tx.create_object(&contract, &[9; 20]).unwrap();
            tx.set_field(&contract, &id, "amount", &[5, 1, 0, 0, 0, 0, 0, 0, 0])
                .unwrap();
            tx.mint(&[9; 20], 42).unwrap();
            hashes.push(state.commit(tx).unwrap().state_hash);
            ids.push(id);
        }
        assert_eq!(hashes[0], hashes[1]);
        assert_eq!(ids[0], ids[1]);
        (ids[0], hashes[0])
    };
    let reopened = State::open(&path).unwrap();
    assert_eq!(reopened.state_hash().unwrap(), hash);
    let tx = reopened.begin();
    assert_eq!(
        tx.field(&id, "amount").unwrap(),
        Some(vec![5, 1, 0, 0, 0, 0, 0, 0, 0])
    );
    assert_eq!(tx.balance(&[9; 20]).unwrap(), 42);
    assert_eq!(tx.contract(&contract).unwrap().unwrap().deploy_height, 3);
}

#[test]
fn a_second_open_of_the_same_file_is_refused_not_corrupting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let first = State::open(&path).unwrap();
    let err = State::open(&path).unwrap_err();
    assert!(matches!(err, Error::InUse { .. }), "{err}");
    assert!(err.to_string().contains("open in another process"), "{err}");
    drop(first);
    State::open(&path).unwrap();
}

#[test]
fn a_file_that_is_not_a_database_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.redb");
    std::fs::write(&path, vec![0x5a; 10_000]).unwrap();
    let err = State::open(&path).unwrap_err();
    assert!(matches!(err, Error::Storage(_)), "{err}");
    // The file is left as it was: nothing is lost by trying.
    assert_eq!(std::fs::read(&path).unwrap(), vec![0x5a; 10_000]);
}

//! A reference model of the store and an interpreter of random operations, shared by the
//! property test and the `state_ops` fuzz target: both backends must read exactly what the
//! model predicts after every operation, and reach identical state hashes.

use std::collections::BTreeMap;

use crate::error::Error;
use crate::ids::{AddressBytes, ObjectIdBytes};
use crate::keys::{contract_address, default_object_id, object_id};
use crate::model::ContractRecord;
use crate::store::{Savepoint, State, Transaction};

/// One step of a scenario. Every field is an index into a small fixed set (contracts, owners,
/// field names, the objects created so far), so that steps collide.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// A contract creates an object owned by an address.
    Create { contract: u8, owner: u8 },
    /// A contract sets a field of an object (perhaps one it did not create).
    Set {
        object: u8,
        contract: u8,
        field: u8,
        value: Vec<u8>,
    },
    /// A contract deletes a field.
    DeleteField { object: u8, contract: u8, field: u8 },
    /// A contract deletes an object.
    Delete { object: u8, contract: u8 },
    /// A contract gives an object to an address.
    SetOwner { object: u8, contract: u8, owner: u8 },
    /// Native balance moves.
    Transfer { from: u8, to: u8, amount: u16 },
    /// Native balance appears.
    Mint { to: u8, amount: u16 },
    /// A nested frame begins.
    Savepoint,
    /// The innermost frame is rolled back.
    Rollback,
    /// The transaction commits and a new one begins.
    Commit,
    /// The transaction is dropped and a new one begins.
    Abort,
}

impl Op {
    /// Decodes a scenario from arbitrary bytes (for fuzzing): every byte string is some scenario.
    pub fn decode_all(bytes: &[u8]) -> Vec<Op> {
        let mut ops = Vec::new();
        let mut it = bytes.iter().copied();
        while let Some(tag) = it.next() {
            let mut b = || it.next().unwrap_or(0);
            ops.push(match tag % 11 {
                0 => Op::Create {
                    contract: b(),
                    owner: b(),
                },
                1 => {
                    let (object, contract, field, len) = (b(), b(), b(), b() % 8);
                    Op::Set {
                        object,
                        contract,
                        field,
                        value: (0..len).map(|_| b()).collect(),
                    }
                }
                2 => Op::DeleteField {
                    object: b(),
                    contract: b(),
                    field: b(),
                },
                3 => Op::Delete {
                    object: b(),
                    contract: b(),
                },
                4 => Op::SetOwner {
                    object: b(),
                    contract: b(),
                    owner: b(),
                },
                5 => Op::Transfer {
                    from: b(),
                    to: b(),
                    amount: u16::from_le_bytes([b(), b()]),
                },
                6 => Op::Mint {
                    to: b(),
                    amount: u16::from_le_bytes([b(), b()]),
                },
                7 => Op::Savepoint,
                8 => Op::Rollback,
                9 => Op::Commit,
                _ => Op::Abort,
            });
        }
        ops
    }
}

const CONTRACTS: u8 = 2;
const OWNERS: u8 = 3;
const FIELDS: u8 = 3;

fn contract(i: u8) -> AddressBytes {
    contract_address(&[0xde; 20], u64::from(i % CONTRACTS), &[0xc0; 32])
}

fn owner(i: u8) -> AddressBytes {
    match i % (OWNERS + 1) {
        OWNERS => contract(0),
        n => [n + 1; 20],
    }
}

fn field(i: u8) -> String {
    format!("f{}", i % FIELDS)
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct ModelObject {
    owner: AddressBytes,
    contract: AddressBytes,
    seq: u64,
    fields: BTreeMap<String, Vec<u8>>,
}

/// What the store should hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Model {
    objects: BTreeMap<ObjectIdBytes, ModelObject>,
    balances: BTreeMap<AddressBytes, u64>,
    next_seq: u64,
}

impl Model {
    fn insert(&mut self, id: ObjectIdBytes, contract: AddressBytes, owner: AddressBytes) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.objects.insert(
            id,
            ModelObject {
                owner,
                contract,
                seq,
                fields: BTreeMap::new(),
            },
        );
    }

    fn writable(
        &mut self,
        id: &ObjectIdBytes,
        caller: &AddressBytes,
    ) -> Result<&mut ModelObject, &'static str> {
        match self.objects.get_mut(id) {
            None => Err("not found"),
            Some(o) if o.contract != *caller => Err("permission denied"),
            Some(o) => Ok(o),
        }
    }

    fn with_owner(&self, contract: &AddressBytes, owner: &AddressBytes) -> Option<ObjectIdBytes> {
        self.objects
            .iter()
            .filter(|(_, o)| o.contract == *contract && o.owner == *owner)
            .min_by_key(|(_, o)| o.seq)
            .map(|(id, _)| *id)
    }
}

fn kind(e: &Error) -> &'static str {
    match e {
        Error::NotFound { .. } => "not found",
        Error::PermissionDenied { .. } => "permission denied",
        Error::InsufficientBalance { .. } => "insufficient balance",
        _ => "other",
    }
}

/// A store under test: its transaction and savepoints.
struct Subject {
    name: &'static str,
    state: State,
    tx: Transaction,
    savepoints: Vec<Savepoint>,
}

/// Runs `ops` against every store in `states` (fresh, empty ones) and a model; returns the
/// first disagreement. Every store must also reach the same state hash after every commit.
pub fn check_scenario(states: Vec<(&'static str, State)>, ops: &[Op]) -> Result<(), String> {
    let mut subjects: Vec<Subject> = Vec::new();
    let mut committed = Model::default();
    for (name, state) in states {
        let mut tx = state.begin();
        for i in 0..CONTRACTS {
            tx.register_contract(&ContractRecord {
                address: contract(i),
                code_hash: [i; 32],
                deployer: [0xde; 20],
                deploy_height: 0,
                options: Vec::new(),
            })
            .map_err(|e| format!("{name}: register: {e}"))?;
        }
        state
            .commit(tx)
            .map_err(|e| format!("{name}: commit: {e}"))?;
        subjects.push(Subject {
            name,
            tx: state.begin(),
            state,
            savepoints: Vec::new(),
        });
    }
    for i in 0..CONTRACTS {
        committed.insert(default_object_id(&contract(i)), contract(i), contract(i));
    }
    let mut model = committed.clone();
    let mut model_savepoints: Vec<Model> = Vec::new();
    let mut created: Vec<ObjectIdBytes> = committed.objects.keys().copied().collect();
    created.sort_by_key(|id| committed.objects[id].seq);
    let pick = |created: &Vec<ObjectIdBytes>, i: u8| created[usize::from(i) % created.len()];

    for (step, op) in ops.iter().enumerate() {
        let expected: Result<(), &'static str> = match op {
            Op::Create {
                contract: c,
                owner: o,
            } => {
                let id = object_id(&contract(*c), model.next_seq);
                model.insert(id, contract(*c), owner(*o));
                created.push(id);
                Ok(())
            }
            Op::Set {
                object,
                contract: c,
                field: f,
                value,
            } => {
                let id = pick(&created, *object);
                model.writable(&id, &contract(*c)).map(|o| {
                    let mut tagged = vec![0x0b];
                    tagged.extend(value);
                    o.fields.insert(field(*f), tagged);
                })
            }
            Op::DeleteField {
                object,
                contract: c,
                field: f,
            } => {
                let id = pick(&created, *object);
                model.writable(&id, &contract(*c)).map(|o| {
                    o.fields.remove(&field(*f));
                })
            }
            Op::Delete {
                object,
                contract: c,
            } => {
                let id = pick(&created, *object);
                model.writable(&id, &contract(*c)).map(|_| ()).map(|()| {
                    model.objects.remove(&id);
                })
            }
            Op::SetOwner {
                object,
                contract: c,
                owner: o,
            } => {
                let id = pick(&created, *object);
                model
                    .writable(&id, &contract(*c))
                    .map(|obj| obj.owner = owner(*o))
            }
            Op::Transfer { from, to, amount } => {
                let (from, to, amount) = (owner(*from), owner(*to), u64::from(*amount));
                let balance = model.balances.get(&from).copied().unwrap_or(0);
                if balance < amount {
                    Err("insufficient balance")
                } else {
                    if from != to && amount != 0 {
                        model.balances.insert(from, balance - amount);
                        *model.balances.entry(to).or_default() += amount;
                    }
                    Ok(())
                }
            }
            Op::Mint { to, amount } => {
                *model.balances.entry(owner(*to)).or_default() += u64::from(*amount);
                Ok(())
            }
            Op::Savepoint => {
                model_savepoints.push(model.clone());
                Ok(())
            }
            Op::Rollback => {
                if let Some(saved) = model_savepoints.pop() {
                    model = saved;
                }
                Ok(())
            }
            Op::Commit => {
                committed = model.clone();
                model_savepoints.clear();
                Ok(())
            }
            Op::Abort => {
                model = committed.clone();
                model_savepoints.clear();
                Ok(())
            }
        };
        // Objects created in a rolled-back or aborted frame keep their place in `created`, so
        // later steps also address IDs that do not exist (any more).
        let mut hashes = Vec::new();
        for s in &mut subjects {
            let got: Result<(), Error> = match op {
                Op::Create {
                    contract: c,
                    owner: o,
                } => s.tx.create_object(&contract(*c), &owner(*o)).map(|_| ()),
                Op::Set {
                    object,
                    contract: c,
                    field: f,
                    value,
                } => {
                    let mut tagged = vec![0x0b];
                    tagged.extend(value);
                    s.tx.set_field(&contract(*c), &pick(&created, *object), &field(*f), &tagged)
                }
                Op::DeleteField {
                    object,
                    contract: c,
                    field: f,
                } => {
                    s.tx.delete_field(&contract(*c), &pick(&created, *object), &field(*f))
                }
                Op::Delete {
                    object,
                    contract: c,
                } => s.tx.delete_object(&contract(*c), &pick(&created, *object)),
                Op::SetOwner {
                    object,
                    contract: c,
                    owner: o,
                } => {
                    s.tx.set_owner(&contract(*c), &pick(&created, *object), &owner(*o))
                }
                Op::Transfer { from, to, amount } => {
                    s.tx.transfer(&owner(*from), &owner(*to), u64::from(*amount))
                }
                Op::Mint { to, amount } => s.tx.mint(&owner(*to), u64::from(*amount)),
                Op::Savepoint => {
                    s.savepoints.push(s.tx.savepoint());
                    Ok(())
                }
                Op::Rollback => {
                    if let Some(sp) = s.savepoints.pop() {
                        s.tx.rollback_to(sp);
                    }
                    Ok(())
                }
                Op::Commit => {
                    let tx = std::mem::replace(&mut s.tx, s.state.begin());
                    s.savepoints.clear();
                    match s.state.commit(tx) {
                        Ok(info) => {
                            hashes.push((s.name, info.state_hash));
                            s.tx = s.state.begin();
                            Ok(())
                        }
                        Err(e) => Err(e),
                    }
                }
                Op::Abort => {
                    s.tx = s.state.begin();
                    s.savepoints.clear();
                    Ok(())
                }
            };
            let got_kind = got.as_ref().map_err(kind).copied();
            if got_kind != expected {
                return Err(format!(
                    "step {step} {op:?} on {}: got {got:?}, the model says {expected:?}",
                    s.name
                ));
            }
            compare(s, &model, &created)
                .map_err(|e| format!("step {step} {op:?} on {}: {e}", s.name))?;
        }
        if hashes.windows(2).any(|w| w[0].1 != w[1].1) {
            return Err(format!("step {step}: state hashes differ: {hashes:?}"));
        }
    }
    Ok(())
}

fn compare(s: &Subject, model: &Model, created: &[ObjectIdBytes]) -> Result<(), String> {
    for id in created {
        let meta = s.tx.object(id).map_err(|e| e.to_string())?;
        let expected = model.objects.get(id);
        match (meta, expected) {
            (None, None) => {}
            (Some(m), Some(e))
                if m.owner == e.owner && m.contract == e.contract && m.seq == e.seq =>
            {
                let fields: BTreeMap<String, Vec<u8>> =
                    s.tx.fields(id)
                        .map_err(|e| e.to_string())?
                        .into_iter()
                        .collect();
                if fields != e.fields {
                    return Err(format!(
                        "fields of {id:02x?}: {fields:?}, expected {:?}",
                        e.fields
                    ));
                }
            }
            (m, e) => return Err(format!("object {id:02x?}: {m:?}, expected {e:?}")),
        }
    }
    for c in 0..CONTRACTS {
        for o in 0..=OWNERS {
            let got =
                s.tx.object_with_owner(&contract(c), &owner(o))
                    .map_err(|e| e.to_string())?;
            let expected = model.with_owner(&contract(c), &owner(o));
            if got != expected {
                return Err(format!(
                    "object_with_owner({c}, {o}): {got:02x?}, expected {expected:02x?}"
                ));
            }
        }
    }
    for o in 0..=OWNERS {
        let got = s.tx.balance(&owner(o)).map_err(|e| e.to_string())?;
        let expected = model.balances.get(&owner(o)).copied().unwrap_or(0);
        if got != expected {
            return Err(format!("balance of {o}: {got}, expected {expected}"));
        }
    }
    Ok(())
}

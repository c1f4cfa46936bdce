//! Objects and their fields: creation, the owner index (the lookup by owner and the listing
//! of a contract's objects), changes of owner, deletion, and field reads and writes. Only the
//! contract that created an object may change it.

use crate::error::{Error, Result};
use crate::ids::{AddressBytes, ObjectIdBytes, hex};
use crate::keys::{self, key};
use crate::model::{ObjectMeta, array};
use crate::store::{State, Transaction};

impl Transaction {
    pub(crate) fn insert_object(
        &mut self,
        id: ObjectIdBytes,
        contract: &AddressBytes,
        owner: &AddressBytes,
    ) -> Result<()> {
        let next = self.read_counter(&[keys::OBJECT_SEQ])?;
        self.reserve(&[
            &[keys::OBJECT_SEQ],
            &key(keys::OBJECT, &[&id]),
            &keys::owner_index(contract, owner, next),
        ])?;
        let seq = self.counter(vec![keys::OBJECT_SEQ])?;
        let meta = ObjectMeta {
            id,
            owner: *owner,
            contract: *contract,
            seq,
        };
        self.put(key(keys::OBJECT, &[&id]), Some(meta.encode()))?;
        self.put(keys::owner_index(contract, owner, seq), Some(id.to_vec()))
    }

    /// Creates an object of `contract`, owned by `owner`, and returns its ID.
    pub fn create_object(
        &mut self,
        contract: &AddressBytes,
        owner: &AddressBytes,
    ) -> Result<ObjectIdBytes> {
        if self.objects_created.saturating_sub(self.scope.objects) >= self.limits.max_objects_per_tx
        {
            return Err(Error::LimitExceeded {
                what: "objects created per transaction",
                limit: self.limits.max_objects_per_tx,
            });
        }
        let seq = self.read_counter(&[keys::OBJECT_SEQ])?;
        let id = keys::object_id(contract, seq);
        self.insert_object(id, contract, owner)?;
        self.objects_created += 1;
        Ok(id)
    }

    /// An object's metadata, if it exists.
    pub fn object(&self, id: &ObjectIdBytes) -> Result<Option<ObjectMeta>> {
        self.get(&key(keys::OBJECT, &[id]))?
            .map(|v| ObjectMeta::decode(*id, &v))
            .transpose()
    }

    fn writable(&self, caller: &AddressBytes, id: &ObjectIdBytes) -> Result<ObjectMeta> {
        let meta = self.object(id)?.ok_or_else(|| Error::NotFound {
            what: format!("object 0x{}", hex(id)),
        })?;
        if meta.contract != *caller {
            return Err(Error::PermissionDenied {
                object: format!("0x{}", hex(id)),
                owner_contract: format!("0x{}", hex(&meta.contract)),
                caller: format!("0x{}", hex(caller)),
            });
        }
        Ok(meta)
    }

    /// Changes an object's owner; only its contract may.
    pub fn set_owner(
        &mut self,
        caller: &AddressBytes,
        id: &ObjectIdBytes,
        owner: &AddressBytes,
    ) -> Result<()> {
        let mut meta = self.writable(caller, id)?;
        self.reserve(&[
            &keys::owner_index(&meta.contract, &meta.owner, meta.seq),
            &key(keys::OBJECT, &[id]),
            &keys::owner_index(&meta.contract, owner, meta.seq),
        ])?;
        self.put(
            keys::owner_index(&meta.contract, &meta.owner, meta.seq),
            None,
        )?;
        meta.owner = *owner;
        self.put(key(keys::OBJECT, &[id]), Some(meta.encode()))?;
        self.put(
            keys::owner_index(&meta.contract, owner, meta.seq),
            Some(id.to_vec()),
        )
    }

    /// Deletes an object and all its fields; only its contract may.
    pub fn delete_object(&mut self, caller: &AddressBytes, id: &ObjectIdBytes) -> Result<()> {
        let meta = self.writable(caller, id)?;
        let fields: Vec<Vec<u8>> = self
            .scan_prefix(&key(keys::FIELD, &[id]))?
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        let index = keys::owner_index(&meta.contract, &meta.owner, meta.seq);
        let object = key(keys::OBJECT, &[id]);
        let mut all: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
        all.extend([index.as_slice(), object.as_slice()]);
        self.reserve(&all)?;
        for k in fields {
            self.put(k, None)?;
        }
        self.put(
            keys::owner_index(&meta.contract, &meta.owner, meta.seq),
            None,
        )?;
        self.put(key(keys::OBJECT, &[id]), None)
    }

    /// Every object of `contract`, oldest first (through the owner index).
    pub fn objects_of(&self, contract: &AddressBytes) -> Result<Vec<ObjectMeta>> {
        let mut out = Vec::new();
        for (_, v) in self.scan_prefix(&key(keys::OWNER_INDEX, &[contract]))? {
            if v.len() != 32 {
                return Err(Error::Corrupt("owner index".into()));
            }
            if let Some(meta) = self.object(&array(&v))? {
                out.push(meta);
            }
        }
        out.sort_by_key(|m| m.seq);
        Ok(out)
    }

    /// The earliest created object of `contract` owned by `owner`, found through the owner
    /// index.
    pub fn object_with_owner(
        &self,
        contract: &AddressBytes,
        owner: &AddressBytes,
    ) -> Result<Option<ObjectIdBytes>> {
        let prefix = key(keys::OWNER_INDEX, &[contract, owner]);
        // Bounded: the first index entry, whatever else the owner holds.
        match self.first_with_prefix(&prefix)? {
            None => Ok(None),
            Some((_, v)) if v.len() == 32 => Ok(Some(array(&v))),
            Some(_) => Err(Error::Corrupt("owner index".into())),
        }
    }

    // ---- fields ----

    fn check_field_name(&self, name: &str) -> Result<()> {
        if name.is_empty() {
            return Err(Error::InvalidInput("empty field name".into()));
        }
        if name.len() > self.limits.max_field_name {
            return Err(Error::LimitExceeded {
                what: "field name length",
                limit: self.limits.max_field_name,
            });
        }
        Ok(())
    }

    /// A field's stored value.
    pub fn field(&self, id: &ObjectIdBytes, name: &str) -> Result<Option<Vec<u8>>> {
        if self.object(id)?.is_none() {
            return Err(Error::NotFound {
                what: format!("object 0x{}", hex(id)),
            });
        }
        self.get(&key(keys::FIELD, &[id, name.as_bytes()]))
    }

    /// Every field of an object, by name.
    pub fn fields(&self, id: &ObjectIdBytes) -> Result<Vec<(String, Vec<u8>)>> {
        let prefix = key(keys::FIELD, &[id]);
        self.scan_prefix(&prefix)?
            .into_iter()
            .map(|(k, v)| {
                String::from_utf8(k[prefix.len()..].to_vec())
                    .map(|name| (name, v))
                    .map_err(|_| Error::Corrupt("field name".into()))
            })
            .collect()
    }

    /// Stores a field; only the object's contract may.
    pub fn set_field(
        &mut self,
        caller: &AddressBytes,
        id: &ObjectIdBytes,
        name: &str,
        value: &[u8],
    ) -> Result<()> {
        self.check_field_name(name)?;
        if value.len() > self.limits.max_value_size {
            return Err(Error::LimitExceeded {
                what: "field value size",
                limit: self.limits.max_value_size,
            });
        }
        self.writable(caller, id)?;
        self.put(
            key(keys::FIELD, &[id, name.as_bytes()]),
            Some(value.to_vec()),
        )
    }

    /// Removes a field (absent fields are fine); only the object's contract may.
    pub fn delete_field(
        &mut self,
        caller: &AddressBytes,
        id: &ObjectIdBytes,
        name: &str,
    ) -> Result<()> {
        self.check_field_name(name)?;
        self.writable(caller, id)?;
        self.put(key(keys::FIELD, &[id, name.as_bytes()]), None)
    }
}

/// Where a page of a contract's objects stops: the owner (20 bytes) and creation sequence
/// (u64 big-endian) of its last object, the order pages follow (the owner index's).
pub type ObjectCursor = [u8; 28];

impl State {
    /// At most `limit` committed objects of `contract` after `after` (from the first with
    /// none), in the owner index's order (by owner, then creation), each with its cursor.
    /// The work is bounded by `limit`, and a page never shifts while blocks commit: the
    /// cursor is a position in the index, not a count.
    pub fn objects_page(
        &self,
        contract: &AddressBytes,
        after: Option<&ObjectCursor>,
        limit: usize,
    ) -> Result<Vec<(ObjectCursor, ObjectMeta)>> {
        let prefix = key(keys::OWNER_INDEX, &[contract]);
        let after = after.map(|c| key(keys::OWNER_INDEX, &[contract, c]));
        let mut out = Vec::new();
        for (k, v) in self.backend.scan_page(&prefix, after.as_deref(), limit)? {
            let (Ok(cursor), Ok(id)) = (
                ObjectCursor::try_from(&k[prefix.len()..]),
                ObjectIdBytes::try_from(v.as_slice()),
            ) else {
                return Err(Error::Corrupt("owner index".into()));
            };
            let meta = self
                .backend
                .get(&key(keys::OBJECT, &[&id]))?
                .map(|m| ObjectMeta::decode(id, &m))
                .transpose()?
                .ok_or_else(|| Error::Corrupt("owner index".into()))?;
            out.push((cursor, meta));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::ObjectCursor;
    use crate::backend::MemoryBackend;
    use crate::error::Error;
    use crate::keys::{contract_address, default_object_id};
    use crate::model::ObjectMeta;
    use crate::store::fixtures::{ALICE, BOB, deployed};
    use crate::store::{Limits, State};

    #[test]
    fn owner_lookup_finds_the_earliest_and_follows_set_owner() {
        let state = State::in_memory();
        let contract = deployed(&state);
        let mut tx = state.begin();
        let first = tx.create_object(&contract, &BOB).unwrap();
        let second = tx.create_object(&contract, &BOB).unwrap();
        assert_eq!(tx.object_with_owner(&contract, &BOB).unwrap(), Some(first));
        state.commit(tx).unwrap();
        let mut tx = state.begin();
        tx.set_owner(&contract, &first, &ALICE).unwrap();
        assert_eq!(tx.object_with_owner(&contract, &BOB).unwrap(), Some(second));
        assert_eq!(
            tx.object_with_owner(&contract, &ALICE).unwrap(),
            Some(first)
        );
        // The default object is owned by the contract itself, not by its deployer.
        assert_eq!(
            tx.object_with_owner(&contract, &contract).unwrap(),
            Some(default_object_id(&contract))
        );
    }

    #[test]
    fn only_the_creating_contract_may_change_an_object() {
        let state = State::in_memory();
        let contract = deployed(&state);
        let other = contract_address(&BOB, 0, &[7; 32]);
        let mut tx = state.begin();
        let id = tx.create_object(&contract, &BOB).unwrap();
        assert!(matches!(
            tx.set_field(&other, &id, "x", &[1]),
            Err(Error::PermissionDenied { .. })
        ));
        assert!(matches!(
            tx.delete_object(&other, &id),
            Err(Error::PermissionDenied { .. })
        ));
        assert!(matches!(
            tx.set_owner(&other, &id, &BOB),
            Err(Error::PermissionDenied { .. })
        ));
    }

    #[test]
    fn deleted_ids_are_never_reused_and_fields_go_with_the_object() {
        let state = State::in_memory();
        let contract = deployed(&state);
        let mut tx = state.begin();
        let id = tx.create_object(&contract, &BOB).unwrap();
        tx.set_field(&contract, &id, "x", &[1]).unwrap();
        tx.delete_object(&contract, &id).unwrap();
        assert!(tx.fields(&id).unwrap().is_empty());
        let next = tx.create_object(&contract, &BOB).unwrap();
        assert_ne!(next, id);
        assert!(matches!(tx.field(&id, "x"), Err(Error::NotFound { .. })));
    }

    #[test]
    fn limits_are_enforced() {
        let limits = Limits {
            max_field_name: 4,
            max_value_size: 2,
            max_objects_per_tx: 1,
            ..Limits::default()
        };
        let state = State::with_backend(Arc::new(MemoryBackend::new()), limits);
        let contract = deployed(&state);
        let mut tx = state.begin();
        let id = tx.create_object(&contract, &BOB).unwrap();
        assert!(matches!(
            tx.create_object(&contract, &BOB),
            Err(Error::LimitExceeded { .. })
        ));
        assert!(matches!(
            tx.set_field(&contract, &id, "long!", &[1]),
            Err(Error::LimitExceeded { .. })
        ));
        assert!(matches!(
            tx.set_field(&contract, &id, "x", &[1, 2, 3]),
            Err(Error::LimitExceeded { .. })
        ));
        assert!(matches!(
            tx.set_field(&contract, &id, "", &[1]),
            Err(Error::InvalidInput(_))
        ));
    }

    #[test]
    fn objects_read_by_page_follow_the_owner_index() {
        let state = State::in_memory();
        let contract = deployed(&state);
        let mut tx = state.begin();
        for owner in [[3; 20], [1; 20], [3; 20], [2; 20]] {
            tx.create_object(&contract, &owner).unwrap();
        }
        state.commit(tx).unwrap();
        // The default object (owned by the contract) is listed too.
        let all = state.objects_page(&contract, None, 100).unwrap();
        assert_eq!(all.len(), 5);
        let first = state.objects_page(&contract, None, 2).unwrap();
        let rest = state
            .objects_page(&contract, Some(&first[1].0), 100)
            .unwrap();
        let ids =
            |p: &[(ObjectCursor, ObjectMeta)]| p.iter().map(|(_, m)| m.id).collect::<Vec<_>>();
        assert_eq!([ids(&first), ids(&rest)].concat(), ids(&all));
        // A new object after the cursor's place appears on a later page; earlier pages
        // stay as they were.
        let mut tx = state.begin();
        tx.create_object(&contract, &[0; 20]).unwrap();
        state.commit(tx).unwrap();
        assert_eq!(
            ids(&state.objects_page(&contract, None, 2).unwrap())[1],
            ids(&first)[0]
        );
    }
}

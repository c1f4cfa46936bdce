//! The govm object store.
//!
//! State is a set of objects (an ID, an owner address, the contract that created them, and
//! named fields holding encoded values), native balances, the contract registry, stored code,
//! and the ordered event log. Everything lives in an ordered key-value [`Backend`]; a call's
//! reads and writes go through a [`Transaction`] that [`State::commit`] applies atomically
//! (dropping it discards them), after which the state hash chains the sorted write set to the
//! previous hash. Nested calls take a [`Savepoint`] and roll back to it when they fail.
//!
//! ```
//! use govm_state::{State, contract_address};
//!
//! let state = State::in_memory();
//! let contract = contract_address(&[1; 20], 0, &[2; 32]);
//! let mut tx = state.begin();
//! let id = tx.create_object(&contract, &[9; 20]).unwrap();
//! tx.set_field(&contract, &id, "amount", &[5]).unwrap();
//! let info = state.commit(tx).unwrap();
//! assert_ne!(info.state_hash, [0; 32]);
//! assert_eq!(state.begin().field(&id, "amount").unwrap(), Some(vec![5]));
//! ```
#![deny(missing_docs)]

mod backend;
mod chain;
mod code;
mod commit;
mod contracts;
mod error;
mod events;
mod ids;
mod keys;
mod ledger;
mod model;
mod objects;
mod redb_backend;
mod store;
pub mod testing;

pub use backend::{Backend, MemoryBackend, WriteSet};
pub use commit::{CommitInfo, PreparedCommit};
pub use error::{Error, Result};
pub use ids::{AddressBytes, HashBytes, ObjectIdBytes};
pub use keys::{code_hash, contract_address, default_object_id, object_id, source_hash};
pub use model::{ContractRecord, Event, ObjectMeta};
pub use objects::ObjectCursor;
pub use redb_backend::RedbBackend;
pub use store::{Limits, Savepoint, State, Transaction};

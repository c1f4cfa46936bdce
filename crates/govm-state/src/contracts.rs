//! The contract registry: deployers' nonces, and contract records, each registered with its
//! default object.

use crate::error::{Error, Result};
use crate::ids::{AddressBytes, hex};
use crate::keys::{self, key};
use crate::model::ContractRecord;
use crate::store::Transaction;

impl Transaction {
    /// Returns the deployer's deployment count and increments it.
    pub fn next_deploy_nonce(&mut self, deployer: &AddressBytes) -> Result<u64> {
        self.counter(key(keys::DEPLOY_NONCE, &[deployer]))
    }

    /// Registers a contract and creates its default object (owned by the contract itself).
    pub fn register_contract(&mut self, record: &ContractRecord) -> Result<()> {
        let k = key(keys::CONTRACT, &[&record.address]);
        if self.get(&k)?.is_some() {
            return Err(Error::InvalidInput(format!(
                "contract 0x{} already exists",
                hex(&record.address)
            )));
        }
        self.put(k, Some(record.encode()))?;
        let id = keys::default_object_id(&record.address);
        self.insert_object(id, &record.address, &record.address)
    }

    /// A deployed contract.
    pub fn contract(&self, address: &AddressBytes) -> Result<Option<ContractRecord>> {
        self.get(&key(keys::CONTRACT, &[address]))?
            .map(|v| ContractRecord::decode(*address, &v))
            .transpose()
    }
}

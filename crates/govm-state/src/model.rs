//! Records stored by the object model, and their byte layouts.

use crate::error::{Error, Result};
use crate::ids::{AddressBytes, HashBytes, ObjectIdBytes};

/// An object's metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectMeta {
    /// The object's ID.
    pub id: ObjectIdBytes,
    /// Its owner: data that contracts check.
    pub owner: AddressBytes,
    /// The contract that created it, the only one allowed to change it.
    pub contract: AddressBytes,
    /// Its creation sequence number; smaller is earlier.
    pub seq: u64,
}

impl ObjectMeta {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(48);
        out.extend_from_slice(&self.owner);
        out.extend_from_slice(&self.contract);
        out.extend_from_slice(&self.seq.to_be_bytes());
        out
    }

    pub(crate) fn decode(id: ObjectIdBytes, bytes: &[u8]) -> Result<Self> {
        if bytes.len() != 48 {
            return Err(Error::Corrupt(format!(
                "object record of {} bytes",
                bytes.len()
            )));
        }
        Ok(Self {
            id,
            owner: array(&bytes[..20]),
            contract: array(&bytes[20..40]),
            seq: u64::from_be_bytes(array(&bytes[40..48])),
        })
    }
}

/// A deployed contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractRecord {
    /// The contract's address.
    pub address: AddressBytes,
    /// sha256 of its source: the key of its code and ABI.
    pub code_hash: HashBytes,
    /// Who deployed it.
    pub deployer: AddressBytes,
    /// The block height of the deployment.
    pub deploy_height: u64,
    /// The limits it runs under, in the runtime's encoding (opaque to this crate; empty for
    /// the runtime's defaults).
    pub options: Vec<u8>,
}

impl ContractRecord {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(60 + self.options.len());
        out.extend_from_slice(&self.code_hash);
        out.extend_from_slice(&self.deployer);
        out.extend_from_slice(&self.deploy_height.to_be_bytes());
        out.extend_from_slice(&self.options);
        out
    }

    pub(crate) fn decode(address: AddressBytes, bytes: &[u8]) -> Result<Self> {
        if bytes.len() < 60 {
            return Err(Error::Corrupt(format!(
                "contract record of {} bytes",
                bytes.len()
            )));
        }
        Ok(Self {
            address,
            code_hash: array(&bytes[..32]),
            deployer: array(&bytes[32..52]),
            deploy_height: u64::from_be_bytes(array(&bytes[52..60])),
            options: bytes[60..].to_vec(),
        })
    }
}

/// An event, as committed: which contract emitted it, its name, and its encoded fields
/// (opaque to this crate; govm-abi defines them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The emitting contract.
    pub contract: AddressBytes,
    /// The event's name.
    pub name: String,
    /// The encoded fields.
    pub data: Vec<u8>,
}

impl Event {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(24 + self.name.len() + self.data.len());
        out.extend_from_slice(&self.contract);
        out.extend_from_slice(&(self.name.len() as u32).to_be_bytes());
        out.extend_from_slice(self.name.as_bytes());
        out.extend_from_slice(&self.data);
        out
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Self> {
        let corrupt = || Error::Corrupt("event record".into());
        if bytes.len() < 24 {
            return Err(corrupt());
        }
        let name_len = u32::from_be_bytes(array(&bytes[20..24])) as usize;
        let name = bytes.get(24..24 + name_len).ok_or_else(corrupt)?;
        Ok(Self {
            contract: array(&bytes[..20]),
            name: String::from_utf8(name.to_vec()).map_err(|_| corrupt())?,
            data: bytes[24 + name_len..].to_vec(),
        })
    }
}

/// Copies a slice whose length the caller has checked into an array.
pub(crate) fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[..N]);
    out
}

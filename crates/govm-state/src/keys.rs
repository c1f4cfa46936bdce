//! The key layout of the object model (docs/abi.md, "State layout").

use sha2::{Digest, Sha256};

use crate::ids::{AddressBytes, HashBytes, ObjectIdBytes};

pub(crate) const CONTRACT: u8 = b'c';
pub(crate) const CODE: u8 = b'k';
pub(crate) const CODE_ABI: u8 = b'a';
pub(crate) const CODE_DIGEST: u8 = b'w';
pub(crate) const CODE_SOURCE: u8 = b'u';
pub(crate) const DEPLOY_NONCE: u8 = b'n';
pub(crate) const OBJECT: u8 = b'o';
pub(crate) const FIELD: u8 = b'f';
pub(crate) const OWNER_INDEX: u8 = b'i';
pub(crate) const OBJECT_SEQ: u8 = b's';
pub(crate) const EVENT: u8 = b'e';
pub(crate) const EVENT_SEQ: u8 = b'E';
/// A contract's events: `v ‖ contract ‖ sequence` (empty value), for reading them by page.
pub(crate) const CONTRACT_EVENT: u8 = b'v';
pub(crate) const STATE_HASH: u8 = b'h';
pub(crate) const BALANCE: u8 = b'b';
pub(crate) const ACCOUNT_NONCE: u8 = b'N';
pub(crate) const TX_RESULT: u8 = b't';
pub(crate) const CHAIN_RECORD: u8 = b'x';
/// The height of the last committed block: written with the commit, outside the hash.
pub(crate) const HEIGHT: u8 = b'H';

pub(crate) fn key(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + parts.iter().map(|p| p.len()).sum::<usize>());
    k.push(tag);
    for p in parts {
        k.extend_from_slice(p);
    }
    k
}

pub(crate) fn owner_index(contract: &AddressBytes, owner: &AddressBytes, seq: u64) -> Vec<u8> {
    key(OWNER_INDEX, &[contract, owner, &seq.to_be_bytes()])
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// The address of a contract: the first 20 bytes of
/// `sha256("govm/contract" || deployer || nonce as u64 big-endian || source_hash)`, where
/// `nonce` counts the deployer's earlier deployments and `source_hash` is [`source_hash`] of
/// its source. Deploying the same source twice gives two addresses.
pub fn contract_address(
    deployer: &AddressBytes,
    nonce: u64,
    source_hash: &HashBytes,
) -> AddressBytes {
    let h = sha256(&[
        b"govm/contract",
        deployer,
        &nonce.to_be_bytes(),
        source_hash,
    ]);
    let mut out = [0u8; 20];
    out.copy_from_slice(&h[..20]);
    out
}

/// The ID of the `seq`-th object ever created (counted across all contracts):
/// `sha256("govm/object" || contract || seq as u64 big-endian)`. `seq` only grows, so an ID is
/// never reused after its object is deleted.
pub fn object_id(contract: &AddressBytes, seq: u64) -> ObjectIdBytes {
    sha256(&[b"govm/object", contract, &seq.to_be_bytes()])
}

/// The ID of a contract's default object: `sha256("govm/default-object" || contract)`.
pub fn default_object_id(contract: &AddressBytes) -> ObjectIdBytes {
    sha256(&[b"govm/default-object", contract])
}

/// The code hash, what stored code is kept under and a contract record names:
/// `sha256("govm/code" || sha256(source) || sha256(module))`, of the decompressed source and
/// the module bytes. Two deploys of one source with different modules are two codes, so a
/// contract always runs the module its deployer sent.
pub fn code_hash(source: &[u8], module: &[u8]) -> HashBytes {
    sha256(&[b"govm/code", &source_hash(source), &sha256(&[module])])
}

/// sha256 of a (decompressed) source: what `govm verify` and `/contract` show beside the
/// module's own hash.
pub fn source_hash(source: &[u8]) -> HashBytes {
    sha256(&[source])
}

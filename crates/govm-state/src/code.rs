//! Stored code: a contract's wasm module, its sha256, its source's sha256 and its ABI, under
//! the code hash (`keys::code_hash`, of the source and the module together).

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::ids::HashBytes;
use crate::keys::{self, key};
use crate::model::array;
use crate::store::Transaction;

impl Transaction {
    /// Stores code, the sha256 of the source it was built from and its ABI under their hash
    /// (idempotent).
    pub fn put_code(
        &mut self,
        code_hash: &HashBytes,
        source_hash: &HashBytes,
        wasm: &[u8],
        abi_json: &str,
    ) -> Result<()> {
        let digest: HashBytes = Sha256::digest(wasm).into();
        self.put(key(keys::CODE, &[code_hash]), Some(wasm.to_vec()))?;
        self.put(key(keys::CODE_DIGEST, &[code_hash]), Some(digest.to_vec()))?;
        self.put(
            key(keys::CODE_SOURCE, &[code_hash]),
            Some(source_hash.to_vec()),
        )?;
        self.put(
            key(keys::CODE_ABI, &[code_hash]),
            Some(abi_json.as_bytes().to_vec()),
        )
    }

    /// sha256 of the stored module, written with it (none for code stored before it was).
    pub fn code_digest(&self, code_hash: &HashBytes) -> Result<Option<HashBytes>> {
        match self.get(&key(keys::CODE_DIGEST, &[code_hash]))? {
            None => Ok(None),
            Some(v) if v.len() == 32 => Ok(Some(array(&v))),
            Some(_) => Err(Error::Corrupt("code digest".into())),
        }
    }

    /// sha256 of the source the stored module was deployed with.
    pub fn code_source_hash(&self, code_hash: &HashBytes) -> Result<Option<HashBytes>> {
        match self.get(&key(keys::CODE_SOURCE, &[code_hash]))? {
            None => Ok(None),
            Some(v) if v.len() == 32 => Ok(Some(array(&v))),
            Some(_) => Err(Error::Corrupt("code source hash".into())),
        }
    }

    /// Whether code with this hash is stored.
    pub fn has_code(&self, code_hash: &HashBytes) -> Result<bool> {
        Ok(self.get(&key(keys::CODE_ABI, &[code_hash]))?.is_some())
    }

    /// The wasm stored under a code hash.
    pub fn code(&self, code_hash: &HashBytes) -> Result<Option<Vec<u8>>> {
        self.get(&key(keys::CODE, &[code_hash]))
    }

    /// The ABI JSON stored under a code hash.
    pub fn code_abi(&self, code_hash: &HashBytes) -> Result<Option<String>> {
        match self.get(&key(keys::CODE_ABI, &[code_hash]))? {
            None => Ok(None),
            Some(v) => String::from_utf8(v)
                .map(Some)
                .map_err(|_| Error::Corrupt("ABI is not UTF-8".into())),
        }
    }
}

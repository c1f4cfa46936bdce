//! Transactions: their canonical encoding (docs/chain.md, "Transactions"), signatures,
//! senders and hashes.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use govm::Address;
use parity_scale_codec::{Decode, Encode};
use sha2::{Digest, Sha256};

use crate::code::Code;

/// The version byte every transaction starts with.
pub const TX_VERSION: u8 = 1;

/// What a signature signs is `sha256(SIGNING_DOMAIN ‖ version ‖ unsigned encoding)`.
pub const SIGNING_DOMAIN: &[u8] = b"govm/tx/v1";

/// What a transaction does.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum Body {
    /// Calls an entry point with SCALE-encoded arguments, carrying `value` to the contract.
    #[codec(index = 0)]
    Call {
        /// The contract.
        contract: [u8; 20],
        /// The entry point.
        function: String,
        /// The argument tuple (docs/abi.md §2).
        args: Vec<u8>,
        /// Native value moved from the sender to the contract before the call (back if it
        /// fails).
        value: u64,
    },
    /// Deploys Go source with the wasm its submitter built (`govm build`).
    #[codec(index = 1)]
    Deploy {
        /// The Go source (plain or gzip).
        source: Vec<u8>,
        /// The module built from it.
        wasm: Vec<u8>,
        /// The contract's options (docs/abi.md §11); empty for the chain's defaults.
        options: Vec<u8>,
    },
    /// Pays native balance.
    #[codec(index = 2)]
    Transfer {
        /// Who receives it.
        to: [u8; 20],
        /// How much.
        amount: u64,
    },
}

/// A transaction before it is signed.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct UnsignedTx {
    /// The chain it is meant for.
    pub chain_id: String,
    /// The sender's transaction count before this one.
    pub nonce: u64,
    /// The most gas the transaction may use.
    pub fuel_limit: u64,
    /// What the sender pays per unit of gas used.
    pub gas_price: u64,
    /// What it does.
    pub body: Body,
}

/// A signed transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tx {
    /// What was signed.
    pub unsigned: UnsignedTx,
    /// The signer's ed25519 public key.
    pub signer: [u8; 32],
    /// The ed25519 signature of [`UnsignedTx::digest`].
    pub signature: [u8; 64],
}

impl UnsignedTx {
    /// The canonical encoding of the unsigned part: the version byte, then SCALE.
    pub fn encode_unsigned(&self) -> Vec<u8> {
        let mut out = vec![TX_VERSION];
        self.encode_to(&mut out);
        out
    }

    /// What the signature signs: `sha256(SIGNING_DOMAIN ‖ encode_unsigned())`.
    pub fn digest(&self) -> [u8; 32] {
        signing_digest(&self.encode_unsigned())
    }

    /// Signs with `key`.
    pub fn sign(self, key: &SigningKey) -> Tx {
        let signature = key.sign(&self.digest()).to_bytes();
        Tx {
            unsigned: self,
            signer: key.verifying_key().to_bytes(),
            signature,
        }
    }
}

/// A call's body: `function` of `contract` with SCALE-encoded `args`, carrying `value`.
pub fn call_body(contract: Address, function: &str, args: Vec<u8>, value: u64) -> Body {
    Body::Call {
        contract: contract.0,
        function: function.to_owned(),
        args,
        value,
    }
}

/// A transfer's body: `amount` to `to`.
pub fn transfer_body(to: Address, amount: u64) -> Body {
    Body::Transfer { to: to.0, amount }
}

/// `sha256(SIGNING_DOMAIN ‖ unsigned)`, for the unsigned encoding `unsigned`.
fn signing_digest(unsigned: &[u8]) -> [u8; 32] {
    Sha256::new()
        .chain_update(SIGNING_DOMAIN)
        .chain_update(unsigned)
        .finalize()
        .into()
}

impl Body {
    /// What kind of transaction this is, as results and ABCI events name it, and what else
    /// identifies it (a call's contract and function, a transfer's recipient).
    pub(crate) fn describe(&self) -> (&'static str, Vec<(&'static str, String)>) {
        match self {
            Body::Call {
                contract, function, ..
            } => (
                "call",
                vec![
                    ("contract", Address(*contract).to_string()),
                    ("function", function.clone()),
                ],
            ),
            Body::Deploy { .. } => ("deploy", Vec::new()),
            Body::Transfer { to, .. } => ("transfer", vec![("to", Address(*to).to_string())]),
        }
    }

    /// The native value the body moves from the sender (a call's value, a transfer's
    /// amount).
    pub(crate) fn sends(&self) -> u64 {
        match self {
            Body::Call { value, .. } => *value,
            Body::Transfer { amount, .. } => *amount,
            Body::Deploy { .. } => 0,
        }
    }
}

/// A transaction as it came: decoded once, with the digest of its signed bytes exactly as
/// received (no re-encoding: the SCALE encoding is canonical, so the bytes are the encoding)
/// and its sender hashed once.
#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub(crate) tx: Tx,
    pub(crate) sender: Address,
    digest: [u8; 32],
}

impl Received {
    /// Decodes `bytes` ([`Tx::decode`]).
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, (Code, String)> {
        let tx = Tx::decode(bytes)?;
        // Decoding left exactly the key and the signature after the unsigned encoding.
        let unsigned = &bytes[..bytes.len() - 96];
        Ok(Self {
            digest: signing_digest(unsigned),
            sender: tx.sender(),
            tx,
        })
    }

    /// Checks the signature over the received bytes with the signer's key decompressed
    /// already (`None`: the signer is not a point on the curve).
    pub(crate) fn verify_with(&self, key: Option<&VerifyingKey>) -> Result<(), (Code, String)> {
        verify_digest(key, &self.digest, &self.tx.signature)
    }
}

/// Checks `signature` of `digest` strictly (no malleable encodings, no weak keys).
fn verify_digest(
    key: Option<&VerifyingKey>,
    digest: &[u8; 32],
    signature: &[u8; 64],
) -> Result<(), (Code, String)> {
    let bad = |why: &str| (Code::BadSignature, why.to_owned());
    let key = key.ok_or_else(|| bad("not a public key"))?;
    key.verify_strict(digest, &Signature::from_bytes(signature))
        .map_err(|_| bad("the signature does not match the transaction and its signer"))
}

/// The govm address of an ed25519 public key: the first 20 bytes of its sha256, as CometBFT
/// derives validator addresses.
pub fn address_of(public_key: &[u8; 32]) -> Address {
    let digest = Sha256::digest(public_key);
    let mut out = [0; 20];
    out.copy_from_slice(&digest[..20]);
    Address(out)
}

impl Tx {
    /// The transaction's bytes: the unsigned encoding, the public key and the signature.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.unsigned.encode_unsigned();
        out.extend_from_slice(&self.signer);
        out.extend_from_slice(&self.signature);
        out
    }

    /// Reads a transaction, refusing another version, a truncated one and trailing bytes.
    /// The size limit is the caller's (it is a chain parameter).
    pub fn decode(bytes: &[u8]) -> Result<Self, (Code, String)> {
        let malformed = |why: String| (Code::Malformed, why);
        let Some((&version, mut rest)) = bytes.split_first() else {
            return Err(malformed("an empty transaction".into()));
        };
        if version != TX_VERSION {
            return Err((
                Code::UnknownVersion,
                format!("transaction version {version}, this node reads {TX_VERSION}"),
            ));
        }
        let unsigned = UnsignedTx::decode(&mut rest)
            .map_err(|e| malformed(format!("the transaction does not decode: {e}")))?;
        if rest.len() != 96 {
            return Err(malformed(format!(
                "expected a 32-byte public key and a 64-byte signature after the body, found {} bytes",
                rest.len()
            )));
        }
        let mut signer = [0; 32];
        let mut signature = [0; 64];
        signer.copy_from_slice(&rest[..32]);
        signature.copy_from_slice(&rest[32..]);
        Ok(Self {
            unsigned,
            signer,
            signature,
        })
    }

    /// Checks the signature (strictly: no malleable encodings, no weak keys).
    pub fn verify(&self) -> Result<(), (Code, String)> {
        let key = VerifyingKey::from_bytes(&self.signer).ok();
        verify_digest(key.as_ref(), &self.unsigned.digest(), &self.signature)
    }

    /// The sender: [`address_of`] the signer.
    pub fn sender(&self) -> Address {
        address_of(&self.signer)
    }
}

/// A transaction's hash: sha256 of its bytes.
pub fn tx_hash(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A signing key from a 32-byte seed (for tests, tools and the CLI's key files).
pub fn signing_key(seed: &[u8; 32]) -> SigningKey {
    SigningKey::from_bytes(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Tx {
        UnsignedTx {
            chain_id: "test".into(),
            nonce: 3,
            fuel_limit: 1_000_000,
            gas_price: 2,
            body: Body::Transfer {
                to: [7; 20],
                amount: 9,
            },
        }
        .sign(&signing_key(&[1; 32]))
    }

    #[test]
    fn a_transaction_round_trips_and_verifies() {
        let tx = sample();
        let bytes = tx.encode();
        assert_eq!(bytes[0], TX_VERSION);
        let back = Tx::decode(&bytes).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(back, tx);
        assert!(back.verify().is_ok());
        assert_eq!(back.sender(), address_of(&tx.signer));
    }

    #[test]
    fn the_received_digest_is_the_signed_one() {
        let tx = sample();
        let bytes = tx.encode();
        let received = Received::decode(&bytes).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(received.digest, tx.unsigned.digest());
        assert_eq!(received.sender, tx.sender());
        let key = VerifyingKey::from_bytes(&tx.signer).ok();
        assert!(received.verify_with(key.as_ref()).is_ok());
        // A compact length written in more bytes than it needs does not decode: the bytes a
        // signature covers are the one encoding of the transaction.
        let mut long = bytes.clone();
        let at = 1 + 1; // after the version byte and the chain id's one-byte length
        assert_eq!(long[at - 1], 4 << 2);
        long.splice(at - 1..at, [(4 << 2) | 1, 0]);
        assert!(Received::decode(&long).is_err());
    }

    #[test]
    fn every_kind_of_damage_has_its_code() {
        let bytes = sample().encode();
        let code = |b: &[u8]| Tx::decode(b).err().map(|e| e.0);
        assert_eq!(code(&[]), Some(Code::Malformed));
        assert_eq!(code(&bytes[..bytes.len() - 1]), Some(Code::Malformed));
        assert_eq!(
            code(&[bytes.as_slice(), &[0]].concat()),
            Some(Code::Malformed)
        );
        let mut version = bytes.clone();
        version[0] = 2;
        assert_eq!(code(&version), Some(Code::UnknownVersion));
        let mut signed = sample();
        signed.unsigned.nonce += 1;
        assert_eq!(signed.verify().err().map(|e| e.0), Some(Code::BadSignature));
        signed = sample();
        signed.signature[0] ^= 1;
        assert_eq!(signed.verify().err().map(|e| e.0), Some(Code::BadSignature));
    }
}

//! Fixed-size identifiers shared by hosts and contracts.

use std::fmt;
use std::str::FromStr;

use parity_scale_codec::{Decode, Encode, Input, Output};

use crate::error::{Error, Result};

macro_rules! fixed_bytes {
    ($(#[$doc:meta])* $name:ident, $len:expr, $go:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            /// Length in bytes.
            pub const LEN: usize = $len;
            /// The all-zero value.
            pub const ZERO: Self = Self([0; $len]);

            /// The raw bytes.
            pub fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }

            /// Whether every byte is zero.
            pub fn is_zero(&self) -> bool {
                self.0 == [0; $len]
            }

            /// Parses the `0x`-prefixed hex form; the length must be exact.
            pub fn from_hex(text: &str) -> Result<Self> {
                let digits = text.strip_prefix("0x").ok_or_else(|| Error::InvalidHex {
                    type_name: $go,
                    reason: "missing 0x prefix".into(),
                })?;
                if digits.len() != 2 * $len {
                    return Err(Error::InvalidHex {
                        type_name: $go,
                        reason: format!("expected {} hex digits, got {}", 2 * $len, digits.len()),
                    });
                }
                let mut out = [0u8; $len];
                hex::decode_to_slice(digits, &mut out).map_err(|e| Error::InvalidHex {
                    type_name: $go,
                    reason: e.to_string(),
                })?;
                Ok(Self(out))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "0x{}", hex::encode(self.0))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({self})", stringify!($name))
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                Self::from_hex(s)
            }
        }

        impl From<[u8; $len]> for $name {
            fn from(bytes: [u8; $len]) -> Self {
                Self(bytes)
            }
        }

        impl From<$name> for [u8; $len] {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        // A fixed array is SCALE-encoded as its raw bytes, with no length prefix.
        impl Encode for $name {
            fn size_hint(&self) -> usize {
                $len
            }
            fn encode_to<O: Output + ?Sized>(&self, dest: &mut O) {
                dest.write(&self.0);
            }
        }

        impl Decode for $name {
            fn decode<I: Input>(input: &mut I) -> std::result::Result<Self, parity_scale_codec::Error> {
                let mut out = [0u8; $len];
                input.read(&mut out)?;
                Ok(Self(out))
            }
        }
    };
}

fixed_bytes!(
    /// A 20-byte account or contract address (`vm.Address` in Go).
    Address,
    20,
    "vm.Address"
);
fixed_bytes!(
    /// A 32-byte object identifier (`vm.ObjectID` in Go). The zero ID names the calling
    /// contract's default object.
    ObjectId,
    32,
    "vm.ObjectID"
);
fixed_bytes!(
    /// A 32-byte hash (`vm.Hash` in Go), for example a code hash.
    Hash,
    32,
    "vm.Hash"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let a = Address([0xab; 20]);
        let text = a.to_string();
        assert_eq!(text, format!("0x{}", "ab".repeat(20)));
        assert_eq!(text.parse::<Address>().ok(), Some(a));
    }

    #[test]
    fn hex_rejects_wrong_length_and_bad_digits() {
        assert!(Address::from_hex("0x00").is_err());
        assert!(Address::from_hex(&"00".repeat(20)).is_err());
        assert!(ObjectId::from_hex(&format!("0x{}", "zz".repeat(32))).is_err());
        let err = Hash::from_hex("0x1234").err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("invalid vm.Hash: expected 64 hex digits, got 4")
        );
    }
}

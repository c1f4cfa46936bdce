//! Values that cross the contract boundary, and their JSON text form.

use std::cmp::Ordering;
use std::fmt;

use crate::error::{Error, Result};
use crate::model::Type;
use crate::types::{Address, Hash, ObjectId};

/// An unsigned 256-bit integer (`vm.Uint256` in Go), from the `ruint` crate.
pub type U256 = ruint::aliases::U256;

/// A value that crosses the contract boundary. Composite values are interpreted against a
/// [`Type`]: the same `List` is a fixed array or a slice depending on the type it meets.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Value {
    /// `bool`.
    Bool(bool),
    /// `uint8`.
    U8(u8),
    /// `uint16`.
    U16(u16),
    /// `uint32`.
    U32(u32),
    /// `uint64` and `uint`.
    U64(u64),
    /// `int8`.
    I8(i8),
    /// `int16`.
    I16(i16),
    /// `int32`.
    I32(i32),
    /// `int64` and `int`.
    I64(i64),
    /// `string`.
    String(String),
    /// `[]byte`.
    Bytes(Vec<u8>),
    /// `vm.Address`.
    Address(Address),
    /// `vm.ObjectID`.
    ObjectId(ObjectId),
    /// `vm.Hash`.
    Hash(Hash),
    /// `vm.Uint256`.
    U256(U256),
    /// A fixed array or a slice.
    List(Vec<Value>),
    /// A map, as (key, value) pairs in strictly increasing key order.
    Map(Vec<(Value, Value)>),
    /// A struct: its fields by Go name, in declaration order.
    Struct(Vec<(String, Value)>),
}

impl Value {
    /// The basic type of this value, if it is not composite (the 64-bit form for
    /// `int`/`uint`).
    pub fn basic_type(&self) -> Option<Type> {
        Some(match self {
            Value::Bool(_) => Type::Bool,
            Value::U8(_) => Type::U8,
            Value::U16(_) => Type::U16,
            Value::U32(_) => Type::U32,
            Value::U64(_) => Type::U64,
            Value::I8(_) => Type::I8,
            Value::I16(_) => Type::I16,
            Value::I32(_) => Type::I32,
            Value::I64(_) => Type::I64,
            Value::String(_) => Type::String,
            Value::Bytes(_) => Type::Bytes,
            Value::Address(_) => Type::Address,
            Value::ObjectId(_) => Type::ObjectId,
            Value::Hash(_) => Type::Hash,
            Value::U256(_) => Type::U256,
            Value::List(_) | Value::Map(_) | Value::Struct(_) => return None,
        })
    }

    /// What kind of value this is, for error messages: the Go type for basic values,
    /// else `list`, `map` or `struct`.
    pub fn kind(&self) -> String {
        match (self.basic_type(), self) {
            (Some(t), _) => t.to_string(),
            (None, Value::List(_)) => "list".into(),
            (None, Value::Map(_)) => "map".into(),
            _ => "struct".into(),
        }
    }

    /// The JSON form: integers as numbers (`vm.Uint256` as a decimal string), `[]byte` and the fixed-size identifiers as
    /// `0x`-hex, lists as arrays, structs as objects keyed by Go field names, maps as objects
    /// keyed by the keys' text forms.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Bool(v) => J::Bool(*v),
            Value::U8(v) => J::from(*v),
            Value::U16(v) => J::from(*v),
            Value::U32(v) => J::from(*v),
            Value::U64(v) => J::from(*v),
            Value::I8(v) => J::from(*v),
            Value::I16(v) => J::from(*v),
            Value::I32(v) => J::from(*v),
            Value::I64(v) => J::from(*v),
            Value::String(v) => J::String(v.clone()),
            Value::Bytes(v) => J::String(format!("0x{}", hex::encode(v))),
            Value::Address(v) => J::String(v.to_string()),
            Value::ObjectId(v) => J::String(v.to_string()),
            Value::Hash(v) => J::String(v.to_string()),
            Value::U256(v) => J::String(v.to_string()),
            Value::List(items) => J::Array(items.iter().map(Value::to_json).collect()),
            Value::Map(pairs) => J::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.key_text(), v.to_json()))
                    .collect(),
            ),
            Value::Struct(fields) => J::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// This value's decoded size by the rule of docs/abi.md §1 (40 per value, 24 and the
    /// length of every struct field name, the length of every string and `[]byte`): about the
    /// bytes it takes in memory, what the host and a block bound the events they keep by.
    pub fn decoded_size(&self) -> u64 {
        decoded_size(self)
    }

    /// The length of this value's JSON text (`to_json().to_string()`, compact), worked out
    /// without building it, in time linear in the value: what a caller that bounds what it
    /// renders checks first. (When a struct names a field twice, which no validated ABI does,
    /// the text is shorter.)
    pub fn json_len(&self) -> usize {
        let sum = |lens: &mut dyn Iterator<Item = usize>| {
            let mut n = 0usize;
            let mut total = 2usize;
            for len in lens {
                total = total.saturating_add(len);
                n += 1;
            }
            // The commas between the items.
            total.saturating_add(n.saturating_sub(1))
        };
        match self {
            Value::Bool(true) => 4,
            Value::Bool(false) => 5,
            Value::U8(v) => digits(u64::from(*v)),
            Value::U16(v) => digits(u64::from(*v)),
            Value::U32(v) => digits(u64::from(*v)),
            Value::U64(v) => digits(*v),
            Value::I8(v) => signed_digits(i64::from(*v)),
            Value::I16(v) => signed_digits(i64::from(*v)),
            Value::I32(v) => signed_digits(i64::from(*v)),
            Value::I64(v) => signed_digits(*v),
            Value::String(v) => json_str_len(v),
            // `"0x…"`.
            Value::Bytes(v) => v.len().saturating_mul(2).saturating_add(4),
            Value::Address(_) => 2 + 2 + 40,
            Value::ObjectId(_) | Value::Hash(_) => 2 + 2 + 64,
            Value::U256(v) => 2 + v.to_string().len(),
            Value::List(items) => sum(&mut items.iter().map(Value::json_len)),
            // `"key":value`: keys that are not strings in JSON are quoted.
            Value::Map(pairs) => sum(&mut pairs.iter().map(|(k, v)| {
                let key = match k {
                    Value::Bool(_)
                    | Value::U8(_)
                    | Value::U16(_)
                    | Value::U32(_)
                    | Value::U64(_)
                    | Value::I8(_)
                    | Value::I16(_)
                    | Value::I32(_)
                    | Value::I64(_) => k.json_len() + 2,
                    _ => k.json_len(),
                };
                key.saturating_add(1).saturating_add(v.json_len())
            })),
            Value::Struct(fields) => sum(&mut fields.iter().map(|(name, v)| {
                json_str_len(name)
                    .saturating_add(1)
                    .saturating_add(v.json_len())
            })),
        }
    }

    /// The text form of a map key (JSON object keys are strings).
    pub(crate) fn key_text(&self) -> String {
        match self.to_json() {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        }
    }

    /// The natural order of map keys: numbers by value, `false` before `true`, strings and
    /// identifiers byte-wise. `None` for values that cannot be keys or of different types.
    pub fn key_cmp(&self, other: &Value) -> Option<Ordering> {
        Some(match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::U8(a), Value::U8(b)) => a.cmp(b),
            (Value::U16(a), Value::U16(b)) => a.cmp(b),
            (Value::U32(a), Value::U32(b)) => a.cmp(b),
            (Value::U64(a), Value::U64(b)) => a.cmp(b),
            (Value::I8(a), Value::I8(b)) => a.cmp(b),
            (Value::I16(a), Value::I16(b)) => a.cmp(b),
            (Value::I32(a), Value::I32(b)) => a.cmp(b),
            (Value::I64(a), Value::I64(b)) => a.cmp(b),
            (Value::String(a), Value::String(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Value::Address(a), Value::Address(b)) => a.cmp(b),
            (Value::ObjectId(a), Value::ObjectId(b)) => a.cmp(b),
            (Value::Hash(a), Value::Hash(b)) => a.cmp(b),
            (Value::U256(a), Value::U256(b)) => a.cmp(b),
            _ => return None,
        })
    }
}

/// The number of decimal digits of `v`.
fn digits(v: u64) -> usize {
    v.checked_ilog10().map_or(1, |log| log as usize + 1)
}

fn signed_digits(v: i64) -> usize {
    usize::from(v < 0) + digits(v.unsigned_abs())
}

/// The length of `s` as a JSON string: quoted, with `"`, `\` and control characters
/// escaped as serde_json escapes them (`\n` and the like, else `\u00XX`).
fn json_str_len(s: &str) -> usize {
    s.bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .fold(2, usize::saturating_add)
}

impl fmt::Display for Value {
    /// The JSON form (see [`Value::to_json`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

macro_rules! value_conversions {
    ($($rust:ty => $variant:ident),* $(,)?) => {$(
        impl From<$rust> for Value {
            fn from(v: $rust) -> Self {
                Value::$variant(v)
            }
        }

        impl FromValue for $rust {
            fn from_value(value: &Value) -> Result<Self> {
                match value {
                    Value::$variant(v) => Ok(v.clone()),
                    other => Err(Error::TypeMismatch {
                        what: "value".into(),
                        expected: stringify!($rust).into(),
                        got: other.kind(),
                    }),
                }
            }
        }
    )*};
}

/// Rust types a [`Value`] can be read back into.
pub trait FromValue: Sized {
    /// Converts, failing when the value has another type.
    fn from_value(value: &Value) -> Result<Self>;
}

value_conversions! {
    bool => Bool, u8 => U8, u16 => U16, u32 => U32, u64 => U64,
    i8 => I8, i16 => I16, i32 => I32, i64 => I64,
    String => String, Vec<u8> => Bytes,
    Address => Address, ObjectId => ObjectId, Hash => Hash, U256 => U256,
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_owned())
    }
}

impl Value {
    /// A list (fixed array or slice) of values.
    pub fn list<T: Into<Value>>(items: impl IntoIterator<Item = T>) -> Value {
        Value::List(items.into_iter().map(Into::into).collect())
    }
}

/// What every decoded value is deemed to take, whatever its type: about a
/// [`Value`](crate::Value) on a 64-bit host. Part of the decoded size (docs/abi.md §1).
pub(crate) const VALUE_SIZE: u64 = 40;

/// What every copied name (a struct field's, an event field's key) is deemed to take besides
/// its bytes: about a `String`.
pub(crate) const NAME_SIZE: u64 = 24;

/// The decoded size of `value` by the rule of docs/abi.md §1, worked out from the value:
/// the oracle the walks are held to.
pub(crate) fn decoded_size(value: &Value) -> u64 {
    VALUE_SIZE
        + match value {
            Value::String(s) => s.len() as u64,
            Value::Bytes(b) => b.len() as u64,
            Value::List(items) => items.iter().map(decoded_size).sum(),
            Value::Map(pairs) => pairs
                .iter()
                .map(|(k, v)| decoded_size(k) + decoded_size(v))
                .sum(),
            Value::Struct(fields) => fields
                .iter()
                .map(|(name, v)| NAME_SIZE + name.len() as u64 + decoded_size(v))
                .sum(),
            _ => 0,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategies::arb_typed;
    use proptest::prelude::*;

    #[test]
    fn json_len_counts_escapes_signs_and_quoted_keys() {
        let cases = [
            Value::String("a\"b\\c\n\t\u{1}\u{7f}é".into()),
            Value::I64(i64::MIN),
            Value::U64(u64::MAX),
            Value::I8(-1),
            Value::U8(0),
            Value::U256(U256::MAX),
            Value::Bytes(vec![]),
            Value::List(vec![]),
            Value::Map(vec![
                (Value::I32(-3), Value::Bool(false)),
                (Value::I32(10), Value::Bool(true)),
            ]),
            Value::Map(vec![(
                Value::String("k\u{0}".into()),
                Value::list([1u8, 2]),
            )]),
            Value::Struct(vec![("X".into(), Value::Map(vec![]))]),
        ];
        for v in cases {
            assert_eq!(v.json_len(), v.to_json().to_string().len(), "{v}");
        }
    }

    proptest! {
        #[test]
        fn json_len_is_the_length_of_the_json_text((_ty, value) in arb_typed()) {
            prop_assert_eq!(value.json_len(), value.to_json().to_string().len());
        }
    }
}

//! Values and their SCALE encoding, driven by the ABI's types.

use std::fmt;

use parity_scale_codec::{Compact, Decode, Encode};

use crate::error::{Error, Result};
use crate::model::Type;
use crate::types::{Address, Hash, ObjectId};

/// A value that crosses the contract boundary.
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
}

impl Value {
    /// The type of this value (the 64-bit form for `int`/`uint`).
    pub fn ty(&self) -> Type {
        match self {
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
        }
    }

    /// Whether this value may be passed where `ty` is expected.
    pub fn fits(&self, ty: Type) -> bool {
        match ty {
            Type::Uint => matches!(self, Value::U64(_)),
            Type::Int => matches!(self, Value::I64(_)),
            other => self.ty() == other,
        }
    }

    /// Appends the SCALE encoding (no type tag).
    pub fn encode_to(&self, out: &mut Vec<u8>) {
        match self {
            Value::Bool(v) => v.encode_to(out),
            Value::U8(v) => v.encode_to(out),
            Value::U16(v) => v.encode_to(out),
            Value::U32(v) => v.encode_to(out),
            Value::U64(v) => v.encode_to(out),
            Value::I8(v) => v.encode_to(out),
            Value::I16(v) => v.encode_to(out),
            Value::I32(v) => v.encode_to(out),
            Value::I64(v) => v.encode_to(out),
            Value::String(v) => v.encode_to(out),
            Value::Bytes(v) => v.encode_to(out),
            Value::Address(v) => v.encode_to(out),
            Value::ObjectId(v) => v.encode_to(out),
            Value::Hash(v) => v.encode_to(out),
        }
    }

    /// Decodes one value of type `ty` from the front of `input`, advancing it.
    pub fn decode_from(ty: Type, input: &mut &[u8]) -> Result<Value, parity_scale_codec::Error> {
        Ok(match ty {
            Type::Bool => Value::Bool(bool::decode(input)?),
            Type::U8 => Value::U8(u8::decode(input)?),
            Type::U16 => Value::U16(u16::decode(input)?),
            Type::U32 => Value::U32(u32::decode(input)?),
            Type::U64 | Type::Uint => Value::U64(u64::decode(input)?),
            Type::I8 => Value::I8(i8::decode(input)?),
            Type::I16 => Value::I16(i16::decode(input)?),
            Type::I32 => Value::I32(i32::decode(input)?),
            Type::I64 | Type::Int => Value::I64(i64::decode(input)?),
            Type::String => Value::String(String::decode(input)?),
            Type::Bytes => Value::Bytes(Vec::<u8>::decode(input)?),
            Type::Address => Value::Address(Address::decode(input)?),
            Type::ObjectId => Value::ObjectId(ObjectId::decode(input)?),
            Type::Hash => Value::Hash(Hash::decode(input)?),
        })
    }

    /// The tagged form used for object fields and event fields: the type's tag byte, then the
    /// SCALE encoding.
    pub fn encode_tagged(&self) -> Vec<u8> {
        let mut out = vec![self.ty().tag()];
        self.encode_to(&mut out);
        out
    }

    /// Decodes a whole tagged value; trailing bytes are an error.
    pub fn decode_tagged(bytes: &[u8]) -> Result<Value> {
        let mut input = bytes;
        let value = decode_tagged_from(&mut input).map_err(|reason| Error::Decode {
            what: "tagged value".into(),
            reason,
        })?;
        finish(input, "tagged value")?;
        Ok(value)
    }
}

fn decode_tagged_from(input: &mut &[u8]) -> Result<Value, String> {
    let (&tag, rest) = input.split_first().ok_or("missing type tag")?;
    *input = rest;
    let ty = Type::from_tag(tag).ok_or_else(|| format!("unknown type tag 0x{tag:02x}"))?;
    Value::decode_from(ty, input).map_err(|e| format!("{ty}: {e}"))
}

fn finish(rest: &[u8], what: &str) -> Result<()> {
    if rest.is_empty() {
        Ok(())
    } else {
        Err(Error::Decode {
            what: what.into(),
            reason: format!("{} trailing bytes", rest.len()),
        })
    }
}

/// Encodes a list of values after checking them against `types`: the argument or result
/// tuple of an entry point is the concatenation of each value's SCALE encoding.
pub fn encode_values(what: &str, types: &[Type], values: &[Value]) -> Result<Vec<u8>> {
    if types.len() != values.len() {
        return Err(Error::Arity {
            what: what.into(),
            expected: types.len(),
            got: values.len(),
        });
    }
    let mut out = Vec::new();
    for (i, (ty, value)) in types.iter().zip(values).enumerate() {
        if !value.fits(*ty) {
            return Err(Error::TypeMismatch {
                what: format!("{what} {}", i + 1),
                expected: ty.to_string(),
                got: value.ty().to_string(),
            });
        }
        value.encode_to(&mut out);
    }
    Ok(out)
}

/// Decodes a tuple of `types` that must fill `bytes` exactly.
pub fn decode_values(what: &str, types: &[Type], bytes: &[u8]) -> Result<Vec<Value>> {
    let mut input = bytes;
    let mut out = Vec::with_capacity(types.len());
    for (i, ty) in types.iter().enumerate() {
        let value = Value::decode_from(*ty, &mut input).map_err(|e| Error::Decode {
            what: format!("{what} {} ({ty})", i + 1),
            reason: e.to_string(),
        })?;
        out.push(value);
    }
    finish(input, what)?;
    Ok(out)
}

/// The fields of an event, as the SDK encodes them: a compact count, then for each field
/// its key (a SCALE string) and its tagged value.
pub fn decode_event_fields(bytes: &[u8]) -> Result<Vec<(String, Value)>> {
    let err = |reason: String| Error::Decode {
        what: "event fields".into(),
        reason,
    };
    let mut input = bytes;
    let count = Compact::<u32>::decode(&mut input)
        .map_err(|e| err(e.to_string()))?
        .0;
    // Each field takes at least two bytes, so a count beyond that is a lie: refuse it
    // before allocating.
    if count as usize > input.len() / 2 {
        return Err(err(format!(
            "{count} fields cannot fit in {} bytes",
            input.len()
        )));
    }
    let mut fields = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let key = String::decode(&mut input).map_err(|e| err(format!("key: {e}")))?;
        let value =
            decode_tagged_from(&mut input).map_err(|e| err(format!("field {key:?}: {e}")))?;
        fields.push((key, value));
    }
    finish(input, "event fields")?;
    Ok(fields)
}

/// Encodes event fields in the SDK's layout (see [`decode_event_fields`]).
pub fn encode_event_fields(fields: &[(String, Value)]) -> Vec<u8> {
    let mut out = Vec::new();
    Compact(fields.len() as u32).encode_to(&mut out);
    for (key, value) in fields {
        key.encode_to(&mut out);
        out.extend(value.encode_tagged());
    }
    out
}

impl fmt::Display for Value {
    /// The JSON form: numbers as numbers, strings quoted, bytes and identifiers as `0x`-hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(v) => write!(f, "{v}"),
            Value::U8(v) => write!(f, "{v}"),
            Value::U16(v) => write!(f, "{v}"),
            Value::U32(v) => write!(f, "{v}"),
            Value::U64(v) => write!(f, "{v}"),
            Value::I8(v) => write!(f, "{v}"),
            Value::I16(v) => write!(f, "{v}"),
            Value::I32(v) => write!(f, "{v}"),
            Value::I64(v) => write!(f, "{v}"),
            Value::String(v) => write!(f, "{}", serde_json::Value::String(v.clone())),
            Value::Bytes(v) => write!(f, "\"0x{}\"", hex::encode(v)),
            Value::Address(v) => write!(f, "\"{v}\""),
            Value::ObjectId(v) => write!(f, "\"{v}\""),
            Value::Hash(v) => write!(f, "\"{v}\""),
        }
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
                        got: other.ty().to_string(),
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
    Address => Address, ObjectId => ObjectId, Hash => Hash,
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<bool>().prop_map(Value::Bool),
            any::<u8>().prop_map(Value::U8),
            any::<u16>().prop_map(Value::U16),
            any::<u32>().prop_map(Value::U32),
            any::<u64>().prop_map(Value::U64),
            any::<i8>().prop_map(Value::I8),
            any::<i16>().prop_map(Value::I16),
            any::<i32>().prop_map(Value::I32),
            any::<i64>().prop_map(Value::I64),
            ".{0,40}".prop_map(Value::String),
            proptest::collection::vec(any::<u8>(), 0..80).prop_map(Value::Bytes),
            any::<[u8; 20]>().prop_map(|b| Value::Address(Address(b))),
            any::<[u8; 32]>().prop_map(|b| Value::ObjectId(ObjectId(b))),
            any::<[u8; 32]>().prop_map(|b| Value::Hash(Hash(b))),
        ]
    }

    #[test]
    fn known_layouts() {
        let enc = |v: Value| {
            let mut out = Vec::new();
            v.encode_to(&mut out);
            out
        };
        assert_eq!(enc(Value::U64(1_000_000)), 1_000_000u64.to_le_bytes());
        assert_eq!(enc(Value::I16(-2)), [0xfe, 0xff]);
        assert_eq!(enc(Value::Bool(true)), [1]);
        assert_eq!(enc(Value::String("hi".into())), [8, b'h', b'i']);
        assert_eq!(enc(Value::Address(Address([7; 20]))), [7; 20]);
        assert_eq!(
            Value::U64(5).encode_tagged(),
            [0x05, 5, 0, 0, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn decode_rejects_trailing_bytes_and_bad_utf8() {
        assert!(decode_values("result", &[Type::U8], &[1, 2]).is_err());
        assert!(decode_values("result", &[Type::String], &[4, 0xff]).is_err());
        assert!(decode_values("result", &[Type::Bool], &[2]).is_err());
        assert!(Value::decode_tagged(&[0x05, 1, 2]).is_err());
        assert!(Value::decode_tagged(&[0x7f]).is_err());
    }

    #[test]
    fn encode_checks_types_and_arity_with_positions() {
        let types = [Type::Address, Type::U64];
        let err = encode_values(
            "argument",
            &types,
            &[Value::Address(Address::ZERO), "x".into()],
        );
        assert_eq!(
            err.err().map(|e| e.to_string()).as_deref(),
            Some("argument 2: expected uint64, got string")
        );
        assert!(encode_values("argument", &types, &[]).is_err());
        assert!(encode_values("argument", &[Type::Uint], &[Value::U64(3)]).is_ok());
    }

    #[test]
    fn event_fields_refuse_impossible_counts() {
        // A compact count of 2^30 with no field data behind it.
        assert!(decode_event_fields(&[0x03, 0, 0, 0, 0x40]).is_err());
    }

    proptest! {
        #[test]
        fn values_round_trip(values in proptest::collection::vec(arb_value(), 0..6)) {
            let types: Vec<Type> = values.iter().map(Value::ty).collect();
            let bytes = encode_values("argument", &types, &values)?;
            prop_assert_eq!(decode_values("argument", &types, &bytes)?, values.clone());
            let fields: Vec<(String, Value)> =
                values.iter().enumerate().map(|(i, v)| (format!("k{i}"), v.clone())).collect();
            prop_assert_eq!(decode_event_fields(&encode_event_fields(&fields))?, fields);
        }

        #[test]
        fn decoding_arbitrary_bytes_never_panics(
            bytes in proptest::collection::vec(any::<u8>(), 0..64),
            tag in 0usize..16,
        ) {
            let _ = decode_values("x", &[Type::ALL[tag], Type::String], &bytes);
            let _ = Value::decode_tagged(&bytes);
            let _ = decode_event_fields(&bytes);
        }
    }
}

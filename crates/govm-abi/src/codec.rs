//! SCALE encoding of values, driven by their types; the decoder is `decode.rs`.

use parity_scale_codec::{Compact, Encode};

use crate::error::{Error, Result};
use crate::model::{StructDef, Type};
use crate::value::Value;

/// Encodes and decodes values of the types of one contract (whose structs it knows).
#[derive(Clone, Copy, Debug)]
pub struct Codec<'a> {
    structs: &'a [StructDef],
}

impl Codec<'static> {
    /// A codec for basic and composite types without structs.
    pub fn basic() -> Self {
        Codec { structs: &[] }
    }
}

impl<'a> Codec<'a> {
    /// A codec that resolves struct names against `structs`.
    pub fn new(structs: &'a [StructDef]) -> Self {
        Self { structs }
    }

    /// The structs this codec resolves.
    pub fn structs(&self) -> &'a [StructDef] {
        self.structs
    }

    fn struct_def(&self, name: &str) -> Result<&'a StructDef, String> {
        self.structs
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| format!("unknown struct `{name}`"))
    }

    /// Appends the SCALE encoding of `value` as a `ty`, checking that it fits. `path` names
    /// the value in errors (`argument 2 "amount"`).
    pub fn encode(&self, ty: &Type, value: &Value, out: &mut Vec<u8>, path: &str) -> Result<()> {
        self.encode_at(ty, value, out, &|| path.to_owned())
    }

    /// Appends a fixed-size basic value of its own type, inline; false (nothing written)
    /// for anything else, which [`Codec::encode_at`] then encodes or refuses. The one place
    /// basic values are encoded.
    #[inline]
    pub(crate) fn encode_basic(ty: &Type, value: &Value, out: &mut Vec<u8>) -> bool {
        match (ty, value) {
            (Type::Bool, Value::Bool(v)) => out.push(u8::from(*v)),
            (Type::U8, Value::U8(v)) => out.push(*v),
            (Type::I8, Value::I8(v)) => out.extend_from_slice(&v.to_le_bytes()),
            (Type::U16, Value::U16(v)) => out.extend_from_slice(&v.to_le_bytes()),
            (Type::I16, Value::I16(v)) => out.extend_from_slice(&v.to_le_bytes()),
            (Type::U32, Value::U32(v)) => out.extend_from_slice(&v.to_le_bytes()),
            (Type::I32, Value::I32(v)) => out.extend_from_slice(&v.to_le_bytes()),
            (Type::U64 | Type::Uint, Value::U64(v)) => out.extend_from_slice(&v.to_le_bytes()),
            (Type::I64 | Type::Int, Value::I64(v)) => out.extend_from_slice(&v.to_le_bytes()),
            (Type::Address, Value::Address(v)) => out.extend_from_slice(&v.0),
            (Type::ObjectId, Value::ObjectId(v)) => out.extend_from_slice(&v.0),
            (Type::Hash, Value::Hash(v)) => out.extend_from_slice(&v.0),
            (Type::U256, Value::U256(v)) => out.extend_from_slice(&v.to_le_bytes::<32>()),
            _ => return false,
        }
        true
    }

    /// [`Codec::encode`] with the path made only when an error needs it: a well-typed value
    /// formats nothing.
    pub(crate) fn encode_at(
        &self,
        ty: &Type,
        value: &Value,
        out: &mut Vec<u8>,
        path: &dyn Fn() -> String,
    ) -> Result<()> {
        let mismatch = || Error::TypeMismatch {
            what: path(),
            expected: ty.to_string(),
            got: value.kind(),
        };
        if Self::encode_basic(ty, value, out) {
            return Ok(());
        }
        match (ty, value) {
            (Type::String, Value::String(v)) => v.encode_to(out),
            (Type::Bytes, Value::Bytes(v)) => v.encode_to(out),
            (Type::Array(n, elem), Value::List(items)) => {
                if items.len() != *n as usize {
                    return Err(Error::TypeMismatch {
                        what: path(),
                        expected: ty.to_string(),
                        got: format!("a list of {} elements", items.len()),
                    });
                }
                for (i, item) in items.iter().enumerate() {
                    self.encode_at(elem, item, out, &|| format!("{}[{i}]", path()))?;
                }
            }
            (Type::Slice(elem), Value::List(items)) => {
                Compact(items.len() as u64).encode_to(out);
                for (i, item) in items.iter().enumerate() {
                    self.encode_at(elem, item, out, &|| format!("{}[{i}]", path()))?;
                }
            }
            (Type::Map(kt, vt), Value::Map(pairs)) => {
                let mut sorted: Vec<&(Value, Value)> = pairs.iter().collect();
                let mut bad_key = None;
                sorted.sort_by(|a, b| {
                    a.0.key_cmp(&b.0).unwrap_or_else(|| {
                        bad_key = Some(a.0.kind());
                        std::cmp::Ordering::Equal
                    })
                });
                if let Some(kind) = bad_key {
                    return Err(Error::TypeMismatch {
                        what: format!("{} key", path()),
                        expected: kt.to_string(),
                        got: kind,
                    });
                }
                if let Some(w) = sorted
                    .windows(2)
                    .find(|w| w[0].0.key_cmp(&w[1].0) == Some(std::cmp::Ordering::Equal))
                {
                    return Err(Error::TypeMismatch {
                        what: path(),
                        expected: "distinct keys".into(),
                        got: format!("key {} twice", w[0].0),
                    });
                }
                Compact(sorted.len() as u64).encode_to(out);
                for (k, v) in sorted {
                    let key_path = || format!("{}[{k}]", path());
                    self.encode_at(kt, k, out, &|| format!("{} key", key_path()))?;
                    self.encode_at(vt, v, out, &key_path)?;
                }
            }
            (Type::Struct(name), Value::Struct(fields)) => {
                let def = self.struct_def(name).map_err(|reason| Error::Decode {
                    what: path(),
                    reason,
                })?;
                let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
                let expected: Vec<&str> = def.fields.iter().map(|f| f.name.as_str()).collect();
                if names != expected {
                    return Err(Error::TypeMismatch {
                        what: path(),
                        expected: format!("{name} {{{}}}", expected.join(", ")),
                        got: format!("fields {{{}}}", names.join(", ")),
                    });
                }
                for (field, (fname, fvalue)) in def.fields.iter().zip(fields) {
                    self.encode_at(&field.ty, fvalue, out, &|| format!("{}.{fname}", path()))?;
                }
            }
            _ => return Err(mismatch()),
        }
        Ok(())
    }

    /// What an encoder reserves up front for a tuple of `types`: the size of the fixed-size
    /// basic values, one byte for anything else. Never walks into structs (whose nesting a
    /// hostile contract chooses): a reservation, not a bound.
    pub(crate) fn reserve_for<'t>(types: impl IntoIterator<Item = &'t Type>) -> usize {
        types
            .into_iter()
            .map(|t| t.basic_size().unwrap_or(1))
            .fold(0, usize::saturating_add)
    }
    /// Encodes a list of values after checking them against `types`: an argument or result
    /// tuple is the concatenation of each value's SCALE encoding. `what` names the list in
    /// errors (`argument` gives `argument 2: ...`).
    pub fn encode_values(&self, what: &str, types: &[Type], values: &[Value]) -> Result<Vec<u8>> {
        if types.len() != values.len() {
            return Err(Error::Arity {
                what: what.into(),
                expected: types.len(),
                got: values.len(),
            });
        }
        let mut out = Vec::with_capacity(Self::reserve_for(types));
        for (i, (ty, value)) in types.iter().zip(values).enumerate() {
            self.encode_at(ty, value, &mut out, &|| format!("{what} {}", i + 1))?;
        }
        Ok(out)
    }
}

/// Refuses `rest`, what is left after decoding `what`, unless it is empty.
pub(crate) fn finish(rest: &[u8], what: &str) -> Result<()> {
    if rest.is_empty() {
        Ok(())
    } else {
        Err(Error::Decode {
            what: what.into(),
            reason: format!("{} trailing bytes", rest.len()),
        })
    }
}

/// Encodes a tuple of values of struct-free types (see [`Codec::encode_values`]).
pub fn encode_values(what: &str, types: &[Type], values: &[Value]) -> Result<Vec<u8>> {
    Codec::basic().encode_values(what, types, values)
}

/// Decodes a tuple of struct-free types (see [`Codec::decode_values`]).
pub fn decode_values(what: &str, types: &[Type], bytes: &[u8]) -> Result<Vec<Value>> {
    Codec::basic().decode_values(what, types, bytes)
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Param;
    use crate::strategies::{arb_type, arb_typed, structs};
    use crate::types::Address;
    use crate::value::U256;
    use proptest::prelude::*;

    /// Encoding arguments never walks a struct's fields before it meets a value: structs
    /// that fan out 8 ways over 16 levels (8^16 paths) give an immediate type error.
    #[test]
    fn a_wide_deep_struct_costs_nothing_to_refuse() {
        let mut structs = vec![StructDef {
            name: "S0".into(),
            fields: vec![Param {
                name: "V".into(),
                ty: Type::U64,
            }],
        }];
        for level in 1..16 {
            structs.push(StructDef {
                name: format!("S{level}"),
                fields: (0..8)
                    .map(|i| Param {
                        name: format!("F{i}"),
                        ty: Type::Struct(format!("S{}", level - 1)),
                    })
                    .collect(),
            });
        }
        let mut abi = crate::ContractAbi::new(
            "wide",
            vec![crate::Function {
                name: "Take".into(),
                context: false,
                params: vec![Param {
                    name: "s".into(),
                    ty: Type::Struct("S15".into()),
                }],
                results: vec![],
                error: false,
            }],
        );
        abi.structs = structs;
        let err = abi
            .encode_args(&abi.functions[0], &[Value::U64(1)])
            .expect_err("a number is not a struct");
        assert!(err.to_string().contains("S15"), "{err}");
        // Decoding a slice of them sizes each struct once: a length the input cannot hold is
        // refused at once.
        let slice = Type::Slice(Box::new(Type::Struct("S15".into())));
        let err = Codec::new(&abi.structs)
            .decode(&slice, &mut &[4u8, 0, 0][..])
            .expect_err("four elements of 8^15 bytes each are not in two bytes");
        assert!(err.contains("exceeds"), "{err}");
        assert_eq!(
            Type::Struct("S15".into()).min_size(&abi.structs),
            8usize.pow(15) * 8
        );
    }

    /// `vm.Uint256`: 32 bytes little endian; JSON a decimal string, or a number that fits.
    #[test]
    fn uint256_forms() {
        let codec = Codec::new(&[]);
        let ty = Type::parse("vm.Uint256").unwrap();
        let big: U256 = U256::from(1u8) << 200usize;
        let mut out = Vec::new();
        codec
            .encode(&ty, &Value::U256(U256::from(258u16)), &mut out, "x")
            .unwrap();
        assert_eq!(out[..3], [2, 1, 0]);
        assert_eq!(out.len(), 32);
        let text = big.to_string();
        assert_eq!(Value::U256(big).to_json(), serde_json::json!(text));
        let read = |j: serde_json::Value| -> std::result::Result<Value, String> {
            codec
                .from_json(&ty, &j, "amount")
                .map_err(|e| e.to_string())
        };
        assert_eq!(read(serde_json::json!(text)), Ok(Value::U256(big)));
        assert_eq!(read(serde_json::json!(7)), Ok(Value::U256(U256::from(7u8))));
        for (bad, why) in [
            (serde_json::json!(-1), "number -1 (not a whole number"),
            (serde_json::json!(1.5), "number 1.5 (not a whole number"),
            (
                serde_json::json!("0x10"),
                "string \"0x10\" (not a decimal number)",
            ),
            (
                serde_json::json!("-1"),
                "string \"-1\" (not a decimal number)",
            ),
            (serde_json::json!("1".repeat(78) + "0"), "out of range"),
            (serde_json::json!(true), "got boolean"),
        ] {
            let err = read(bad.clone()).expect_err("accepted");
            assert!(err.contains(why), "{bad}: {err}");
        }
        assert_eq!(Type::U256.tag(), 0x10);
        assert_eq!(Type::from_tag(0x10), Some(Type::U256));
    }

    #[test]
    fn known_layouts() {
        let enc = |ty: &str, v: Value| {
            let mut out = Vec::new();
            Codec::new(&structs())
                .encode(&Type::parse(ty).unwrap(), &v, &mut out, "x")
                .unwrap();
            out
        };
        assert_eq!(
            enc("uint64", Value::U64(1_000_000)),
            1_000_000u64.to_le_bytes()
        );
        assert_eq!(enc("int16", Value::I16(-2)), [0xfe, 0xff]);
        assert_eq!(enc("bool", Value::Bool(true)), [1]);
        assert_eq!(enc("string", "hi".into()), [8, b'h', b'i']);
        assert_eq!(enc("vm.Address", Value::Address(Address([7; 20]))), [7; 20]);
        assert_eq!(enc("[2]uint16", Value::list([1u16, 2])), [1, 0, 2, 0]);
        assert_eq!(enc("[]uint16", Value::list([1u16, 2])), [8, 1, 0, 2, 0]);
        let map = Value::Map(vec![
            (Value::U8(2), Value::Bool(true)),
            (Value::U8(1), Value::Bool(false)),
        ]);
        assert_eq!(enc("map[uint8]bool", map), [8, 1, 0, 2, 1]);
        let point = Value::Struct(vec![
            ("X".into(), Value::I64(1)),
            ("Y".into(), Value::I64(-1)),
        ]);
        let mut expected = 1i64.to_le_bytes().to_vec();
        expected.extend((-1i64).to_le_bytes());
        assert_eq!(enc("Point", point), expected);
        let tagged = Codec::basic()
            .encode_tagged(&Type::U64, &Value::U64(5))
            .unwrap();
        assert_eq!(tagged, [0x05, 5, 0, 0, 0, 0, 0, 0, 0]);
        let composite = Codec::basic()
            .encode_tagged(&Type::parse("[]bool").unwrap(), &Value::list([true]))
            .unwrap();
        assert_eq!(
            composite,
            [0x0f, 24, b'[', b']', b'b', b'o', b'o', b'l', 4, 1]
        );
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
        let codec = Codec::new(&[]);
        let nested = Type::parse("[][2]string").unwrap();
        let bad = Value::List(vec![
            Value::list(["a", "b"]),
            Value::List(vec!["c".into(), Value::U8(1)]),
        ]);
        let err = codec
            .encode_values("argument", &[nested], &[bad])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "argument 1[1][1]: expected string, got uint8"
        );
        let dup = Value::Map(vec![
            (Value::U8(1), Value::Bool(true)),
            (Value::U8(1), Value::Bool(false)),
        ]);
        assert!(
            codec
                .encode_values("a", &[Type::parse("map[uint8]bool").unwrap()], &[dup])
                .is_err()
        );
    }
    proptest! {
        #[test]
        fn values_of_every_type_round_trip((ty, value) in arb_typed()) {
            let structs = structs();
            let codec = Codec::new(&structs);
            let bytes = codec.encode_values("argument", std::slice::from_ref(&ty), std::slice::from_ref(&value))?;
            prop_assert_eq!(codec.decode_values("argument", std::slice::from_ref(&ty), &bytes)?, vec![value.clone()]);
            let tagged = codec.encode_tagged(&ty, &value)?;
            prop_assert_eq!(codec.decode_tagged(&tagged)?.1, value.clone());
            let fields = codec.encode_event_fields(&[("k".into(), ty.clone(), value.clone())])?;
            prop_assert_eq!(codec.decode_event_fields(&fields)?, vec![("k".to_owned(), value.clone())]);
            let json = value.to_json();
            prop_assert_eq!(codec.from_json(&ty, &json, "v")?, value);
            // Any strict prefix fails to decode (no type has an empty encoding).
            if !bytes.is_empty() {
                prop_assert!(codec.decode_values("argument", std::slice::from_ref(&ty), &bytes[..bytes.len() - 1]).is_err());
            }
        }

        #[test]
        fn decoding_arbitrary_bytes_never_panics(
            ty in arb_type(),
            bytes in proptest::collection::vec(any::<u8>(), 0..96),
        ) {
            let structs = structs();
            let codec = Codec::new(&structs);
            if let Ok(values) = codec.decode_values("x", std::slice::from_ref(&ty), &bytes) {
                // Whatever decodes re-encodes to the same bytes: the encoding is canonical.
                prop_assert_eq!(codec.encode_values("x", std::slice::from_ref(&ty), &values)?, bytes.clone());
            }
            let _ = codec.decode_tagged(&bytes);
            let _ = codec.decode_event_fields(&bytes);
        }
    }
}

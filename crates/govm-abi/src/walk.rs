//! What one decode walk carries: the decoded size it may still build, by the rule and the
//! limit of docs/abi.md §1 ("Decoded size"), and the struct lookups and sizes it has already
//! worked out.

use std::collections::HashMap;

use crate::codec::Codec;
use crate::error::Error;
use crate::model::{StructDef, Type};
pub(crate) use crate::value::{NAME_SIZE, VALUE_SIZE};

/// The decoded size an input may reach per byte of its length ...
pub(crate) const DECODED_SIZE_PER_BYTE: u64 = 256;

/// ... plus this much, so that small inputs of any shape decode.
pub(crate) const DECODED_SIZE_ALLOWANCE: u64 = 4096;

/// The largest decoded size an input of `len` bytes may have: `256 × len + 4096`. Decoding
/// counts the decoded size of what it builds (40 per value, 24 and the length of every name
/// it copies, the length of every string and `[]byte`: about the bytes the values take) and
/// refuses input past this limit ([`Error::DecodedTooLarge`]): decoded values are never more
/// than a small multiple of their encoding, however the contract names its structs
/// (docs/abi.md §1, "Decoded size").
pub fn decoded_size_limit(len: usize) -> u64 {
    (len as u64)
        .saturating_mul(DECODED_SIZE_PER_BYTE)
        .saturating_add(DECODED_SIZE_ALLOWANCE)
}

/// The decoded size of a field named `name`: its value and the copy of its name.
pub(crate) fn named_size(name: &str) -> u64 {
    VALUE_SIZE + NAME_SIZE + name.len() as u64
}

/// What one decode carries along: what it may still build, out of [`decoded_size_limit`] of
/// its input, and what it has already looked up. Both walks take from the budget at the same
/// points, so a decode and a check refuse the same input, with the same error.
pub(crate) struct Walk {
    len: usize,
    limit: u64,
    left: u64,
    spent: bool,
    /// Struct definitions found by name, and the smallest encodings of the composite element
    /// types met: each is worked out once per walk, not once per element (with thousands of
    /// structs in the ABI, a slice of a thousand elements would otherwise search the
    /// definitions a thousand times, all of it host time no fuel pays for). The caches change
    /// no answer: both are pure functions of the ABI.
    defs: HashMap<String, usize>,
    last_def: Option<usize>,
    min_sizes: HashMap<Type, usize>,
}

impl Walk {
    pub(crate) fn for_input(len: usize) -> Self {
        Self::with_limit(len, decoded_size_limit(len))
    }

    /// A walk of `len` bytes that may build `limit` (tests choose small limits).
    pub(crate) fn with_limit(len: usize, limit: u64) -> Self {
        Self {
            len,
            limit,
            left: limit,
            spent: false,
            defs: HashMap::new(),
            last_def: None,
            min_sizes: HashMap::new(),
        }
    }

    /// The definition of struct `name`.
    pub(crate) fn struct_def<'a>(
        &mut self,
        codec: &Codec<'a>,
        name: &str,
    ) -> Result<&'a StructDef, String> {
        // The elements of a slice are one struct: the last one found first.
        if let Some(i) = self.last_def
            && codec.structs()[i].name == name
        {
            return Ok(&codec.structs()[i]);
        }
        if let Some(&i) = self.defs.get(name) {
            self.last_def = Some(i);
            return Ok(&codec.structs()[i]);
        }
        let i = codec
            .structs()
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| format!("unknown struct `{name}`"))?;
        self.defs.insert(name.to_owned(), i);
        self.last_def = Some(i);
        Ok(&codec.structs()[i])
    }

    /// [`Type::min_size`] of `ty`, worked out once per walk for arrays, maps and structs
    /// (whose size may take the struct definitions to work out).
    pub(crate) fn min_size(&mut self, codec: &Codec<'_>, ty: &Type) -> usize {
        match ty {
            Type::Array(..) | Type::Map(..) | Type::Struct(_) => {
                if let Some(&size) = self.min_sizes.get(ty) {
                    return size;
                }
                let size = ty.min_size(codec.structs());
                self.min_sizes.insert(ty.clone(), size);
                size
            }
            other => other.min_size(codec.structs()),
        }
    }

    /// Takes `size` or refuses, before what it pays for is allocated.
    pub(crate) fn take(&mut self, size: u64) -> Result<(), String> {
        match self.left.checked_sub(size) {
            Some(left) if !self.spent => {
                self.left = left;
                Ok(())
            }
            _ => {
                self.spent = true;
                self.left = 0;
                Err("the decoded size exceeds its limit".into())
            }
        }
    }

    /// Takes `n` values.
    pub(crate) fn take_values(&mut self, n: usize) -> Result<(), String> {
        self.take((n as u64).saturating_mul(VALUE_SIZE))
    }

    /// The error for a decode of `what` that failed with `reason`: the budget's own when it
    /// ran out, else a decode error.
    pub(crate) fn error(&self, what: String, reason: String) -> Error {
        if self.spent {
            Error::DecodedTooLarge {
                what,
                len: self.len,
                limit: self.limit,
            }
        } else {
            Error::Decode { what, reason }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::Param;
    use crate::strategies::{arb_type, arb_typed, structs};
    use crate::types::Address;
    use crate::value::Value;
    use crate::value::decoded_size;

    fn st(name: &str, fields: &[(&str, &str)]) -> StructDef {
        StructDef {
            name: name.into(),
            fields: fields
                .iter()
                .map(|(n, t)| Param {
                    name: (*n).into(),
                    ty: Type::parse(t).unwrap(),
                })
                .collect(),
        }
    }

    /// A struct with a field name of 100,000 bytes, in a slice: 5,000 elements encode in
    /// about 5 KB and would decode to 500 MB (each element copies the name). Both walks
    /// refuse it, with the same error, wherever it comes: in a tuple, a tagged value, an
    /// event's fields.
    #[test]
    fn a_long_field_name_cannot_make_a_small_input_decode_to_a_large_value() {
        let long = "N".repeat(100_000);
        let structs = [st("T", &[(&long, "bool")]), st("S", &[("X", "[]T")])];
        let codec = Codec::new(&structs);
        let n = 5_000;
        let t = Value::Struct(vec![(long.clone(), Value::Bool(true))]);
        let s = Value::Struct(vec![("X".into(), Value::List(vec![t; n]))]);
        let ty = Type::Struct("S".into());
        let types = std::slice::from_ref(&ty);
        let bytes = codec
            .encode_values("result", types, std::slice::from_ref(&s))
            .unwrap();
        assert_eq!(bytes.len(), 2 + n);
        let would_be = decoded_size(&s);
        assert!(
            would_be > 100_000 * bytes.len() as u64,
            "{would_be} bytes decoded from {}",
            bytes.len()
        );
        let limit = decoded_size_limit(bytes.len());
        let refusal = format!(
            "cannot decode result 1 (S): its 5002 bytes decode to more than {limit} bytes of \
             values (the limit is 256 per byte plus 4096)"
        );
        let decoded = codec.decode_values("result", types, &bytes).unwrap_err();
        assert!(
            matches!(decoded, Error::DecodedTooLarge { .. }),
            "{decoded}"
        );
        assert_eq!(decoded.to_string(), refusal);
        let checked = codec.check_values("result", types, &bytes).unwrap_err();
        assert_eq!(checked.to_string(), refusal);

        let tagged = codec.encode_tagged(&ty, &s).unwrap();
        let err = codec.decode_tagged(&tagged).unwrap_err();
        assert!(matches!(err, Error::DecodedTooLarge { .. }), "{err}");
        let fields = codec
            .encode_event_fields(&[("k".into(), ty.clone(), s)])
            .unwrap();
        let err = codec.decode_event_fields(&fields).unwrap_err();
        assert!(
            matches!(&err, Error::DecodedTooLarge { what, .. } if what == "event fields"),
            "{err}"
        );
    }

    /// What legitimate contracts send stays far below the limit: slices of small structs
    /// with names as long as the validator allows, slices of booleans, tuples of identifiers
    /// and amounts.
    #[test]
    fn legitimate_values_decode_with_room() {
        let name64 = "F".repeat(crate::MAX_NAME_LEN);
        let structs = [
            st("A", &[("A", "bool")]),
            st("Long", &[(&name64, "bool")]),
            st(
                "Entry",
                &[
                    ("Owner", "vm.Address"),
                    ("Amount", "uint64"),
                    ("Memo", "string"),
                ],
            ),
        ];
        let codec = Codec::new(&structs);
        let entry = Value::Struct(vec![
            ("Owner".into(), Value::Address(Address([1; 20]))),
            ("Amount".into(), Value::U64(7)),
            ("Memo".into(), "rent".into()),
        ]);
        for (ty, element, per_byte) in [
            (
                "[]A",
                Value::Struct(vec![("A".into(), Value::Bool(true))]),
                105,
            ),
            (
                "[]Long",
                Value::Struct(vec![(name64.clone(), Value::Bool(true))]),
                168,
            ),
            ("[]bool", Value::Bool(true), 40),
            ("map[uint8]bool", Value::Bool(true), 40),
            ("[]Entry", entry, 8),
        ] {
            let ty = Type::parse(ty).unwrap();
            let value = match &ty {
                Type::Map(..) => Value::Map(
                    (0..=255u8)
                        .map(|k| (Value::U8(k), element.clone()))
                        .collect(),
                ),
                _ => Value::List(vec![element; 100_000]),
            };
            let types = std::slice::from_ref(&ty);
            let bytes = codec
                .encode_values("r", types, std::slice::from_ref(&value))
                .unwrap();
            let len = bytes.len() as u64;
            assert_eq!((decoded_size(&value) + len / 2) / len, per_byte, "{ty}");
            assert!(codec.check_values("r", types, &bytes).is_ok(), "{ty}");
            assert_eq!(codec.decode_values("r", types, &bytes).unwrap(), [value]);
        }
    }

    /// The decoded size of a struct counts its name bytes once per value: a struct with
    /// thousands of fields, or one looked up among thousands of structs, in a slice of
    /// thousands, is looked up and sized once per walk.
    #[test]
    fn a_large_abi_checks_and_decodes_long_slices_of_its_structs() {
        let mut structs: Vec<StructDef> = (0..5_000)
            .map(|i| st(&format!("S{i}"), &[("A", "bool")]))
            .collect();
        let names: Vec<String> = (0..5_000).map(|i| format!("F{i}")).collect();
        let fields: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "bool")).collect();
        structs.push(st("Big", &fields));
        let codec = Codec::new(&structs);
        let element = Value::Struct(vec![("A".into(), Value::Bool(true))]);
        let value = Value::List(vec![element; 20_000]);
        let ty = Type::parse("[]S4999").unwrap();
        let empty = Value::List(vec![Value::List(vec![]); 20_000]);
        let nested = Type::parse("[][]Big").unwrap();
        for (ty, value) in [(ty, value), (nested, empty)] {
            let types = std::slice::from_ref(&ty);
            let bytes = codec
                .encode_values("r", types, std::slice::from_ref(&value))
                .unwrap();
            assert!(codec.check_values("r", types, &bytes).is_ok());
            assert_eq!(codec.decode_values("r", types, &bytes).unwrap(), [value]);
        }
        // Looked up once per walk, not once per element: milliseconds instead of seconds
        // (measured when it was written; a test asserts no time: CI machines vary).
    }

    /// docs/abi.md states the rule with these numbers, and docs/validation.md the name limit.
    #[test]
    fn the_documents_state_the_decoded_size_rule_as_the_code_counts() {
        let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs");
        let abi = std::fs::read_to_string(format!("{docs}/abi.md")).unwrap();
        let validation = std::fs::read_to_string(format!("{docs}/validation.md")).unwrap();
        let name_len = crate::MAX_NAME_LEN;
        for stated in [
            format!("is at most {name_len} bytes (`MAX_NAME_LEN`"),
            format!("- {VALUE_SIZE} for every value"),
            format!("- plus {NAME_SIZE} and the name's length"),
            format!("**{DECODED_SIZE_PER_BYTE} × its length + {DECODED_SIZE_ALLOWANCE}**"),
        ] {
            assert!(abi.contains(&stated), "docs/abi.md does not say {stated:?}");
        }
        let stated = format!("a name longer than {name_len} bytes (`MAX_NAME_LEN`)");
        assert!(
            validation.contains(&stated),
            "docs/validation.md: {stated:?}"
        );
    }

    /// The error states the rule in words of its own: the same numbers.
    #[test]
    fn the_refusal_states_the_limit_as_the_code_counts() {
        let mut walk = Walk::for_input(0);
        assert!(walk.take(DECODED_SIZE_ALLOWANCE).is_ok());
        assert!(walk.take(1).is_err());
        let refusal = walk.error("x".into(), String::new()).to_string();
        let stated = format!("is {DECODED_SIZE_PER_BYTE} per byte plus {DECODED_SIZE_ALLOWANCE})");
        assert!(refusal.ends_with(&stated), "{refusal}");
        let walk = Walk::for_input(0);
        let malformed = walk.error("x".into(), "bad".into());
        assert!(matches!(malformed, Error::Decode { .. }), "{malformed}");
    }

    /// Types over [`structs`] and one struct whose field names are long, so that small
    /// inputs reach small limits.
    fn arb_type_with_names() -> impl Strategy<Value = Type> {
        prop_oneof![
            3 => arb_type(),
            1 => Just(Type::parse("[]Named").unwrap()),
            1 => Just(Type::parse("map[string]Named").unwrap()),
        ]
    }

    fn structs_with_names() -> Vec<StructDef> {
        let mut all = structs();
        all.push(st(
            "Named",
            &[
                (&"L".repeat(64), "bool"),
                ("Points", "[]Point"),
                ("S", "string"),
            ],
        ));
        all
    }

    /// Types and bytes to decode: arbitrary bytes, or the encoding of a value, as it is or
    /// with a byte changed or cut short.
    fn arb_input() -> impl Strategy<Value = (Vec<Type>, Vec<u8>)> {
        let encoded = (
            arb_typed(),
            any::<prop::sample::Index>(),
            any::<u8>(),
            0..3u8,
        )
            .prop_map(|((ty, value), at, byte, how)| {
                let structs = structs();
                let mut bytes = Codec::new(&structs)
                    .encode_values("x", std::slice::from_ref(&ty), &[value])
                    .unwrap();
                if !bytes.is_empty() {
                    let i = at.index(bytes.len());
                    match how {
                        0 => {}
                        1 => bytes[i] = byte,
                        _ => bytes.truncate(i),
                    }
                }
                (vec![ty], bytes)
            });
        let arbitrary = (
            proptest::collection::vec(arb_type_with_names(), 0..3),
            proptest::collection::vec(any::<u8>(), 0..160),
        );
        prop_oneof![arbitrary, encoded]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// With any limit, the check walk and the building walk accept the same input and
        /// refuse it with the same error.
        #[test]
        fn checking_agrees_with_decoding_within_any_limit(
            (types, bytes) in arb_input(),
            limit in 0u64..3_000,
        ) {
            let structs = structs_with_names();
            let codec = Codec::new(&structs);
            let walk = || Walk::with_limit(bytes.len(), limit);
            let decoded = codec
                .values::<true>("x", &types, &bytes, walk())
                .map(drop)
                .map_err(|e| e.to_string());
            let checked = codec
                .values::<false>("x", &types, &bytes, walk())
                .map(drop)
                .map_err(|e| e.to_string());
            prop_assert_eq!(checked, decoded);
        }

        /// A valid encoding is accepted exactly when its decoded size, worked out from the
        /// value, fits the limit; when it does not, both walks refuse it with the limit's
        /// error.
        #[test]
        fn a_valid_encoding_is_accepted_exactly_when_its_decoded_size_fits(
            (ty, value) in arb_typed(),
            slack in -200i64..200,
        ) {
            let structs = structs();
            let codec = Codec::new(&structs);
            let types = std::slice::from_ref(&ty);
            let bytes = codec.encode_values("x", types, std::slice::from_ref(&value))?;
            let size = decoded_size(&value);
            let limit = size.saturating_add_signed(slack);
            for build in [true, false] {
                let walk = Walk::with_limit(bytes.len(), limit);
                let result = if build {
                    codec.values::<true>("x", types, &bytes, walk).map(drop)
                } else {
                    codec.values::<false>("x", types, &bytes, walk).map(drop)
                };
                match result {
                    Ok(()) => prop_assert!(size <= limit),
                    Err(Error::DecodedTooLarge { .. }) => prop_assert!(size > limit),
                    Err(e) => prop_assert!(false, "{e}"),
                }
            }
            // The limit in force is far above it.
            prop_assert!(size <= decoded_size_limit(bytes.len()));
        }
    }
}

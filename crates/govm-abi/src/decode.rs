//! The decoder: one walk over SCALE bytes that builds values or, the same way, only checks
//! them, counting their decoded size against its limit (`walk.rs`, docs/abi.md §1).

use parity_scale_codec::{Compact, Decode};

use crate::codec::{Codec, finish};
use crate::error::Result;
use crate::model::{MAX_TYPE_DEPTH, Type};
use crate::types::{Address, Hash, ObjectId};
use crate::value::{U256, Value};
use crate::walk::{VALUE_SIZE, Walk, named_size};

impl Codec<'_> {
    /// Decodes one value of type `ty` from the front of `input`, advancing it. Its decoded
    /// size may be at most [`decoded_size_limit`](crate::decoded_size_limit) of all of
    /// `input`.
    pub fn decode(&self, ty: &Type, input: &mut &[u8]) -> Result<Value, String> {
        let mut walk = Walk::for_input(input.len());
        walk.take(VALUE_SIZE)?;
        self.decode_at::<true>(ty, input, 0, &mut walk)
    }

    /// [`Codec::decode`] within a caller's walk, whose budget has paid for the value itself.
    pub(crate) fn decode_in(
        &self,
        ty: &Type,
        input: &mut &[u8],
        walk: &mut Walk,
    ) -> Result<Value, String> {
        self.decode_at::<true>(ty, input, 0, walk)
    }

    pub(crate) fn length(&self, elem_min: usize, input: &mut &[u8]) -> Result<usize, String> {
        let n = Compact::<u64>::decode(input).map_err(|e| e.to_string())?.0;
        // Every element takes at least `elem_min` bytes: a length the rest of the input
        // cannot hold is refused before anything is allocated.
        let fits = (n as u128) * (elem_min.max(1) as u128) <= input.len() as u128;
        if !fits {
            return Err(format!(
                "length {n} exceeds the remaining {} bytes",
                input.len()
            ));
        }
        Ok(n as usize)
    }

    /// The one decoder. With `BUILD` it returns the value; without, it walks the same input
    /// the same way, with the same checks, charges and errors, and returns a placeholder that
    /// owns nothing: a check that accepts exactly what decoding accepts
    /// ([`Codec::check_values`]). Map keys are built either way: their order is checked on
    /// values.
    ///
    /// `walk`'s budget pays for the decoded size (docs/abi.md §1): the caller has paid for this
    /// value's own [`VALUE_SIZE`]; what it holds beyond that (the bytes of a string, the
    /// elements of a list, the fields of a struct with their names) is taken here, before
    /// anything is allocated for it, and the same way whether values are built or not.
    fn decode_at<const BUILD: bool>(
        &self,
        ty: &Type,
        input: &mut &[u8],
        depth: usize,
        walk: &mut Walk,
    ) -> Result<Value, String> {
        if depth > MAX_TYPE_DEPTH {
            return Err("types nest too deeply".into());
        }
        let e = |e: parity_scale_codec::Error| e.to_string();
        // What a composite value is when nothing is built: an empty list allocates nothing.
        let placeholder = || Value::List(Vec::new());
        Ok(match ty {
            Type::Bool => Value::Bool(bool::decode(input).map_err(e)?),
            Type::U8 => Value::U8(u8::decode(input).map_err(e)?),
            Type::U16 => Value::U16(u16::decode(input).map_err(e)?),
            Type::U32 => Value::U32(u32::decode(input).map_err(e)?),
            Type::U64 | Type::Uint => Value::U64(u64::decode(input).map_err(e)?),
            Type::I8 => Value::I8(i8::decode(input).map_err(e)?),
            Type::I16 => Value::I16(i16::decode(input).map_err(e)?),
            Type::I32 => Value::I32(i32::decode(input).map_err(e)?),
            Type::I64 | Type::Int => Value::I64(i64::decode(input).map_err(e)?),
            Type::String => {
                let n = self.length(1, input)?;
                walk.take(n as u64)?;
                let (bytes, rest) = input.split_at(n);
                *input = rest;
                let text = std::str::from_utf8(bytes)
                    .map_err(|_| "string is not valid UTF-8".to_owned())?;
                if !BUILD {
                    return Ok(placeholder());
                }
                Value::String(text.to_owned())
            }
            Type::Bytes => {
                let n = self.length(1, input)?;
                walk.take(n as u64)?;
                let (bytes, rest) = input.split_at(n);
                *input = rest;
                if !BUILD {
                    return Ok(placeholder());
                }
                Value::Bytes(bytes.to_vec())
            }
            Type::Address => Value::Address(Address::decode(input).map_err(e)?),
            Type::ObjectId => Value::ObjectId(ObjectId::decode(input).map_err(e)?),
            Type::Hash => Value::Hash(Hash::decode(input).map_err(e)?),
            Type::U256 => Value::U256(U256::from_le_bytes(<[u8; 32]>::decode(input).map_err(e)?)),
            Type::Array(n, elem) => {
                let n = *n as usize;
                if n.saturating_mul(walk.min_size(self, elem)) > input.len() {
                    return Err(format!(
                        "{ty} needs more than the remaining {} bytes",
                        input.len()
                    ));
                }
                walk.take_values(n)?;
                let mut items = Vec::with_capacity(if BUILD { n } else { 0 });
                for _ in 0..n {
                    let item = self.decode_at::<BUILD>(elem, input, depth + 1, walk)?;
                    if BUILD {
                        items.push(item);
                    }
                }
                Value::List(items)
            }
            Type::Slice(elem) => {
                let n = self.length(walk.min_size(self, elem), input)?;
                walk.take_values(n)?;
                let mut items = Vec::with_capacity(if BUILD { n } else { 0 });
                for _ in 0..n {
                    let item = self.decode_at::<BUILD>(elem, input, depth + 1, walk)?;
                    if BUILD {
                        items.push(item);
                    }
                }
                Value::List(items)
            }
            Type::Map(kt, vt) => {
                let n = self.length(
                    walk.min_size(self, kt)
                        .saturating_add(walk.min_size(self, vt)),
                    input,
                )?;
                // A key and a value per entry.
                walk.take_values(n.saturating_mul(2))?;
                let mut pairs: Vec<(Value, Value)> = Vec::with_capacity(if BUILD { n } else { 0 });
                // Without `BUILD`, the last key alone.
                let mut last_key: Option<Value> = None;
                for _ in 0..n {
                    let k = self.decode_at::<true>(kt, input, depth + 1, walk)?;
                    let prev = if BUILD {
                        pairs.last().map(|(prev, _)| prev)
                    } else {
                        last_key.as_ref()
                    };
                    if let Some(prev) = prev
                        && prev.key_cmp(&k) != Some(std::cmp::Ordering::Less)
                    {
                        return Err("map keys are not in strictly increasing order".into());
                    }
                    let v = self.decode_at::<BUILD>(vt, input, depth + 1, walk)?;
                    if BUILD {
                        pairs.push((k, v));
                    } else {
                        last_key = Some(k);
                    }
                }
                if !BUILD {
                    return Ok(placeholder());
                }
                Value::Map(pairs)
            }
            Type::Struct(name) => {
                let def = walk.struct_def(self, name)?;
                // Every field is a value and a copy of its name.
                walk.take(
                    def.fields
                        .iter()
                        .map(|f| named_size(&f.name))
                        .fold(0, u64::saturating_add),
                )?;
                let mut fields = Vec::with_capacity(if BUILD { def.fields.len() } else { 0 });
                for f in &def.fields {
                    let value = self.decode_at::<BUILD>(&f.ty, input, depth + 1, walk)?;
                    if BUILD {
                        fields.push((f.name.clone(), value));
                    }
                }
                if !BUILD {
                    return Ok(placeholder());
                }
                Value::Struct(fields)
            }
        })
    }

    /// Decodes a tuple of `types` that must fill `bytes` exactly.
    pub fn decode_values(&self, what: &str, types: &[Type], bytes: &[u8]) -> Result<Vec<Value>> {
        self.values::<true>(what, types, bytes, Walk::for_input(bytes.len()))
    }

    /// Whether `bytes` decode as a tuple of `types` ([`Codec::decode_values`] accepts them),
    /// with the same error when they do not; builds no value.
    pub fn check_values(&self, what: &str, types: &[Type], bytes: &[u8]) -> Result<()> {
        self.values::<false>(what, types, bytes, Walk::for_input(bytes.len()))
            .map(drop)
    }

    /// [`Codec::decode_values`], or without `BUILD` [`Codec::check_values`] (an empty list).
    /// One budget for the whole tuple, `walk`'s.
    pub(crate) fn values<const BUILD: bool>(
        &self,
        what: &str,
        types: &[Type],
        bytes: &[u8],
        mut walk: Walk,
    ) -> Result<Vec<Value>> {
        let mut input = bytes;
        let capacity = if BUILD {
            types.len().min(bytes.len() + 1)
        } else {
            0
        };
        let mut out = Vec::with_capacity(capacity);
        for (i, ty) in types.iter().enumerate() {
            let value = walk
                .take(VALUE_SIZE)
                .and_then(|()| self.decode_at::<BUILD>(ty, &mut input, 0, &mut walk))
                .map_err(|reason| walk.error(format!("{what} {} ({ty})", i + 1), reason))?;
            if BUILD {
                out.push(value);
            }
        }
        finish(input, what)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::codec::Codec;
    use crate::model::Type;
    use crate::strategies::{arb_type, arb_typed, structs};

    #[test]
    fn decode_rejects_trailing_bytes_bad_utf8_and_lying_lengths() {
        let codec = Codec::new(&[]);
        assert!(codec.decode_values("result", &[Type::U8], &[1, 2]).is_err());
        assert!(
            codec
                .decode_values("result", &[Type::String], &[4, 0xff])
                .is_err()
        );
        assert!(codec.decode_values("result", &[Type::Bool], &[2]).is_err());
        // A slice of 2^30 uint64 in 5 bytes of input.
        let lie = [0x03, 0, 0, 0, 0x40];
        let err = codec
            .decode_values("result", &[Type::parse("[]uint64").unwrap()], &lie)
            .unwrap_err();
        assert!(err.to_string().contains("exceeds the remaining"), "{err}");
        // Two elements of 8 bytes promised, 9 bytes present.
        assert!(
            codec
                .decode_values(
                    "r",
                    &[Type::parse("[]uint64").unwrap()],
                    &[8, 0, 0, 0, 0, 0, 0, 0, 0]
                )
                .is_err()
        );
        // Non-canonical compact: 1 encoded in two bytes.
        assert!(
            codec
                .decode_values("r", &[Type::Bytes], &[0x05, 0x00, 0xaa])
                .is_err()
        );
        // Unsorted and duplicate map keys.
        let map = Type::parse("map[uint8]bool").unwrap();
        assert!(
            codec
                .decode_values("r", std::slice::from_ref(&map), &[8, 2, 1, 1, 0])
                .is_err()
        );
        assert!(codec.decode_values("r", &[map], &[8, 1, 1, 1, 0]).is_err());
        assert!(Codec::basic().decode_tagged(&[0x05, 1, 2]).is_err());
        assert!(Codec::basic().decode_tagged(&[0x7f]).is_err());
        assert!(
            Codec::basic()
                .decode_tagged(&[0x0f, 12, b'N', b'o', b'p', 0])
                .is_err()
        );
    }
    proptest! {
        /// Checking accepts exactly what decoding accepts, with the same error.
        #[test]
        fn checking_agrees_with_decoding(
            types in proptest::collection::vec(arb_type(), 0..3),
            bytes in proptest::collection::vec(any::<u8>(), 0..96),
        ) {
            let structs = structs();
            let codec = Codec::new(&structs);
            let decoded = codec.decode_values("x", &types, &bytes).map(drop).map_err(|e| e.to_string());
            prop_assert_eq!(codec.check_values("x", &types, &bytes).map_err(|e| e.to_string()), decoded);
        }

        #[test]
        fn checking_accepts_every_encoding((ty, value) in arb_typed()) {
            let structs = structs();
            let codec = Codec::new(&structs);
            let types = std::slice::from_ref(&ty);
            let bytes = codec.encode_values("x", types, std::slice::from_ref(&value))?;
            prop_assert!(codec.check_values("x", types, &bytes).is_ok());
            if !bytes.is_empty() {
                let cut = &bytes[..bytes.len() - 1];
                prop_assert_eq!(
                    codec.check_values("x", types, cut).map_err(|e| e.to_string()),
                    codec.decode_values("x", types, cut).map(drop).map_err(|e| e.to_string())
                );
            }
        }
    }
}

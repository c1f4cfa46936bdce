//! The tagged form of a value, which object fields and event fields use: a type tag (and,
//! for a composite type, its Go spelling) before the value's SCALE encoding; and the fields of
//! an event, keys with tagged values.

use parity_scale_codec::{Compact, Decode, Encode};

use crate::codec::{Codec, finish};
use crate::error::Result;
use crate::model::{COMPOSITE_TAG, Type};
use crate::value::Value;
use crate::walk::{NAME_SIZE, VALUE_SIZE, Walk};

impl Codec<'_> {
    /// The tagged form used for object fields and event fields: a basic type's tag and its
    /// SCALE encoding, or [`COMPOSITE_TAG`], the type's Go spelling and its SCALE encoding.
    pub fn encode_tagged(&self, ty: &Type, value: &Value) -> Result<Vec<u8>> {
        let mut out = vec![ty.tag()];
        if ty.tag() == COMPOSITE_TAG {
            ty.to_string().encode_to(&mut out);
        }
        self.encode(ty, value, &mut out, "value")?;
        Ok(out)
    }

    /// Decodes a whole tagged value; trailing bytes are an error, and so is a decoded size
    /// past [`decoded_size_limit`](crate::decoded_size_limit) of `bytes`.
    pub fn decode_tagged(&self, bytes: &[u8]) -> Result<(Type, Value)> {
        let mut input = bytes;
        let mut walk = Walk::for_input(bytes.len());
        let decoded = walk
            .take(VALUE_SIZE)
            .and_then(|()| self.decode_tagged_from(&mut input, &mut walk))
            .map_err(|reason| walk.error("tagged value".into(), reason))?;
        finish(input, "tagged value")?;
        Ok(decoded)
    }

    /// A tagged value, whose own [`VALUE_SIZE`] the caller has taken from `walk`.
    fn decode_tagged_from(
        &self,
        input: &mut &[u8],
        walk: &mut Walk,
    ) -> Result<(Type, Value), String> {
        let (&tag, rest) = input.split_first().ok_or("missing type tag")?;
        *input = rest;
        let ty = if tag == COMPOSITE_TAG {
            let name = String::decode(input).map_err(|e| format!("type name: {e}"))?;
            let ty = Type::parse(&name).map_err(|e| e.to_string())?;
            // Only the canonical spelling of a composite type: basic types have their own
            // tags, and aliases (`byte`, `[]uint8`) are spelled one way on the wire.
            if ty.tag() != COMPOSITE_TAG || ty.to_string() != name {
                return Err(format!(
                    "`{name}` is not the canonical name of a composite type"
                ));
            }
            ty
        } else {
            Type::from_tag(tag).ok_or_else(|| format!("unknown type tag 0x{tag:02x}"))?
        };
        let value = self
            .decode_in(&ty, input, walk)
            .map_err(|e| format!("{ty}: {e}"))?;
        Ok((ty, value))
    }

    /// The fields of an event, as the SDK encodes them: a compact count, then for each field
    /// its key (a SCALE string) and its tagged value. One budget for them all: their decoded
    /// size, keys included, may be at most [`decoded_size_limit`](crate::decoded_size_limit)
    /// of `bytes`.
    pub fn decode_event_fields(&self, bytes: &[u8]) -> Result<Vec<(String, Value)>> {
        let mut input = bytes;
        let mut walk = Walk::for_input(bytes.len());
        let fields = self
            .event_fields(&mut input, &mut walk)
            .map_err(|reason| walk.error("event fields".into(), reason))?;
        finish(input, "event fields")?;
        Ok(fields)
    }

    fn event_fields(
        &self,
        input: &mut &[u8],
        walk: &mut Walk,
    ) -> Result<Vec<(String, Value)>, String> {
        // Each field takes at least two bytes (an empty key and a tag).
        let count = self.length(2, input)?;
        // Every field is a value and a copy of its key, whose bytes are taken once known.
        walk.take((count as u64).saturating_mul(VALUE_SIZE + NAME_SIZE))?;
        let mut fields = Vec::with_capacity(count);
        for _ in 0..count {
            let key = String::decode(input).map_err(|e| format!("key: {e}"))?;
            walk.take(key.len() as u64)?;
            let (_, value) = self
                .decode_tagged_from(input, walk)
                .map_err(|e| format!("field {key:?}: {e}"))?;
            fields.push((key, value));
        }
        Ok(fields)
    }

    /// Encodes event fields in the SDK's layout (see [`Codec::decode_event_fields`]).
    pub fn encode_event_fields(&self, fields: &[(String, Type, Value)]) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        Compact(fields.len() as u32).encode_to(&mut out);
        for (key, ty, value) in fields {
            key.encode_to(&mut out);
            out.extend(self.encode_tagged(ty, value)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::codec::Codec;
    use crate::error::Error;
    use crate::strategies::{arb_typed, structs};
    use crate::value::decoded_size;
    use crate::walk::{NAME_SIZE, VALUE_SIZE, Walk};

    proptest! {
        /// An event's fields are accepted exactly when their decoded size (each field's value,
        /// and its key as a name) fits the limit, and a tagged value's when its value's does.
        #[test]
        fn event_fields_and_tagged_values_are_held_to_their_decoded_size(
            fields in proptest::collection::vec(("[a-z]{0,80}", arb_typed()), 0..4),
            slack in -100i64..100,
        ) {
            let structs = structs();
            let codec = Codec::new(&structs);
            let fields: Vec<(String, crate::Type, crate::Value)> =
                fields.into_iter().map(|(k, (t, v))| (k, t, v)).collect();
            let bytes = codec.encode_event_fields(&fields)?;
            let size: u64 = fields
                .iter()
                .map(|(k, _, v)| NAME_SIZE + k.len() as u64 + decoded_size(v))
                .sum();
            let limit = size.saturating_add_signed(slack);
            let mut input = &bytes[..];
            let mut walk = Walk::with_limit(bytes.len(), limit);
            match codec.event_fields(&mut input, &mut walk) {
                Ok(decoded) => {
                    prop_assert!(size <= limit);
                    prop_assert_eq!(decoded.len(), fields.len());
                }
                Err(reason) => {
                    let err = walk.error("event fields".into(), reason);
                    prop_assert!(matches!(err, Error::DecodedTooLarge { .. }), "{}", err);
                    prop_assert!(size > limit);
                }
            }
            prop_assert!(codec.decode_event_fields(&bytes).is_ok());
            for (_, ty, value) in &fields {
                let tagged = codec.encode_tagged(ty, value)?;
                let size = decoded_size(value);
                let limit = size.saturating_add_signed(slack);
                let mut walk = Walk::with_limit(tagged.len(), limit);
                let accepted = walk
                    .take(VALUE_SIZE)
                    .and_then(|()| codec.decode_tagged_from(&mut &tagged[..], &mut walk))
                    .is_ok();
                prop_assert_eq!(accepted, size <= limit);
            }
        }
    }

    #[test]
    fn event_fields_refuse_impossible_counts() {
        // A compact count of 2^30 with no field data behind it.
        assert!(
            Codec::basic()
                .decode_event_fields(&[0x03, 0, 0, 0, 0x40])
                .is_err()
        );
    }
}

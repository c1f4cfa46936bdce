//! The tagged form of a value, which object fields and event fields use: a type tag (and,
//! for a composite type, its Go spelling) before the value's SCALE encoding; and the fields of
//! an event, keys with tagged values.

use parity_scale_codec::{Compact, Decode, Encode};

use crate::codec::{Codec, finish};
use crate::error::{Error, Result};
use crate::model::{COMPOSITE_TAG, Type};
use crate::value::Value;

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

    /// Decodes a whole tagged value; trailing bytes are an error.
    pub fn decode_tagged(&self, bytes: &[u8]) -> Result<(Type, Value)> {
        let mut input = bytes;
        let decoded = self
            .decode_tagged_from(&mut input)
            .map_err(|reason| Error::Decode {
                what: "tagged value".into(),
                reason,
            })?;
        finish(input, "tagged value")?;
        Ok(decoded)
    }

    fn decode_tagged_from(&self, input: &mut &[u8]) -> Result<(Type, Value), String> {
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
        let value = self.decode(&ty, input).map_err(|e| format!("{ty}: {e}"))?;
        Ok((ty, value))
    }

    /// The fields of an event, as the SDK encodes them: a compact count, then for each field
    /// its key (a SCALE string) and its tagged value.
    pub fn decode_event_fields(&self, bytes: &[u8]) -> Result<Vec<(String, Value)>> {
        let err = |reason: String| Error::Decode {
            what: "event fields".into(),
            reason,
        };
        let mut input = bytes;
        // Each field takes at least two bytes (an empty key and a tag).
        let count = self.length(2, &mut input).map_err(err)?;
        let mut fields = Vec::with_capacity(count);
        for _ in 0..count {
            let key = String::decode(&mut input).map_err(|e| err(format!("key: {e}")))?;
            let (_, value) = self
                .decode_tagged_from(&mut input)
                .map_err(|e| err(format!("field {key:?}: {e}")))?;
            fields.push((key, value));
        }
        finish(input, "event fields")?;
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
    use crate::codec::Codec;

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

//! The JSON text form of values, checked against the ABI, for the CLI and tools.

use serde_json::Value as J;

use crate::codec::Codec;
use crate::error::{Error, Result};
use crate::model::{ContractAbi, Function, Type};
use crate::types::{Address, Hash, ObjectId};
use crate::value::U256;
use crate::value::Value;

fn json_kind(j: &J) -> &'static str {
    match j {
        J::Null => "null",
        J::Bool(_) => "boolean",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

impl Codec<'_> {
    /// Converts a JSON value to a value of `ty`: integers as numbers (64-bit ones also as
    /// decimal strings), `[]byte`, `[N]byte` and identifiers as `0x`-hex, lists as arrays,
    /// structs as objects keyed by Go field names, maps as objects keyed by the keys' text.
    /// Errors name `path`: `argument 2 "amount": expected uint64, got string`.
    pub fn from_json(&self, ty: &Type, json: &J, path: &str) -> Result<Value> {
        let mismatch = |got: String| Error::TypeMismatch {
            what: path.to_owned(),
            expected: ty.to_string(),
            got,
        };
        let got = || mismatch(json_kind(json).to_owned());
        Ok(match ty {
            Type::Bool => Value::Bool(json.as_bool().ok_or_else(got)?),
            Type::U8 | Type::U16 | Type::U32 | Type::U64 | Type::Uint => {
                let n = unsigned(ty, json).ok_or_else(|| mismatch(describe(json)))?;
                match ty {
                    Type::U8 => Value::U8(
                        u8::try_from(n).map_err(|_| mismatch(format!("{n}, out of range")))?,
                    ),
                    Type::U16 => Value::U16(
                        u16::try_from(n).map_err(|_| mismatch(format!("{n}, out of range")))?,
                    ),
                    Type::U32 => Value::U32(
                        u32::try_from(n).map_err(|_| mismatch(format!("{n}, out of range")))?,
                    ),
                    _ => Value::U64(n),
                }
            }
            Type::I8 | Type::I16 | Type::I32 | Type::I64 | Type::Int => {
                let n = signed(ty, json).ok_or_else(|| mismatch(describe(json)))?;
                match ty {
                    Type::I8 => Value::I8(
                        i8::try_from(n).map_err(|_| mismatch(format!("{n}, out of range")))?,
                    ),
                    Type::I16 => Value::I16(
                        i16::try_from(n).map_err(|_| mismatch(format!("{n}, out of range")))?,
                    ),
                    Type::I32 => Value::I32(
                        i32::try_from(n).map_err(|_| mismatch(format!("{n}, out of range")))?,
                    ),
                    _ => Value::I64(n),
                }
            }
            Type::String => Value::String(json.as_str().ok_or_else(got)?.to_owned()),
            Type::Bytes => Value::Bytes(hex_bytes(json, None).map_err(mismatch)?),
            Type::Address => Value::Address(
                Address::from_hex(json.as_str().ok_or_else(got)?)
                    .map_err(|e| mismatch(e.to_string()))?,
            ),
            Type::ObjectId => Value::ObjectId(
                ObjectId::from_hex(json.as_str().ok_or_else(got)?)
                    .map_err(|e| mismatch(e.to_string()))?,
            ),
            Type::Hash => Value::Hash(
                Hash::from_hex(json.as_str().ok_or_else(got)?)
                    .map_err(|e| mismatch(e.to_string()))?,
            ),
            Type::U256 => Value::U256(u256(json).map_err(mismatch)?),
            Type::Array(n, elem) if **elem == Type::U8 && json.is_string() => Value::List(
                hex_bytes(json, Some(*n as usize))
                    .map_err(mismatch)?
                    .into_iter()
                    .map(Value::U8)
                    .collect(),
            ),
            Type::Array(n, elem) => {
                let items = json.as_array().ok_or_else(got)?;
                if items.len() != *n as usize {
                    return Err(mismatch(format!("an array of {} elements", items.len())));
                }
                self.list(elem, items, path)?
            }
            Type::Slice(elem) => self.list(elem, json.as_array().ok_or_else(got)?, path)?,
            Type::Map(kt, vt) => {
                let object = json.as_object().ok_or_else(got)?;
                let mut pairs = Vec::with_capacity(object.len());
                for (key_text, v) in object {
                    let key_path = format!("{path}[{key_text}]");
                    // Object keys are strings: booleans and integers are read from their text.
                    let key_json = match &**kt {
                        Type::Bool => key_text
                            .parse::<bool>()
                            .map(J::Bool)
                            .unwrap_or(J::String(key_text.clone())),
                        Type::String | Type::Address | Type::ObjectId | Type::Hash | Type::U256 => {
                            J::String(key_text.clone())
                        }
                        _ => serde_json::from_str::<serde_json::Number>(key_text)
                            .map(J::Number)
                            .unwrap_or(J::String(key_text.clone())),
                    };
                    let key = self.from_json(kt, &key_json, &format!("{key_path} key"))?;
                    pairs.push((key, self.from_json(vt, v, &key_path)?));
                }
                pairs.sort_by(|a, b| a.0.key_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
                Value::Map(pairs)
            }
            Type::Struct(name) => {
                let def = self
                    .structs()
                    .iter()
                    .find(|s| &s.name == name)
                    .ok_or_else(|| {
                        mismatch(format!("a struct this ABI does not define ({name})"))
                    })?;
                let object = json.as_object().ok_or_else(got)?;
                if let Some(extra) = object
                    .keys()
                    .find(|k| !def.fields.iter().any(|f| &f.name == *k))
                {
                    return Err(Error::TypeMismatch {
                        what: path.to_owned(),
                        expected: format!("{name}, which has no field {extra:?}"),
                        got: "object".into(),
                    });
                }
                let mut fields = Vec::with_capacity(def.fields.len());
                for f in &def.fields {
                    let field_path = format!("{path}.{}", f.name);
                    let v = object.get(&f.name).ok_or_else(|| Error::TypeMismatch {
                        what: field_path.clone(),
                        expected: f.ty.to_string(),
                        got: "nothing (the field is missing)".into(),
                    })?;
                    fields.push((f.name.clone(), self.from_json(&f.ty, v, &field_path)?));
                }
                Value::Struct(fields)
            }
        })
    }

    fn list(&self, elem: &Type, items: &[J], path: &str) -> Result<Value> {
        items
            .iter()
            .enumerate()
            .map(|(i, item)| self.from_json(elem, item, &format!("{path}[{i}]")))
            .collect::<Result<Vec<_>>>()
            .map(Value::List)
    }
}

fn describe(json: &J) -> String {
    match json {
        J::Number(n) => format!("number {n}"),
        J::String(s) => format!("string {s:?}"),
        other => json_kind(other).to_owned(),
    }
}

fn is_64_bit(ty: &Type) -> bool {
    matches!(ty, Type::U64 | Type::Uint | Type::I64 | Type::Int)
}

fn unsigned(ty: &Type, json: &J) -> Option<u64> {
    match json {
        J::Number(n) => n.as_u64(),
        J::String(s) if is_64_bit(ty) && !s.starts_with('+') => s.parse().ok(),
        _ => None,
    }
}

fn signed(ty: &Type, json: &J) -> Option<i64> {
    match json {
        J::Number(n) => n.as_i64(),
        J::String(s) if is_64_bit(ty) && !s.starts_with('+') => s.parse().ok(),
        _ => None,
    }
}

/// A `vm.Uint256` from its decimal string, or from a JSON number that is a whole number.
fn u256(json: &J) -> Result<U256, String> {
    match json {
        J::Number(n) => n.as_u64().map(U256::from).ok_or_else(|| {
            format!(
                "number {n} (not a whole number that fits in 64 bits: write it as a decimal string)"
            )
        }),
        J::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            U256::from_str_radix(s, 10).map_err(|_| format!("string {s:?}, out of range"))
        }
        J::String(s) => Err(format!("string {s:?} (not a decimal number)")),
        other => Err(json_kind(other).to_owned()),
    }
}

fn hex_bytes(json: &J, exact: Option<usize>) -> Result<Vec<u8>, String> {
    let text = json.as_str().ok_or_else(|| json_kind(json).to_owned())?;
    let digits = text
        .strip_prefix("0x")
        .ok_or_else(|| format!("{text:?} (no 0x prefix)"))?;
    let bytes = hex::decode(digits).map_err(|e| format!("{text:?} ({e})"))?;
    match exact {
        Some(n) if bytes.len() != n => Err(format!("{} bytes of hex", bytes.len())),
        _ => Ok(bytes),
    }
}

impl ContractAbi {
    /// A codec that knows this contract's structs.
    pub fn codec(&self) -> Codec<'_> {
        Codec::new(&self.structs)
    }

    /// Checks arguments against a function's parameters and SCALE-encodes them. Errors name
    /// the argument: `argument 2 "amount": expected uint64, got string`.
    pub fn encode_args(&self, function: &Function, args: &[Value]) -> Result<Vec<u8>> {
        if args.len() != function.params.len() {
            return Err(Error::Arity {
                what: format!("{} arguments", function.name),
                expected: function.params.len(),
                got: args.len(),
            });
        }
        let codec = self.codec();
        let mut out = Vec::with_capacity(Codec::reserve_for(function.params.iter().map(|p| &p.ty)));
        for (i, (param, value)) in function.params.iter().zip(args).enumerate() {
            if !Codec::encode_basic(&param.ty, value, &mut out) {
                codec.encode_at(&param.ty, value, &mut out, &|| arg_path(i, &param.name))?;
            }
        }
        Ok(out)
    }

    /// Decodes a function's SCALE-encoded results.
    pub fn decode_results(&self, function: &Function, bytes: &[u8]) -> Result<Vec<Value>> {
        self.codec()
            .decode_values("result", &function.results, bytes)
    }

    /// Whether a function's SCALE-encoded results decode ([`ContractAbi::decode_results`]
    /// accepts them), with the same error when they do not; builds no value.
    pub fn check_results(&self, function: &Function, bytes: &[u8]) -> Result<()> {
        self.codec()
            .check_values("result", &function.results, bytes)
    }

    /// Reads a function's arguments from a JSON array.
    pub fn args_from_json(&self, function: &Function, json: &J) -> Result<Vec<Value>> {
        let items = json.as_array().ok_or_else(|| Error::TypeMismatch {
            what: format!("{} arguments", function.name),
            expected: "a JSON array".into(),
            got: json_kind(json).into(),
        })?;
        if items.len() != function.params.len() {
            return Err(Error::Arity {
                what: format!("{} arguments", function.name),
                expected: function.params.len(),
                got: items.len(),
            });
        }
        function
            .params
            .iter()
            .zip(items)
            .enumerate()
            .map(|(i, (p, j))| self.codec().from_json(&p.ty, j, &arg_path(i, &p.name)))
            .collect()
    }

    /// The JSON form of results: none is `null`, one is the value itself, several an array.
    pub fn results_to_json(results: &[Value]) -> J {
        match results {
            [] => J::Null,
            [one] => one.to_json(),
            many => J::Array(many.iter().map(Value::to_json).collect()),
        }
    }
}

fn arg_path(i: usize, name: &str) -> String {
    format!("argument {} {name:?}", i + 1)
}

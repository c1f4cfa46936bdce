//! The ABI model: what a contract exports, as the validator extracts it and the host calls it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// Version of the ABI JSON form; bumped on any incompatible change.
pub const ABI_VERSION: u32 = 1;

/// A type that can cross the contract boundary, named as in Go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Type {
    /// `bool`: one byte, 0 or 1.
    Bool,
    /// `uint8` (and `byte`).
    U8,
    /// `uint16`.
    U16,
    /// `uint32`.
    U32,
    /// `uint64`.
    U64,
    /// `uint`: 64 bits wide on wasm, encoded exactly as `uint64`.
    Uint,
    /// `int8`.
    I8,
    /// `int16`.
    I16,
    /// `int32` (and `rune`).
    I32,
    /// `int64`.
    I64,
    /// `int`: 64 bits wide on wasm, encoded exactly as `int64`.
    Int,
    /// `string`: compact length, then UTF-8 bytes.
    String,
    /// `[]byte`: compact length, then the bytes.
    Bytes,
    /// `vm.Address`: 20 raw bytes.
    Address,
    /// `vm.ObjectID`: 32 raw bytes.
    ObjectId,
    /// `vm.Hash`: 32 raw bytes.
    Hash,
}

impl Type {
    /// Every type, in tag order.
    pub const ALL: [Type; 16] = [
        Type::Bool,
        Type::U8,
        Type::U16,
        Type::U32,
        Type::U64,
        Type::Uint,
        Type::I8,
        Type::I16,
        Type::I32,
        Type::I64,
        Type::Int,
        Type::String,
        Type::Bytes,
        Type::Address,
        Type::ObjectId,
        Type::Hash,
    ];

    /// The canonical Go spelling, with the SDK package named `vm`.
    pub fn go_name(self) -> &'static str {
        match self {
            Type::Bool => "bool",
            Type::U8 => "uint8",
            Type::U16 => "uint16",
            Type::U32 => "uint32",
            Type::U64 => "uint64",
            Type::Uint => "uint",
            Type::I8 => "int8",
            Type::I16 => "int16",
            Type::I32 => "int32",
            Type::I64 => "int64",
            Type::Int => "int",
            Type::String => "string",
            Type::Bytes => "[]byte",
            Type::Address => "vm.Address",
            Type::ObjectId => "vm.ObjectID",
            Type::Hash => "vm.Hash",
        }
    }

    /// The one-byte tag that precedes a value of this type where the type is not known from
    /// context (object fields and event fields). `int`/`uint` share the tags of
    /// `int64`/`uint64`: they are the same 64-bit values.
    pub fn tag(self) -> u8 {
        match self {
            Type::Bool => 0x01,
            Type::U8 => 0x02,
            Type::U16 => 0x03,
            Type::U32 => 0x04,
            Type::U64 | Type::Uint => 0x05,
            Type::I8 => 0x06,
            Type::I16 => 0x07,
            Type::I32 => 0x08,
            Type::I64 | Type::Int => 0x09,
            Type::String => 0x0a,
            Type::Bytes => 0x0b,
            Type::Address => 0x0c,
            Type::ObjectId => 0x0d,
            Type::Hash => 0x0e,
        }
    }

    /// The type a tag names (the 64-bit form for the shared integer tags).
    pub fn from_tag(tag: u8) -> Option<Type> {
        Some(match tag {
            0x01 => Type::Bool,
            0x02 => Type::U8,
            0x03 => Type::U16,
            0x04 => Type::U32,
            0x05 => Type::U64,
            0x06 => Type::I8,
            0x07 => Type::I16,
            0x08 => Type::I32,
            0x09 => Type::I64,
            0x0a => Type::String,
            0x0b => Type::Bytes,
            0x0c => Type::Address,
            0x0d => Type::ObjectId,
            0x0e => Type::Hash,
            _ => return None,
        })
    }

    /// Resolves a Go type expression as written in source, with the SDK's package already
    /// resolved to `vm` (so `vm.Address`, never an import alias). Accepts Go's aliases.
    pub fn from_go(name: &str) -> Option<Type> {
        Some(match name {
            "bool" => Type::Bool,
            "uint8" | "byte" => Type::U8,
            "uint16" => Type::U16,
            "uint32" => Type::U32,
            "uint64" => Type::U64,
            "uint" => Type::Uint,
            "int8" => Type::I8,
            "int16" => Type::I16,
            "int32" | "rune" => Type::I32,
            "int64" => Type::I64,
            "int" => Type::Int,
            "string" => Type::String,
            "[]byte" | "[]uint8" => Type::Bytes,
            "vm.Address" => Type::Address,
            "vm.ObjectID" => Type::ObjectId,
            "vm.Hash" => Type::Hash,
            _ => return None,
        })
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.go_name())
    }
}

impl FromStr for Type {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Type::from_go(s).ok_or_else(|| Error::UnsupportedType(s.to_owned()))
    }
}

impl Serialize for Type {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.go_name())
    }
}

impl<'de> Deserialize<'de> for Type {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One parameter of an entry point.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    /// The name in the Go source (`argN` for an unnamed or blank parameter).
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: Type,
}

/// One entry point: an exported package-level function of the contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    /// The Go name, which is also the wasm export name.
    pub name: String,
    /// Whether the first Go parameter is a `vm.Context` (not part of the wire arguments).
    pub context: bool,
    /// The wire parameters, in order.
    pub params: Vec<Param>,
    /// The result types, in order, without the trailing `error`.
    pub results: Vec<Type>,
    /// Whether the function returns an `error` as its last result.
    pub error: bool,
}

impl Function {
    /// The parameter types, in order.
    pub fn param_types(&self) -> Vec<Type> {
        self.params.iter().map(|p| p.ty).collect()
    }

    /// Checks arguments against the parameters and SCALE-encodes them. Errors name the
    /// argument: `argument 2 "amount": expected uint64, got string`.
    pub fn encode_args(&self, args: &[crate::Value]) -> Result<Vec<u8>> {
        if args.len() != self.params.len() {
            return Err(Error::Arity {
                what: format!("{} arguments", self.name),
                expected: self.params.len(),
                got: args.len(),
            });
        }
        let mut out = Vec::new();
        for (i, (param, value)) in self.params.iter().zip(args).enumerate() {
            if !value.fits(param.ty) {
                return Err(Error::TypeMismatch {
                    what: format!("argument {} {:?}", i + 1, param.name),
                    expected: param.ty.to_string(),
                    got: value.ty().to_string(),
                });
            }
            value.encode_to(&mut out);
        }
        Ok(out)
    }

    /// Decodes the SCALE-encoded results of this function.
    pub fn decode_results(&self, bytes: &[u8]) -> Result<Vec<crate::Value>> {
        crate::decode_values("result", &self.results, bytes)
    }
}

/// Everything a host needs to call a contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractAbi {
    /// Version of this JSON form ([`ABI_VERSION`]).
    pub abi_version: u32,
    /// The contract's Go package name.
    pub package: String,
    /// Entry points in source order.
    pub functions: Vec<Function>,
}

impl ContractAbi {
    /// Looks an entry point up by name.
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// The stable JSON form stored with every contract.
    pub fn to_json(&self) -> String {
        // Serialising plain structs of strings, bools and vectors cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads the JSON form back, checking its version.
    pub fn from_json(text: &str) -> Result<Self> {
        let abi: ContractAbi =
            serde_json::from_str(text).map_err(|e| Error::Json(e.to_string()))?;
        if abi.abi_version != ABI_VERSION {
            return Err(Error::Json(format!(
                "abi_version {} is not supported (this build reads {ABI_VERSION})",
                abi.abi_version
            )));
        }
        Ok(abi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips_through_its_go_name_and_tag() {
        for ty in Type::ALL {
            assert_eq!(Type::from_go(ty.go_name()), Some(ty));
            let back = Type::from_tag(ty.tag()).map(Type::tag);
            assert_eq!(back, Some(ty.tag()));
        }
        assert_eq!(Type::from_go("byte"), Some(Type::U8));
        assert_eq!(Type::from_go("map[string]int"), None);
    }

    #[test]
    fn abi_json_round_trips_and_checks_version() {
        let abi = ContractAbi {
            abi_version: ABI_VERSION,
            package: "token".into(),
            functions: vec![Function {
                name: "Transfer".into(),
                context: true,
                params: vec![
                    Param {
                        name: "to".into(),
                        ty: Type::Address,
                    },
                    Param {
                        name: "amount".into(),
                        ty: Type::U64,
                    },
                ],
                results: vec![],
                error: true,
            }],
        };
        let json = abi.to_json();
        assert!(json.contains("\"type\": \"vm.Address\""));
        assert_eq!(ContractAbi::from_json(&json).ok().as_ref(), Some(&abi));
        let err = abi.functions[0]
            .encode_args(&[crate::Value::Address(crate::Address::ZERO), "x".into()]);
        assert_eq!(
            err.err().map(|e| e.to_string()).as_deref(),
            Some("argument 2 \"amount\": expected uint64, got string")
        );
        let future = json.replace("\"abi_version\": 1", "\"abi_version\": 99");
        assert!(ContractAbi::from_json(&future).is_err());
    }
}

//! The ABI model: what a contract exports, as the validator extracts it and the host calls it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// Version of the ABI JSON form; bumped on any incompatible change.
pub const ABI_VERSION: u32 = 1;

/// Longest fixed array a contract may pass across the boundary.
pub const MAX_ARRAY_LEN: u32 = 1 << 16;

/// Deepest nesting of types (slices of structs of maps ...).
pub const MAX_TYPE_DEPTH: usize = 16;

/// A type that can cross the contract boundary, named as in Go.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
    /// `vm.Uint256`: an unsigned 256-bit integer, 32 bytes little endian.
    U256,
    /// `[N]T`: N elements, no length prefix.
    Array(u32, Box<Type>),
    /// `[]T` (for T other than byte): compact length, then the elements.
    Slice(Box<Type>),
    /// `map[K]V`: compact length, then (key, value) pairs in strictly increasing key order.
    Map(Box<Type>, Box<Type>),
    /// A struct declared in the contract: its fields in declaration order.
    Struct(String),
}

impl Type {
    /// The basic (non-composite) types, in tag order.
    pub const BASIC: [Type; 17] = [
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
        Type::U256,
    ];

    fn basic_name(&self) -> Option<&'static str> {
        Some(match self {
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
            Type::U256 => "vm.Uint256",
            _ => return None,
        })
    }

    /// The one-byte tag that precedes a value of a basic type where the type is not known
    /// from context (object fields and event fields). `int`/`uint` share the tags of
    /// `int64`/`uint64`: they are the same 64-bit values. Composite types use
    /// [`COMPOSITE_TAG`] followed by their Go spelling.
    pub fn tag(&self) -> u8 {
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
            Type::U256 => 0x10,
            Type::Array(..) | Type::Slice(_) | Type::Map(..) | Type::Struct(_) => COMPOSITE_TAG,
        }
    }

    /// The basic type a tag names (the 64-bit form for the shared integer tags).
    pub fn from_tag(tag: u8) -> Option<Type> {
        Type::BASIC
            .into_iter()
            .find(|t| t.tag() == tag && !matches!(t, Type::Uint | Type::Int))
    }

    /// Whether values of this type can be map keys: booleans, integers (`vm.Uint256` too),
    /// strings and the fixed-size identifiers, ordered naturally (numbers by value, the rest
    /// byte-wise).
    pub fn is_map_key(&self) -> bool {
        !matches!(
            self,
            Type::Bytes | Type::Array(..) | Type::Slice(_) | Type::Map(..) | Type::Struct(_)
        )
    }

    /// Parses a Go type expression as the ABI spells it (the SDK's package named `vm`).
    /// Accepts Go's aliases (`byte`, `rune`, `[]uint8`). Any other identifier is a struct
    /// name, to be resolved against the ABI's struct definitions.
    pub fn parse(text: &str) -> Result<Type> {
        parse_type(text, 0).ok_or_else(|| Error::UnsupportedType(text.to_owned()))
    }

    /// The smallest number of bytes a value of this type encodes to; composite lengths are
    /// checked against it so that a length prefix cannot promise more than the input holds.
    /// Struct sizes come from `structs`; an unknown struct counts as 1. Each struct is sized
    /// once, so structs that fan out over many levels (a hostile contract's choice) cost their
    /// number of fields, not their number of paths.
    pub fn min_size(&self, structs: &[StructDef]) -> usize {
        self.min_size_at(structs, &mut Vec::new(), 0)
    }

    /// The size of a fixed-size basic value; `None` for everything else.
    #[inline]
    pub(crate) fn basic_size(&self) -> Option<usize> {
        Some(match self {
            Type::Bool | Type::U8 | Type::I8 => 1,
            Type::U16 | Type::I16 => 2,
            Type::U32 | Type::I32 => 4,
            Type::U64 | Type::Uint | Type::I64 | Type::Int => 8,
            Type::Address => 20,
            Type::ObjectId | Type::Hash | Type::U256 => 32,
            Type::String
            | Type::Bytes
            | Type::Array(..)
            | Type::Slice(_)
            | Type::Map(..)
            | Type::Struct(_) => return None,
        })
    }

    /// `memo[i]`: the size of `structs[i]` once known (allocated at the first struct met).
    fn min_size_at(
        &self,
        structs: &[StructDef],
        memo: &mut Vec<Option<usize>>,
        depth: usize,
    ) -> usize {
        match self {
            Type::String | Type::Bytes | Type::Slice(_) | Type::Map(..) => 1,
            Type::Array(n, elem) => {
                (*n as usize).saturating_mul(elem.min_size_at(structs, memo, depth + 1))
            }
            Type::Struct(name) if depth < MAX_TYPE_DEPTH => {
                let Some(i) = structs.iter().position(|s| &s.name == name) else {
                    return 1;
                };
                memo.resize(structs.len(), None);
                if let Some(size) = memo[i] {
                    return size;
                }
                let size = structs[i]
                    .fields
                    .iter()
                    .map(|f| f.ty.min_size_at(structs, memo, depth + 1))
                    .fold(0, usize::saturating_add);
                memo[i] = Some(size);
                size
            }
            Type::Struct(_) => 1,
            // `basic_size` classifies every type: a new one is placed there first.
            basic => basic.basic_size().unwrap_or(1),
        }
    }
}

/// The tag of a composite value in a field or event: then its Go spelling (a SCALE string),
/// then its SCALE encoding.
pub const COMPOSITE_TAG: u8 = 0x0f;

fn parse_type(text: &str, depth: usize) -> Option<Type> {
    if depth > MAX_TYPE_DEPTH {
        return None;
    }
    let basic = match text {
        "bool" => Some(Type::Bool),
        "uint8" | "byte" => Some(Type::U8),
        "uint16" => Some(Type::U16),
        "uint32" => Some(Type::U32),
        "uint64" => Some(Type::U64),
        "uint" => Some(Type::Uint),
        "int8" => Some(Type::I8),
        "int16" => Some(Type::I16),
        "int32" | "rune" => Some(Type::I32),
        "int64" => Some(Type::I64),
        "int" => Some(Type::Int),
        "string" => Some(Type::String),
        "vm.Address" => Some(Type::Address),
        "vm.ObjectID" => Some(Type::ObjectId),
        "vm.Hash" => Some(Type::Hash),
        "vm.Uint256" => Some(Type::U256),
        _ => None,
    };
    if basic.is_some() {
        return basic;
    }
    if let Some(elem) = text.strip_prefix("[]") {
        return Some(match parse_type(elem, depth + 1)? {
            Type::U8 => Type::Bytes,
            other => Type::Slice(Box::new(other)),
        });
    }
    if let Some(rest) = text.strip_prefix("map[") {
        let close = matching_bracket(rest)?;
        let key = parse_type(&rest[..close], depth + 1)?;
        let value = parse_type(&rest[close + 1..], depth + 1)?;
        return key
            .is_map_key()
            .then(|| Type::Map(Box::new(key), Box::new(value)));
    }
    if let Some(rest) = text.strip_prefix('[') {
        let close = rest.find(']')?;
        let digits = &rest[..close];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 6 {
            return None;
        }
        let n: u32 = digits.parse().ok()?;
        if n == 0 || n > MAX_ARRAY_LEN {
            return None;
        }
        return Some(Type::Array(
            n,
            Box::new(parse_type(&rest[close + 1..], depth + 1)?),
        ));
    }
    let mut chars = text.chars();
    let first = chars.next()?;
    (first.is_alphabetic() || first == '_')
        .then_some(())
        .filter(|()| chars.all(|c| c.is_alphanumeric() || c == '_'))
        .map(|()| Type::Struct(text.to_owned()))
}

/// The index of the `]` closing a bracket opened just before `text`.
fn matching_bracket(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' if depth == 0 => return Some(i),
            ']' => depth -= 1,
            _ => {}
        }
    }
    None
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = self.basic_name() {
            return f.write_str(name);
        }
        match self {
            Type::Array(n, elem) => write!(f, "[{n}]{elem}"),
            Type::Slice(elem) => write!(f, "[]{elem}"),
            Type::Map(k, v) => write!(f, "map[{k}]{v}"),
            Type::Struct(name) => f.write_str(name),
            _ => Ok(()),
        }
    }
}

impl FromStr for Type {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Type::parse(s)
    }
}

impl Serialize for Type {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Type {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A named, typed slot: a parameter or a struct field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    /// The name in the Go source (`argN` for an unnamed or blank parameter).
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: Type,
}

/// A struct declared in the contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StructDef {
    /// The Go type name.
    pub name: String,
    /// Its fields, in declaration order (the encoding order).
    pub fields: Vec<Param>,
}

/// An event the contract emits with a literal name: `ctx.Log("Name", "key", v, ...)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDef {
    /// The event's name.
    pub name: String,
    /// Its literal keys, in order.
    pub keys: Vec<String>,
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
        self.params.iter().map(|p| p.ty.clone()).collect()
    }
}

/// Everything a host needs to call a contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractAbi {
    /// Version of this JSON form ([`ABI_VERSION`]).
    pub abi_version: u32,
    /// The contract's Go package name.
    pub package: String,
    /// The packages it imports, in source order.
    #[serde(default)]
    pub imports: Vec<String>,
    /// Entry points in source order.
    pub functions: Vec<Function>,
    /// Structs the entry points use, in source order.
    #[serde(default)]
    pub structs: Vec<StructDef>,
    /// Events emitted with literal names, in source order.
    #[serde(default)]
    pub events: Vec<EventDef>,
}

impl ContractAbi {
    /// An ABI with the given package and functions and no structs or events.
    pub fn new(package: impl Into<String>, functions: Vec<Function>) -> Self {
        Self {
            abi_version: ABI_VERSION,
            package: package.into(),
            imports: Vec::new(),
            functions,
            structs: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Looks an entry point up by name.
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// Looks a struct up by name.
    pub fn struct_def(&self, name: &str) -> Option<&StructDef> {
        self.structs.iter().find(|s| s.name == name)
    }

    /// The stable JSON form stored with every contract.
    pub fn to_json(&self) -> String {
        // Serialising plain structs of strings, bools and vectors cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads the JSON form back, checking its version and that every struct it names is
    /// defined.
    pub fn from_json(text: &str) -> Result<Self> {
        let abi: ContractAbi =
            serde_json::from_str(text).map_err(|e| Error::Json(e.to_string()))?;
        if abi.abi_version != ABI_VERSION {
            return Err(Error::Json(format!(
                "abi_version {} is not supported (this build reads {ABI_VERSION})",
                abi.abi_version
            )));
        }
        let mut used: Vec<&Type> = Vec::new();
        for f in &abi.functions {
            used.extend(f.params.iter().map(|p| &p.ty));
            used.extend(&f.results);
        }
        for s in &abi.structs {
            used.extend(s.fields.iter().map(|p| &p.ty));
        }
        for ty in used {
            abi.check_defined(ty)?;
        }
        Ok(abi)
    }

    fn check_defined(&self, ty: &Type) -> Result<()> {
        match ty {
            Type::Struct(name) if self.struct_def(name).is_none() => Err(Error::Json(format!(
                "struct `{name}` is used but not defined"
            ))),
            Type::Array(_, e) | Type::Slice(e) => self.check_defined(e),
            Type::Map(k, v) => self.check_defined(k).and(self.check_defined(v)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_round_trip_through_their_go_spelling() {
        for text in [
            "bool",
            "uint",
            "int",
            "string",
            "[]byte",
            "vm.Address",
            "vm.ObjectID",
            "vm.Hash",
            "[]uint64",
            "[][]string",
            "[4]uint8",
            "[2][3]int16",
            "map[string]uint64",
            "map[vm.Address][]Ballot",
            "[]map[int32]bool",
            "Ballot",
        ] {
            let ty = Type::parse(text).unwrap();
            assert_eq!(ty.to_string(), text);
        }
        assert_eq!(Type::parse("byte").ok(), Some(Type::U8));
        assert_eq!(Type::parse("[]uint8").ok(), Some(Type::Bytes));
        for bad in [
            "",
            "[]",
            "[0]int",
            "[x]int",
            "[65537]byte",
            "map[[]byte]int",
            "map[string]",
            "*int",
            "chan int",
            "func()",
            "a.b",
            "[1]",
        ] {
            assert!(Type::parse(bad).is_err(), "{bad}");
        }
        let deep = format!("{}int", "[]".repeat(MAX_TYPE_DEPTH + 2));
        assert!(Type::parse(&deep).is_err());
    }

    #[test]
    fn basic_tags_are_unique_and_round_trip() {
        for ty in Type::BASIC {
            let back = Type::from_tag(ty.tag()).map(|t| t.tag());
            assert_eq!(back, Some(ty.tag()));
        }
        assert_eq!(Type::from_tag(COMPOSITE_TAG), None);
    }

    #[test]
    fn abi_json_round_trips_and_checks_version_and_structs() {
        let mut abi = ContractAbi::new(
            "vote",
            vec![Function {
                name: "Cast".into(),
                context: true,
                params: vec![Param {
                    name: "ballot".into(),
                    ty: Type::Struct("Ballot".into()),
                }],
                results: vec![Type::Slice(Box::new(Type::U64))],
                error: true,
            }],
        );
        abi.structs.push(StructDef {
            name: "Ballot".into(),
            fields: vec![Param {
                name: "Choice".into(),
                ty: Type::U8,
            }],
        });
        abi.events.push(EventDef {
            name: "Cast".into(),
            keys: vec!["choice".into()],
        });
        let json = abi.to_json();
        assert!(json.contains("\"type\": \"Ballot\""));
        assert_eq!(ContractAbi::from_json(&json).ok().as_ref(), Some(&abi));
        let future = json.replace("\"abi_version\": 1", "\"abi_version\": 99");
        assert!(ContractAbi::from_json(&future).is_err());
        let undefined = json.replace("\"name\": \"Ballot\"", "\"name\": \"Other\"");
        assert!(ContractAbi::from_json(&undefined).is_err());
    }
}

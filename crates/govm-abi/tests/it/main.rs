//! The conformance vectors under testdata/abi-vectors, which the Go SDK checks too.
#![allow(clippy::unwrap_used)]

mod limits;
mod memory;
mod wasm;

use govm_abi::{Codec, StructDef, Type};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    structs: Vec<StructDef>,
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    json: Option<serde_json::Value>,
    hex: String,
    #[serde(default)]
    error: bool,
}

#[test]
fn rust_agrees_with_every_conformance_vector() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/abi-vectors/vectors.json"
    );
    let file: File = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(
        file.vectors.len() >= 200,
        "only {} vectors",
        file.vectors.len()
    );
    let codec = Codec::new(&file.structs);
    let mut failures = Vec::new();
    for v in &file.vectors {
        let ty = Type::parse(&v.ty).unwrap();
        let bytes = hex::decode(&v.hex).unwrap();
        let decoded = codec.decode_values("vector", std::slice::from_ref(&ty), &bytes);
        if v.error {
            if decoded.is_ok() {
                failures.push(format!("{}: decoded, but must be refused", v.name));
            }
            continue;
        }
        let json = v.json.as_ref().unwrap();
        match decoded {
            Ok(values) if &values[0].to_json() == json => {}
            Ok(values) => failures.push(format!(
                "{}: decoded to {}, expected {json}",
                v.name,
                values[0].to_json()
            )),
            Err(e) => failures.push(format!("{}: {e}", v.name)),
        }
        match codec
            .from_json(&ty, json, "vector")
            .and_then(|value| codec.encode_values("vector", std::slice::from_ref(&ty), &[value]))
        {
            Ok(encoded) if encoded == bytes => {}
            Ok(encoded) => failures.push(format!(
                "{}: encoded to {}, expected {}",
                v.name,
                hex::encode(encoded),
                v.hex
            )),
            Err(e) => failures.push(format!("{}: {e}", v.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

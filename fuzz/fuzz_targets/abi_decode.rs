//! Decoding arbitrary bytes never panics, and whatever decodes re-encodes to the same bytes:
//! argument tuples of basic and composite types, tagged values, event fields and result
//! envelopes. Run with `cargo xtask fuzz abi_decode --seconds 60`.
#![no_main]

use govm_abi::{Codec, Envelope, Param, StructDef, Type};
use libfuzzer_sys::fuzz_target;

const TYPES: &[&str] = &[
    "bool", "uint8", "int16", "uint32", "int64", "uint", "string", "[]byte", "vm.Address", "vm.Hash",
    "[3]uint16", "[]uint64", "[][]string", "map[string]uint64", "map[int32]bool", "Point", "[]Point",
    "map[vm.Address][]Point", "[2]Point",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let structs = vec![StructDef {
        name: "Point".into(),
        fields: vec![
            Param { name: "X".into(), ty: Type::I64 },
            Param { name: "Tags".into(), ty: Type::parse("[]string").unwrap() },
        ],
    }];
    let codec = Codec::new(&structs);
    let types: Vec<Type> = (0..(selector % 4) as usize)
        .map(|i| Type::parse(TYPES[(selector as usize / 4 + i * 7) % TYPES.len()]).unwrap())
        .collect();
    if let Ok(values) = codec.decode_values("fuzz", &types, bytes) {
        let again = codec.encode_values("fuzz", &types, &values).expect("decoded values re-encode");
        assert_eq!(again, bytes, "the encoding is canonical");
    }
    let _ = codec.decode_tagged(bytes);
    let _ = codec.decode_event_fields(bytes);
    let _ = Envelope::parse(bytes);
});

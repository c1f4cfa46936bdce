//! Decoding arbitrary bytes never panics: argument tuples of every type, tagged values, event
//! fields and result envelopes. Run with `cargo +nightly fuzz run abi_decode`.
#![no_main]

use govm_abi::{Envelope, Type, Value, decode_event_fields, decode_values};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let types: Vec<Type> = (0..(selector % 4) as usize)
        .map(|i| Type::ALL[(selector as usize / 4 + i * 5) % Type::ALL.len()])
        .collect();
    let _ = decode_values("fuzz", &types, bytes);
    let _ = Value::decode_tagged(bytes);
    let _ = decode_event_fields(bytes);
    let _ = Envelope::parse(bytes);
});

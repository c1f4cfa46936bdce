//! What decoding holds in memory, measured: at most the input's decoded-size limit
//! (`decoded_size_limit`) and a few KiB of lookups and messages, whatever the shape of the value
//! and the names of the structs, whether the input is accepted or refused.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use govm_abi::{Codec, Error, Param, StructDef, Type, Value, decoded_size_limit};

/// Counts the bytes each thread has allocated and not freed, and their peak. (A global
/// allocator is an unsafe trait: this one only counts, and hands every call to `System`.)
struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.get() + layout.size();
        LIVE.set(live);
        PEAK.set(PEAK.get().max(live));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.set(LIVE.get().saturating_sub(layout.size()));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// The peak of what `f` allocated on this thread, above what was live when it started.
fn peak_of<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = LIVE.get();
    PEAK.set(before);
    let out = f();
    (PEAK.get() - before, out)
}

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

fn nest(name: &str, depth: usize, leaf: Value) -> Value {
    (0..depth).fold(leaf, |v, _| Value::Struct(vec![(name.into(), v)]))
}

/// Besides the values: the walk's lookups, an error's message.
const OVERHEAD: usize = 16 << 10;

#[test]
fn decoding_holds_at_most_its_limit_in_memory() {
    let huge = "N".repeat(100_000);
    let long = "L".repeat(64);
    let structs = [
        st("Huge", &[(&huge, "bool")]),
        st("Long", &[(&long, "bool")]),
        st("A", &[("A", "bool")]),
        st("D1", &[(&long, "D2")]),
        st("D2", &[(&long, "D3")]),
        st("D3", &[(&long, "D4")]),
        st("D4", &[(&long, "bool")]),
    ];
    let codec = Codec::new(&structs);
    let cases = [
        ("[]Huge", nest(&huge, 1, Value::Bool(true)), 2_000, false),
        ("[]Long", nest(&long, 1, Value::Bool(true)), 50_000, true),
        ("[]A", nest("A", 1, Value::Bool(true)), 50_000, true),
        ("[]D1", nest(&long, 4, Value::Bool(true)), 20_000, false),
        ("[]bool", Value::Bool(true), 50_000, true),
        ("[]string", Value::String(String::new()), 50_000, true),
        ("[][]bool", Value::List(vec![]), 50_000, true),
    ];
    for (ty, element, n, accepted) in cases {
        let ty = Type::parse(ty).unwrap();
        let value = Value::List(vec![element; n]);
        let types = std::slice::from_ref(&ty);
        let bytes = codec
            .encode_values("r", types, std::slice::from_ref(&value))
            .unwrap();
        let fields = codec
            .encode_event_fields(&[("k".into(), ty.clone(), value.clone())])
            .unwrap();
        drop(value);
        let (peak, result) = peak_of(|| codec.decode_values("r", types, &bytes).map(drop));
        let limit = decoded_size_limit(bytes.len()) as usize;
        assert_eq!(result.is_ok(), accepted, "{ty}: {result:?}");
        if !accepted {
            assert!(matches!(result, Err(Error::DecodedTooLarge { .. })), "{ty}");
        }
        assert!(
            peak <= limit + OVERHEAD,
            "{ty}: {peak} bytes held, limit {limit}"
        );
        let (peak, result) = peak_of(|| codec.decode_event_fields(&fields).map(drop));
        let limit = decoded_size_limit(fields.len()) as usize;
        assert_eq!(result.is_ok(), accepted, "{ty} event: {result:?}");
        assert!(
            peak <= limit + OVERHEAD,
            "{ty} event: {peak} bytes held, limit {limit}"
        );
        let (peak, result) = peak_of(|| codec.check_values("r", types, &bytes));
        assert_eq!(result.is_ok(), accepted, "{ty} checked");
        assert!(peak <= OVERHEAD, "{ty}: checking held {peak} bytes");
    }
}

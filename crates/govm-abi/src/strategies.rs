//! proptest strategies for the contract types and values, shared by the tests.

use proptest::prelude::*;

use crate::model::{Param, StructDef, Type};
use crate::types::{Address, Hash, ObjectId};
use crate::value::{U256, Value};

/// Two structs, `Point` and `Shape` (which holds points), for the strategies' struct types.
pub(crate) fn structs() -> Vec<StructDef> {
    vec![
        StructDef {
            name: "Point".into(),
            fields: vec![
                Param {
                    name: "X".into(),
                    ty: Type::I64,
                },
                Param {
                    name: "Y".into(),
                    ty: Type::I64,
                },
            ],
        },
        StructDef {
            name: "Shape".into(),
            fields: vec![
                Param {
                    name: "Name".into(),
                    ty: Type::String,
                },
                Param {
                    name: "Points".into(),
                    ty: Type::parse("[]Point").unwrap(),
                },
                Param {
                    name: "Tags".into(),
                    ty: Type::parse("map[string]bool").unwrap(),
                },
            ],
        },
    ]
}

fn arb_basic_type() -> impl Strategy<Value = Type> {
    (0..Type::BASIC.len()).prop_map(|i| Type::BASIC[i].clone())
}

fn arb_key_type() -> impl Strategy<Value = Type> {
    arb_basic_type().prop_filter("map keys", Type::is_map_key)
}

/// Any type over the basic ones and [`structs`], nested up to three levels.
pub(crate) fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        4 => arb_basic_type(),
        1 => Just(Type::Struct("Point".into())),
        1 => Just(Type::Struct("Shape".into())),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (1u32..4, inner.clone()).prop_map(|(n, t)| Type::Array(n, Box::new(t))),
            inner.clone().prop_map(|t| if t == Type::U8 {
                Type::Bytes
            } else {
                Type::Slice(Box::new(t))
            }),
            (arb_key_type(), inner).prop_map(|(k, v)| Type::Map(Box::new(k), Box::new(v))),
        ]
    })
}

fn arb_value(ty: &Type, structs: &[StructDef]) -> BoxedStrategy<Value> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::U8 => any::<u8>().prop_map(Value::U8).boxed(),
        Type::U16 => any::<u16>().prop_map(Value::U16).boxed(),
        Type::U32 => any::<u32>().prop_map(Value::U32).boxed(),
        Type::U64 | Type::Uint => any::<u64>().prop_map(Value::U64).boxed(),
        Type::I8 => any::<i8>().prop_map(Value::I8).boxed(),
        Type::I16 => any::<i16>().prop_map(Value::I16).boxed(),
        Type::I32 => any::<i32>().prop_map(Value::I32).boxed(),
        Type::I64 | Type::Int => any::<i64>().prop_map(Value::I64).boxed(),
        Type::String => ".{0,12}".prop_map(Value::String).boxed(),
        Type::Bytes => proptest::collection::vec(any::<u8>(), 0..24)
            .prop_map(Value::Bytes)
            .boxed(),
        Type::Address => any::<[u8; 20]>()
            .prop_map(|b| Value::Address(Address(b)))
            .boxed(),
        Type::ObjectId => any::<[u8; 32]>()
            .prop_map(|b| Value::ObjectId(ObjectId(b)))
            .boxed(),
        Type::Hash => any::<[u8; 32]>().prop_map(|b| Value::Hash(Hash(b))).boxed(),
        Type::U256 => any::<[u8; 32]>()
            .prop_map(|b| Value::U256(U256::from_le_bytes(b)))
            .boxed(),
        Type::Array(n, e) => proptest::collection::vec(arb_value(e, structs), *n as usize)
            .prop_map(Value::List)
            .boxed(),
        Type::Slice(e) => proptest::collection::vec(arb_value(e, structs), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Map(k, v) => {
            proptest::collection::vec((arb_value(k, structs), arb_value(v, structs)), 0..4)
                .prop_map(|mut pairs| {
                    pairs.sort_by(|a, b| a.0.key_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
                    pairs.dedup_by(|a, b| a.0 == b.0);
                    Value::Map(pairs)
                })
                .boxed()
        }
        Type::Struct(name) => {
            let def = structs.iter().find(|s| &s.name == name).cloned().unwrap();
            let names: Vec<String> = def.fields.iter().map(|f| f.name.clone()).collect();
            def.fields
                .iter()
                .map(|f| arb_value(&f.ty, structs))
                .collect::<Vec<_>>()
                .prop_map(move |values| Value::Struct(names.iter().cloned().zip(values).collect()))
                .boxed()
        }
    }
}

/// A type and a value of it.
pub(crate) fn arb_typed() -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(|ty| {
        let value = arb_value(&ty, &structs());
        (Just(ty), value)
    })
}

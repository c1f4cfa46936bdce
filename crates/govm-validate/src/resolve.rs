//! Type resolution: the types a contract declares, and its type expressions resolved to wire
//! types, with the structs that can cross the contract boundary extracted.

use std::collections::HashMap;

use gosyn::ast::{Declaration, Expression, Field};
use gosyn::token::LitKind;
use govm_abi::{MAX_ARRAY_LEN, MAX_TYPE_DEPTH, Param, StructDef, Type};

/// A type declared at package level.
struct Declared {
    /// The struct's fields, or None for a named type that is not a struct.
    fields: Option<Vec<Field>>,
    generic: bool,
}

/// The package's types, resolved on demand.
#[derive(Default)]
pub(crate) struct Resolver {
    /// The name the SDK is imported under, if it is.
    pub(crate) sdk_name: Option<String>,
    /// The name the SDK's `core` package (the upstream package-level API) is imported under.
    pub(crate) core_name: Option<String>,
    declared: HashMap<String, Declared>,
    /// Structs resolved so far: their definition, or why they cannot cross the boundary.
    resolved: HashMap<String, Result<StructDef, String>>,
}

/// The largest smallest-encoding a fixed array may have (1 MiB).
const MAX_FIXED_SIZE: usize = 1 << 20;

impl Resolver {
    /// Records every type the package declares, before any is resolved.
    pub(crate) fn collect_types(&mut self, decls: &[Declaration]) {
        for decl in decls {
            if let Declaration::Type(d) = decl {
                for spec in &d.specs {
                    let fields = match (&spec.typ, spec.alias) {
                        (Expression::TypeStruct(s), false) => Some(s.fields.clone()),
                        _ => None,
                    };
                    let generic = !spec.params.list.is_empty();
                    self.declared
                        .insert(spec.name.name.clone(), Declared { fields, generic });
                }
            }
        }
    }

    /// Whether `typ` is the SDK's type `name` (`vm.Context`, under the name the SDK is imported as).
    pub(crate) fn is_sdk_type(&self, typ: &Expression, name: &str) -> bool {
        matches!(typ, Expression::Selector(s)
            if s.sel.name == name
                && matches!(&*s.x, Expression::Ident(pkg) if Some(&pkg.name) == self.sdk_name.as_ref()))
    }

    /// Resolves a type expression to a wire type, with the reason when it has none.
    pub(crate) fn resolve(&mut self, typ: &Expression, depth: usize) -> Result<Type, String> {
        if depth > MAX_TYPE_DEPTH {
            return Err(format!("types nest more than {MAX_TYPE_DEPTH} deep"));
        }
        match typ {
            Expression::Ident(id) => {
                if let Ok(ty) = Type::parse(&id.name)
                    && !matches!(ty, Type::Struct(_))
                {
                    return Ok(ty);
                }
                self.resolve_struct(&id.name, depth)
                    .map(|_| Type::Struct(id.name.clone()))
            }
            Expression::Selector(s) => match &*s.x {
                // core's Address, ObjectID and Hash are aliases of the SDK's.
                Expression::Ident(pkg)
                    if Some(&pkg.name) == self.sdk_name.as_ref()
                        || Some(&pkg.name) == self.core_name.as_ref() =>
                {
                    let sdk = Some(&pkg.name) == self.sdk_name.as_ref();
                    match s.sel.name.as_str() {
                        "Address" => Ok(Type::Address),
                        "ObjectID" => Ok(Type::ObjectId),
                        "Hash" => Ok(Type::Hash),
                        "Uint256" if sdk => Ok(Type::U256),
                        other => Err(format!(
                            "{}.{other} is not a value type",
                            if sdk { "vm" } else { "core" }
                        )),
                    }
                }
                _ => Err(
                    "only the SDK's Address, ObjectID, Hash and Uint256 (and core's Address, ObjectID and Hash) come from other packages"
                        .into(),
                ),
            },
            Expression::TypeSlice(s) => Ok(match self.resolve(&s.typ, depth + 1)? {
                Type::U8 => Type::Bytes,
                elem => Type::Slice(Box::new(elem)),
            }),
            Expression::TypeArray(a) => {
                let len = match &*a.len {
                    Expression::BasicLit(lit) if lit.kind == LitKind::Integer => {
                        lit.value.parse::<u32>().ok()
                    }
                    _ => None,
                };
                let Some(len) = len.filter(|n| (1..=MAX_ARRAY_LEN).contains(n)) else {
                    return Err(format!(
                        "array lengths must be decimal literals from 1 to {MAX_ARRAY_LEN}"
                    ));
                };
                let ty = Type::Array(len, Box::new(self.resolve(&a.typ, depth + 1)?));
                // A fixed array is encoded in full: keep every value's smallest encoding small.
                let structs: Vec<StructDef> = self
                    .resolved
                    .values()
                    .filter_map(|r| r.as_ref().ok().cloned())
                    .collect();
                let min = ty.min_size(&structs);
                if min > MAX_FIXED_SIZE {
                    return Err(format!(
                        "{ty} takes at least {min} bytes on the wire; fixed arrays are limited to {MAX_FIXED_SIZE}"
                    ));
                }
                Ok(ty)
            }
            Expression::TypeMap(m) => {
                let key = self.resolve(&m.key, depth + 1)?;
                if !key.is_map_key() {
                    return Err(format!(
                        "map keys must be booleans, integers, strings or SDK identifiers, not {key}"
                    ));
                }
                Ok(Type::Map(
                    Box::new(key),
                    Box::new(self.resolve(&m.val, depth + 1)?),
                ))
            }
            Expression::Paren(p) => self.resolve(&p.expr, depth),
            Expression::TypePointer(_) => Err("pointers cannot cross it; pass the value".into()),
            Expression::TypeChannel(_) => Err("channels are not allowed in contracts".into()),
            Expression::TypeFunction(_) => Err("functions cannot cross it".into()),
            Expression::TypeInterface(_) => {
                Err("interfaces cannot cross it; use a concrete type".into())
            }
            Expression::TypeStruct(_) => {
                Err("anonymous structs cannot cross it; declare a named struct".into())
            }
            _ => Err("it is not a supported type".into()),
        }
    }

    fn resolve_struct(&mut self, name: &str, depth: usize) -> Result<(), String> {
        if let Some(done) = self.resolved.get(name) {
            return done.as_ref().map(|_| ()).map_err(Clone::clone);
        }
        let Some(declared) = self.declared.get(name) else {
            return Err(match name {
                "float32" | "float64" | "complex64" | "complex128" => {
                    format!("{name} is not supported on the wire; use integers (fixed point)")
                }
                "uintptr" | "any" | "error" => format!("{name} is not supported on the wire"),
                _ => format!("`{name}` is not a type this contract declares"),
            });
        };
        let result = if declared.generic {
            Err(format!("struct {name} is generic"))
        } else if let Some(fields) = declared.fields.clone() {
            // Mark it in progress: meeting it again while resolving its fields is recursion.
            self.resolved.insert(
                name.to_owned(),
                Err(format!("struct {name} refers to itself")),
            );
            self.struct_fields(name, &fields, depth)
        } else {
            Err(format!(
                "`{name}` is not a struct: declare a struct or use the underlying type"
            ))
        };
        self.resolved.insert(name.to_owned(), result.clone());
        result.map(|_| ())
    }

    fn struct_fields(
        &mut self,
        name: &str,
        fields: &[Field],
        depth: usize,
    ) -> Result<StructDef, String> {
        let mut out = Vec::new();
        for field in fields {
            if field.name.is_empty() {
                return Err(format!("struct {name} has an embedded field; name it"));
            }
            let ty = self
                .resolve(&field.typ, depth + 1)
                .map_err(|reason| format!("field of struct {name}: {reason}"))?;
            for ident in &field.name {
                if ident.name == "_" {
                    return Err(format!("struct {name} has a blank field"));
                }
                out.push(Param {
                    name: ident.name.clone(),
                    ty: ty.clone(),
                });
            }
        }
        if out.is_empty() {
            return Err(format!("struct {name} has no fields"));
        }
        Ok(StructDef {
            name: name.to_owned(),
            fields: out,
        })
    }

    /// Every struct the contract declares that can cross the boundary, in source order.
    pub(crate) fn encodable_structs(&mut self, decls: &[Declaration]) -> Vec<StructDef> {
        let mut out = Vec::new();
        for decl in decls {
            if let Declaration::Type(d) = decl {
                for spec in &d.specs {
                    let name = &spec.name.name;
                    if matches!(
                        self.declared.get(name),
                        Some(Declared {
                            fields: Some(_),
                            ..
                        })
                    ) && self.resolve_struct(name, 0).is_ok()
                        && let Some(Ok(def)) = self.resolved.get(name)
                    {
                        out.push(def.clone());
                    }
                }
            }
        }
        out
    }

    /// The source text of a type expression, for messages.
    pub(crate) fn type_text(&self, typ: &Expression) -> String {
        match typ {
            Expression::Ident(id) => id.name.clone(),
            Expression::Selector(s) => match &*s.x {
                Expression::Ident(pkg) => format!("{}.{}", pkg.name, s.sel.name),
                _ => "this type".into(),
            },
            Expression::TypeSlice(s) => format!("[]{}", self.type_text(&s.typ)),
            Expression::TypeArray(a) => match &*a.len {
                Expression::BasicLit(lit) => format!("[{}]{}", lit.value, self.type_text(&a.typ)),
                _ => format!("[...]{}", self.type_text(&a.typ)),
            },
            Expression::TypeMap(m) => {
                format!("map[{}]{}", self.type_text(&m.key), self.type_text(&m.val))
            }
            Expression::TypePointer(p) => format!("*{}", self.type_text(&p.typ)),
            Expression::TypeChannel(c) => format!("chan {}", self.type_text(&c.typ)),
            Expression::Paren(p) => self.type_text(&p.expr),
            Expression::TypeFunction(_) => "func(...)".into(),
            Expression::TypeInterface(_) => "interface{...}".into(),
            Expression::TypeStruct(_) => "struct{...}".into(),
            _ => "this type".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::{Config, validate};

    #[test]
    fn structs_are_extracted_and_bad_ones_explained() {
        let src = "package p\n\nimport \"github.com/govm-net/vm\"\n\n\
                   type Point struct { X, Y int64 }\n\
                   type Shape struct { Name string; Points []Point; Owner vm.Address; Tags map[string]bool }\n\
                   type internal struct { p *int }\n\
                   func Area(s Shape) (uint64, [2]Point) { return 0, [2]Point{} }\n";
        let abi = validate(src, &Config::default()).unwrap().abi;
        let names: Vec<&str> = abi.structs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Point", "Shape"]);
        assert_eq!(abi.functions[0].results[1].to_string(), "[2]Point");
        let shape = &abi.structs[1];
        assert_eq!(shape.fields[3].ty.to_string(), "map[string]bool");

        let bad = |decl: &str, param: &str| {
            let src = format!("package p\n\n{decl}\nfunc F(x {param}) {{}}\n");
            match validate(&src, &Config::default()) {
                Ok(_) => panic!("{decl} accepted"),
                Err(r) => r.diagnostics[0].message.clone(),
            }
        };
        assert!(
            bad("type Node struct { Kids []Node }", "Node")
                .contains("struct Node refers to itself")
        );
        assert!(bad("type Empty struct {}", "Empty").contains("struct Empty has no fields"));
        assert!(bad("type Amount uint64", "Amount").contains("`Amount` is not a struct"));
        assert!(
            bad("type E struct { Point }\ntype Point struct { X int }", "E")
                .contains("embedded field")
        );
        assert!(bad("", "[0]int").contains("array lengths must be decimal literals"));
        assert!(bad("", "[65536][65536]bool").contains("fixed arrays are limited"));
        assert!(
            bad("", "map[string][65536][65536][65536][65536]bool")
                .contains("fixed arrays are limited")
        );
        assert!(bad("", "map[[2]int]bool").contains("map keys must be"));
        assert!(bad("", "interface{}").contains("interfaces cannot cross it"));
    }
}

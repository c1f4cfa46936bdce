//! The rules, applied to gosyn's AST.

use std::collections::HashMap;
use std::ops::Range;

use gosyn::ast::{Declaration, Expression, Field, FuncDecl};
use gosyn::token::LitKind;
use govm_abi::{
    ABI_VERSION, CORE_IMPORT_PATH, ContractAbi, Function, MAX_ARRAY_LEN, MAX_TYPE_DEPTH, Param,
    RESERVED_PREFIX, SDK_IMPORT_PATH, StructDef, Type,
};

use crate::constructs::{Constructs, walk_declaration};
use crate::diagnostic::{Diagnostic, LineIndex, Rejected};
use crate::imports::{DEFAULT_ALLOWED_IMPORTS, rejection_reason};
use crate::syntax::syntax_error;

/// What the validator accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Largest accepted source, in bytes. Default 1 MiB.
    pub max_source_size: usize,
    /// Import paths a contract may use. Default [`DEFAULT_ALLOWED_IMPORTS`].
    pub allowed_imports: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_source_size: 1 << 20,
            allowed_imports: DEFAULT_ALLOWED_IMPORTS
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

/// A contract that passed validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidContract {
    /// Its ABI.
    pub abi: ContractAbi,
    /// Byte range of the package name in the source, for the compiler's rename to `main`.
    pub package_name: Range<usize>,
}

/// Validates one contract file and extracts its ABI. Every violation is reported.
pub fn validate(source: &str, config: &Config) -> Result<ValidContract, Rejected> {
    let reject = |rule, message: String| Rejected {
        diagnostics: vec![Diagnostic {
            rule,
            line: 1,
            column: 1,
            message,
        }],
    };
    if source.len() > config.max_source_size {
        return Err(reject(
            "size",
            format!(
                "the source is {} bytes; the limit is {} bytes",
                source.len(),
                config.max_source_size
            ),
        ));
    }
    let lines = LineIndex::new(source);
    let file = match gosyn::parse_source(source) {
        Ok(file) => file,
        Err(err) => return Err(syntax_error(&err, source, &lines)),
    };
    let mut v = Validator {
        lines: &lines,
        diagnostics: Vec::new(),
        sdk_name: None,
        core_name: None,
        declared: HashMap::new(),
        resolved: HashMap::new(),
    };

    v.check_directives(&file.comments);
    v.check_imports(&file.imports, config);
    v.collect_types(&file.decl);
    let mut constructs = Constructs::default();
    let mut functions = Vec::new();
    for decl in &file.decl {
        v.check_reserved_names(decl);
        walk_declaration(&mut constructs, decl);
        if let Declaration::Function(f) = decl
            && let Some(function) = v.entry_point(f)
        {
            functions.push(function);
        }
    }
    for (rule, pos, message) in constructs.found {
        v.report(rule, pos, message.to_owned());
    }
    if functions.is_empty() && v.diagnostics.is_empty() {
        v.report(
            "entry-point",
            file.pkg_name.pos,
            "the contract exports no functions: entry points are exported package-level functions"
                .into(),
        );
    }
    if !v.diagnostics.is_empty() {
        v.diagnostics.sort_by_key(|d| (d.line, d.column));
        return Err(Rejected {
            diagnostics: v.diagnostics,
        });
    }
    let structs = v.encodable_structs(&file.decl);
    let start = lines.byte(file.pkg_name.pos);
    Ok(ValidContract {
        abi: ContractAbi {
            abi_version: ABI_VERSION,
            package: file.pkg_name.name.clone(),
            imports: file
                .imports
                .iter()
                .map(|i| {
                    i.path
                        .value
                        .trim_matches(|c| c == '"' || c == '`')
                        .to_owned()
                })
                .collect(),
            functions,
            structs,
            events: constructs.events,
        },
        package_name: start..start + file.pkg_name.name.len(),
    })
}

/// A type declared at package level.
struct Declared {
    /// The struct's fields, or None for a named type that is not a struct.
    fields: Option<Vec<Field>>,
    generic: bool,
}

struct Validator<'a> {
    lines: &'a LineIndex,
    diagnostics: Vec<Diagnostic>,
    /// The name the SDK is imported under, if it is.
    sdk_name: Option<String>,
    /// The name the SDK's `core` package (the upstream package-level API) is imported under.
    core_name: Option<String>,
    declared: HashMap<String, Declared>,
    /// Structs resolved so far: their definition, or why they cannot cross the boundary.
    resolved: HashMap<String, Result<StructDef, String>>,
}

/// The largest smallest-encoding a fixed array may have (1 MiB).
const MAX_FIXED_SIZE: usize = 1 << 20;

/// Names the wrapper declares as methods on the contract's structs.
const RESERVED_METHODS: [&str; 3] = ["GovmType", "GovmEncode", "GovmDecode"];

impl Validator<'_> {
    fn report(&mut self, rule: &'static str, pos: usize, message: String) {
        let (line, column) = self.lines.line_col(pos);
        self.diagnostics.push(Diagnostic {
            rule,
            line,
            column,
            message,
        });
    }

    fn check_directives(&mut self, comments: &[std::rc::Rc<gosyn::ast::Comment>]) {
        for c in comments {
            let text = c.text.as_str();
            let directive = [
                "//go:",
                "//export",
                "//extern",
                "//line ",
                "// +build",
                "//#cgo",
                "// #cgo",
            ]
            .iter()
            .find(|d| text.starts_with(*d));
            if let Some(d) = directive {
                self.report(
                    "directive",
                    c.pos,
                    format!(
                        "`{}` directives are not allowed: a contract cannot declare its own imports, exports or build settings",
                        d.trim_start_matches("//").trim()
                    ),
                );
            }
        }
    }

    fn check_imports(&mut self, imports: &[gosyn::ast::Import], config: &Config) {
        for import in imports {
            let path = import.path.value.trim_matches(|c| c == '"' || c == '`');
            let pos = import.path.pos;
            // Internal packages are refused even when configured: the SDK's runs the wrapper.
            let internal = path.split('/').any(|element| element == "internal");
            if internal || !config.allowed_imports.iter().any(|a| a == path) {
                self.report(
                    "import",
                    pos,
                    format!(
                        "import \"{path}\" is not allowed: {}",
                        rejection_reason(path)
                    ),
                );
                continue;
            }
            let alias = import.name.as_ref().map(|n| n.name.as_str());
            if alias == Some(".") {
                self.report(
                    "import",
                    pos,
                    format!("dot import of \"{path}\" is not allowed: name the package"),
                );
            } else if path == SDK_IMPORT_PATH {
                self.sdk_name = Some(alias.unwrap_or("vm").to_owned());
            } else if path == CORE_IMPORT_PATH {
                self.core_name = Some(alias.unwrap_or("core").to_owned());
            }
        }
    }

    fn collect_types(&mut self, decls: &[Declaration]) {
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

    fn check_reserved_names(&mut self, decl: &Declaration) {
        let mut names: Vec<&gosyn::ast::Ident> = Vec::new();
        match decl {
            Declaration::Function(f) if f.recv.is_none() => names.push(&f.name),
            Declaration::Function(f) => {
                if RESERVED_METHODS.contains(&f.name.name.as_str()) {
                    self.report(
                        "reserved-name",
                        f.name.pos,
                        format!(
                            "method `{}` is reserved for the wrapper govm generates",
                            f.name.name
                        ),
                    );
                }
            }
            Declaration::Type(d) => names.extend(d.specs.iter().map(|s| &s.name)),
            Declaration::Const(d) => names.extend(d.specs.iter().flat_map(|s| &s.name)),
            Declaration::Variable(d) => names.extend(d.specs.iter().flat_map(|s| &s.name)),
        }
        for ident in names {
            if ident.name == "main" || ident.name.starts_with(RESERVED_PREFIX) {
                self.report(
                    "reserved-name",
                    ident.pos,
                    format!(
                        "`{}` is reserved for the wrapper govm generates (`main` and names starting with `{RESERVED_PREFIX}`)",
                        ident.name
                    ),
                );
            }
        }
    }

    /// The ABI of an exported package-level function, or None (with diagnostics if it is an
    /// exported function that cannot be an entry point).
    fn entry_point(&mut self, f: &FuncDecl) -> Option<Function> {
        let exported = f.name.name.chars().next().is_some_and(char::is_uppercase);
        if f.recv.is_some() || !exported {
            return None;
        }
        let name = &f.name.name;
        if !f.typ.typ_params.list.is_empty() {
            self.report(
                "entry-point",
                f.name.pos,
                format!(
                    "exported function {name} is generic: entry points cannot have type parameters"
                ),
            );
            return None;
        }
        let before = self.diagnostics.len();
        let mut context = false;
        let mut params = Vec::new();
        let mut index = 0;
        for (i, field) in f.typ.params.list.iter().enumerate() {
            if i == 0 && self.is_sdk_type(&field.typ, "Context") && field.name.len() <= 1 {
                context = true;
                continue;
            }
            for name_ident in names_or_blank(field) {
                let param_name = match name_ident {
                    Some(n) if n.name != "_" => n.name.clone(),
                    _ => format!("arg{index}"),
                };
                index += 1;
                let pos = name_ident.map(|n| n.pos).or_else(|| expr_pos(&field.typ));
                if let Some(ty) =
                    self.wire_type(&field.typ, pos, name, &format!("parameter {param_name}"))
                {
                    params.push(Param {
                        name: param_name,
                        ty,
                    });
                }
            }
        }
        let mut results = Vec::new();
        let mut error = false;
        let result_types: Vec<&Expression> = f
            .typ
            .result
            .list
            .iter()
            .flat_map(|field| std::iter::repeat_n(&field.typ, field.name.len().max(1)))
            .collect();
        for (i, typ) in result_types.iter().enumerate() {
            if matches!(typ, Expression::Ident(id) if id.name == "error") {
                if i + 1 == result_types.len() {
                    error = true;
                } else {
                    self.report(
                        "entry-point",
                        expr_pos(typ).unwrap_or(f.name.pos),
                        format!("{name}: `error` may only be the last result"),
                    );
                }
                continue;
            }
            if let Some(ty) = self.wire_type(typ, expr_pos(typ), name, &format!("result {}", i + 1))
            {
                results.push(ty);
            }
        }
        if self.diagnostics.len() != before {
            return None;
        }
        Some(Function {
            name: name.clone(),
            context,
            params,
            results,
            error,
        })
    }

    fn is_sdk_type(&self, typ: &Expression, name: &str) -> bool {
        matches!(typ, Expression::Selector(s)
            if s.sel.name == name
                && matches!(&*s.x, Expression::Ident(pkg) if Some(&pkg.name) == self.sdk_name.as_ref()))
    }

    fn wire_type(
        &mut self,
        typ: &Expression,
        pos: Option<usize>,
        function: &str,
        what: &str,
    ) -> Option<Type> {
        match self.resolve(typ, 0) {
            Ok(ty) => Some(ty),
            Err(reason) => {
                let shown = self.type_text(typ);
                let hint = if self.is_sdk_type(typ, "Context") {
                    "; vm.Context may only be the first parameter".to_owned()
                } else {
                    String::new()
                };
                self.report(
                    "entry-point",
                    pos.unwrap_or(0),
                    format!("{function}: {what} has type {shown}, which cannot cross the contract boundary: {reason}{hint}"),
                );
                None
            }
        }
    }

    /// Resolves a type expression to a wire type, with the reason when it has none.
    fn resolve(&mut self, typ: &Expression, depth: usize) -> Result<Type, String> {
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
    fn encodable_structs(&mut self, decls: &[Declaration]) -> Vec<StructDef> {
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
    fn type_text(&self, typ: &Expression) -> String {
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

fn names_or_blank(field: &Field) -> Vec<Option<&gosyn::ast::Ident>> {
    if field.name.is_empty() {
        vec![None]
    } else {
        field.name.iter().map(Some).collect()
    }
}

pub(crate) fn expr_pos(e: &Expression) -> Option<usize> {
    Some(match e {
        Expression::Ident(id) => id.pos,
        Expression::Selector(s) => return expr_pos(&s.x),
        Expression::TypeSlice(s) => s.pos.0,
        Expression::TypeArray(a) => a.pos.0,
        Expression::TypeMap(m) => m.pos.0,
        Expression::TypePointer(p) => p.pos,
        Expression::TypeChannel(c) => c.pos.0,
        Expression::TypeFunction(f) => f.pos,
        Expression::TypeStruct(s) => s.pos.0,
        Expression::TypeInterface(i) => i.pos,
        Expression::Star(s) => s.pos,
        Expression::Ellipsis(e) => e.pos,
        Expression::Paren(p) => p.pos.0,
        Expression::Call(c) => return expr_pos(&c.func),
        Expression::Index(i) => return expr_pos(&i.left),
        Expression::Operation(o) => return expr_pos(&o.x),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use govm_abi::EventDef;

    fn diagnostics(source: &str) -> Vec<(String, usize, usize)> {
        match validate(source, &Config::default()) {
            Ok(_) => vec![],
            Err(r) => r
                .diagnostics
                .into_iter()
                .map(|d| (d.rule.to_owned(), d.line, d.column))
                .collect(),
        }
    }

    #[test]
    fn extracts_entry_points_with_context_names_and_error() {
        let src = "package token\n\nimport v \"github.com/govm-net/vm\"\n\n\
                   func Transfer(ctx v.Context, to v.Address, amount uint64) error { return nil }\n\
                   func Pair(a, _ int, b []byte) (x, y uint, err error) { return }\n\
                   func helper() {}\n\
                   func (t T) Method() {}\n";
        let c = validate(src, &Config::default()).unwrap();
        assert_eq!(c.abi.package, "token");
        assert_eq!(&src[c.package_name.clone()], "token");
        let names: Vec<&str> = c.abi.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Transfer", "Pair"]);
        let t = &c.abi.functions[0];
        assert!(t.context && t.error);
        assert_eq!(t.param_types(), [Type::Address, Type::U64]);
        let p = &c.abi.functions[1];
        assert!(!p.context && p.error);
        let pnames: Vec<&str> = p.params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(pnames, ["a", "arg1", "b"]);
        assert_eq!(p.results, [Type::Uint, Type::Uint]);
    }

    #[test]
    fn every_violation_is_reported_with_its_position() {
        let src = "package p\n\nimport (\n\t\"os\"\n\t\"time\"\n)\n\n\
                   //go:wasmimport env f\nfunc F(m *int) (error, int) { return nil, 0 }\n\
                   func govm_x() {}\n\
                   func G[T any](t T) {}\n";
        assert_eq!(
            diagnostics(src),
            [
                ("import".to_owned(), 4, 2),
                ("import".to_owned(), 5, 2),
                ("directive".to_owned(), 8, 1),
                ("entry-point".to_owned(), 9, 8),
                ("entry-point".to_owned(), 9, 17),
                ("reserved-name".to_owned(), 10, 6),
                ("entry-point".to_owned(), 11, 6),
            ]
        );
    }

    #[test]
    fn concurrency_and_recover_are_rejected_wherever_they_hide() {
        let src = "package p\n\nfunc F() {\n\tgo g()\n\tc := make(chan int)\n\tc <- 1\n\t<-c\n\tselect {}\n\tdefer func() { recover() }()\n}\nfunc g() {}\n";
        assert_eq!(
            diagnostics(src),
            [
                ("goroutine".to_owned(), 4, 2),
                ("channel".to_owned(), 5, 12),
                ("channel".to_owned(), 6, 2),
                ("channel".to_owned(), 7, 2),
                ("select".to_owned(), 8, 2),
                ("recover".to_owned(), 9, 17),
            ]
        );
    }

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

    #[test]
    fn events_with_literal_names_are_extracted() {
        let src = "package p\n\nimport \"github.com/govm-net/vm\"\n\n\
                   func F(ctx vm.Context, name string) {\n\
                   \tctx.Log(\"Paid\", \"to\", ctx.Sender(), \"amount\", 5)\n\
                   \tctx.Log(name, \"x\", 1)\n\
                   \tif true { ctx.Log(`Raw`) }\n\
                   \tctx.Log(\"Paid\", \"to\", ctx.Sender(), \"amount\", 6)\n}\n";
        let events = validate(src, &Config::default()).unwrap().abi.events;
        assert_eq!(
            events,
            [
                EventDef {
                    name: "Paid".into(),
                    keys: vec!["to".into(), "amount".into()]
                },
                EventDef {
                    name: "Raw".into(),
                    keys: vec![]
                },
            ]
        );
    }

    #[test]
    fn columns_count_bytes_like_go() {
        let src = "package p\n// héllo\nimport \"héllo/os\"\nfunc F() {}\n";
        assert_eq!(diagnostics(src), [("import".to_owned(), 3, 8)]);
    }

    #[test]
    fn rejects_size_syntax_and_empty_contracts() {
        let cfg = Config {
            max_source_size: 10,
            ..Config::default()
        };
        let err = validate("package toolong\n", &cfg).unwrap_err();
        assert_eq!(err.diagnostics[0].rule, "size");
        assert_eq!(diagnostics("package p\nfunc F( {\n")[0].0, "syntax");
        assert_eq!(
            diagnostics("package p\nfunc f() {}\n"),
            [("entry-point".to_owned(), 1, 9)]
        );
    }
}

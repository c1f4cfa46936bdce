//! The rules, applied to gosyn's AST.

use std::collections::HashSet;
use std::ops::Range;

use gosyn::ast::{Declaration, Expression, Field, FuncDecl};
use govm_abi::{
    ABI_VERSION, CORE_IMPORT_PATH, ContractAbi, Function, MAX_NAME_LEN, Param, RESERVED_PREFIX,
    SDK_IMPORT_PATH, StructDef, Type,
};

use crate::ast::expr_pos;
use crate::constructs::{Constructs, walk_declaration};
use crate::diagnostic::{Diagnostic, LineIndex, Rejected};
use crate::imports::{DEFAULT_ALLOWED_IMPORTS, rejection_reason};
use crate::resolve::Resolver;
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
        types: Resolver::default(),
    };

    v.check_directives(&file.comments);
    v.check_imports(&file.imports, config);
    v.check_name_length(&file.pkg_name, "package");
    v.types.collect_types(&file.decl);
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
    let structs = v.types.encodable_structs(&file.decl);
    v.check_struct_names(&file.decl, &structs);
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

struct Validator<'a> {
    lines: &'a LineIndex,
    diagnostics: Vec<Diagnostic>,
    /// The package's types, and the names the SDK's packages are imported under.
    types: Resolver,
}

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
                self.types.sdk_name = Some(alias.unwrap_or("vm").to_owned());
            } else if path == CORE_IMPORT_PATH {
                self.types.core_name = Some(alias.unwrap_or("core").to_owned());
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
        self.check_name_length(&f.name, "entry point");
        let mut context = false;
        let mut params = Vec::new();
        let mut index = 0;
        for (i, field) in f.typ.params.list.iter().enumerate() {
            if i == 0 && self.types.is_sdk_type(&field.typ, "Context") && field.name.len() <= 1 {
                context = true;
                continue;
            }
            for name_ident in names_or_blank(field) {
                let param_name = match name_ident {
                    Some(n) if n.name != "_" => {
                        self.check_name_length(n, "parameter");
                        n.name.clone()
                    }
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

    /// Refuses a name longer than [`MAX_NAME_LEN`] bytes that would enter the ABI: every
    /// decoded value of a struct copies its fields' names, so a long one makes a few bytes of
    /// encoding decode to a lot of memory.
    fn check_name_length(&mut self, ident: &gosyn::ast::Ident, what: &str) {
        let name = &ident.name;
        if name.len() <= MAX_NAME_LEN {
            return;
        }
        let mut shown = MAX_NAME_LEN / 2;
        while !name.is_char_boundary(shown) {
            shown -= 1;
        }
        self.report(
            "name-length",
            ident.pos,
            format!(
                "{what} name `{}…` is {} bytes long: a name that enters the ABI may have at most {MAX_NAME_LEN} bytes",
                &name[..shown],
                name.len()
            ),
        );
    }

    /// [`Validator::check_name_length`] for every struct of the ABI and its fields.
    fn check_struct_names(&mut self, decls: &[Declaration], structs: &[StructDef]) {
        let in_abi: HashSet<&str> = structs.iter().map(|s| s.name.as_str()).collect();
        for decl in decls {
            let Declaration::Type(d) = decl else {
                continue;
            };
            for spec in &d.specs {
                if !in_abi.contains(spec.name.name.as_str()) {
                    continue;
                }
                self.check_name_length(&spec.name, "struct");
                if let Expression::TypeStruct(t) = &spec.typ {
                    for ident in t.fields.iter().flat_map(|f| &f.name) {
                        self.check_name_length(ident, "struct field");
                    }
                }
            }
        }
    }

    fn wire_type(
        &mut self,
        typ: &Expression,
        pos: Option<usize>,
        function: &str,
        what: &str,
    ) -> Option<Type> {
        match self.types.resolve(typ, 0) {
            Ok(ty) => Some(ty),
            Err(reason) => {
                let shown = self.types.type_text(typ);
                let hint = if self.types.is_sdk_type(typ, "Context") {
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
}

fn names_or_blank(field: &Field) -> Vec<Option<&gosyn::ast::Ident>> {
    if field.name.is_empty() {
        vec![None]
    } else {
        field.name.iter().map(Some).collect()
    }
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

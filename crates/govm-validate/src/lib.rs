//! Validation of Go contract source, and extraction of its ABI.
//!
//! A contract is one Go file. [`validate`] parses it with `gosyn`, checks it against the rules
//! a contract must follow (size, imports from an allow-list, no compiler directives, encodable
//! entry points, no names the generated wrapper reserves) and returns its [`ContractAbi`](govm_abi::ContractAbi), or
//! every violation found as [`Diagnostic`]s with line and column.
//!
//! ```
//! use govm_validate::{validate, Config};
//!
//! let source = r#"package counter
//!
//! import "github.com/govm-net/vm"
//!
//! func Add(ctx vm.Context, n uint64) (uint64, error) { return n + 1, nil }
//! "#;
//! let contract = validate(source, &Config::default()).unwrap();
//! assert_eq!(contract.abi.functions[0].name, "Add");
//!
//! let rejected = validate("package p\nimport \"os\"\nfunc F() {}\n", &Config::default());
//! let diagnostics = rejected.unwrap_err().diagnostics;
//! assert_eq!(diagnostics[0].rule, "import");
//! assert_eq!((diagnostics[0].line, diagnostics[0].column), (2, 8));
//! ```
#![deny(missing_docs)]

mod ast;
mod constructs;
mod diagnostic;
mod imports;
mod resolve;
mod rules;
mod source;
mod syntax;
mod walk;

pub use diagnostic::{Diagnostic, Rejected};
pub use imports::{DEFAULT_ALLOWED_IMPORTS, rejection_reason};
pub use rules::{Config, ValidContract, validate};
pub use source::{SourceError, prepare_source};

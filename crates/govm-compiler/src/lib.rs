//! The contract compiler: source in, wasm out.
//!
//! [`prepare_source`] turns deployed bytes (plain or gzip) into checked source;
//! [`Compiler::compile`] builds a validated contract with TinyGo or Go in a hermetic temporary
//! module (the contract renamed to package `main`, the generated wrapper, the embedded SDK
//! wired in with a go.mod `replace`, no network, none of the user's Go environment), and keeps
//! the result in a content-addressed artifact cache.
//!
//! ```no_run
//! use govm_compiler::{Compiler, CompilerConfig, prepare_source};
//!
//! let source = prepare_source(&std::fs::read("token.go")?, 1 << 20)?;
//! let contract = govm_validate::validate(&source, &Default::default())?;
//! let compiler = Compiler::new(CompilerConfig::new("/tmp/govm-cache"));
//! let artifact = compiler.compile(&source, &contract, "token.go")?;
//! assert!(artifact.module.bytes().starts_with(b"\0asm"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod build;
mod error;
mod source;
mod toolchain;

pub use build::{Artifact, Compiler, CompilerConfig};
pub use error::{Error, Result};
pub use source::prepare_source;
pub use toolchain::{DEBIAN_GO, Toolchain, ToolchainConfig, ToolchainKind};

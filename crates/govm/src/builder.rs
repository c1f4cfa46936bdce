//! Building: what turns Go source into a module on the author's machine (feature `build`).
//!
//! Compiling with TinyGo or Go, deploying source the engine builds itself, `verify`, and
//! syntax errors confirmed by `gofmt -e`. A node runs none of this: `govm-chain` and
//! `govm-node` depend on this crate without the feature, so no path of theirs reaches the
//! compiler or the SDK (checked by `cargo xtask test`).

use govm_abi::{Address, CheckedModule, ContractAbi};
use govm_compiler::Compiler;
use govm_runtime::ModuleSource;
use govm_state::code_hash;
use govm_validate::prepare_source;

use crate::config::{DeployOptions, Deployment};
use crate::engine::{Engine, Pending, refused};
use crate::error::{Error, Result};

impl Engine {
    /// The compiler (for its toolchain and statistics).
    pub fn compiler(&self) -> &Compiler {
        &self.compiler
    }

    /// Validates source for its author: syntax errors are confirmed with Go's own parser when
    /// Go is installed, so that they point where `gofmt -e` does.
    pub(crate) fn validate_for_author(&self, source: &str) -> Result<govm_validate::ValidContract> {
        match govm_validate::validate(source, &self.validation) {
            Ok(valid) => Ok(valid),
            Err(rejected) if rejected.diagnostics.iter().any(|d| d.rule == "syntax") => {
                let diagnostics = self
                    .compiler
                    .syntax_diagnostics(source)
                    .unwrap_or(rejected.diagnostics);
                Err(Error::Rejected(govm_validate::Rejected { diagnostics }))
            }
            Err(rejected) => Err(Error::Rejected(rejected)),
        }
    }

    /// Validates and compiles Go source, without deploying it. Returns the ABI and the module
    /// (checked as the runtime would check it).
    pub fn build(&self, code: &[u8], file_name: &str) -> Result<(ContractAbi, CheckedModule)> {
        let source = prepare_source(code, self.validation.max_source_size)?;
        let valid = self.validate_for_author(&source)?;
        let artifact = self.compiler.compile(&source, &valid, file_name)?;
        Ok((valid.abi, artifact.module))
    }

    /// Deploys Go source (plain or gzip) with default options.
    pub fn deploy(&self, code: &[u8]) -> Result<Address> {
        Ok(self
            .deploy_with_options(code, &DeployOptions::default())?
            .address)
    }

    /// Validates, compiles (unless the same source was compiled before), checks the module,
    /// runs Go's package initialization under the contract's fuel limit and snapshots it,
    /// stores the contract, and registers it at a fresh address.
    pub fn deploy_with_options(&self, code: &[u8], options: &DeployOptions) -> Result<Deployment> {
        let limits = options.options.unwrap_or(self.default_options());
        limits.check().map_err(Error::Runtime)?;
        let source = prepare_source(code, self.validation.max_source_size)?;
        let valid = self.validate_for_author(&source)?;
        // Compiling and preparing take seconds for new code: done before taking the write
        // lock, so that other writers wait only for the store. The compiler's artifact cache
        // makes a source built before cost no compile.
        let artifact = self.compiler.compile(&source, &valid, &options.file_name)?;
        let hash = code_hash(source.as_bytes(), artifact.module.bytes());
        let stored = self.state.begin().has_code(&hash)?;
        let prepared = self.prepare(
            &hash,
            ModuleSource::Checked(&artifact.module),
            &valid,
            &limits,
        )?;
        let compile_gas = crate::engine::compile_gas_of(&artifact.module)?;
        let wasm = artifact.module.into_bytes();
        let pending = Pending::new(
            &source,
            valid,
            limits,
            (wasm, compile_gas),
            prepared,
            !stored,
        );
        self.store_deployment(pending, options)
    }

    /// Whether `code` builds, with this engine's toolchain, to exactly the module deployed at
    /// `contract`: the check a user makes of a contract deployed from prebuilt wasm.
    pub fn verify(&self, contract: Address, code: &[u8], file_name: &str) -> Result<bool> {
        let tx = self.state.begin();
        let record = tx.contract(&contract.0)?.ok_or_else(|| {
            refused(govm_runtime::Error::UnknownContract {
                address: contract.to_string(),
            })
        })?;
        let deployed = tx.code(&record.code_hash)?.unwrap_or_default();
        let (_, module) = self.build(code, file_name)?;
        Ok(module.bytes() == deployed.as_slice())
    }
}

//! The structural limits of a contract module: how much of each thing a module may hold, so
//! that checking it, compiling it and instantiating it are bounded before any of it starts
//! (docs/abi.md §6.1). The module check counts as it reads and refuses a module at the first
//! count over its limit, before it validates the code that count is about.
//!
//! Cranelift's work on a function is not linear in its size: every value it places is looked
//! up through the function's chain of basic blocks, and every local is carried through every
//! block. So besides sizes and counts, the limits bound the blocks of a function (the
//! instructions that start one: `block`, `loop`, `if`, `else`, `br_if`, `br_table` and
//! `call_indirect`), the module's `call`s (each costs about as much as a block), and two
//! products, a function's size times its blocks and its locals times its blocks, per function
//! and summed over the module. `benches/compile.rs` measures modules at each limit.

use std::fmt;

use wasmparser::{ElementItems, FunctionBody, Operator, Payload};

/// Why a module is not one govm can run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleError(pub String);

impl std::fmt::Display for ModuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ModuleError {}

/// How much a contract module may hold. Consensus constants: every node refuses the same
/// modules. [`MODULE_LIMITS`] is the one set the module check applies; docs/abi.md §6.1
/// lists the same numbers (a test compares them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModuleLimits {
    /// Types in the type section.
    pub types: u64,
    /// Parameters of one type (a function's, or a block's).
    pub params: u64,
    /// Results of one type.
    pub results: u64,
    /// Parameters of the type of a `block`, `loop` or `if`. With [`ModuleLimits::results`]
    /// this bounds the types a branch carries, which the validator checks once per branch
    /// target.
    pub block_params: u64,
    /// Imports.
    pub imports: u64,
    /// Functions the module defines.
    pub functions: u64,
    /// A table's initial and maximum number of elements: the largest table a contract may ask
    /// for (`govm_runtime::MAX_TABLE_SIZE`).
    pub table_elements: u64,
    /// A memory's initial and maximum number of 64 KiB pages: the largest memory a contract
    /// may ask for (`govm_runtime::MAX_MEMORY_LIMIT`, 1 GiB).
    pub memory_pages: u64,
    /// Globals the module defines.
    pub globals: u64,
    /// Exports.
    pub exports: u64,
    /// Element segments.
    pub element_segments: u64,
    /// Elements of all element segments together.
    pub elements: u64,
    /// Data segments.
    pub data_segments: u64,
    /// Bytes of all data segments together.
    pub data_size: u64,
    /// Bytes of the code section: every function body, with its size.
    pub code_size: u64,
    /// Bytes of one function body (its locals and instructions).
    pub function_size: u64,
    /// Locals of one function, parameters included, once its declarations are expanded.
    pub locals: u64,
    /// Locals of all functions together.
    pub module_locals: u64,
    /// Blocks of one function: its `block`, `loop`, `if`, `else`, `br_if`, `br_table` and
    /// `call_indirect` instructions.
    pub blocks: u64,
    /// Blocks of all functions together.
    pub module_blocks: u64,
    /// `call` instructions of all functions together: each costs Cranelift about as much as
    /// a block.
    pub module_calls: u64,
    /// How deep `block`, `loop` and `if` nest in one function.
    pub nesting: u64,
    /// Targets of one `br_table`, its default included.
    pub br_table_targets: u64,
    /// One function's body size times its blocks.
    pub size_by_blocks: u64,
    /// The sum over functions of body size times blocks.
    pub module_size_by_blocks: u64,
    /// One function's locals times its blocks.
    pub locals_by_blocks: u64,
    /// The sum over functions of locals times blocks.
    pub module_locals_by_blocks: u64,
}

/// The limits every module from outside is checked against (docs/abi.md §6.1). The Go
/// toolchain's largest test contract (4.5 MB of wasm, 2,752 functions) stays below each by a
/// factor of at least 2.4, but for data segments (1.86: the snapshot of package
/// initialisation adds segments, and past 100,000 no validator takes the module).
pub const MODULE_LIMITS: ModuleLimits = ModuleLimits {
    types: 1_024,
    params: 32,
    results: 4,
    block_params: 4,
    imports: 64,
    functions: 16_384,
    table_elements: 1 << 18,
    memory_pages: 1 << 14,
    globals: 1_024,
    exports: 1_024,
    element_segments: 1_024,
    elements: 1 << 18,
    data_segments: 89_000,
    data_size: 8 << 20,
    code_size: 8 << 20,
    function_size: 256 << 10,
    locals: 1_024,
    module_locals: 1 << 20,
    blocks: 8_192,
    module_blocks: 1 << 18,
    module_calls: 1 << 17,
    nesting: 4_096,
    br_table_targets: 16_384,
    size_by_blocks: 1 << 28,
    module_size_by_blocks: 1 << 31,
    locals_by_blocks: 1 << 19,
    module_locals_by_blocks: 1 << 21,
};

/// What the module check counted: the quantities a module's compile time depends on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModuleShape {
    /// Functions the module defines.
    pub functions: u64,
    /// Bytes of the code section.
    pub code_size: u64,
    /// Bytes of the largest function body.
    pub largest_function: u64,
    /// Locals of all functions (parameters included).
    pub locals: u64,
    /// Blocks of all functions ([`ModuleLimits::blocks`] says which instructions count).
    pub blocks: u64,
    /// `call` instructions of all functions.
    pub calls: u64,
    /// The sum over functions of body size times blocks.
    pub size_by_blocks: u64,
    /// The sum over functions of locals times blocks.
    pub locals_by_blocks: u64,
    /// `br_table` targets of all functions, each table's default included.
    pub br_table_targets: u64,
    /// The sum over functions of locals times `br_table` targets: each target is an edge the
    /// register allocator splits, with the function's live values across it.
    pub locals_by_targets: u64,
    /// Data segments.
    pub data_segments: u64,
    /// Bytes of all data segments.
    pub data_size: u64,
}

/// Whose count went over a limit, for the message.
enum Whose {
    Module,
    Function(u64),
    Type(u64),
    Memory(u64),
    Table(u64),
}

impl fmt::Display for Whose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Whose::Module => f.write_str("the module"),
            Whose::Function(i) => write!(f, "function {i}"),
            Whose::Type(i) => write!(f, "type {i}"),
            Whose::Memory(i) => write!(f, "memory {i}"),
            Whose::Table(i) => write!(f, "table {i}"),
        }
    }
}

/// Refuses `value` of `what` when it is over `max`, with a message that names the limit.
fn at_most(whose: Whose, what: &str, value: u64, max: u64) -> Result<(), ModuleError> {
    if value > max {
        return Err(ModuleError(format!(
            "{whose} has {value} {what}, over the limit of {max} (docs/abi.md §6.1)"
        )));
    }
    Ok(())
}

/// The counting half of the module check: sees every payload before the validator does and
/// every function body before it is validated.
pub(crate) struct Counter {
    limits: ModuleLimits,
    shape: ModuleShape,
    /// Parameters of each type, and the type of each defined function, to count a function's
    /// locals.
    type_params: Vec<u64>,
    function_types: Vec<u32>,
    /// Imported functions: a defined function's index comes after them.
    imported_functions: u64,
    element_count: u64,
}

impl Counter {
    pub(crate) fn new(limits: ModuleLimits) -> Self {
        Self {
            limits,
            shape: ModuleShape::default(),
            type_params: Vec::new(),
            function_types: Vec::new(),
            imported_functions: 0,
            element_count: 0,
        }
    }

    pub(crate) fn shape(&self) -> ModuleShape {
        self.shape
    }

    /// Counts what a section holds: its entries first (known before any is read), then
    /// what each entry declares. Entries that do not parse are left to the validator.
    pub(crate) fn section(&mut self, payload: &Payload<'_>) -> Result<(), ModuleError> {
        let l = self.limits;
        let count = |n: u32, what: &str, max: u64| at_most(Whose::Module, what, n.into(), max);
        match payload {
            Payload::TypeSection(reader) => {
                count(reader.count(), "types", l.types)?;
                for group in reader.clone() {
                    let Ok(group) = group else { break };
                    for ty in group.into_types() {
                        let index = self.type_params.len() as u64;
                        let (params, results) = match &ty.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => {
                                (f.params().len() as u64, f.results().len() as u64)
                            }
                            _ => (0, 0),
                        };
                        at_most(Whose::Type(index), "params", params, l.params)?;
                        at_most(Whose::Type(index), "results", results, l.results)?;
                        self.type_params.push(params);
                    }
                }
            }
            Payload::ImportSection(reader) => {
                count(reader.count(), "imports", l.imports)?;
                // Counted again one by one: a group of compact imports is one entry.
                for (i, import) in reader.clone().into_imports().enumerate() {
                    let Ok(import) = import else { break };
                    at_most(Whose::Module, "imports", i as u64 + 1, l.imports)?;
                    if matches!(import.ty, wasmparser::TypeRef::Func(_)) {
                        self.imported_functions += 1;
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                count(reader.count(), "functions", l.functions)?;
                self.shape.functions = reader.count().into();
                self.function_types = reader.clone().into_iter().map_while(Result::ok).collect();
            }
            Payload::TableSection(reader) => {
                for (i, table) in reader.clone().into_iter().enumerate() {
                    let Ok(table) = table else { break };
                    let whose = || Whose::Table(i as u64);
                    let max = l.table_elements;
                    at_most(whose(), "initial elements", table.ty.initial, max)?;
                    if let Some(maximum) = table.ty.maximum {
                        at_most(whose(), "maximum elements", maximum, max)?;
                    }
                }
            }
            Payload::MemorySection(reader) => {
                for (i, memory) in reader.clone().into_iter().enumerate() {
                    let Ok(memory) = memory else { break };
                    let whose = || Whose::Memory(i as u64);
                    let max = l.memory_pages;
                    at_most(whose(), "initial pages", memory.initial, max)?;
                    if let Some(maximum) = memory.maximum {
                        at_most(whose(), "maximum pages", maximum, max)?;
                    }
                }
            }
            Payload::GlobalSection(reader) => count(reader.count(), "globals", l.globals)?,
            Payload::ExportSection(reader) => count(reader.count(), "exports", l.exports)?,
            Payload::ElementSection(reader) => {
                count(reader.count(), "element segments", l.element_segments)?;
                for segment in reader.clone() {
                    let Ok(segment) = segment else { break };
                    self.element_count += u64::from(match segment.items {
                        ElementItems::Functions(items) => items.count(),
                        ElementItems::Expressions(_, items) => items.count(),
                    });
                    at_most(Whose::Module, "elements", self.element_count, l.elements)?;
                }
            }
            Payload::DataCountSection { count: n, .. } => {
                count(*n, "data segments", l.data_segments)?
            }
            Payload::DataSection(reader) => {
                count(reader.count(), "data segments", l.data_segments)?;
                self.shape.data_segments = reader.count().into();
                for segment in reader.clone() {
                    let Ok(segment) = segment else { break };
                    self.shape.data_size += segment.data.len() as u64;
                    let size = self.shape.data_size;
                    at_most(Whose::Module, "bytes of data", size, l.data_size)?;
                }
            }
            Payload::CodeSectionStart { range, .. } => {
                self.shape.code_size = range.len() as u64;
                at_most(
                    Whose::Module,
                    "bytes of code",
                    range.len() as u64,
                    l.code_size,
                )?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Counts one function body, the `index`-th the module defines (from 0, imports not
    /// counted):
    /// its size, its locals with their declarations expanded (without expanding them), and
    /// its blocks, nesting and `br_table` targets, in one pass over its instructions.
    pub(crate) fn body(&mut self, index: u64, body: &FunctionBody<'_>) -> Result<(), ModuleError> {
        let l = self.limits;
        let whose = || Whose::Function(self.imported_functions + index);
        let invalid = |e: wasmparser::BinaryReaderError| ModuleError(format!("invalid wasm: {e}"));
        let size = body.range().len() as u64;
        at_most(whose(), "bytes of code", size, l.function_size)?;

        let params = self
            .function_types
            .get(index as usize)
            .and_then(|&ty| self.type_params.get(ty as usize))
            .copied()
            .unwrap_or(0);
        let mut locals = params;
        let mut declarations = body.get_locals_reader().map_err(invalid)?;
        for _ in 0..declarations.get_count() {
            let (n, _) = declarations.read().map_err(invalid)?;
            locals += u64::from(n);
            at_most(whose(), "locals", locals, l.locals)?;
        }

        let mut blocks = 0u64;
        let mut table_targets = 0u64;
        let mut depth = 0u64;
        let mut ops = body.get_operators_reader().map_err(invalid)?;
        while !ops.eof() {
            match ops.read().map_err(invalid)? {
                Operator::Block { blockty }
                | Operator::Loop { blockty }
                | Operator::If { blockty } => {
                    blocks += 1;
                    depth += 1;
                    at_most(whose(), "nested blocks", depth, l.nesting)?;
                    if let wasmparser::BlockType::FuncType(ty) = blockty {
                        let n = self.type_params.get(ty as usize).copied().unwrap_or(0);
                        at_most(whose(), "params in a block's type", n, l.block_params)?;
                    }
                }
                Operator::End => depth = depth.saturating_sub(1),
                Operator::Call { .. } => {
                    self.shape.calls += 1;
                    let calls = self.shape.calls;
                    at_most(Whose::Module, "calls", calls, l.module_calls)?;
                }
                Operator::Else | Operator::BrIf { .. } | Operator::CallIndirect { .. } => {
                    blocks += 1
                }
                Operator::BrTable { targets } => {
                    blocks += 1;
                    let n = u64::from(targets.len()) + 1;
                    at_most(whose(), "br_table targets", n, l.br_table_targets)?;
                    table_targets += n;
                }
                _ => {}
            }
            at_most(whose(), "blocks", blocks, l.blocks)?;
        }
        at_most(whose(), "bytes × blocks", size * blocks, l.size_by_blocks)?;
        at_most(
            whose(),
            "locals × blocks",
            locals * blocks,
            l.locals_by_blocks,
        )?;

        let s = &mut self.shape;
        s.largest_function = s.largest_function.max(size);
        s.locals += locals;
        s.blocks += blocks;
        s.size_by_blocks += size * blocks;
        s.locals_by_blocks += locals * blocks;
        s.br_table_targets += table_targets;
        // At most 1,024 locals × 2^23 bytes of targets in a module: no overflow.
        s.locals_by_targets += locals * table_targets;
        at_most(Whose::Module, "locals", s.locals, l.module_locals)?;
        at_most(Whose::Module, "blocks", s.blocks, l.module_blocks)?;
        let (m, ms) = (Whose::Module, l.module_size_by_blocks);
        at_most(m, "bytes × blocks", s.size_by_blocks, ms)?;
        let (m, ml) = (Whose::Module, l.module_locals_by_blocks);
        at_most(m, "locals × blocks", s.locals_by_blocks, ml)
    }
}

//! A minimal wasm encoder for the module check's tests: byte-exact, so that a module can sit
//! exactly on a limit or one past it.

pub(crate) const I32: u8 = 0x7f;
pub(crate) const I64: u8 = 0x7e;

pub(crate) fn leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn section(module: &mut Vec<u8>, id: u8, count: u64, items: &[u8]) {
    let mut content = Vec::new();
    leb(&mut content, count);
    content.extend_from_slice(items);
    module.push(id);
    leb(module, content.len() as u64);
    module.extend(content);
}

fn name(out: &mut Vec<u8>, s: &str) {
    leb(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// One function: its type, its local declarations and its instructions (the final `end` is
/// added).
#[derive(Clone, Debug, Default)]
pub(crate) struct Func {
    pub(crate) ty: u32,
    pub(crate) locals: Vec<(u64, u8)>,
    pub(crate) code: Vec<u8>,
}

impl Func {
    pub(crate) fn new(locals: Vec<(u64, u8)>) -> Self {
        Self {
            ty: 0,
            locals,
            code: Vec::new(),
        }
    }

    pub(crate) fn op(mut self, bytes: &[u8]) -> Self {
        self.code.extend_from_slice(bytes);
        self
    }

    pub(crate) fn repeat(mut self, bytes: &[u8], times: u64) -> Self {
        for _ in 0..times {
            self.code.extend_from_slice(bytes);
        }
        self
    }

    pub(crate) fn with_locals(mut self, locals: Vec<(u64, u8)>) -> Self {
        self.locals = locals;
        self
    }

    /// The body as the code section holds it (without its size).
    pub(crate) fn body(&self) -> Vec<u8> {
        let mut out = Vec::new();
        leb(&mut out, self.locals.len() as u64);
        for &(n, ty) in &self.locals {
            leb(&mut out, n);
            out.push(ty);
        }
        out.extend_from_slice(&self.code);
        out.push(0x0b);
        out
    }
}

/// A module the module check accepts as it is (with an empty ABI): type 0 is `() -> ()` and
/// type 1 `(i32) -> i32`; the first two functions it defines are `_initialize` and
/// `govm_alloc`, then `funcs`. Each field adds to it.
#[derive(Clone, Debug)]
pub(crate) struct Module {
    /// Types after the first two: params and results.
    pub(crate) types: Vec<(Vec<u8>, Vec<u8>)>,
    /// Imports of `govm::block_height` (type 2 must be `() -> i64`).
    pub(crate) imports: u64,
    pub(crate) funcs: Vec<Func>,
    /// A table: initial and maximum elements.
    pub(crate) table: Option<(u64, Option<u64>)>,
    /// The memory: initial and maximum pages.
    pub(crate) memory: (u64, Option<u64>),
    pub(crate) globals: u64,
    /// Exports beyond the three required, each of `_initialize` under another name.
    pub(crate) exports: u64,
    /// Element segments, by their number of elements (table 0 must be large enough).
    pub(crate) elements: Vec<u64>,
    /// Data segments, by their size.
    pub(crate) data: Vec<usize>,
    /// A data count section.
    pub(crate) data_count: bool,
}

impl Default for Module {
    fn default() -> Self {
        Self {
            types: Vec::new(),
            imports: 0,
            funcs: Vec::new(),
            table: None,
            memory: (1, None),
            globals: 0,
            exports: 0,
            elements: Vec::new(),
            data: Vec::new(),
            data_count: false,
        }
    }
}

impl Module {
    pub(crate) fn with_funcs(funcs: Vec<Func>) -> Self {
        Self {
            funcs,
            ..Self::default()
        }
    }

    /// Every function the module defines, `_initialize` and `govm_alloc` first.
    fn all(&self) -> Vec<Func> {
        let init = Func::default();
        let alloc = Func {
            ty: 1,
            ..Func::default()
        }
        .op(&[0x41, 0x00]);
        [init, alloc]
            .into_iter()
            .chain(self.funcs.iter().cloned())
            .collect()
    }

    /// The contents of the code section: what the code size limit counts.
    pub(crate) fn code_contents(&self) -> Vec<u8> {
        let all = self.all();
        let mut code = Vec::new();
        leb(&mut code, all.len() as u64);
        for f in &all {
            let body = f.body();
            leb(&mut code, body.len() as u64);
            code.extend(body);
        }
        code
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        let mut types = Vec::new();
        let base = [(vec![], vec![]), (vec![I32], vec![I32])];
        for (params, results) in base.iter().chain(&self.types) {
            types.push(0x60);
            leb(&mut types, params.len() as u64);
            types.extend_from_slice(params);
            leb(&mut types, results.len() as u64);
            types.extend_from_slice(results);
        }
        section(&mut m, 1, (base.len() + self.types.len()) as u64, &types);
        if self.imports > 0 {
            let mut imports = Vec::new();
            for _ in 0..self.imports {
                name(&mut imports, "govm");
                name(&mut imports, "block_height");
                imports.extend_from_slice(&[0x00, 0x02]);
            }
            section(&mut m, 2, self.imports, &imports);
        }
        let all = self.all();
        let mut functions = Vec::new();
        for f in &all {
            leb(&mut functions, f.ty.into());
        }
        section(&mut m, 3, all.len() as u64, &functions);
        if let Some((initial, maximum)) = self.table {
            let mut table = vec![0x70];
            limits(&mut table, initial, maximum);
            section(&mut m, 4, 1, &table);
        }
        let mut memory = Vec::new();
        limits(&mut memory, self.memory.0, self.memory.1);
        section(&mut m, 5, 1, &memory);
        if self.globals > 0 {
            let global = [I32, 0x00, 0x41, 0x00, 0x0b];
            section(
                &mut m,
                6,
                self.globals,
                &global.repeat(self.globals as usize),
            );
        }
        let mut exports = Vec::new();
        let (init_index, alloc_index) = (self.imports, self.imports + 1);
        for (export, kind, index) in [
            ("memory", 2, 0),
            ("_initialize", 0, init_index),
            ("govm_alloc", 0, alloc_index),
        ] {
            name(&mut exports, export);
            exports.push(kind);
            leb(&mut exports, index);
        }
        for i in 0..self.exports {
            name(&mut exports, &format!("x{i}"));
            exports.push(0);
            leb(&mut exports, init_index);
        }
        section(&mut m, 7, 3 + self.exports, &exports);
        if !self.elements.is_empty() {
            let mut elements = Vec::new();
            for &n in &self.elements {
                elements.extend_from_slice(&[0x00, 0x41, 0x00, 0x0b]);
                leb(&mut elements, n);
                for _ in 0..n {
                    leb(&mut elements, init_index);
                }
            }
            section(&mut m, 9, self.elements.len() as u64, &elements);
        }
        if self.data_count {
            let mut count = Vec::new();
            leb(&mut count, self.data.len() as u64);
            m.push(12);
            leb(&mut m, count.len() as u64);
            m.extend(count);
        }
        let code = self.code_contents();
        m.push(10);
        leb(&mut m, code.len() as u64);
        m.extend(code);
        if !self.data.is_empty() {
            let mut data = Vec::new();
            for &size in &self.data {
                data.push(0x01);
                leb(&mut data, size as u64);
                data.resize(data.len() + size, 0xda);
            }
            section(&mut m, 11, self.data.len() as u64, &data);
        }
        m
    }
}

fn limits(out: &mut Vec<u8>, initial: u64, maximum: Option<u64>) {
    match maximum {
        None => {
            out.push(0x00);
            leb(out, initial);
        }
        Some(maximum) => {
            out.push(0x01);
            leb(out, initial);
            leb(out, maximum);
        }
    }
}

//! Hand-made contract modules for the attack suite: worst-case execution kernels and modules
//! at and past the structural limits of docs/abi.md §6.1. No assembler is a dependency of the
//! `govm` command's tests, so each module is written with a minimal byte-exact encoder (as
//! `benches/limit_modules.rs` writes the compile bench's modules), its WAT beside it.

/// The value types.
const I32: u8 = 0x7f;
const I64: u8 = 0x7e;

/// Type 0 is `() -> ()` (`_initialize`), type 1 `(i32) -> i32` (`govm_alloc`), type 2
/// `(i32, i32) -> i64` (an entry point, docs/abi.md §6).
const ENTRY: u32 = 2;

fn leb(out: &mut Vec<u8>, mut v: u64) {
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

fn sleb(out: &mut Vec<u8>, mut v: i64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0) {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn section(module: &mut Vec<u8>, id: u8, count: usize, items: &[u8]) {
    let mut content = Vec::new();
    leb(&mut content, count as u64);
    content.extend_from_slice(items);
    module.push(id);
    leb(module, content.len() as u64);
    module.extend(content);
}

/// One function: its type, its local declarations and its instructions (the final `end` is
/// added).
#[derive(Clone)]
pub(super) struct Func {
    ty: u32,
    locals: Vec<(u32, u8)>,
    code: Vec<u8>,
}

impl Func {
    fn new(ty: u32, locals: Vec<(u32, u8)>) -> Self {
        Self {
            ty,
            locals,
            code: Vec::new(),
        }
    }

    fn op(mut self, bytes: &[u8]) -> Self {
        self.code.extend_from_slice(bytes);
        self
    }

    fn i32_const(mut self, v: i32) -> Self {
        self.code.push(0x41);
        sleb(&mut self.code, v.into());
        self
    }

    fn body(&self) -> Vec<u8> {
        let mut out = Vec::new();
        leb(&mut out, self.locals.len() as u64);
        for &(n, ty) in &self.locals {
            leb(&mut out, n.into());
            out.push(ty);
        }
        out.extend_from_slice(&self.code);
        out.push(0x0b);
        out
    }
}

/// A contract module: function 0 is `_initialize`, function 1 a `govm_alloc` that returns 0,
/// then `funcs`, of which `exports` are exported by name.
pub(super) struct Module {
    init: Func,
    funcs: Vec<Func>,
    exports: Vec<(String, u32)>,
    memory_pages: u64,
}

impl Module {
    fn new(funcs: Vec<Func>) -> Self {
        Self {
            init: Func::new(0, vec![]),
            funcs,
            exports: Vec::new(),
            memory_pages: 1,
        }
    }

    /// Exports `funcs[i]` as entry point `name`.
    fn export(mut self, name: &str, i: u32) -> Self {
        self.exports.push((name.into(), i + 2));
        self
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        let types: &[(&[u8], &[u8])] = &[(&[], &[]), (&[I32], &[I32]), (&[I32, I32], &[I64])];
        let mut items = Vec::new();
        for (params, results) in types {
            items.push(0x60);
            leb(&mut items, params.len() as u64);
            items.extend_from_slice(params);
            leb(&mut items, results.len() as u64);
            items.extend_from_slice(results);
        }
        section(&mut m, 1, types.len(), &items);
        let alloc = Func::new(1, vec![]).i32_const(0);
        let all: Vec<&Func> = [&self.init, &alloc]
            .into_iter()
            .chain(&self.funcs)
            .collect();
        let mut functions = Vec::new();
        for f in &all {
            leb(&mut functions, f.ty.into());
        }
        section(&mut m, 3, all.len(), &functions);
        let mut memory = vec![0x00];
        leb(&mut memory, self.memory_pages);
        section(&mut m, 5, 1, &memory);
        let mut exports = Vec::new();
        let fixed = [
            ("memory", 2, 0),
            ("_initialize", 0, 0),
            ("govm_alloc", 0, 1),
        ];
        let named = self.exports.iter().map(|(n, i)| (n.as_str(), 0, *i));
        let count = fixed.len() + self.exports.len();
        for (name, kind, index) in fixed.into_iter().chain(named) {
            leb(&mut exports, name.len() as u64);
            exports.extend_from_slice(name.as_bytes());
            exports.push(kind);
            leb(&mut exports, index.into());
        }
        section(&mut m, 7, count, &exports);
        let mut code = Vec::new();
        for f in &all {
            let body = f.body();
            leb(&mut code, body.len() as u64);
            code.extend(body);
        }
        section(&mut m, 10, all.len(), &code);
        m
    }
}

const LOOP: [u8; 2] = [0x03, 0x40];
const BLOCK: [u8; 2] = [0x02, 0x40];
const BR_0: [u8; 2] = [0x0c, 0x00];
const END: u8 = 0x0b;
/// What an entry point that never returns leaves for its `i64` result, after its loop.
const I64_ZERO: [u8; 2] = [0x42, 0x00];

/// 64 MiB: the chain's default `max_contract_memory`, which a kernel's memory fills.
pub(super) const KERNEL_PAGES: u64 = 1_024;

/// The kernels of `testdata/attack/kernels.go`, each an endless loop that only the fuel
/// limit stops, in a memory of [`KERNEL_PAGES`]:
///
/// ```wat
/// (func $Grow (param i32 i32) (result i64)
///   (loop (drop (memory.grow (i32.const 0))) (br 0)) (i64.const 0))
/// (func $Fill (param i32 i32) (result i64)
///   (loop (memory.fill (i32.const 0) (i32.const 0) (i32.const 0)) (br 0)) (i64.const 0))
/// ;; a random walk over the whole memory, each address depending on the word loaded from
/// ;; the last, each word written (so every page is touched, and every load waits)
/// (func $Chase (param i32 i32) (result i64) (local $p i32)
///   (loop
///     (local.set $p (i32.and
///       (i32.xor (i32.add (i32.mul (local.get $p) (i32.const 1103515245)) (i32.const 12345))
///                (i32.load (local.get $p)))
///       (i32.const 0x03fffffc)))
///     (i32.store (local.get $p) (local.get $p))
///     (br 0))
///   (i64.const 0))
/// ```
pub(super) fn kernels() -> Vec<u8> {
    let grow = Func::new(ENTRY, vec![])
        .op(&LOOP)
        .i32_const(0)
        .op(&[0x40, 0x00, 0x1a])
        .op(&BR_0)
        .op(&[END])
        .op(&I64_ZERO);
    let fill = Func::new(ENTRY, vec![])
        .op(&LOOP)
        .i32_const(0)
        .i32_const(0)
        .i32_const(0)
        .op(&[0xfc, 0x0b, 0x00])
        .op(&BR_0)
        .op(&[END])
        .op(&I64_ZERO);
    let mask = i32::try_from((KERNEL_PAGES << 16) - 4).unwrap();
    let chase = Func::new(ENTRY, vec![(1, I32)])
        .op(&LOOP)
        .op(&[0x20, 0x02])
        .i32_const(1_103_515_245)
        .op(&[0x6c])
        .i32_const(12_345)
        .op(&[0x6a, 0x20, 0x02, 0x28, 0x02, 0x00, 0x73])
        .i32_const(mask)
        .op(&[0x71, 0x22, 0x02, 0x20, 0x02, 0x36, 0x02, 0x00])
        .op(&BR_0)
        .op(&[END])
        .op(&I64_ZERO);
    let mut module = Module::new(vec![grow, fill, chase])
        .export("Grow", 0)
        .export("Fill", 1)
        .export("Chase", 2);
    module.memory_pages = KERNEL_PAGES;
    module.encode()
}

/// A module for `testdata/attack/run.go` (one entry point, `Run`, which returns at once)
/// with `funcs` beside it.
fn run(mut funcs: Vec<Func>) -> Module {
    let index = u32::try_from(funcs.len()).unwrap();
    funcs.push(Func::new(ENTRY, vec![]).op(&I64_ZERO));
    Module::new(funcs).export("Run", index)
}

/// A module that matches its source and traps in `_initialize`: it
/// passes the module check (`check_tx`), so only a block, after compiling it, finds it
/// wrong.
///
/// ```wat
/// (func $_initialize unreachable)
/// ```
pub(super) fn trapping_init() -> Vec<u8> {
    let mut module = run(vec![]);
    module.init = Func::new(0, vec![]).op(&[0x00]);
    module.encode()
}

/// A module for `run.go` that exports a second function: a callable export that is no entry
/// point (`check_tx` refuses it).
pub(super) fn extra_export() -> Vec<u8> {
    run(vec![Func::new(ENTRY, vec![]).op(&I64_ZERO)])
        .export("Extra", 0)
        .encode()
}

/// `n` copies of `f`, each made distinct by a dropped `i32.const` of its own at its start
/// (Cranelift's incremental cache compiles identical bodies once; an attacker would not
/// send them).
fn copies(f: &Func, n: usize) -> Vec<Func> {
    (0..n)
        .map(|i| {
            let mut salt = vec![0x41];
            sleb(&mut salt, i as i64);
            salt.push(0x1a);
            let mut copy = f.clone();
            copy.code.splice(0..0, salt);
            copy
        })
        .collect()
}

/// `depth` nested loops and a `br_if` from the innermost to the outermost.
fn nested(depth: u64) -> Func {
    let mut f = Func::new(0, vec![(1, I32)]);
    for _ in 0..depth {
        f = f.op(&LOOP);
    }
    f = f.op(&[0x20, 0x00, 0x0d]);
    leb(&mut f.code, depth - 1);
    for _ in 0..depth {
        f = f.op(&[END]);
    }
    f
}

/// `blocks` empty blocks, one after another: the most blocks in the fewest bytes (bytes ×
/// blocks has its own limit).
fn blocks(blocks: u64) -> Func {
    let mut f = Func::new(0, vec![]);
    for _ in 0..blocks {
        f = f.op(&BLOCK).op(&[END]);
    }
    f
}

/// A `br_table` of `targets` targets (its default included) over 64 nested blocks.
fn br_table(targets: u64) -> Func {
    let depth = 64;
    let mut f = Func::new(0, vec![(1, I32)]);
    for _ in 0..depth {
        f = f.op(&BLOCK);
    }
    f = f.op(&[0x20, 0x00, 0x0e]);
    leb(&mut f.code, targets - 1);
    for i in 0..targets {
        leb(&mut f.code, i % depth);
    }
    for _ in 0..depth {
        f = f.op(&[END]);
    }
    f
}

/// `locals` declared i64 locals, each read once.
fn locals(locals: u32) -> Func {
    let mut f = Func::new(0, vec![(locals, I64)]);
    for j in 0..u64::from(locals) {
        f.code.push(0x20);
        leb(&mut f.code, j);
        f.code.push(0x1a);
    }
    f
}

/// Modules for `run.go` at one structural limit of docs/abi.md §6.1
/// (`at`: the limit itself) or one past it, each with the limit's name.
pub(super) fn limits(at: bool) -> Vec<(&'static str, Vec<u8>)> {
    let past = u64::from(!at);
    let functions = 16_384 - 3 + past as usize;
    vec![
        (
            "functions",
            run(copies(&Func::new(0, vec![]), functions)).encode(),
        ),
        ("nesting", run(vec![nested(4_096 + past)]).encode()),
        ("blocks", run(vec![blocks(8_192 + past)]).encode()),
        (
            "br_table_targets",
            run(vec![br_table(16_384 + past)]).encode(),
        ),
        ("locals", run(vec![locals(1_024 + past as u32)]).encode()),
    ]
}

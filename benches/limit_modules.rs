//! The modules of the `compile` bench: hand-made contract modules that sit at the module
//! check's limits (docs/abi.md §6.1), each in a shape that costs Cranelift or the validator
//! most for what the limits let it hold, and the minimal encoder that makes them byte-exact.

use govm_abi::MODULE_LIMITS;

/// A minimal wasm encoder: byte-exact, so that the modules below land on the limits.
mod wasm {
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

    fn section(module: &mut Vec<u8>, id: u8, count: usize, items: &[u8]) {
        let mut content = Vec::new();
        leb(&mut content, count as u64);
        content.extend_from_slice(items);
        module.push(id);
        leb(module, content.len() as u64);
        module.extend(content);
    }

    fn name(out: &mut Vec<u8>, s: &str) {
        leb(out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }

    /// One function: its type, its local declarations and its instructions (the final `end`
    /// is added).
    #[derive(Clone)]
    pub(crate) struct Func {
        pub(crate) ty: u32,
        pub(crate) locals: Vec<(u32, u8)>,
        pub(crate) code: Vec<u8>,
    }

    impl Func {
        pub(crate) fn new(ty: u32, locals: Vec<(u32, u8)>) -> Self {
            Self {
                ty,
                locals,
                code: Vec::new(),
            }
        }

        pub(crate) fn op(&mut self, bytes: &[u8]) -> &mut Self {
            self.code.extend_from_slice(bytes);
            self
        }

        pub(crate) fn op_index(&mut self, opcode: u8, index: u64) -> &mut Self {
            self.code.push(opcode);
            leb(&mut self.code, index);
            self
        }

        /// The body as the code section holds it (without its size).
        pub(crate) fn body(&self) -> Vec<u8> {
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

    /// A contract module: type 0 is `() -> ()`, type 1 `(i32) -> i32`; function 0 is an
    /// empty `_initialize`, function 1 a `govm_alloc` that returns 0, then `funcs`.
    pub(crate) struct Contract {
        pub(crate) types: Vec<(Vec<u8>, Vec<u8>)>,
        pub(crate) funcs: Vec<Func>,
        pub(crate) table: bool,
        pub(crate) memory_pages: u64,
        pub(crate) data: Vec<(u32, Vec<u8>)>,
    }

    impl Contract {
        pub(crate) fn new(funcs: Vec<Func>) -> Self {
            Self {
                types: Vec::new(),
                funcs,
                table: false,
                memory_pages: 1,
                data: Vec::new(),
            }
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
            section(&mut m, 1, base.len() + self.types.len(), &types);
            let mut init = Func::new(0, vec![]);
            let mut alloc = Func::new(1, vec![]);
            alloc.op(&[0x41, 0x00]);
            init.code.clear();
            let all: Vec<&Func> = [&init, &alloc].into_iter().chain(&self.funcs).collect();
            let mut functions = Vec::new();
            for f in &all {
                leb(&mut functions, f.ty.into());
            }
            section(&mut m, 3, all.len(), &functions);
            if self.table {
                section(&mut m, 4, 1, &[0x70, 0x00, 0x01]);
            }
            let mut memory = vec![0x00];
            leb(&mut memory, self.memory_pages);
            section(&mut m, 5, 1, &memory);
            let mut exports = Vec::new();
            for (export, kind, index) in [
                ("memory", 2, 0),
                ("_initialize", 0, 0),
                ("govm_alloc", 0, 1),
            ] {
                name(&mut exports, export);
                exports.push(kind);
                leb(&mut exports, index);
            }
            section(&mut m, 7, 3, &exports);
            let mut code = Vec::new();
            for f in &all {
                let body = f.body();
                leb(&mut code, body.len() as u64);
                code.extend(body);
            }
            section(&mut m, 10, all.len(), &code);
            if !self.data.is_empty() {
                let mut data = Vec::new();
                for (offset, bytes) in &self.data {
                    data.extend_from_slice(&[0x00, 0x41]);
                    let mut sleb = Vec::new();
                    let mut v = i64::from(*offset);
                    loop {
                        let byte = (v & 0x7f) as u8;
                        v >>= 7;
                        if (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0) {
                            sleb.push(byte);
                            break;
                        }
                        sleb.push(byte | 0x80);
                    }
                    data.extend(sleb);
                    data.push(0x0b);
                    leb(&mut data, bytes.len() as u64);
                    data.extend_from_slice(bytes);
                }
                section(&mut m, 11, self.data.len(), &data);
            }
            m
        }
    }
}

use wasm::{Contract, Func, I32, I64};

const LOCAL_GET: u8 = 0x20;
const LOCAL_SET: u8 = 0x21;
const BR_IF: u8 = 0x0d;
const BLOCK: [u8; 2] = [0x02, 0x40];
const LOOP: [u8; 2] = [0x03, 0x40];
const END: u8 = 0x0b;

/// Straight-line arithmetic on four locals, no block: `size` bytes of body.
fn straight(size: usize) -> Func {
    let mut f = Func::new(0, vec![(4, I64)]);
    let mut i = 0u8;
    while f.body().len() + 7 <= size {
        f.op(&[
            LOCAL_GET,
            i % 4,
            LOCAL_GET,
            (i + 1) % 4,
            0x7e,
            LOCAL_SET,
            (i + 2) % 4,
        ]);
        i = i.wrapping_add(1);
    }
    f
}

/// `n` calls, back to back.
fn calls(n: u64) -> Func {
    let mut f = Func::new(0, vec![]);
    for _ in 0..n {
        f.op(&[0x10, 0x00]);
    }
    f
}

/// A `block` holding `blocks - 1` `br_if`s.
fn br_ifs(blocks: u64) -> Func {
    let mut f = Func::new(0, vec![(1, I32)]);
    f.op(&BLOCK);
    for _ in 1..blocks {
        f.op(&[LOCAL_GET, 0, BR_IF, 0]);
    }
    f.op(&[END]);
    f
}

/// `blocks` `call_indirect`s through table 0.
fn call_indirects(blocks: u64) -> Func {
    let mut f = Func::new(0, vec![]);
    for _ in 0..blocks {
        f.op(&[0x41, 0x00, 0x11, 0x00, 0x00]);
    }
    f
}

/// `locals` i64 locals (and one i32 condition) carried through `blocks / 2` loops that each
/// bump one of them, then all read.
fn loops_with_locals(locals: u32, blocks: u64) -> Func {
    let mut f = Func::new(0, vec![(locals, I64), (1, I32)]);
    for i in 0..blocks / 2 {
        let j = i % u64::from(locals);
        f.op(&LOOP)
            .op_index(LOCAL_GET, j)
            .op(&[0x42, 0x01, 0x7c])
            .op_index(LOCAL_SET, j)
            .op_index(LOCAL_GET, locals.into())
            .op(&[BR_IF, 0, END]);
    }
    for j in 0..u64::from(locals) {
        f.op_index(LOCAL_GET, j).op(&[0x1a]);
    }
    f
}

/// `depth` nested loops and a `br_if` from the innermost to the outermost.
fn nested(depth: u64) -> Func {
    let mut f = Func::new(0, vec![(1, I32)]);
    for _ in 0..depth {
        f.op(&LOOP);
    }
    f.op(&[LOCAL_GET, 0]).op_index(BR_IF, depth - 1);
    for _ in 0..depth {
        f.op(&[END]);
    }
    f
}

/// `depth` nested blocks and a `br_table` of `targets` targets (its default included) over
/// all of them, as Go's resume dispatch does.
fn br_table(depth: u64, targets: u64) -> Func {
    let mut f = Func::new(0, vec![(1, I32)]);
    for _ in 0..depth {
        f.op(&BLOCK);
    }
    f.op(&[LOCAL_GET, 0, 0x0e]);
    wasm::leb(&mut f.code, targets - 1);
    for i in 0..targets {
        wasm::leb(&mut f.code, i % depth);
    }
    for _ in 0..depth {
        f.op(&[END]);
    }
    f
}

/// `locals` i64 locals, each set from a value read from memory, live across `tables`
/// `br_table`s of `targets` targets each (to one of two enclosing blocks), then summed and
/// stored: every target is an edge the register allocator splits, with every local live
/// across it (attack review: the counted shape sees 3 blocks per `br_table`).
fn br_table_live_locals(locals: u32, tables: u64, targets: u64) -> Func {
    let mut f = Func::new(0, vec![(1, I32), (locals, I64)]);
    // The index, from memory: nothing Cranelift can fold.
    f.op(&[0x41, 0x00, 0x28, 0x02, 0x00, LOCAL_SET, 0]);
    for j in 1..=u64::from(locals) {
        f.op(&[LOCAL_GET, 0, 0xad, 0x42])
            .op(&{
                let mut c = Vec::new();
                wasm::leb(&mut c, j);
                c
            })
            .op(&[0x7c])
            .op_index(LOCAL_SET, j);
    }
    for _ in 0..tables {
        f.op(&BLOCK).op(&BLOCK).op(&[LOCAL_GET, 0, 0x0e]);
        wasm::leb(&mut f.code, targets - 1);
        for i in 0..targets {
            wasm::leb(&mut f.code, i % 2);
        }
        f.op(&[END, END]);
    }
    f.op(&[0x41, 0x00]).op_index(LOCAL_GET, 1);
    for j in 2..=u64::from(locals) {
        f.op_index(LOCAL_GET, j).op(&[0x7c]);
    }
    f.op(&[0x37, 0x03, 0x00]);
    f
}

/// `n` calls of function 2 in unreachable code (so no value needs to be pushed for its
/// parameters): the validator pops each parameter's type per call.
fn unreachable_calls(n: u64) -> Func {
    let mut f = Func::new(0, vec![]);
    f.op(&[0x00]);
    for _ in 0..n {
        f.op(&[0x10, 0x02]);
    }
    f
}

/// A `br_table` of `targets` targets over `depth` nested loops that each take `params` i32s:
/// the validator checks every target's `params` types, the most checking per byte a body
/// can ask for.
fn wide_br_table(depth: u64, params: u64, targets: u64) -> Func {
    let mut f = Func::new(0, vec![(1, I32)]);
    for _ in 0..params {
        f.op(&[0x41, 0x00]);
    }
    for _ in 0..depth {
        f.op(&[0x03, 0x02]);
    }
    f.op(&[LOCAL_GET, 0, 0x0e]);
    wasm::leb(&mut f.code, targets - 1);
    for i in 0..targets {
        wasm::leb(&mut f.code, i % depth);
    }
    for _ in 0..depth {
        f.op(&[END]);
    }
    f
}

/// As many copies of `f` (of `blocks` blocks) as the module-wide limits on blocks, bytes ×
/// blocks, code and functions allow (the module's own two functions aside).
fn fill(f: Func, blocks: u64) -> Vec<Func> {
    let l = MODULE_LIMITS;
    let size = f.body().len() as u64 + SALT;
    let n = (l.module_blocks / blocks)
        .min(l.module_size_by_blocks / (size * blocks))
        .min(l.code_size / (size + 8))
        .min(l.functions - 2);
    copies(&f, n as usize)
}

/// The most bytes [`copies`] adds to a function.
const SALT: u64 = 5;

/// `n` copies of `f`, each made distinct by an `i32.const` of its own (dropped) at its start:
/// Cranelift's incremental cache would compile identical bodies once, and an attacker would
/// not send them.
fn copies(f: &Func, n: usize) -> Vec<Func> {
    (0..n)
        .map(|i| {
            let mut copy = f.clone();
            let mut salt = vec![0x41];
            let mut v = i as i64;
            loop {
                let byte = (v & 0x7f) as u8;
                v >>= 7;
                if v == 0 && byte & 0x40 == 0 {
                    salt.push(byte);
                    break;
                }
                salt.push(byte | 0x80);
            }
            salt.push(0x1a);
            copy.code.splice(0..0, salt);
            copy
        })
        .collect()
}

/// The modules at the limits, each with what it stands for.
pub(crate) fn cases() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let l = MODULE_LIMITS;
    let mut cases = Vec::new();
    let tiny = Func::new(0, vec![]);
    cases.push((
        "functions",
        "16,384 functions, each empty",
        Contract::new(copies(&tiny, l.functions as usize - 2)).encode(),
    ));
    // Every function at the size limit, as many as the code limit holds.
    let big = l.function_size as usize - 64;
    let count = l.code_size as usize / (big + 8);
    cases.push((
        "code_straight",
        "8 MiB of code: functions of 256 KiB of arithmetic",
        Contract::new(copies(&straight(big), count)).encode(),
    ));
    // Calls cost Cranelift more per byte than anything else but blocks.
    let per = l.module_calls / 2;
    cases.push((
        "calls",
        "2^17 calls, in two functions",
        Contract::new(copies(&calls(per), 2)).encode(),
    ));
    // Functions at the per-function bytes × blocks limit with the most blocks allowed.
    let per_function = (1..=l.blocks)
        .rev()
        .find(|&b| (br_ifs(b).body().len() as u64 + SALT) * b <= l.size_by_blocks)
        .unwrap_or(1);
    cases.push((
        "function_blocks",
        "functions at the blocks × bytes limit (br_if), as many as the module's allows",
        Contract::new(fill(br_ifs(per_function), per_function)).encode(),
    ));
    cases.push((
        "module_blocks_br_if",
        "2^19 blocks and 2^31 bytes × blocks: functions of 1,024 br_if",
        Contract::new(fill(br_ifs(1_024), 1_024)).encode(),
    ));
    let mut indirect = Contract::new(fill(call_indirects(1_024), 1_024));
    indirect.table = true;
    cases.push((
        "module_blocks_call_indirect",
        "2^19 blocks and 2^31 bytes × blocks: functions of 1,024 call_indirect",
        indirect.encode(),
    ));
    let per_module = (l.module_locals_by_blocks / l.locals_by_blocks) as usize;
    cases.push((
        "locals_by_blocks_wide",
        "locals × blocks at both limits: 512 locals through 1,024 blocks",
        Contract::new(copies(&loops_with_locals(511, 1_024), per_module)).encode(),
    ));
    cases.push((
        "locals_by_blocks_long",
        "locals × blocks at both limits: 128 locals through 4,096 blocks",
        Contract::new(copies(&loops_with_locals(127, 4_096), per_module)).encode(),
    ));
    cases.push((
        "nesting",
        "4,096 nested loops, as many functions as the module's limits allow",
        Contract::new(fill(nested(l.nesting), l.nesting + 1)).encode(),
    ));
    let depth = l.blocks / 2 - 1;
    cases.push((
        "br_table",
        "br_tables of 16,384 targets over 4,095 nested blocks",
        Contract::new(fill(br_table(depth, l.br_table_targets), depth + 1)).encode(),
    ));
    // Two functions of a module that could hold 32 (8 MiB of code): 1,023 locals live
    // across 14 br_tables of 16,384 targets each.
    cases.push((
        "br_table_live_locals",
        "2 functions (of the 32 a module holds): 1,023 i64 locals live across 14 br_tables of 16,384 targets",
        Contract::new(copies(
            &br_table_live_locals(l.locals as u32 - 1, 14, l.br_table_targets),
            2,
        ))
        .encode(),
    ));
    let declared = Func::new(0, vec![(l.locals as u32, I64)]);
    // govm_alloc's parameter is a local too.
    let n = ((l.module_locals - 1) / l.locals) as usize;
    let (depth, params) = (4, l.block_params);
    let mut arity = Contract::new(fill(
        wide_br_table(depth, params, l.br_table_targets),
        depth + 1,
    ));
    arity.types = vec![(vec![I32; params as usize], vec![])];
    cases.push((
        "br_table_params",
        "br_tables of 16,384 targets to loops of 4 params, 8 MiB of them",
        arity.encode(),
    ));
    // As many calls as the module may hold, of a function of 32 params.
    let mut many_params = Contract::new(vec![Func::new(2, vec![])]);
    many_params
        .funcs
        .extend(copies(&unreachable_calls(l.module_calls / 2), 2));
    many_params.types = vec![(vec![I32; l.params as usize], vec![])];
    cases.push((
        "call_params",
        "2^17 calls of a 32-param function, in unreachable code",
        many_params.encode(),
    ));
    cases.push((
        "locals_declared",
        "2^20 locals: functions of 1,024 declared locals and no code",
        Contract::new(copies(&declared, n)).encode(),
    ));
    let segments = l.data_segments as usize;
    let each = l.data_size as usize / segments;
    let mut data = Contract::new(vec![]);
    data.memory_pages = (l.data_size >> 16) + 1;
    data.data = (0..segments)
        .map(|i| ((i * each) as u32, vec![i as u8; each]))
        .collect();
    cases.push(("data", "89,000 data segments, 8 MiB", data.encode()));
    cases
}

/// The module with the most of everything: the straight-line code of `code_straight` and
/// the data of `data` together.
pub(crate) fn largest() -> Vec<u8> {
    let l = MODULE_LIMITS;
    let big = l.function_size as usize - 64;
    let mut m = Contract::new(vec![straight(big); l.code_size as usize / (big + 8)]);
    let segments = l.data_segments as usize;
    let each = l.data_size as usize / segments;
    m.memory_pages = (l.data_size >> 16) + 1;
    m.data = (0..segments)
        .map(|i| ((i * each) as u32, vec![i as u8; each]))
        .collect();
    m.encode()
}

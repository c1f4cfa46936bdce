//! The module check's structural limits (docs/abi.md §6.1): for each, a module exactly at the
//! limit passes and one just past it is refused with a message naming the limit; the check
//! refuses what it can before it validates code; docs/abi.md lists the same numbers.

use govm_abi::{
    CheckedModule, ContractAbi, Function, MODULE_LIMITS, ModuleShape, check_module, module_shape,
};

use crate::wasm::{Func, I32, I64, Module, leb};

fn check(wasm: &[u8]) -> Result<ModuleShape, String> {
    check_module(wasm, &ContractAbi::new("x", vec![]), false)
        .map(|info| info.shape.unwrap_or_default())
        .map_err(|e| e.0)
}

/// `at` passes the check; `over` is refused with `refusal` in its message.
#[track_caller]
fn at_and_over(at: &Module, over: &Module, refusal: &str) {
    if let Err(e) = check(&at.encode()) {
        panic!("at the limit ({refusal}): {e}");
    }
    match check(&over.encode()) {
        Ok(_) => panic!("past the limit, but accepted: {refusal}"),
        Err(e) => assert!(e.contains(refusal), "expected `{refusal}`, got `{e}`"),
    }
}

fn over(limit: u64, what: &str) -> String {
    format!(
        "{} {what}, over the limit of {limit} (docs/abi.md §6.1)",
        limit + 1
    )
}

/// `n` functions of the given body, after `_initialize` and `govm_alloc`.
fn funcs(n: u64, f: &Func) -> Vec<Func> {
    vec![f.clone(); n as usize]
}

const LOCAL_GET_0: [u8; 2] = [0x20, 0x00];
const BR_IF_0: [u8; 2] = [0x0d, 0x00];
const UNREACHABLE: u8 = 0x00;
const NOP: u8 = 0x01;

/// A function of `blocks` blocks in as few bytes as they take: `br_if`s in unreachable code,
/// which the validator accepts and the check counts all the same.
fn blocks(blocks: u64) -> Func {
    Func::new(vec![])
        .op(&[UNREACHABLE])
        .repeat(&BR_IF_0, blocks)
}

#[test]
fn counts_of_the_module_stop_at_their_limits() {
    let l = MODULE_LIMITS;
    let empty = Func::new(vec![]);
    // Types: the module's own two, then as many `() -> ()` as it takes.
    let types = |n: u64| Module {
        types: vec![(vec![], vec![]); n as usize - 2],
        ..Module::default()
    };
    at_and_over(
        &types(l.types),
        &types(l.types + 1),
        &over(l.types, "types"),
    );
    let functions = |n: u64| Module::with_funcs(funcs(n - 2, &empty));
    at_and_over(
        &functions(l.functions),
        &functions(l.functions + 1),
        &over(l.functions, "functions"),
    );
    let imports = |n: u64| Module {
        types: vec![(vec![], vec![I64])],
        imports: n,
        ..Module::default()
    };
    at_and_over(
        &imports(l.imports),
        &imports(l.imports + 1),
        &over(l.imports, "imports"),
    );
    let globals = |n: u64| Module {
        globals: n,
        ..Module::default()
    };
    at_and_over(
        &globals(l.globals),
        &globals(l.globals + 1),
        &over(l.globals, "globals"),
    );
    // Exports: the three the interface requires, then more names for `_initialize`.
    let exports = |n: u64| Module {
        exports: n - 3,
        ..Module::default()
    };
    at_and_over(
        &exports(l.exports),
        &exports(l.exports + 1),
        &over(l.exports, "exports"),
    );
}

#[test]
fn types_carry_few_values() {
    let l = MODULE_LIMITS;
    let params = |n: u64| Module {
        types: vec![(vec![I32; n as usize], vec![])],
        ..Module::default()
    };
    let refusal = format!("type 2 has {}", over(l.params, "params"));
    at_and_over(&params(l.params), &params(l.params + 1), &refusal);
    let results = |n: u64| Module {
        types: vec![(vec![], vec![I32; n as usize])],
        ..Module::default()
    };
    let refusal = format!("type 2 has {}", over(l.results, "results"));
    at_and_over(&results(l.results), &results(l.results + 1), &refusal);
    // A block's type takes fewer params than a function's: the validator checks them at every
    // branch target.
    let block = |n: u64| Module {
        types: vec![(vec![I32; n as usize], vec![])],
        funcs: vec![
            Func::new(vec![])
                .repeat(&[0x41, 0x00], n)
                .op(&[0x02, 0x02])
                .repeat(&[0x1a], n)
                .op(&[0x0b]),
        ],
        ..Module::default()
    };
    let refusal = format!(
        "function 2 has {}",
        over(l.block_params, "params in a block's type")
    );
    at_and_over(&block(l.block_params), &block(l.block_params + 1), &refusal);
}

#[test]
fn tables_and_memories_fit_the_largest_a_contract_may_ask_for() {
    let l = MODULE_LIMITS;
    let table = |initial, maximum| Module {
        table: Some((initial, maximum)),
        ..Module::default()
    };
    let max = l.table_elements;
    at_and_over(
        &table(max, None),
        &table(max + 1, None),
        &format!("table 0 has {}", over(max, "initial elements")),
    );
    at_and_over(
        &table(1, Some(max)),
        &table(1, Some(max + 1)),
        &format!("table 0 has {}", over(max, "maximum elements")),
    );
    let memory = |initial, maximum| Module {
        memory: (initial, maximum),
        ..Module::default()
    };
    let max = l.memory_pages;
    at_and_over(
        &memory(max, None),
        &memory(max + 1, None),
        &format!("memory 0 has {}", over(max, "initial pages")),
    );
    at_and_over(
        &memory(1, Some(max)),
        &memory(1, Some(max + 1)),
        &format!("memory 0 has {}", over(max, "maximum pages")),
    );
}

#[test]
fn segments_stop_at_their_limits() {
    let l = MODULE_LIMITS;
    let segments = |n: u64| Module {
        table: Some((1, None)),
        elements: vec![1; n as usize],
        ..Module::default()
    };
    at_and_over(
        &segments(l.element_segments),
        &segments(l.element_segments + 1),
        &over(l.element_segments, "element segments"),
    );
    let elements = |n: u64| Module {
        table: Some((l.table_elements, None)),
        elements: vec![n],
        ..Module::default()
    };
    at_and_over(
        &elements(l.elements),
        &elements(l.elements + 1),
        &over(l.elements, "elements"),
    );
    let data = |n: u64, count: bool| Module {
        data: vec![0; n as usize],
        data_count: count,
        ..Module::default()
    };
    let refusal = over(l.data_segments, "data segments");
    at_and_over(
        &data(l.data_segments, false),
        &data(l.data_segments + 1, false),
        &refusal,
    );
    // The data count section, before the code, says so first.
    at_and_over(
        &data(l.data_segments, true),
        &data(l.data_segments + 1, true),
        &refusal,
    );
    let size = |extra: usize| Module {
        data: vec![l.data_size as usize / 2, l.data_size as usize / 2 + extra],
        ..Module::default()
    };
    at_and_over(&size(0), &size(1), &over(l.data_size, "bytes of data"));
}

/// `module` with its last function padded with `nop`s until the code section holds exactly
/// `target` bytes.
fn code_of(mut module: Module, target: u64) -> Module {
    loop {
        let size = module.code_contents().len() as u64;
        if size == target {
            return module;
        }
        assert!(size < target, "overshot {target}: {size}");
        // A body's size may take one more byte as it grows: never add more than is missing.
        let missing = (target - size).min(1 << 12) as usize;
        let mut padded = module.clone();
        let last = padded.funcs.last_mut().expect("a function to pad");
        last.code.extend(std::iter::repeat_n(NOP, missing));
        if padded.code_contents().len() as u64 > target {
            let last = module.funcs.last_mut().expect("a function to pad");
            last.code.push(NOP);
        } else {
            module = padded;
        }
    }
}

#[test]
fn code_stops_at_its_limits() {
    let l = MODULE_LIMITS;
    // A function of exactly the limit: its locals (none: one byte), its code, its `end`.
    let sized = |size: u64| Module::with_funcs(vec![Func::new(vec![]).repeat(&[NOP], size - 2)]);
    at_and_over(
        &sized(l.function_size),
        &sized(l.function_size + 1),
        &format!("function 2 has {}", over(l.function_size, "bytes of code")),
    );
    let full = Func::new(vec![]).repeat(&[NOP], l.function_size - 2);
    let count = l.code_size / l.function_size;
    let mut funcs = funcs(count - 1, &full);
    funcs.push(Func::new(vec![]));
    let at = code_of(Module::with_funcs(funcs), l.code_size);
    let mut past = at.clone();
    if let Some(f) = past.funcs.last_mut() {
        f.code.push(NOP);
    }
    at_and_over(&at, &past, &over(l.code_size, "bytes of code"));
}

#[test]
fn locals_are_counted_without_expanding_their_declarations() {
    let l = MODULE_LIMITS;
    let declared = |n: u64| Module::with_funcs(vec![Func::new(vec![(n, I64)])]);
    let refusal = format!("function 2 has {}", over(l.locals, "locals"));
    at_and_over(&declared(l.locals), &declared(l.locals + 1), &refusal);
    // Parameters are locals too.
    let with_param = |n: u64| {
        let mut f = Func::new(vec![(n, I64)]).op(&[0x41, 0x00]);
        f.ty = 1;
        Module::with_funcs(vec![f])
    };
    at_and_over(&with_param(l.locals - 1), &with_param(l.locals), &refusal);
    // Five bytes can declare four billion locals, and two declarations overflow a u32: both
    // are refused by the count, at once.
    for locals in [
        vec![(u64::from(u32::MAX), I64)],
        vec![(1 << 31, I64), (1 << 31, I32)],
    ] {
        let wasm = Module::with_funcs(vec![Func::new(locals.clone())]).encode();
        // (Expanding the declarations instead would take gigabytes: counted, they cost
        // nothing. No test asserts a time: CI machines vary.)
        let refused = check(&wasm).expect_err("refused");
        assert!(
            refused.contains("locals, over the limit of 1024"),
            "{refused}"
        );
    }
    // All functions together: govm_alloc's parameter is one.
    let module = |extra: u64| {
        let full = Func::new(vec![(l.locals, I64)]);
        let n = l.module_locals / l.locals;
        let mut funcs = funcs(n - 1, &full);
        funcs.push(Func::new(vec![(l.locals - 1 + extra, I64)]));
        Module::with_funcs(funcs)
    };
    at_and_over(&module(0), &module(1), &over(l.module_locals, "locals"));
}

#[test]
fn blocks_nesting_and_br_tables_stop_at_their_limits() {
    let l = MODULE_LIMITS;
    let one = |f: Func| Module::with_funcs(vec![f]);
    at_and_over(
        &one(blocks(l.blocks)),
        &one(blocks(l.blocks + 1)),
        &format!("function 2 has {}", over(l.blocks, "blocks")),
    );
    // Each of these starts a block.
    for op in [
        &[0x02, 0x40, 0x0b][..],
        &[0x03, 0x40, 0x0b],
        &[0x04, 0x40, 0x0b],
        &[0x04, 0x40, 0x05, 0x0b],
        &[0x0d, 0x00],
        &[0x0e, 0x00, 0x00],
        &[0x11, 0x00, 0x00],
    ] {
        let f = Func::new(vec![]).op(&[UNREACHABLE]).op(op);
        let mut module = one(f);
        module.table = Some((1, None));
        let counted = check(&module.encode()).unwrap_or_else(|e| panic!("{op:x?}: {e}"));
        let expected = if op == [0x04, 0x40, 0x05, 0x0b] { 2 } else { 1 };
        assert_eq!(counted.blocks, expected, "{op:x?}");
    }
    let nested = |depth: u64| {
        one(Func::new(vec![])
            .repeat(&[0x02, 0x40], depth)
            .repeat(&[0x0b], depth))
    };
    at_and_over(
        &nested(l.nesting),
        &nested(l.nesting + 1),
        &format!("function 2 has {}", over(l.nesting, "nested blocks")),
    );
    // `br_table` with its default: `targets - 1` listed, all to the function's own label.
    let table = |targets: u64| {
        let mut f = Func::new(vec![(1, I32)]).op(&LOCAL_GET_0).op(&[0x0e]);
        leb(&mut f.code, targets - 1);
        f.code.extend(std::iter::repeat_n(0x00, targets as usize));
        one(f)
    };
    // Counted for the compile price: the targets, and the function's locals (its one) times
    // them.
    let counted = check(&table(100).encode()).unwrap();
    assert_eq!(counted.br_table_targets, 100);
    assert_eq!(counted.locals_by_targets, 100);
    at_and_over(
        &table(l.br_table_targets),
        &table(l.br_table_targets + 1),
        &format!(
            "function 2 has {}",
            over(l.br_table_targets, "br_table targets")
        ),
    );
    // All functions together, in functions whose size × blocks stay small.
    let per = 1_024;
    let module = |extra: u64| {
        let mut funcs = funcs(l.module_blocks / per, &blocks(per));
        if extra > 0 {
            funcs.push(blocks(extra));
        }
        Module::with_funcs(funcs)
    };
    at_and_over(&module(0), &module(1), &over(l.module_blocks, "blocks"));
    // Calls, all functions together.
    let calls = |n: u64| Func::new(vec![]).repeat(&[0x10, 0x00], n);
    let half = l.module_calls / 2;
    let module = |extra: u64| Module::with_funcs(vec![calls(half), calls(half + extra)]);
    at_and_over(&module(0), &module(1), &over(l.module_calls, "calls"));
}

#[test]
fn size_and_locals_times_blocks_stop_at_their_limits() {
    let l = MODULE_LIMITS;
    // 4,096 blocks in a body of exactly 2^28 / 4,096 bytes: the locals (one byte), the
    // blocks, `nop`s, and the `end`.
    let (n, size) = (4_096, l.size_by_blocks / 4_096);
    let padded = |extra: u64| blocks(n).repeat(&[NOP], size - 2 * n - 3 + extra);
    let refusal = format!("function 2 has {}", l.size_by_blocks + n);
    at_and_over(
        &Module::with_funcs(vec![padded(0)]),
        &Module::with_funcs(vec![padded(1)]),
        &format!(
            "{refusal} bytes × blocks, over the limit of {}",
            l.size_by_blocks
        ),
    );
    let per_module = l.module_size_by_blocks / l.size_by_blocks;
    let module = |count: u64| Module::with_funcs(funcs(count, &padded(0)));
    at_and_over(
        &module(per_module),
        &module(per_module + 1),
        &format!(
            "the module has {} bytes × blocks, over the limit of {}",
            (per_module + 1) * l.size_by_blocks,
            l.module_size_by_blocks
        ),
    );
    // 256 locals through 4,096 blocks.
    let locals = l.locals_by_blocks / n;
    let carried = |extra: u64| blocks(n).with_locals(vec![(locals + extra, I64)]);
    at_and_over(
        &Module::with_funcs(vec![carried(0)]),
        &Module::with_funcs(vec![carried(1)]),
        &format!(
            "function 2 has {} locals × blocks, over the limit of {}",
            l.locals_by_blocks + n,
            l.locals_by_blocks
        ),
    );
    let per_module = l.module_locals_by_blocks / l.locals_by_blocks;
    let module = |count: u64| Module::with_funcs(funcs(count, &carried(0)));
    at_and_over(
        &module(per_module),
        &module(per_module + 1),
        &format!(
            "the module has {} locals × blocks, over the limit of {}",
            (per_module + 1) * l.locals_by_blocks,
            l.module_locals_by_blocks
        ),
    );
}

#[test]
fn limits_are_counted_before_code_is_validated() {
    let l = MODULE_LIMITS;
    // Bodies that do not validate (an `i32.add` with nothing to add): the count of
    // functions refuses the module before any body is read.
    let invalid = Func::new(vec![]).op(&[0x6a]);
    let module = Module::with_funcs(funcs(l.functions - 1, &invalid));
    let refused = check(&module.encode()).expect_err("refused");
    assert!(refused.contains("functions, over the limit"), "{refused}");
    // A body over a limit is refused for the limit, not for what follows it.
    let module = Module::with_funcs(vec![blocks(l.blocks + 1).op(&[0xff])]);
    let refused = check(&module.encode()).expect_err("refused");
    assert!(refused.contains("blocks, over the limit"), "{refused}");
    // A module without an entry point of its ABI is refused before its code is read.
    let abi = ContractAbi::new(
        "x",
        vec![Function {
            name: "Transfer".into(),
            context: true,
            params: vec![],
            results: vec![],
            error: false,
        }],
    );
    let module = Module::with_funcs(vec![invalid]);
    let refused = check_module(&module.encode(), &abi, false).expect_err("refused");
    assert_eq!(refused.0, "missing export `Transfer`");
}

#[test]
fn the_shape_is_what_the_limits_counted() {
    let module = Module {
        funcs: vec![
            blocks(10).with_locals(vec![(3, I64)]),
            blocks(2).op(&[0x10, 0x00]),
        ],
        data: vec![5, 7],
        ..Module::default()
    };
    let shape = check(&module.encode()).expect("valid");
    let code = module.code_contents().len() as u64;
    let sizes = [
        blocks(10).with_locals(vec![(3, I64)]).body(),
        blocks(2).op(&[0x10, 0x00]).body(),
    ]
    .map(|b| b.len() as u64);
    assert_eq!(shape.functions, 4);
    assert_eq!(shape.code_size, code);
    assert_eq!(shape.largest_function, sizes[0]);
    // govm_alloc's parameter, and three declared.
    assert_eq!(shape.locals, 4);
    assert_eq!(shape.blocks, 12);
    assert_eq!(shape.calls, 1);
    assert_eq!(shape.size_by_blocks, sizes[0] * 10 + sizes[1] * 2);
    assert_eq!(shape.locals_by_blocks, 30);
    assert_eq!((shape.br_table_targets, shape.locals_by_targets), (0, 0));
    assert_eq!((shape.data_segments, shape.data_size), (2, 12));
    // Counted again without the check (a module read back from a store): the same shape,
    // also through a CheckedModule that was listed rather than checked.
    assert_eq!(module_shape(&module.encode()), Ok(shape));
    let stored = CheckedModule::stored(module.encode(), false).expect("listed");
    assert_eq!(stored.info().shape, None);
    assert_eq!(stored.shape(), Ok(shape));
}

#[test]
fn counting_a_shape_refuses_what_the_check_refuses_past_the_limits() {
    let deep = Module::with_funcs(vec![blocks(MODULE_LIMITS.blocks + 1)]);
    let counted = module_shape(&deep.encode()).map_err(|e| e.0);
    assert_eq!(counted, check(&deep.encode()));
    assert!(counted.is_err());
    assert!(module_shape(b"\0asm\x01\0\0\0\xff").is_err());
}

/// docs/abi.md §6.1 lists every limit, with its number, and nothing else.
#[test]
fn docs_list_the_limits() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/abi.md");
    let docs = std::fs::read_to_string(path).expect("docs/abi.md");
    let start = docs.find("### 6.1").expect("a §6.1");
    let section = &docs[start..];
    let section = &section[..section[4..].find("\n#").map_or(section.len(), |e| e + 4)];
    // Rows of the table: | `name` | number | ...
    let documented: Vec<(String, u64)> = section
        .lines()
        .filter_map(|line| {
            let mut cells = line.split('|').map(str::trim).skip(1);
            let name = cells.next()?.strip_prefix('`')?.strip_suffix('`')?;
            let number: String = cells
                .next()?
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ',')
                .filter(char::is_ascii_digit)
                .collect();
            Some((name.to_owned(), number.parse().ok()?))
        })
        .collect();
    // The limits as the code has them: `ModuleLimits { types: 1024, params: 32, ... }`.
    let code = format!("{MODULE_LIMITS:?}");
    let fields = code
        .split_once('{')
        .and_then(|(_, rest)| rest.strip_suffix('}'))
        .expect("a struct");
    let limits: Vec<(String, u64)> = fields
        .split(',')
        .filter_map(|f| {
            let (name, value) = f.split_once(':')?;
            Some((name.trim().to_owned(), value.trim().parse().ok()?))
        })
        .collect();
    assert_eq!(documented, limits, "docs/abi.md §6.1 against MODULE_LIMITS");
}

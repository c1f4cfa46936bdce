//! The snapshot taken after Go's `_initialize` (wasmtime-wizer), and its compaction.
//!
//! A snapshot is a function of the module bytes and the contract's options only: the
//! initialization runs against the deterministic WASI layer with a fixed clock and seed, and
//! the rewrite is wizer's, so every machine produces the same bytes.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use wasm_encoder::{ConstExpr, DataSection, RawSection};
use wasmparser::{DataKind, Operator, Parser, Payload};
use wasmtime::{Instance, Store, Val};
use wasmtime_wizer::{InstanceState, ModuleContext, SnapshotVal, ValType, Wizer};

use crate::env::HostState;
use crate::error::{Error, Result};

/// The wizer configuration: Go reactors initialise in `_initialize`, which the snapshot no
/// longer exports.
pub(crate) fn wizer() -> Wizer {
    let mut w = Wizer::new();
    w.init_func("_initialize");
    w
}

/// Snapshots `instance` (initialised from the module `wizer` instrumented into `cx`) and
/// compacts the result.
pub(crate) fn take(
    wizer: &Wizer,
    cx: &ModuleContext<'_>,
    store: &mut Store<HostState>,
    instance: Instance,
) -> Result<Vec<u8>> {
    let image = complete(wizer.snapshot(cx, &mut Inspect { store, instance }))?
        .map_err(|e| Error::Internal(format!("snapshot: {e}")))?;
    compact(&image)
}

/// Runs a future that never waits (wizer's snapshot over an in-memory instance) to its end.
fn complete<F: Future>(future: F) -> Result<F::Output> {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => Ok(out),
        Poll::Pending => Err(Error::Internal(
            "the snapshot did not complete synchronously".into(),
        )),
    }
}

/// What wizer reads from the initialised instance: its exported globals and memory.
struct Inspect<'a> {
    store: &'a mut Store<HostState>,
    instance: Instance,
}

impl InstanceState for Inspect<'_> {
    fn global_get(
        &mut self,
        name: &str,
        _type_hint: ValType,
    ) -> impl Future<Output = SnapshotVal> + Send {
        // wizer only asks for the globals its instrumentation exported.
        let value = self
            .instance
            .get_global(&mut *self.store, name)
            .map(|g| g.get(&mut *self.store));
        std::future::ready(match value {
            Some(Val::I32(x)) => SnapshotVal::I32(x),
            Some(Val::I64(x)) => SnapshotVal::I64(x),
            Some(Val::F32(x)) => SnapshotVal::F32(x),
            Some(Val::F64(x)) => SnapshotVal::F64(x),
            Some(Val::V128(x)) => SnapshotVal::V128(x.as_u128()),
            // Reference-typed globals are outside the consensus feature set.
            _ => SnapshotVal::I32(0),
        })
    }

    fn memory_contents(
        &mut self,
        name: &str,
        contents: impl FnOnce(&[u8]) + Send,
    ) -> impl Future<Output = ()> + Send {
        match self.instance.get_memory(&mut *self.store, name) {
            Some(memory) => contents(memory.data(&*self.store)),
            None => contents(&[]),
        }
        std::future::ready(())
    }
}

/// Drops what wizer keeps but Go never uses: wizer keeps every original data segment as an
/// empty *passive* segment (to preserve segment indices for `memory.init` and `data.drop`)
/// and the DataCount section. wasmtime walks every segment on every instantiation, so with
/// Go's ~30,000 segments that costs more than the copy-on-write instantiation itself. Only
/// done when the code uses neither instruction and every passive segment is empty; anything
/// else comes back unchanged.
fn compact(wasm: &[u8]) -> Result<Vec<u8>> {
    let parse_error = |e: wasmparser::BinaryReaderError| Error::InvalidModule(e.to_string());
    // First pass: is it safe?
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(parse_error)? {
            Payload::CodeSectionEntry(body) => {
                let mut ops = body.get_operators_reader().map_err(parse_error)?;
                while !ops.eof() {
                    if matches!(
                        ops.read().map_err(parse_error)?,
                        Operator::MemoryInit { .. } | Operator::DataDrop { .. }
                    ) {
                        return Ok(wasm.to_vec());
                    }
                }
            }
            Payload::DataSection(reader) => {
                for segment in reader {
                    let segment = segment.map_err(parse_error)?;
                    if matches!(segment.kind, DataKind::Passive) && !segment.data.is_empty() {
                        return Ok(wasm.to_vec());
                    }
                }
            }
            _ => {}
        }
    }
    let mut module = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(parse_error)?;
        match &payload {
            Payload::DataCountSection { .. } => {}
            Payload::DataSection(reader) => {
                let mut data = DataSection::new();
                for segment in reader.clone() {
                    let segment = segment.map_err(parse_error)?;
                    let DataKind::Active {
                        memory_index,
                        offset_expr,
                    } = segment.kind
                    else {
                        continue;
                    };
                    let mut ops = offset_expr.get_operators_reader();
                    let offset = match (ops.read(), ops.read()) {
                        (Ok(Operator::I32Const { value }), Ok(Operator::End)) => {
                            ConstExpr::i32_const(value)
                        }
                        // Not the shape wizer writes: keep the module as it is.
                        _ => return Ok(wasm.to_vec()),
                    };
                    data.active(memory_index, &offset, segment.data.iter().copied());
                }
                module.section(&data);
            }
            other => {
                if let Some((id, range)) = other.as_section() {
                    module.section(&RawSection {
                        id,
                        data: &wasm[range],
                    });
                }
            }
        }
    }
    Ok(module.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wat(text: &str) -> Vec<u8> {
        wat::parse_str(text).unwrap_or_default()
    }

    #[test]
    fn compaction_drops_empty_passive_segments() {
        let wasm = wat(r#"(module (memory 1)
            (data "")
            (data (i32.const 16) "hi")
            (func (export "f") (result i32) (i32.load8_u (i32.const 16))))"#);
        let out = compact(&wasm).unwrap_or_default();
        assert!(out.len() < wasm.len());
        let mut passive = 0;
        let mut active = 0;
        for p in Parser::new(0).parse_all(&out) {
            if let Ok(Payload::DataSection(r)) = p {
                for s in r.into_iter().flatten() {
                    match s.kind {
                        DataKind::Passive => passive += 1,
                        DataKind::Active { .. } => active += 1,
                    }
                }
            }
        }
        assert_eq!((passive, active), (0, 1));
        assert!(wasmparser::Validator::new().validate_all(&out).is_ok());
    }

    #[test]
    fn compaction_keeps_modules_that_use_segments() {
        let wasm = wat(r#"(module (memory 1)
            (data "x")
            (func (export "f") (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 1))))"#);
        assert_eq!(compact(&wasm).ok(), Some(wasm.clone()));
        let dropping = wat(r#"(module (memory 1) (data "")
            (func (export "f") (data.drop 0)))"#);
        assert_eq!(compact(&dropping).ok(), Some(dropping.clone()));
    }
}

//! The walk over every declaration for constructs a contract may not use (goroutines,
//! `select`, channels, `recover`) and for the events it logs (`Log` calls with a literal
//! event name).

use gosyn::ast::{Declaration, Expression, Statement};
use gosyn::token::{LitKind, Operator};
use govm_abi::EventDef;

use crate::ast::expr_pos;
use crate::walk;

/// Walks a whole declaration for forbidden constructs and events.
pub(crate) fn walk_declaration(c: &mut Constructs, decl: &Declaration) {
    match decl {
        Declaration::Function(f) => {
            if let Some(recv) = &f.recv {
                walk::field_list(c, recv);
            }
            walk::expr(c, &Expression::TypeFunction(f.typ.clone()));
            if let Some(body) = &f.body {
                walk::block(c, body);
            }
        }
        Declaration::Type(d) => d.specs.iter().for_each(|s| walk::expr(c, &s.typ)),
        Declaration::Const(d) => d
            .specs
            .iter()
            .for_each(|s| s.typ.iter().chain(&s.values).for_each(|e| walk::expr(c, e))),
        Declaration::Variable(d) => d
            .specs
            .iter()
            .for_each(|s| s.typ.iter().chain(&s.values).for_each(|e| walk::expr(c, e))),
    }
}

/// Collects forbidden constructs and `Log` calls with literal event names.
#[derive(Default)]
pub(crate) struct Constructs {
    pub(crate) found: Vec<(&'static str, usize, &'static str)>,
    pub(crate) events: Vec<EventDef>,
}

impl walk::Visitor for Constructs {
    fn stmt(&mut self, s: &Statement) {
        match s {
            Statement::Go(g) => self.found.push((
                "goroutine",
                g.pos,
                "`go` statements are not allowed: a contract runs on one thread, and goroutine scheduling is not part of consensus",
            )),
            Statement::Select(sel) => self.found.push((
                "select",
                sel.pos,
                "`select` is not allowed: it waits on channels, and contracts have no concurrency",
            )),
            Statement::Send(send) => self.found.push((
                "channel",
                expr_pos(&send.chan).unwrap_or(send.pos),
                "channel operations are not allowed: contracts have no concurrency",
            )),
            _ => {}
        }
    }

    fn expr(&mut self, e: &Expression) {
        match e {
            Expression::TypeChannel(c) => self.found.push((
                "channel",
                c.pos.0,
                "channel types are not allowed: contracts have no concurrency",
            )),
            Expression::Operation(op) if op.op == Operator::Arrow && op.y.is_none() => {
                self.found.push((
                    "channel",
                    op.pos,
                    "channel operations are not allowed: contracts have no concurrency",
                ))
            }
            Expression::Call(call) => {
                if let Expression::Ident(id) = &*call.func
                    && id.name == "recover"
                {
                    self.found.push((
                        "recover",
                        id.pos,
                        "`recover` is not allowed: a panic must end the call and roll it back",
                    ));
                }
                self.event(call);
            }
            _ => {}
        }
    }
}

impl Constructs {
    fn event(&mut self, call: &gosyn::ast::Call) {
        let Expression::Selector(sel) = &*call.func else {
            return;
        };
        if sel.sel.name != "Log" {
            return;
        }
        let literal = |e: &Expression| match e {
            Expression::BasicLit(lit) if lit.kind == LitKind::String => unquote(&lit.value),
            _ => None,
        };
        let Some(name) = call.args.first().and_then(literal) else {
            return;
        };
        let keys: Vec<String> = call
            .args
            .iter()
            .skip(1)
            .step_by(2)
            .filter_map(literal)
            .collect();
        let event = EventDef { name, keys };
        if !self.events.contains(&event) {
            self.events.push(event);
        }
    }
}

/// The value of a Go string literal (interpreted or raw); None for escapes it does not know.
fn unquote(lit: &str) -> Option<String> {
    if let Some(raw) = lit.strip_prefix('`').and_then(|s| s.strip_suffix('`')) {
        return Some(raw.to_owned());
    }
    let inner = lit.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '\\' => '\\',
            '"' => '"',
            '\'' => '\'',
            _ => return None,
        });
    }
    Some(out)
}

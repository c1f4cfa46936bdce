//! Helpers over gosyn's AST that the rules and the construct walk share.

use gosyn::ast::Expression;

/// Where an expression starts in the source, when gosyn records it.
pub(crate) fn expr_pos(e: &Expression) -> Option<usize> {
    Some(match e {
        Expression::Ident(id) => id.pos,
        Expression::Selector(s) => return expr_pos(&s.x),
        Expression::TypeSlice(s) => s.pos.0,
        Expression::TypeArray(a) => a.pos.0,
        Expression::TypeMap(m) => m.pos.0,
        Expression::TypePointer(p) => p.pos,
        Expression::TypeChannel(c) => c.pos.0,
        Expression::TypeFunction(f) => f.pos,
        Expression::TypeStruct(s) => s.pos.0,
        Expression::TypeInterface(i) => i.pos,
        Expression::Star(s) => s.pos,
        Expression::Ellipsis(e) => e.pos,
        Expression::Paren(p) => p.pos.0,
        Expression::Call(c) => return expr_pos(&c.func),
        Expression::Index(i) => return expr_pos(&i.left),
        Expression::Operation(o) => return expr_pos(&o.x),
        _ => return None,
    })
}

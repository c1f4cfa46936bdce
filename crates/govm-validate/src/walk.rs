//! A walk over every statement and expression of gosyn's AST. gosyn caps nesting depth while
//! parsing, so the recursion here is bounded too.

use gosyn::ast::{
    BlockStmt, CaseBlock, DeclStmt, Element, Expression, FieldList, FuncType, LiteralValue,
    Statement,
};

/// Called for every node; both default to doing nothing.
pub(crate) trait Visitor {
    fn stmt(&mut self, _s: &Statement) {}
    fn expr(&mut self, _e: &Expression) {}
}

pub(crate) fn block(v: &mut impl Visitor, b: &BlockStmt) {
    for s in &b.list {
        stmt(v, s);
    }
}

fn opt_stmt(v: &mut impl Visitor, s: &Option<Box<Statement>>) {
    if let Some(s) = s {
        stmt(v, s);
    }
}

fn case_block(v: &mut impl Visitor, b: &CaseBlock) {
    for clause in &b.body {
        for e in &clause.list {
            expr(v, e);
        }
        for s in clause.body.iter() {
            stmt(v, s);
        }
    }
}

fn decl(v: &mut impl Visitor, d: &DeclStmt) {
    match d {
        DeclStmt::Type(d) => {
            for spec in &d.specs {
                field_list(v, &spec.params);
                expr(v, &spec.typ);
            }
        }
        DeclStmt::Const(d) => {
            for spec in &d.specs {
                spec.typ.iter().chain(&spec.values).for_each(|e| expr(v, e));
            }
        }
        DeclStmt::Variable(d) => {
            for spec in &d.specs {
                spec.typ.iter().chain(&spec.values).for_each(|e| expr(v, e));
            }
        }
    }
}

pub(crate) fn stmt(v: &mut impl Visitor, s: &Statement) {
    v.stmt(s);
    match s {
        Statement::Go(g) => call(v, &g.call),
        Statement::Defer(d) => call(v, &d.call),
        Statement::If(i) => {
            opt_stmt(v, &i.init);
            expr(v, &i.cond);
            block(v, &i.body);
            opt_stmt(v, &i.else_);
        }
        Statement::For(f) => {
            opt_stmt(v, &f.init);
            opt_stmt(v, &f.cond);
            opt_stmt(v, &f.post);
            block(v, &f.body);
        }
        Statement::Send(send) => {
            expr(v, &send.chan);
            expr(v, &send.value);
        }
        Statement::Expr(e) => expr(v, &e.expr),
        Statement::Block(b) => block(v, b),
        Statement::Range(r) => {
            r.key.iter().chain(&r.value).for_each(|e| expr(v, e));
            expr(v, &r.expr);
            block(v, &r.body);
        }
        Statement::Label(l) => stmt(v, &l.stmt),
        Statement::IncDec(i) => expr(v, &i.expr),
        Statement::Assign(a) => a.left.iter().chain(&a.right).for_each(|e| expr(v, e)),
        Statement::Return(r) => r.ret.iter().for_each(|e| expr(v, e)),
        Statement::Switch(sw) => {
            opt_stmt(v, &sw.init);
            if let Some(tag) = &sw.tag {
                expr(v, tag);
            }
            case_block(v, &sw.block);
        }
        Statement::TypeSwitch(ts) => {
            opt_stmt(v, &ts.init);
            opt_stmt(v, &ts.tag);
            case_block(v, &ts.block);
        }
        Statement::Select(sel) => {
            for clause in &sel.body.body {
                opt_stmt(v, &clause.comm);
                for s in clause.body.iter() {
                    stmt(v, s);
                }
            }
        }
        Statement::Declaration(d) => decl(v, d),
        Statement::Empty(_) | Statement::Branch(_) => {}
    }
}

fn call(v: &mut impl Visitor, c: &gosyn::ast::Call) {
    expr(v, &c.func);
    for a in &c.args {
        expr(v, a);
    }
}

pub(crate) fn field_list(v: &mut impl Visitor, fl: &FieldList) {
    for f in &fl.list {
        expr(v, &f.typ);
    }
}

fn func_type(v: &mut impl Visitor, f: &FuncType) {
    field_list(v, &f.typ_params);
    field_list(v, &f.params);
    field_list(v, &f.result);
}

fn literal(v: &mut impl Visitor, lit: &LiteralValue) {
    for kv in &lit.values {
        for el in kv.key.iter().chain(std::iter::once(&kv.val)) {
            match el {
                Element::Expr(e) => expr(v, e),
                Element::LitValue(l) => literal(v, l),
            }
        }
    }
}

pub(crate) fn expr(v: &mut impl Visitor, e: &Expression) {
    v.expr(e);
    match e {
        Expression::Call(c) => call(v, c),
        Expression::Index(i) => {
            expr(v, &i.left);
            expr(v, &i.index);
        }
        Expression::IndexList(i) => {
            expr(v, &i.left);
            i.indices.iter().for_each(|x| expr(v, x));
        }
        Expression::Slice(s) => {
            expr(v, &s.left);
            s.index.iter().flatten().for_each(|x| expr(v, x));
        }
        Expression::FuncLit(f) => {
            func_type(v, &f.typ);
            block(v, &f.body);
        }
        Expression::Ellipsis(el) => {
            if let Some(x) = &el.elt {
                expr(v, x);
            }
        }
        Expression::Selector(s) => expr(v, &s.x),
        Expression::Range(r) => expr(v, &r.right),
        Expression::Star(s) => expr(v, &s.right),
        Expression::Paren(p) => expr(v, &p.expr),
        Expression::TypeAssert(t) => {
            expr(v, &t.left);
            if let Some(r) = &t.right {
                expr(v, r);
            }
        }
        Expression::CompositeLit(c) => {
            expr(v, &c.typ);
            literal(v, &c.val);
        }
        Expression::List(list) => list.iter().for_each(|x| expr(v, x)),
        Expression::Operation(op) => {
            expr(v, &op.x);
            if let Some(y) = &op.y {
                expr(v, y);
            }
        }
        Expression::TypeMap(m) => {
            expr(v, &m.key);
            expr(v, &m.val);
        }
        Expression::TypeArray(a) => {
            expr(v, &a.len);
            expr(v, &a.typ);
        }
        Expression::TypeSlice(s) => expr(v, &s.typ),
        Expression::TypeFunction(f) => func_type(v, f),
        Expression::TypeStruct(s) => s.fields.iter().for_each(|f| expr(v, &f.typ)),
        Expression::TypeChannel(c) => expr(v, &c.typ),
        Expression::TypePointer(p) => expr(v, &p.typ),
        Expression::TypeInterface(i) => field_list(v, &i.methods),
        Expression::Ident(_) | Expression::BasicLit(_) => {}
    }
}

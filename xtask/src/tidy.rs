//! Import cycles between the source files of a crate. A file depends on the modules of its
//! crate that it names, `crate::m` or `super::m` (in a `use`, grouped or not, or in a path);
//! two files that depend on each other, directly or around a longer circle, are one concept
//! cut in two or two concepts tangled: ARCHITECTURE.md wants dependencies that point one way.
//!
//! A text scan, not a parser: comments, string and character literals and `#[cfg(test)]` items
//! are blanked out first, then the paths that start with `crate` or `super` are read. A root
//! file (`lib.rs`, `main.rs`) declaring `mod m;` or re-exporting from it depends on nothing, and
//! nothing depends on a root file: an item named through a re-export (`crate::Error`) is not
//! traced back to the module that defines it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// At most this many cycles are listed per crate: past it the graph needs untangling anyway,
/// and the enumeration of every circle grows fast with the number of files in one knot.
const MAX_CYCLES: usize = 50;

/// Fails listing every import cycle between the source files of each crate under
/// `crates_dir` (`govm-chain: block.rs -> chain.rs -> block.rs`).
pub(crate) fn import_cycles(crates_dir: &Path) -> Result<()> {
    let mut crates: Vec<PathBuf> = std::fs::read_dir(crates_dir)
        .with_context(|| format!("reading {}", crates_dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    crates.sort();
    let mut found = Vec::new();
    for krate in crates {
        let src = krate.join("src");
        if !src.is_dir() {
            continue;
        }
        let mut files = BTreeMap::new();
        for path in source_files(&src)? {
            let rel = path
                .strip_prefix(&src)?
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            files.insert(rel, text);
        }
        let name = krate
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let cycles = cycles(&files);
        if cycles.len() >= MAX_CYCLES {
            found.push(format!("{name}: the first {MAX_CYCLES} cycles of more"));
        }
        for cycle in cycles {
            found.push(format!("{name}: {}", cycle.join(" -> ")));
        }
    }
    if !found.is_empty() {
        bail!(
            "import cycles between the files of a crate (move what both use to a lower module, so \
             the dependency points one way):\n  {}",
            found.join("\n  ")
        );
    }
    eprintln!("import cycles: ok");
    Ok(())
}

/// The `.rs` files under `dir`, in every folder but `bin` (each of whose files is a crate
/// root of its own).
fn source_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            if !path.ends_with("bin") {
                out.extend(source_files(&path)?);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(out)
}

/// The elementary cycles of the file graph of one crate, given its files by path under `src`
/// (`a/b.rs`) with their text. Each cycle starts and ends at its smallest file.
fn cycles(files: &BTreeMap<String, String>) -> Vec<Vec<String>> {
    let modules: BTreeMap<Vec<String>, &str> = files
        .keys()
        .filter_map(|file| Some((module_path(file)?, file.as_str())))
        .collect();
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (file, text) in files {
        let Some(module) = module_path(file) else {
            continue;
        };
        let deps = graph.entry(file.as_str()).or_default();
        for (supers, path) in named_paths(&code_only(text)) {
            let base = match supers {
                0 => &[][..],
                n => match module.len().checked_sub(n) {
                    Some(len) => &module[..len],
                    None => continue,
                },
            };
            let full: Vec<String> = base.iter().chain(&path).cloned().collect();
            // The longest prefix that is a module file: `crate::a::b::f` is `a/b.rs` when it
            // exists, else `a.rs` (or `a/mod.rs`); the root file is never a dependency.
            let target = (1..=full.len())
                .rev()
                .find_map(|len| modules.get(&full[..len]).copied());
            if let Some(target) = target
                && target != file
            {
                deps.insert(target);
            }
        }
    }
    let mut out = Vec::new();
    for &start in graph.keys() {
        // The files after `start` from which it can be reached through files after it: only
        // they can be on a cycle that `start` is the smallest file of.
        let mut back = BTreeSet::new();
        let mut queue = vec![start];
        while let Some(to) = queue.pop() {
            for (&from, deps) in &graph {
                if from > start && deps.contains(to) && back.insert(from) {
                    queue.push(from);
                }
            }
        }
        circuits(&graph, start, &back, &mut vec![start], &mut out);
    }
    out
}

/// Every path from the last file of `path` back to `start` through files of `back` (which are
/// all greater than `start`, so that each cycle is found once, from its smallest file).
fn circuits<'a>(
    graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
    start: &'a str,
    back: &BTreeSet<&'a str>,
    path: &mut Vec<&'a str>,
    out: &mut Vec<Vec<String>>,
) {
    let Some(&last) = path.last() else {
        return;
    };
    for &next in graph.get(last).into_iter().flatten() {
        if out.len() >= MAX_CYCLES {
            return;
        }
        if next == start {
            let mut cycle: Vec<String> = path.iter().map(|f| (*f).to_owned()).collect();
            cycle.push(start.to_owned());
            out.push(cycle);
        } else if back.contains(next) && !path.contains(&next) {
            path.push(next);
            circuits(graph, start, back, path, out);
            path.pop();
        }
    }
}

/// The module a file under `src` holds: `[]` for the crate root, `["a", "b"]` for `a/b.rs`
/// or `a/b/mod.rs`; None for what is not a module file.
fn module_path(file: &str) -> Option<Vec<String>> {
    let mut parts: Vec<String> = file
        .strip_suffix(".rs")?
        .split('/')
        .map(str::to_owned)
        .collect();
    if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
        return Some(Vec::new());
    }
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    Some(parts)
}

/// The text with comments, string and character literals, and every `#[cfg(test)]` item
/// (the `mod tests` tail and any other) blanked out; line breaks stay where they were.
fn code_only(text: &str) -> String {
    let mut chars: Vec<char> = strip_literals(text).chars().collect();
    let attr: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut i = 0;
    while i + attr.len() <= chars.len() {
        if chars[i..i + attr.len()] != attr[..] {
            i += 1;
            continue;
        }
        let end = item_end(&chars, i + attr.len());
        for c in &mut chars[i..end] {
            if *c != '\n' {
                *c = ' ';
            }
        }
        i = end;
    }
    chars.into_iter().collect()
}

/// Where the item that starts at `from` ends (just past its `;` or its closing brace), in text
/// without comments or literals. An attribute on a field or a match arm takes the rest of its
/// block with it: fewer dependencies seen, never more.
fn item_end(chars: &[char], from: usize) -> usize {
    let mut depth = 0usize;
    let mut i = from;
    while i < chars.len() {
        match chars[i] {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            ';' if depth == 0 => return i + 1,
            '}' if depth == 0 => return i,
            '{' if depth == 0 => {
                let mut braces = 0usize;
                for (j, &c) in chars.iter().enumerate().skip(i) {
                    match c {
                        '{' => braces += 1,
                        '}' => {
                            braces -= 1;
                            if braces == 0 {
                                return j + 1;
                            }
                        }
                        _ => {}
                    }
                }
                return chars.len();
            }
            _ => {}
        }
        i += 1;
    }
    chars.len()
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The text with comments and string, byte-string, raw-string and character literals replaced
/// by spaces (line breaks kept); lifetimes and labels stay.
fn strip_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let at = |i: usize| chars.get(i).copied();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && at(i + 1) == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && at(i + 1) == Some('*') {
            let mut depth = 0usize;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == Some('*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == Some('/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() {
                let d = chars[i];
                blank(&mut out, d);
                i += 1;
                if d == '\\' {
                    if let Some(&e) = chars.get(i) {
                        blank(&mut out, e);
                    }
                    i += 1;
                } else if d == '"' {
                    break;
                }
            }
        } else if let Some(hashes) = raw_string_at(&chars, i) {
            // `r`, the hashes and the opening quote, then up to `"` and as many hashes.
            for _ in 0..hashes + 2 {
                out.push(' ');
            }
            i += hashes + 2;
            while i < chars.len() {
                let closes = chars[i] == '"' && (1..=hashes).all(|k| at(i + k) == Some('#'));
                if closes {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += hashes + 1;
                    break;
                }
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '\'' && at(i + 1) == Some('\\') {
            // An escaped character: up to the closing quote.
            out.push_str("  ");
            i += 2;
            if i < chars.len() {
                out.push(' ');
                i += 1;
            }
            while i < chars.len() {
                let d = chars[i];
                blank(&mut out, d);
                i += 1;
                if d == '\'' {
                    break;
                }
            }
        } else if c == '\'' && at(i + 2) == Some('\'') {
            out.push_str("   ");
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The number of hashes of a raw string literal (`r"`, `r#"`, `br"`, `cr"`) whose `r` is at
/// `i`; None when no raw string starts there.
fn raw_string_at(chars: &[char], i: usize) -> Option<usize> {
    if chars[i] != 'r' {
        return None;
    }
    let starts_token = match i.checked_sub(1).map(|p| chars[p]) {
        None => true,
        Some('b' | 'c') => i < 2 || !is_ident(chars[i - 2]),
        Some(p) => !is_ident(p),
    };
    if !starts_token {
        return None;
    }
    let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
    (chars.get(i + 1 + hashes) == Some(&'"')).then_some(hashes)
}

/// The paths of the crate's own modules that code names: (how many `super`s it starts with,
/// 0 for `crate`; the segments after them). `use crate::{a, b::{self, c}}` names `a`, `b` and
/// `b::c`.
fn named_paths(code: &str) -> Vec<(usize, Vec<String>)> {
    let tokens = tokens(code);
    let tok = |k: usize| tokens.get(k).map(String::as_str);
    let mut out = Vec::new();
    for k in 0..tokens.len() {
        let root = tokens[k].as_str();
        if root != "crate" && root != "super" {
            continue;
        }
        // `$crate` in macros, the second `super` of `super::super`, and `pub(in crate::a)`.
        let previous = k.checked_sub(1).and_then(tok);
        let visibility = previous == Some("in") && k.checked_sub(2).and_then(tok) == Some("(");
        if matches!(previous, Some("$" | "::")) || visibility {
            continue;
        }
        let mut supers = usize::from(root == "super");
        let mut next = k + 1;
        while root == "super" && tok(next) == Some("::") && tok(next + 1) == Some("super") {
            supers += 1;
            next += 2;
        }
        if tok(next) != Some("::") {
            continue;
        }
        let mut at = next + 1;
        let mut paths = Vec::new();
        use_tree(&tokens, &mut at, Vec::new(), &mut paths);
        out.extend(
            paths
                .into_iter()
                .filter(|p| !p.is_empty())
                .map(|p| (supers, p)),
        );
    }
    out
}

/// Reads the path or group that starts at `tokens[*at]` (just past a `::`), adding every path
/// it names under `prefix` to `out`.
fn use_tree(tokens: &[String], at: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let tok = |k: usize| tokens.get(k).map(String::as_str);
    match tok(*at) {
        Some("{") => {
            *at += 1;
            loop {
                match tok(*at) {
                    None => return,
                    Some("}") => {
                        *at += 1;
                        return;
                    }
                    Some(",") => *at += 1,
                    Some(_) => {
                        use_tree(tokens, at, prefix.clone(), out);
                        // An alias (`a as b`): up to the next item of the group.
                        while !matches!(tok(*at), None | Some("," | "}" | "{")) {
                            *at += 1;
                        }
                        if tok(*at) == Some("{") {
                            return;
                        }
                    }
                }
            }
        }
        Some(word) if word.starts_with(is_ident_start) => {
            let mut path = prefix;
            if word != "self" {
                path.push(word.to_owned());
            }
            *at += 1;
            if tok(*at) == Some("::") {
                *at += 1;
                use_tree(tokens, at, path, out);
            } else {
                out.push(path);
            }
        }
        _ => out.push(prefix),
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// Identifiers (keywords included), numbers, `::`, and every other character on its own.
fn tokens(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if is_ident(c) {
            let start = i;
            while i < chars.len() && is_ident(chars[i]) {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push("::".to_owned());
            i += 2;
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_of(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files
            .iter()
            .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
            .collect()
    }

    fn shown(cycles: Vec<Vec<String>>) -> Vec<String> {
        cycles.into_iter().map(|c| c.join(" -> ")).collect()
    }

    #[test]
    fn a_pair_that_imports_each_other_is_a_cycle() {
        let files = crate_of(&[
            ("lib.rs", "mod block;\nmod chain;\npub use chain::Chain;\n"),
            ("chain.rs", "use crate::block::Block;\npub struct Chain;\n"),
            (
                "block.rs",
                "pub struct Block;\nfn f() { crate::chain::Chain::new(); }\n",
            ),
        ]);
        assert_eq!(shown(cycles(&files)), ["block.rs -> chain.rs -> block.rs"]);
    }

    #[test]
    fn a_one_way_pair_and_what_only_tests_comments_and_strings_name_are_accepted() {
        let files = crate_of(&[
            (
                "lib.rs",
                "mod a;\nmod b;\npub use a::A;\nuse crate::a::A as _;\n",
            ),
            ("a.rs", "use crate::b::helper;\npub struct A;\n"),
            (
                "b.rs",
                "//! Used by [`crate::a`].\n\
                 pub(crate) fn helper() -> &'static str { /* crate::a */ \"crate::a\" }\n\
                 const C: char = '{';\n\
                 const R: &str = r#\"crate::a \"{\"#;\n\
                 #[cfg(test)]\n\
                 mod tests {\n    use crate::a::A;\n    fn f() { let _ = \"}\"; }\n}\n",
            ),
        ]);
        assert_eq!(shown(cycles(&files)), Vec::<String>::new());
    }

    #[test]
    fn grouped_imports_name_every_module_in_them() {
        let files = crate_of(&[
            ("lib.rs", "mod a;\nmod b;\nmod c;\nmod d;\n"),
            (
                "a.rs",
                "use crate::{\n    b::{self, B},\n    c as see,\n    d::{x::{Y, Z}},\n};\n",
            ),
            ("b.rs", "use crate::{a, d};\n"),
            ("c.rs", "pub(crate) use crate::a::A;\n"),
            ("d.rs", "pub(crate) struct D;\n"),
        ]);
        assert_eq!(
            shown(cycles(&files)),
            ["a.rs -> b.rs -> a.rs", "a.rs -> c.rs -> a.rs"]
        );
        let paths = named_paths(&code_only(&files["a.rs"]));
        let names: Vec<String> = paths.iter().map(|(_, p)| p.join("::")).collect();
        assert_eq!(names, ["b", "b::B", "c", "d::x::Y", "d::x::Z"]);
    }

    #[test]
    fn super_names_a_sibling_of_a_nested_module_and_longer_circles_are_found() {
        let files = crate_of(&[
            ("main.rs", "mod net;\nmod top;\n"),
            ("top.rs", "use crate::net::peer::Peer;\n"),
            ("net/mod.rs", "mod peer;\nmod wire;\npub(super) fn f() {}\n"),
            (
                "net/peer.rs",
                "use super::wire::Frame;\npub(super) struct Peer;\n",
            ),
            (
                "net/wire.rs",
                "use super::super::top;\npub(in crate::net) struct Frame;\n",
            ),
        ]);
        assert_eq!(
            shown(cycles(&files)),
            ["net/peer.rs -> net/wire.rs -> top.rs -> net/peer.rs"]
        );
    }

    #[test]
    fn the_checker_names_the_crate_and_fails_only_on_a_cycle() {
        let dir = std::env::temp_dir().join(format!("xtask-tidy-{}", std::process::id()));
        let src = dir.join("govm-x/src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
        std::fs::write(src.join("a.rs"), "use crate::b;\n").unwrap();
        std::fs::write(src.join("b.rs"), "pub(crate) struct B;\n").unwrap();
        let one_way = import_cycles(&dir);
        std::fs::write(src.join("b.rs"), "use crate::a;\n").unwrap();
        let circle = import_cycles(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(one_way.is_ok(), "{one_way:?}");
        let message = format!("{:#}", circle.unwrap_err());
        assert!(
            message.contains("govm-x: a.rs -> b.rs -> a.rs"),
            "{message}"
        );
    }
}

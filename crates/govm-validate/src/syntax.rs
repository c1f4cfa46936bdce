//! Syntax errors: gosyn's error positions mapped to where Go's own parser (`gofmt -e`) puts
//! them, as one diagnostic.

use crate::diagnostic::{Diagnostic, LineIndex, Rejected};

pub(crate) fn syntax_error(err: &anyhow::Error, source: &str, lines: &LineIndex) -> Rejected {
    let (pos, message) = match err.downcast_ref::<gosyn::Error>() {
        Some(gosyn::Error::UnexpectedToken {
            location,
            expect,
            actual,
            ..
        }) => {
            let expected = expect
                .iter()
                .map(|k| format!("{k:?}"))
                .collect::<Vec<_>>()
                .join(" or ");
            let found = match actual {
                Some(tok) => format!("{tok:?}"),
                None => "end of file".into(),
            };
            let pos = gosyn_position(source, *location, actual.is_none(), false);
            (
                pos,
                format!("syntax error: expected {expected}, found {found}"),
            )
        }
        Some(gosyn::Error::Else {
            location, reason, ..
        }) => {
            let mut pos = gosyn_position(source, *location, false, true);
            // The scanner stops at the end of an unterminated literal or comment; Go points at
            // its start.
            let opener = [
                ("raw string", "`"),
                ("string", "\""),
                ("rune", "'"),
                ("comment", "/*"),
            ]
            .into_iter()
            .find(|(what, _)| reason.contains(what) && reason.contains("not terminated"));
            if let Some((_, open)) = opener {
                let byte = source
                    .char_indices()
                    .nth(pos)
                    .map_or(source.len(), |(b, _)| b);
                if let Some(found) = source[..byte].rfind(open) {
                    pos = source[..found].chars().count();
                }
            }
            (pos, format!("syntax error: {reason}"))
        }
        _ => (0, format!("syntax error: {err}")),
    };
    let (line, column) = lines.line_col(pos);
    Rejected {
        diagnostics: vec![Diagnostic {
            rule: "syntax",
            line,
            column,
            message,
        }],
    }
}

/// The char offset gosyn meant by an error location. gosyn's lines are off by one (its line
/// table starts at the second line, so every line after the first is reported one too low,
/// and the first two lines share the number 1) and its columns count chars from 0; this
/// inverts that mapping. Errors other than unexpected tokens are raised with the scanner
/// already past the offending token: with `snap`, a position that is not a token's start
/// snaps back to the start of the token before it, which is where Go reports the error.
/// Char offsets where tokens start, and where Go inserts semicolons at line ends.
fn token_starts(source: &str) -> (Vec<usize>, Vec<usize>) {
    let Ok(tokens) = gosyn::tokenize_source(source) else {
        return (Vec::new(), Vec::new());
    };
    let chars: Vec<char> = source.chars().collect();
    let text = |t: &gosyn::LexicalToken| {
        chars[t.start..t.end.min(chars.len())]
            .iter()
            .collect::<String>()
    };
    let starts: Vec<usize> = tokens.iter().map(|t| t.start).collect();
    // The next newline at or after each char, computed once (lines can be very long).
    let mut next_newline = vec![None; chars.len() + 1];
    for i in (0..chars.len()).rev() {
        next_newline[i] = if chars[i] == '\n' {
            Some(i)
        } else {
            next_newline[i + 1]
        };
    }
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let this = text(t);
        if this.starts_with("//") || this.starts_with("/*") {
            continue;
        }
        // Go inserts a semicolon at the newline after an identifier, a literal, one of the
        // keywords break, continue, fallthrough and return, or one of ++ -- ) ] }.
        let Some(newline) = next_newline.get(t.end).copied().flatten() else {
            continue;
        };
        let next_on_line = tokens
            .get(i + 1)
            .is_some_and(|n| n.start < newline && !text(n).starts_with("//"));
        if next_on_line {
            continue;
        }
        let first = this.chars().next().unwrap_or(' ');
        let keyword = matches!(
            this.as_str(),
            "break"
                | "case"
                | "chan"
                | "const"
                | "continue"
                | "default"
                | "defer"
                | "else"
                | "fallthrough"
                | "for"
                | "func"
                | "go"
                | "goto"
                | "if"
                | "import"
                | "interface"
                | "map"
                | "package"
                | "range"
                | "return"
                | "select"
                | "struct"
                | "switch"
                | "type"
                | "var"
        );
        let inserts = (first.is_alphabetic() || first == '_')
            && (!keyword
                || matches!(
                    this.as_str(),
                    "break" | "continue" | "fallthrough" | "return"
                ))
            || first.is_ascii_digit()
            || matches!(first, '"' | '`' | '\'')
            || matches!(this.as_str(), "++" | "--" | ")" | "]" | "}");
        if inserts {
            out.push(newline);
        }
    }
    (starts, out)
}

fn gosyn_position(source: &str, (line, col): (usize, usize), at_eof: bool, snap: bool) -> usize {
    let mut line_starts = vec![0usize];
    let mut chars = 0usize;
    for c in source.chars() {
        chars += 1;
        if c == '\n' {
            line_starts.push(chars);
        }
    }
    if at_eof {
        return chars;
    }
    let (tokens, semicolons) = token_starts(source);
    let second_line = line_starts.get(line.max(1)).map(|start| start + col);
    let pos = match (line <= 1, second_line) {
        // Line 1 or line 2: line 1 only when the error sits on a token there and not on line 2.
        (true, Some(second)) if tokens.contains(&col) && !tokens.contains(&second) => col,
        (true, None) => col,
        (_, Some(pos)) => pos,
        (false, None) => col,
    };
    if snap && !tokens.contains(&pos) {
        let before = |list: &[usize]| list.iter().rev().copied().find(|&t| t < pos);
        if let Some(start) = before(&tokens).max(before(&semicolons)) {
            return start;
        }
    }
    pos.min(chars)
}

use std::fmt;

use thiserror::Error;

/// One violation in a contract's source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule's short name (`import`, `entry-point`, `syntax`, ...).
    pub rule: &'static str,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in bytes as Go counts them.
    pub column: usize,
    /// What is wrong and why, in one sentence.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} [{}]",
            self.line, self.column, self.message, self.rule
        )
    }
}

/// A contract that failed validation, with every violation found.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("contract rejected: {}", render(.diagnostics))]
pub struct Rejected {
    /// The violations, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

fn render(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Maps gosyn's positions (offsets in Unicode scalar values) to Go's line and byte column.
pub(crate) struct LineIndex {
    /// Byte offset of each char, plus one entry for the end of the text.
    char_to_byte: Vec<usize>,
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut char_to_byte: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        char_to_byte.push(text.len());
        // As in Go's token.File, a newline at the very end starts no line: the end of the file
        // belongs to the last line.
        let line_starts = std::iter::once(0)
            .chain(
                text.match_indices('\n')
                    .map(|(i, _)| i + 1)
                    .filter(|&s| s < text.len()),
            )
            .collect();
        Self {
            char_to_byte,
            line_starts,
        }
    }

    /// Byte offset of a char offset (clamped to the end).
    pub(crate) fn byte(&self, char_pos: usize) -> usize {
        self.char_to_byte[char_pos.min(self.char_to_byte.len() - 1)]
    }

    /// 1-based line and byte column of a char offset.
    pub(crate) fn line_col(&self, char_pos: usize) -> (usize, usize) {
        let byte = self.byte(char_pos);
        let line = self.line_starts.partition_point(|&s| s <= byte);
        (line, byte - self.line_starts[line - 1] + 1)
    }
}

//! Benchmarks of govm. Each bench measures a baseline in the same run, so that results are
//! read as ratios: absolute times drift on noisy machines.

/// A valid contract of at least `size` bytes: the token contract's functions, repeated under
/// new names.
pub fn large_contract(size: usize) -> String {
    let token = include_str!("../testdata/contracts/token/token.go");
    let body_start = token.find("// Initialize").unwrap_or(0);
    let (header, body) = token.split_at(body_start);
    let mut out = header.to_owned();
    let mut i = 0;
    while out.len() < size {
        let renamed = ["Initialize", "Transfer", "GetBalance", "CreateAccount"]
            .iter()
            .fold(body.to_owned(), |text, name| {
                text.replace(&format!("func {name}("), &format!("func {name}{i}("))
            });
        out.push_str(&renamed);
        i += 1;
    }
    out
}

/// Figures criterion cannot hold (gas, sizes, rates, p99), written to
/// `target/bench-extra/<file>` for `cargo xtask bench` to merge into its report.
#[derive(Debug, Default)]
pub struct Figures {
    rows: Vec<serde_json::Value>,
}

impl Figures {
    /// A measured figure.
    pub fn value(&mut self, name: &str, value: f64, unit: &str, note: &str) {
        self.rows.push(serde_json::json!({
            "name": name, "value": value, "unit": unit, "note": note,
        }));
    }

    /// A figure that could not be measured, and why.
    pub fn note(&mut self, name: &str, note: &str) {
        self.rows.push(serde_json::json!({
            "name": name, "value": null, "unit": "", "note": note,
        }));
    }

    /// Writes the figures to `target/bench-extra/<file>`.
    pub fn write(&self, file: &str) {
        let dir = std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../target/bench-extra"
        ));
        let _ = std::fs::create_dir_all(&dir);
        let text = serde_json::to_string_pretty(&self.rows).unwrap_or_default();
        if let Err(e) = std::fs::write(dir.join(file), text) {
            eprintln!("cannot write the figures of {file}: {e}");
        }
    }
}

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

//! The Go SDK (`github.com/govm-net/vm`), embedded so that every build uses exactly the SDK
//! this host speaks to.

/// The import path of the SDK's internal package the generated wrapper runs on.
pub const ENTRY_IMPORT_PATH: &str = "github.com/govm-net/vm/internal/entry";

/// The Go module path of the package a contract is built in: under the SDK's path, so that
/// Go lets its wrapper import the SDK's internal package.
pub const CONTRACT_MODULE_PATH: &str = "github.com/govm-net/vm/contract";

/// The SDK's files: (path relative to the module root, contents).
pub const SDK_FILES: &[(&str, &str)] = &[
    ("go.mod", include_str!("../go/vm/go.mod")),
    ("types.go", include_str!("../go/vm/types.go")),
    ("crypto.go", include_str!("../go/vm/crypto.go")),
    ("uint256.go", include_str!("../go/vm/uint256.go")),
    ("scale.go", include_str!("../go/vm/scale.go")),
    ("tagged.go", include_str!("../go/vm/tagged.go")),
    ("event.go", include_str!("../go/vm/event.go")),
    ("host_wasip1.go", include_str!("../go/vm/host_wasip1.go")),
    (
        "internal/entry/entry_wasip1.go",
        include_str!("../go/vm/internal/entry/entry_wasip1.go"),
    ),
    (
        "internal/entry/context.go",
        include_str!("../go/vm/internal/entry/context.go"),
    ),
    (
        "internal/entry/failure.go",
        include_str!("../go/vm/internal/entry/failure.go"),
    ),
    ("core/core.go", include_str!("../go/vm/core/core.go")),
];

/// The SDK's test support, for native (non-wasm) builds only: the native host and the
/// `vmtest` package (docs/testing.md). Wasm builds never compile them; `govm new` and
/// `govm test` write them next to [`SDK_FILES`] so that contracts test with plain `go test`.
pub const SDK_TEST_FILES: &[(&str, &str)] = &[
    ("host_native.go", include_str!("../go/vm/host_native.go")),
    (
        "keccak_native.go",
        include_str!("../go/vm/keccak_native.go"),
    ),
    (
        "secp256k1_native.go",
        include_str!("../go/vm/secp256k1_native.go"),
    ),
    ("vmtest/doc.go", include_str!("../go/vm/vmtest/doc.go")),
    ("vmtest/chain.go", include_str!("../go/vm/vmtest/chain.go")),
    ("vmtest/codec.go", include_str!("../go/vm/vmtest/codec.go")),
    (
        "vmtest/contract.go",
        include_str!("../go/vm/vmtest/contract.go"),
    ),
    ("vmtest/host.go", include_str!("../go/vm/vmtest/host.go")),
    ("vmtest/json.go", include_str!("../go/vm/vmtest/json.go")),
    (
        "vmtest/scenario.go",
        include_str!("../go/vm/vmtest/scenario.go"),
    ),
    ("vmtest/store.go", include_str!("../go/vm/vmtest/store.go")),
];

/// Writes the whole SDK ([`SDK_FILES`] and [`SDK_TEST_FILES`]) into `dir`, replacing what
/// is there: a Go module a contract's `go.mod` can `replace` the SDK with.
pub fn write_sdk(dir: &std::path::Path) -> std::io::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    for (name, text) in SDK_FILES.iter().chain(SDK_TEST_FILES) {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every non-test Go file of the SDK's folder is embedded, in one list or the other.
    #[test]
    fn every_sdk_file_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("go/vm");
        let mut on_disk = Vec::new();
        for sub in ["", "vmtest", "internal/entry", "core"] {
            for entry in std::fs::read_dir(root.join(sub)).unwrap_or_else(|e| panic!("{e}")) {
                let name = entry
                    .unwrap_or_else(|e| panic!("{e}"))
                    .file_name()
                    .to_string_lossy()
                    .into_owned();
                if name.ends_with(".go") && !name.ends_with("_test.go") || name == "go.mod" {
                    on_disk.push(if sub.is_empty() {
                        name
                    } else {
                        format!("{sub}/{name}")
                    });
                }
            }
        }
        on_disk.sort();
        let mut embedded: Vec<String> = SDK_FILES
            .iter()
            .chain(SDK_TEST_FILES)
            .map(|(n, _)| (*n).to_owned())
            .collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }
}

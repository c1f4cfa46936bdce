//! The Go SDK (`github.com/govm-net/vm`), embedded so that every build uses exactly the SDK
//! this host speaks to.

/// The SDK's Go import path.
pub const SDK_IMPORT_PATH: &str = "github.com/govm-net/vm";

/// The SDK's files: (path relative to the module root, contents).
pub const SDK_FILES: &[(&str, &str)] = &[
    ("go.mod", include_str!("../go/vm/go.mod")),
    ("types.go", include_str!("../go/vm/types.go")),
    ("scale.go", include_str!("../go/vm/scale.go")),
    ("tagged.go", include_str!("../go/vm/tagged.go")),
    ("host_wasip1.go", include_str!("../go/vm/host_wasip1.go")),
    (
        "wrapper_wasip1.go",
        include_str!("../go/vm/wrapper_wasip1.go"),
    ),
];

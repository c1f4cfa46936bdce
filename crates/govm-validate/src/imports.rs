//! Which packages a contract may import.

/// The default allow-list: the SDK and standard packages whose behaviour is deterministic and
/// needs nothing from the host beyond memory.
pub const DEFAULT_ALLOWED_IMPORTS: &[&str] = &[
    "github.com/govm-net/vm",
    "github.com/govm-net/vm/core",
    "bytes",
    "crypto/sha256",
    "encoding/binary",
    "encoding/hex",
    "errors",
    "fmt",
    "math",
    "math/bits",
    "slices",
    "sort",
    "strconv",
    "strings",
    "unicode",
    "unicode/utf8",
    // Added with issue 17; docs/validation.md says why each is deterministic.
    "cmp",
    "container/heap",
    "container/list",
    "crypto/ed25519",
    "crypto/hmac",
    "crypto/sha3",
    "crypto/sha512",
    "encoding/base64",
    "encoding/json",
    "hash/crc32",
    "hash/fnv",
    "maps",
    "math/big",
    "regexp",
    "unicode/utf16",
];

/// Why a package that is not allowed is refused, for the ones authors most often reach for.
pub fn rejection_reason(path: &str) -> &'static str {
    match path {
        "C" => "cgo cannot be used: a contract is pure Go compiled to wasm",
        "os" | "io/fs" | "io/ioutil" | "path/filepath" => {
            "contracts have no files, environment or arguments; keep state in objects"
        }
        "net" | "net/http" | "net/url" | "net/rpc" => {
            "contracts cannot use the network: every node must compute the same result"
        }
        "syscall" | "unsafe" | "runtime" | "runtime/debug" | "plugin" | "embed" => {
            "it reaches below the Go language into the runtime or the host"
        }
        "reflect" => "reflection is not supported by the SDK and breaks TinyGo builds",
        "time" => "wall-clock time differs between nodes; use ctx.BlockTime()",
        "math/rand" | "math/rand/v2" | "crypto/rand" => {
            "randomness differs between nodes; derive values from chain data"
        }
        "sync" | "sync/atomic" => "contracts are single-threaded; goroutines are not allowed",
        _ if path.split('/').any(|element| element == "internal") => {
            "internal packages are not for contracts (the SDK's own runs the generated wrapper)"
        }
        _ => "it is not on the allow-list of deterministic packages",
    }
}

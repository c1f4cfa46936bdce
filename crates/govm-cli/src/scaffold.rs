//! `govm new NAME`: a contract folder that tests with plain `go test`.

use std::path::Path;

/// Where a scaffolded folder keeps the SDK its `go.mod` points at (refreshed by `govm test`).
pub(crate) const SDK_DIR: &str = ".govm/sdk";

/// Go's keywords and the names Go gives a meaning (`main`, a `_test` file): no package
/// may be called so.
const RESERVED: &[&str] = &[
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
    "main",
    "vm",
];

/// Whether `name` can be a Go package name and a folder name.
pub(crate) fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        && name.len() <= 64
        && !name.ends_with("_test")
        && !RESERVED.contains(&name)
}

/// The style of a new contract's source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// Entry points take a `vm.Context` and return an `error`.
    Context,
    /// The upstream style: package `core`, no context parameter, failures by `core.Assert`.
    Core,
}

/// The files of a new contract `name`: (path in the folder, contents). Both styles have the
/// same entry points, so one test fits both.
pub(crate) fn files(name: &str, style: Style) -> Vec<(String, String)> {
    let fill = |text: &str| text.replace("NAME", name);
    let contract = match style {
        Style::Context => CONTRACT,
        Style::Core => CORE_CONTRACT,
    };
    vec![
        (format!("{name}.go"), fill(contract)),
        (format!("{name}_test.go"), fill(TEST)),
        ("go.mod".into(), fill(GO_MOD)),
        ("README.md".into(), fill(README)),
        (".gitignore".into(), ".govm/\n".into()),
    ]
}

/// Writes the scaffold into `dir`, which must not exist yet; on failure nothing is left.
pub(crate) fn write(dir: &Path, name: &str, style: Style) -> std::io::Result<()> {
    std::fs::create_dir(dir)?;
    let written = files(name, style)
        .into_iter()
        .try_for_each(|(path, text)| std::fs::write(dir.join(path), text))
        .and_then(|()| govm_abi_sdk(dir));
    if written.is_err() {
        let _ = std::fs::remove_dir_all(dir);
    }
    written
}

/// Writes the SDK that ships with this `govm` into the folder.
pub(crate) fn govm_abi_sdk(dir: &Path) -> std::io::Result<()> {
    govm::write_sdk(&dir.join(SDK_DIR))
}

const CONTRACT: &str = r#"// Package NAME is a govm contract: its exported functions are its entry points.
package NAME

import (
	"errors"

	"github.com/govm-net/vm"
)

// Add adds n to the total kept in the contract's own object and returns the new total.
func Add(ctx vm.Context, n uint64) (uint64, error) {
	if n == 0 {
		return 0, errors.New("nothing to add")
	}
	obj, err := ctx.GetObject(vm.ObjectID{}) // the zero ID is the contract's own object
	if err != nil {
		return 0, err
	}
	var total uint64
	_ = obj.Get("total", &total) // absent the first time
	total += n
	if err := obj.Set("total", total); err != nil {
		return 0, err
	}
	ctx.Log("Added", "n", n, "total", total, "by", ctx.Sender())
	return total, nil
}

// Total returns the total.
func Total(ctx vm.Context) (uint64, error) {
	obj, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return 0, err
	}
	var total uint64
	_ = obj.Get("total", &total)
	return total, nil
}
"#;

const CORE_CONTRACT: &str = r#"// Package NAME is a govm contract in the upstream style: its exported functions are its entry
// points, and package core reaches the chain (no context parameter; core.Assert fails a call).
package NAME

import "github.com/govm-net/vm/core"

// Add adds n to the total kept in the contract's own object and returns the new total.
func Add(n uint64) uint64 {
	core.Assert(n > 0, "nothing to add")
	obj, err := core.GetObject(core.ZeroObjectID) // the zero ID is the contract's own object
	core.Assert(err)
	var total uint64
	_ = obj.Get("total", &total) // absent the first time
	total += n
	core.Assert(obj.Set("total", total))
	core.Log("Added", "n", n, "total", total, "by", core.Sender())
	return total
}

// Total returns the total.
func Total() uint64 {
	obj, err := core.GetObject(core.ZeroObjectID)
	core.Assert(err)
	var total uint64
	_ = obj.Get("total", &total)
	return total
}
"#;

const TEST: &str = r#"package NAME

import (
	"testing"

	"github.com/govm-net/vm/vmtest"
)

// The contract, declared once: its source (for the engine's addresses, and a check that every
// exported function is listed) and its entry points.
var contract = vmtest.Contract{
	Source:    "NAME.go",
	Functions: map[string]any{"Add": Add, "Total": Total},
}

var alice = vmtest.Account("alice")

func TestAddKeepsATotal(t *testing.T) {
	chain := vmtest.New()
	c := chain.MustDeploy(t, alice, contract)

	r := chain.Call(alice, c, "Add", uint64(2))
	if got := r.Value(t); got != uint64(2) {
		t.Fatalf("Add(2) = %v, want 2", got)
	}
	if len(r.Events) != 1 || r.Events[0].Name != "Added" || r.Events[0].Value("by") != alice {
		t.Fatalf("events: %+v", r.Events)
	}
	chain.Call(alice, c, "Add", uint64(3)).OK(t)
	if got := chain.Call(alice, c, "Total").Value(t); got != uint64(5) {
		t.Fatalf("Total() = %v, want 5", got)
	}
}

func TestAFailedCallChangesNothing(t *testing.T) {
	chain := vmtest.New()
	c := chain.MustDeploy(t, alice, contract)
	chain.Call(alice, c, "Add", uint64(0)).Fails(t, "nothing to add")
	if got := chain.Call(alice, c, "Total").Value(t); got != uint64(0) {
		t.Fatalf("Total() = %v after a failed call", got)
	}
}
"#;

const GO_MOD: &str = "module NAME

go 1.24

require github.com/govm-net/vm v0.0.0

// The SDK that ships with govm; `govm test` refreshes it.
replace github.com/govm-net/vm => ./.govm/sdk
";

const README: &str = r#"# NAME

A govm contract: `NAME.go`; its exported functions are its entry points.

```sh
govm test                 # its tests (NAME_test.go), natively, in milliseconds
govm deploy NAME.go       # deploy it to the local home (./.govm); prints its address
govm call ADDRESS Add 2   # call it
govm inspect NAME.go      # its ABI and module
```

The tests use `github.com/govm-net/vm/vmtest`: a chain in memory with the same semantics as
the real engine (objects, owners, events, balances, rollback of failed calls, cross-contract
calls). `go test ./...` works too once `govm test` (or `govm new`) has written the SDK to
`.govm/sdk`.
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_usable_go_package_names() {
        for good in ["piggy", "token2", "my_token"] {
            assert!(valid_name(good), "{good}");
        }
        for bad in [
            "",
            "Piggy",
            "2x",
            "my-token",
            "func",
            "main",
            "vm",
            "piggy_test",
            "é",
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}

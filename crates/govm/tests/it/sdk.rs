//! What the SDK promises contracts, checked in wasm.

use govm::Value;

use crate::{DEPLOYER, engine};

/// `Object.Get` of a missing field: the error names the field and `errors.Is(err,
/// vm.ErrNotFound)` holds, as the SDK documents.
#[test]
fn a_missing_field_is_err_not_found() {
    let engine = engine();
    let source = br#"package missing

import (
	"errors"

	"github.com/govm-net/vm"
)

// Probe reads a field that was never set.
func Probe(ctx vm.Context) (bool, string, error) {
	obj, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return false, "", err
	}
	var n uint64
	err = obj.Get("absent", &n)
	return errors.Is(err, vm.ErrNotFound), err.Error(), nil
}
"#;
    let options = govm::DeployOptions {
        deployer: DEPLOYER,
        ..govm::DeployOptions::default()
    };
    let address = engine
        .deploy_with_options(source, &options)
        .unwrap()
        .address;
    let out = engine
        .query(&govm::CallContext::new(DEPLOYER), address, "Probe", &[])
        .unwrap();
    assert_eq!(
        out.results,
        vec![
            Value::Bool(true),
            Value::String(r#"field "absent": not found"#.into())
        ]
    );
}

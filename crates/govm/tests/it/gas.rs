//! Gas follows the host's work: state scans are charged per entry they visit.

use govm::{CallContext, ObjectId, Value};

use crate::{DEPLOYER, engine};

const SOURCE: &[u8] = br#"package scans

import (
	"strconv"

	"github.com/govm-net/vm"
)

// Make creates n objects, owned by the contract like its default object.
func Make(ctx vm.Context, n uint64) error {
	for i := uint64(0); i < n; i++ {
		if _, err := ctx.CreateObject(); err != nil {
			return err
		}
	}
	return nil
}

// Find looks up the contract's earliest object through the owner index.
func Find(ctx vm.Context) (bool, error) {
	_, err := ctx.GetObjectWithOwner(ctx.ContractAddress())
	return err == nil, nil
}

// Fill creates an object with n fields.
func Fill(ctx vm.Context, n uint64) (vm.ObjectID, error) {
	obj, err := ctx.CreateObject()
	if err != nil {
		return vm.ObjectID{}, err
	}
	for i := uint64(0); i < n; i++ {
		if err := obj.Set("f"+strconv.FormatUint(i, 10), i); err != nil {
			return vm.ObjectID{}, err
		}
	}
	return obj.ID(), nil
}

// Drop deletes an object and its fields.
func Drop(ctx vm.Context, id vm.ObjectID) error {
	return ctx.DeleteObject(id)
}
"#;

/// The per-entry charge of docs/gas.md.
const SCAN_ENTRY: u64 = 1_500;

#[test]
fn an_owner_lookup_is_bounded_and_a_deletion_costs_per_entry_it_visits() {
    let engine = engine();
    let options = govm::DeployOptions {
        deployer: DEPLOYER,
        ..govm::DeployOptions::default()
    };
    let scans = engine
        .deploy_with_options(SOURCE, &options)
        .unwrap()
        .address;
    let ctx = CallContext::new(DEPLOYER);
    let gas = |function: &str, args: &[Value]| {
        engine
            .execute_with_args(&ctx, scans, function, args)
            .unwrap()
            .gas_used
    };
    // The owner index holds the default object; the lookup visits what comes before its
    // answer, however many objects the owner holds: it costs the same with 1 or 21.
    let one = gas("Find", &[]);
    gas("Make", &[Value::U64(20)]);
    let twenty_one = gas("Find", &[]);
    assert_eq!(twenty_one, one);

    let fill = |n: u64| {
        let out = engine
            .execute_with_args(&ctx, scans, "Fill", &[Value::U64(n)])
            .unwrap();
        out.result::<ObjectId>().unwrap()
    };
    let (small, large) = (fill(1), fill(11));
    let drop_small = gas("Drop", &[Value::ObjectId(small)]);
    let drop_large = gas("Drop", &[Value::ObjectId(large)]);
    assert_eq!(drop_large - drop_small, 10 * SCAN_ENTRY);
}

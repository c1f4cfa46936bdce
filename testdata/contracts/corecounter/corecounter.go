// Package corecounter is the upstream govm counter example, written against package core:
// no vm.Context parameter, results without an error, failures through core.Assert. The count
// lives in the contract's default object.
package corecounter

import "github.com/govm-net/vm/core"

const (
	countKey = "counter_value"
	ownerKey = "owner"
)

// Initialize sets the count to zero and makes the sender the counter's owner; it runs once.
func Initialize() uint64 {
	obj, err := core.GetObject(core.ZeroObjectID)
	core.Assert(err)
	var owner core.Address
	core.Assert(obj.Get(ownerKey, &owner) != nil, "already initialized")
	core.Assert(obj.Set(ownerKey, core.Sender()))
	core.Assert(obj.Set(countKey, uint64(0)))
	core.Log("initialize", "id", obj.ID(), "by", core.Sender())
	return 0
}

// Increment adds value to the count and returns the new count; Initialize must have run.
func Increment(value uint64) uint64 {
	core.Assert(value > 0, "increment must be positive")
	obj, err := core.GetObject(core.ZeroObjectID)
	core.Assert(err)
	var count uint64
	core.Assert(obj.Get(countKey, &count), "counter not initialized")
	count += value
	core.Assert(obj.Set(countKey, count))
	core.Log("increment", "from", count-value, "to", count, "by", value, "height", core.BlockHeight())
	return count
}

// GetCounter returns the count (0 before Initialize).
func GetCounter() uint64 {
	obj, err := core.GetObject(core.ZeroObjectID)
	core.Assert(err)
	var count uint64
	if err := obj.Get(countKey, &count); err != nil {
		return 0
	}
	return count
}

// Reset sets the count back to zero; only the account that initialized the counter may.
func Reset() {
	obj, err := core.GetObject(core.ZeroObjectID)
	core.Assert(err)
	var owner core.Address
	core.Assert(obj.Get(ownerKey, &owner), "counter not initialized")
	core.Assert(core.Sender() == owner, "only the owner can reset the counter")
	core.Assert(obj.Set(countKey, uint64(0)))
	core.Log("reset", "by", core.Sender())
}

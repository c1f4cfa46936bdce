// Package corerelay calls other contracts with core.Call: it forwards increments to a counter
// written against core (corecounter) and keeps its own tally of what it forwarded.
package corerelay

import (
	"github.com/govm-net/vm"
	"github.com/govm-net/vm/core"
)

// Forward calls Increment(by) on counter and returns the counter's new value.
func Forward(counter core.Address, by uint64) uint64 {
	out, err := core.Call(counter, "Increment", by)
	core.Assert(err)
	d := vm.NewDecoder(out)
	value := d.Uint64()
	core.Assert(d.Finish())
	relay, err := core.GetObject(core.ZeroObjectID)
	core.Assert(err)
	var forwarded uint64
	_ = relay.Get("forwarded", &forwarded)
	core.Assert(relay.Set("forwarded", forwarded+by))
	core.Log("Forwarded", "counter", counter, "by", by, "value", value, "caller", core.Sender())
	return value
}

// TryForward is Forward that reports a failed call instead of failing: the callee's writes
// are rolled back, this contract's stay.
func TryForward(counter core.Address, by uint64) string {
	if _, err := core.Call(counter, "Increment", by); err != nil {
		relay, gerr := core.GetObject(core.ZeroObjectID)
		core.Assert(gerr)
		core.Assert(relay.Set("last_failure", err.Error()))
		return err.Error()
	}
	return "ok"
}

// Forwarded returns the total this relay forwarded.
func Forwarded() uint64 {
	relay, err := core.GetObject(core.ZeroObjectID)
	core.Assert(err)
	var forwarded uint64
	_ = relay.Get("forwarded", &forwarded)
	return forwarded
}

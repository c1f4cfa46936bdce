// Package corefactory is the upstream govm counter-factory example, written against package
// core: one contract holds many counters, each an object owned by the account that created
// it.
package corefactory

import "github.com/govm-net/vm/core"

// Counter is a counter's stored state, as Get returns it.
type Counter struct {
	Name  string
	Owner core.Address
	Value uint64
}

// CreateCounter creates a counter owned by the sender and returns its ID.
func CreateCounter(name string) core.ObjectID {
	core.Assert(name != "", "a counter needs a name")
	obj := core.CreateObject()
	core.Assert(obj.Set("name", name))
	core.Assert(obj.Set("value", uint64(0)))
	obj.SetOwner(core.Sender())
	factory, err := core.GetObject(core.ZeroObjectID)
	core.Assert(err)
	var count uint64
	_ = factory.Get("count", &count)
	core.Assert(factory.Set("count", count+1))
	core.Log("CounterCreated", "id", obj.ID(), "name", name, "owner", core.Sender())
	return obj.ID()
}

func counter(id core.ObjectID) core.Object {
	core.Assert(id != core.ZeroObjectID, "not a counter")
	obj, err := core.GetObject(id)
	core.Assert(err, "no such counter")
	return obj
}

// Increment adds by to a counter the sender owns and returns its new value.
func Increment(id core.ObjectID, by uint64) uint64 {
	obj := counter(id)
	core.Assert(obj.Owner() == core.Sender(), "only the counter's owner can increment it")
	var value uint64
	core.Assert(obj.Get("value", &value))
	value += by
	core.Assert(obj.Set("value", value))
	core.Log("Incremented", "id", id, "value", value)
	return value
}

// Get returns a counter's state.
func Get(id core.ObjectID) Counter {
	obj := counter(id)
	c := Counter{Owner: obj.Owner()}
	core.Assert(obj.Get("name", &c.Name))
	core.Assert(obj.Get("value", &c.Value))
	return c
}

// CounterOf returns the first counter an account created.
func CounterOf(owner core.Address) core.ObjectID {
	obj, err := core.GetObjectWithOwner(owner)
	core.Assert(err, "the account has no counter")
	return obj.ID()
}

// Count returns how many counters the factory created.
func Count() uint64 {
	factory, err := core.GetObject(core.ZeroObjectID)
	core.Assert(err)
	var count uint64
	_ = factory.Get("count", &count)
	return count
}

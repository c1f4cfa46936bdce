package corefactory

import (
	"testing"

	"github.com/govm-net/vm"
	"github.com/govm-net/vm/vmtest"
)

var factoryContract = vmtest.Contract{
	Source: "corefactory.go",
	Functions: map[string]any{
		"CreateCounter": CreateCounter, "Increment": Increment, "Get": Get,
		"CounterOf": CounterOf, "Count": Count,
	},
}

var (
	alice = vmtest.Account("alice")
	bob   = vmtest.Account("bob")
)

func TestOneFactoryHoldsManyCounters(t *testing.T) {
	chain := vmtest.New()
	factory := chain.MustDeploy(t, alice, factoryContract)
	a := vmtest.Result[vm.ObjectID](t, chain.Call(alice, factory, "CreateCounter", "a"))
	b := vmtest.Result[vm.ObjectID](t, chain.Call(bob, factory, "CreateCounter", "b"))
	if a == b {
		t.Fatal("two counters share an ID")
	}
	if got := vmtest.Result[uint64](t, chain.Call(alice, factory, "Increment", a, uint64(4))); got != 4 {
		t.Fatalf("Increment = %d", got)
	}
	chain.Call(alice, factory, "Increment", b, uint64(1)).Fails(t, "only the counter's owner can increment it")
	got := vmtest.Result[Counter](t, chain.Call(bob, factory, "Get", a))
	if got != (Counter{Name: "a", Owner: alice, Value: 4}) {
		t.Fatalf("Get = %+v", got)
	}
	if id := vmtest.Result[vm.ObjectID](t, chain.Call(alice, factory, "CounterOf", bob)); id != b {
		t.Fatalf("CounterOf(bob) = %s", id)
	}
	if n := vmtest.Result[uint64](t, chain.Call(alice, factory, "Count")); n != 2 {
		t.Fatalf("Count = %d", n)
	}
}

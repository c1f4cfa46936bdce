package corecounter

import (
	"testing"

	"github.com/govm-net/vm/vmtest"
)

var counterContract = vmtest.Contract{
	Source: "corecounter.go",
	Functions: map[string]any{
		"Initialize": Initialize, "Increment": Increment, "GetCounter": GetCounter, "Reset": Reset,
	},
}

var (
	alice = vmtest.Account("alice")
	bob   = vmtest.Account("bob")
)

func TestCounterInTheUpstreamStyle(t *testing.T) {
	chain := vmtest.New()
	counter := chain.MustDeploy(t, alice, counterContract)
	chain.Call(bob, counter, "Increment", uint64(1)).Fails(t, "counter not initialized: field \"counter_value\": not found")
	chain.Call(alice, counter, "Initialize").OK(t)
	chain.Call(bob, counter, "Initialize").Fails(t, "already initialized")
	for _, step := range []struct{ by, want uint64 }{{2, 2}, {3, 5}} {
		if got := vmtest.Result[uint64](t, chain.Call(bob, counter, "Increment", step.by)); got != step.want {
			t.Fatalf("Increment(%d) = %d, want %d", step.by, got, step.want)
		}
	}
	chain.Call(bob, counter, "Increment", uint64(0)).Fails(t, "increment must be positive")
	if got := vmtest.Result[uint64](t, chain.Call(bob, counter, "GetCounter")); got != 5 {
		t.Fatalf("GetCounter = %d", got)
	}
	chain.Call(bob, counter, "Reset").Fails(t, "only the owner can reset the counter")
	chain.Call(alice, counter, "Reset").OK(t)
	if got := vmtest.Result[uint64](t, chain.Call(bob, counter, "GetCounter")); got != 0 {
		t.Fatalf("GetCounter after Reset = %d", got)
	}
}

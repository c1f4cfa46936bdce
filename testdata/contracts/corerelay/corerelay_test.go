package corerelay

import (
	"errors"
	"testing"

	"github.com/govm-net/vm/core"
	"github.com/govm-net/vm/vmtest"
)

var relayContract = vmtest.Contract{
	Source:    "corerelay.go",
	Functions: map[string]any{"Forward": Forward, "TryForward": TryForward, "Forwarded": Forwarded},
}

// A counter written against core in the test itself: what Forward calls.
var counterContract = vmtest.Contract{Functions: map[string]any{
	"Increment": func(by uint64) (uint64, error) {
		if by == 0 {
			return 0, errors.New("nothing to add")
		}
		obj, err := core.GetObject(core.ZeroObjectID)
		core.Assert(err)
		var n uint64
		_ = obj.Get("n", &n)
		n += by
		core.Assert(obj.Set("n", n))
		return n, nil
	},
}}

var alice = vmtest.Account("alice")

func TestForwardCallsTheCounterAsTheRelay(t *testing.T) {
	chain := vmtest.New()
	counter := chain.MustDeploy(t, alice, counterContract)
	relay := chain.MustDeploy(t, alice, relayContract)
	for _, step := range []struct{ by, want uint64 }{{2, 2}, {3, 5}} {
		if got := vmtest.Result[uint64](t, chain.Call(alice, relay, "Forward", counter, step.by)); got != step.want {
			t.Fatalf("Forward(%d) = %d, want %d", step.by, got, step.want)
		}
	}
	chain.Call(alice, relay, "Forward", counter, uint64(0)).Fails(t, "nothing to add")
	if msg := vmtest.Result[string](t, chain.Call(alice, relay, "TryForward", counter, uint64(0))); msg != "call Increment on "+counter.String()+": nothing to add" {
		t.Fatalf("TryForward = %q", msg)
	}
	if n := vmtest.Result[uint64](t, chain.Call(alice, relay, "Forwarded")); n != 5 {
		t.Fatalf("Forwarded = %d", n)
	}
}

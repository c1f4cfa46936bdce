package caller

// The caller with the real counter and hostile contracts, as the engine's tests use them:
// their packages come from the neighbouring folders (go.mod replaces them).

import (
	"testing"

	"github.com/govm-net/vm"
	"github.com/govm-net/vm/vmtest"
	"govm.test/contracts/counter"
	"govm.test/contracts/hostile"
)

var callerContract = vmtest.Contract{
	Source: "caller.go",
	Functions: map[string]any{
		"AddTwice": AddTwice,
		"TryFail":  TryFail,
		"Bounce":   Bounce,
		"Pay":      Pay,
		"WhoCalls": WhoCalls,
		"AskWho":   AskWho,
	},
}

var counterContract = vmtest.Contract{
	Source:    "../counter/counter.go",
	Functions: map[string]any{"Add": counter.Add},
}

var hostileContract = vmtest.Contract{
	Source: "../hostile/hostile.go",
	Functions: map[string]any{
		"Panic": hostile.Panic, "Index": hostile.Index, "Loop": hostile.Loop, "Hog": hostile.Hog,
		"Print": hostile.Print, "WriteThenFail": hostile.WriteThenFail, "Touched": hostile.Touched,
		"WrongType": hostile.WrongType, "Recurse": hostile.Recurse, "Huge": hostile.Huge,
		"Spam": hostile.Spam, "Shout": hostile.Shout,
	},
}

var (
	alice = vmtest.Account("alice")
	bob   = vmtest.Account("bob")
)

type world struct {
	chain                    *vmtest.Chain
	caller, counter, hostile vm.Address
}

func newWorld(t *testing.T) world {
	t.Helper()
	chain := vmtest.New()
	return world{
		chain:   chain,
		caller:  chain.MustDeploy(t, alice, callerContract),
		counter: chain.MustDeploy(t, alice, counterContract),
		hostile: chain.MustDeploy(t, alice, hostileContract),
	}
}

func TestAddTwiceCallsTheCounterTwice(t *testing.T) {
	w := newWorld(t)
	r := w.chain.Call(bob, w.caller, "AddTwice", w.counter, 3).OK(t)
	if r.Results[0] != uint64(6) {
		t.Fatalf("total %v", r.Results[0])
	}
	// The counter's events, tagged with the counter, are part of the caller's call.
	if len(r.Events) != 2 || r.Events[0].Contract != w.counter || r.Events[1].Value("total") != uint64(6) {
		t.Fatalf("events %+v", r.Events)
	}
	if got := w.chain.Call(bob, w.caller, "AddTwice", w.counter, 1).Value(t); got != uint64(8) {
		t.Fatalf("total %v", got)
	}
	// The counter's state is the counter's: the caller kept nothing.
	if obj, _ := w.chain.Object(vmtest.DefaultObject(w.caller)); len(obj.Fields) != 0 {
		t.Fatalf("caller fields %v", obj.Fields)
	}
}

func TestTheCallerSurvivesAFailedCallee(t *testing.T) {
	w := newWorld(t)
	cases := []struct {
		target   vm.Address
		function string
		message  string
	}{
		{w.hostile, "WriteThenFail", "failing after writing"},
		{w.hostile, "Panic", "bad arguments: unexpected end of input reading compact"},
		{w.hostile, "Index", "bad arguments: unexpected end of input reading uint64"},
		{w.hostile, "Nope", "unknown function `Nope`"},
		{bob, "Add", "unknown contract " + bob.String()},
		{w.caller, "WhoCalls", "re-entering contract " + w.caller.String() + " is not allowed"},
	}
	for _, c := range cases {
		r := w.chain.Call(alice, w.caller, "TryFail", c.target, c.function)
		if got := r.Value(t); got != c.message {
			t.Errorf("TryFail(%s): %q, want %q", c.function, got, c.message)
		}
		if len(r.Events) != 1 || r.Events[0].Contract != w.caller || r.Events[0].Value("message") != c.message {
			t.Errorf("TryFail(%s): events %+v", c.function, r.Events)
		}
	}
	// The callee's write was rolled back; the caller's stayed.
	if got := w.chain.Call(alice, w.hostile, "Touched").Value(t); got != false {
		t.Fatalf("touched %v", got)
	}
	if obj, _ := w.chain.Object(vmtest.DefaultObject(w.caller)); obj.Fields["survived"] != true {
		t.Fatalf("caller fields %v", obj.Fields)
	}
	// A callee that succeeds is not what TryFail expects: it fails, and nothing is written.
	w2 := newWorld(t)
	w2.chain.Call(alice, w2.caller, "TryFail", w2.hostile, "Touched").Fails(t, "expected a call error")
	if obj, _ := w2.chain.Object(vmtest.DefaultObject(w2.caller)); len(obj.Fields) != 0 {
		t.Fatalf("caller fields %v", obj.Fields)
	}
}

func TestBounceIsRefusedWhenItReentersTheCaller(t *testing.T) {
	w := newWorld(t)
	other := w.chain.MustDeploy(t, alice, callerContract)
	if got := w.chain.Call(alice, w.caller, "Bounce", vm.Address{}, vm.Address{}).Value(t); got != uint64(1) {
		t.Fatalf("no hop: %v", got)
	}
	if got := w.chain.Call(alice, w.caller, "Bounce", other, vm.Address{}).Value(t); got != uint64(2) {
		t.Fatalf("one hop: %v", got)
	}
	want := "call Bounce on " + other.String() + ": call Bounce on " + w.caller.String() +
		": re-entering contract " + w.caller.String() + " is not allowed"
	w.chain.Call(alice, w.caller, "Bounce", other, w.caller).Fails(t, want)
}

func TestTheCalleeSeesTheCallingContract(t *testing.T) {
	w := newWorld(t)
	other := w.chain.MustDeploy(t, alice, callerContract)
	if got := w.chain.Call(bob, w.caller, "WhoCalls").Value(t); got != bob {
		t.Fatalf("direct: %v", got)
	}
	if got := w.chain.Call(bob, w.caller, "AskWho", other).Value(t); got != w.caller {
		t.Fatalf("nested: %v", got)
	}
}

func TestPayMovesTheContractsOwnBalance(t *testing.T) {
	w := newWorld(t)
	if err := w.chain.Mint(w.caller, 100); err != nil {
		t.Fatal(err)
	}
	if got := w.chain.Call(alice, w.caller, "Pay", bob, 30).Value(t); got != uint64(70) {
		t.Fatalf("left %v", got)
	}
	w.chain.Call(alice, w.caller, "Pay", bob, 71).Fails(t, "insufficient balance")
	if w.chain.Balance(bob) != 30 || w.chain.Balance(w.caller) != 70 || w.chain.Balance(alice) != 0 {
		t.Fatal("balances moved wrongly")
	}
}

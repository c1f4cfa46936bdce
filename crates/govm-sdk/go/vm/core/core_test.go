//go:build !wasip1

package core_test

import (
	"errors"
	"testing"

	"github.com/govm-net/vm"
	"github.com/govm-net/vm/core"
	"github.com/govm-net/vm/vmtest"
)

var alice = vmtest.Account("alice")

func TestAssertFailsTheCallWithItsMessage(t *testing.T) {
	chain := vmtest.New()
	c := chain.MustDeploy(t, alice, vmtest.Contract{Functions: map[string]any{
		"Check": func(ok bool, err string, msg string) uint64 {
			var e error
			if err != "" {
				e = errors.New(err)
			}
			obj, gerr := core.GetObject(core.ZeroObjectID)
			core.Assert(gerr)
			core.Assert(obj.Set("touched", true))
			if msg == "" {
				core.Assert(ok)
				core.Assert(e)
			} else {
				core.Assert(ok, msg, 7)
				core.Assert(e, msg)
			}
			core.Assert("neither a bool nor an error")
			return 1
		},
	}})
	for _, tc := range []struct {
		ok       bool
		err, msg string
		want     string
	}{
		{false, "", "", "assertion failed"},
		{false, "", "too low:", "too low: 7"}, // msgs are separated by spaces
		{true, "boom", "", "boom"},
		{true, "boom", "saving", "saving: boom"},
	} {
		r := chain.Call(alice, c, "Check", tc.ok, tc.err, tc.msg)
		var f *vmtest.Failure
		if !errors.As(r.Err, &f) || f.Kind != vmtest.ContractError || f.Message != tc.want {
			t.Fatalf("Check(%v, %q, %q): %v, want a contract error %q", tc.ok, tc.err, tc.msg, r.Err, tc.want)
		}
	}
	chain.Call(alice, c, "Check", true, "", "").OK(t)
	var touched bool
	if err := chain.Get(vmtest.DefaultObject(c), "touched", &touched); err != nil || !touched {
		t.Fatalf("the successful call's write: %v, %v", touched, err)
	}
}

func TestReceiveNeedsTheValue(t *testing.T) {
	chain := vmtest.New()
	c := chain.MustDeploy(t, alice, vmtest.Contract{Functions: map[string]any{
		"Buy": func() (uint64, error) {
			if err := core.Receive(10); err != nil {
				return 0, err
			}
			return core.Balance(core.ContractAddress()), nil
		},
	}})
	if err := chain.Mint(alice, 100); err != nil {
		t.Fatal(err)
	}
	chain.CallWithValue(alice, 9, c, "Buy").Fails(t, "insufficient value: the call carries 9, not at least 10")
	if got := vmtest.Result[uint64](t, chain.CallWithValue(alice, 12, c, "Buy")); got != 12 {
		t.Fatalf("the contract holds %d", got)
	}
}

func TestOutsideACallCorePanicsClearly(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Fatal("core.Sender outside a call did not panic")
		}
	}()
	core.Sender()
}

func TestParsers(t *testing.T) {
	a := vmtest.Account("bob")
	if core.AddressFromString(a.String()) != a || core.AddressFromString(a.String()[2:]) != a {
		t.Fatal("AddressFromString")
	}
	for _, bad := range []string{"", "0x12", a.String() + "00", "0x" + string(make([]byte, 40))} {
		if core.AddressFromString(bad) != core.ZeroAddress {
			t.Fatalf("AddressFromString(%q) is not zero", bad)
		}
	}
	h := vm.Sha256([]byte("abc"))
	if core.GetHash([]byte("abc")) != h || core.HashFromString(h.String()) != h {
		t.Fatal("GetHash, HashFromString")
	}
	id := vm.ObjectID(h)
	if core.IDFromString(id.String()[2:]) != id || core.IDFromString("zz") != core.ZeroObjectID {
		t.Fatal("IDFromString")
	}
}

// Chains in parallel tests each see their own call's context through core.
func TestParallelChainsSeeTheirOwnCalls(t *testing.T) {
	for _, name := range []string{"carol", "dave"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			me := vmtest.Account(name)
			chain := vmtest.New()
			c := chain.MustDeploy(t, me, vmtest.Contract{Functions: map[string]any{
				"Who": func() core.Address { return core.Sender() },
			}})
			for i := 0; i < 200; i++ {
				if got := vmtest.Result[core.Address](t, chain.Call(me, c, "Who")); got != me {
					t.Fatalf("call %d saw sender %s, not %s", i, got, me)
				}
			}
		})
	}
}

// renamed is a Context that reports another sender: what a contract might hand SetContext.
type renamed struct {
	vm.Context
	sender core.Address
}

func (r renamed) Sender() core.Address { return r.sender }

// SetContext replaces the Context core uses for the rest of the call, a nested call
// included only as far as the caller goes; the next call starts with its own.
func TestSetContextLastsForTheRestOfTheCall(t *testing.T) {
	chain := vmtest.New()
	bob := vmtest.Account("bob")
	callee := chain.MustDeploy(t, alice, vmtest.Contract{Functions: map[string]any{
		"Who": func() core.Address { return core.Sender() },
	}})
	c := chain.MustDeploy(t, alice, vmtest.Contract{Functions: map[string]any{
		"Who": func() core.Address { return core.Sender() },
		"Swap": func(ctx vm.Context) (core.Address, core.Address, core.Address, core.Address) {
			core.SetContext(renamed{ctx, bob})
			before := core.Sender()
			out, err := core.Call(callee, "Who")
			core.Assert(err)
			calleeSaw := vm.NewDecoder(out).Address()
			return before, calleeSaw, core.Sender(), core.ContractAddress()
		},
	}})
	got := chain.Call(alice, c, "Swap").OK(t).Results
	want := []any{bob, c, bob, c}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Swap: %v, want %v", got, want)
		}
	}
	if who := vmtest.Result[core.Address](t, chain.Call(alice, c, "Who")); who != alice {
		t.Fatalf("the next call saw sender %s, not %s", who, alice)
	}
}

// Outside a call, SetContext gives core a Context until the next SetContext; nil removes it.
func TestSetContextOutsideACall(t *testing.T) {
	bob := vmtest.Account("bob")
	core.SetContext(renamed{sender: bob})
	defer core.SetContext(nil)
	if got := core.Sender(); got != bob {
		t.Fatalf("core.Sender() = %s, want %s", got, bob)
	}
	core.SetContext(nil)
	defer func() {
		if r := recover(); r == nil {
			t.Fatal("core.Sender after SetContext(nil) did not panic")
		}
	}()
	core.Sender()
}

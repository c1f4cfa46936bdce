package hostile

// Loop never returns and Hog's limit is the engine's memory limit: natively there is neither
// fuel nor a memory limit, so they are not called here (crates/govm/tests covers them).

import (
	"errors"
	"runtime"
	"testing"

	"github.com/govm-net/vm/vmtest"
)

var hostileContract = vmtest.Contract{
	Source: "hostile.go",
	Functions: map[string]any{
		"Panic":         Panic,
		"Index":         Index,
		"Loop":          Loop,
		"Hog":           Hog,
		"Print":         Print,
		"WriteThenFail": WriteThenFail,
		"Touched":       Touched,
		"WrongType":     WrongType,
		"Recurse":       Recurse,
		"Huge":          Huge,
		"Spam":          Spam,
		"Shout":         Shout,
	},
}

var alice = vmtest.Account("alice")

func TestPanicsBecomeFailures(t *testing.T) {
	chain := vmtest.New()
	hostile := chain.MustDeploy(t, alice, hostileContract)
	r := chain.Call(alice, hostile, "Panic", "boom").Fails(t, "contract panicked: boom")
	var failure *vmtest.Failure
	if !errors.As(r.Err, &failure) || failure.Kind != vmtest.Panic || failure.Value != "boom" {
		t.Fatalf("got %#v", r.Err)
	}
	r = chain.Call(alice, hostile, "Index", 7).Fails(t, "contract panicked: runtime error: index out of range [7] with length 3")
	if _, ok := r.Err.(*vmtest.Failure).Value.(runtime.Error); !ok {
		t.Fatalf("not a runtime error: %#v", r.Err)
	}
	if got := chain.Call(alice, hostile, "Index", 2).Value(t); got != uint64(3) {
		t.Fatalf("Index(2) = %v", got)
	}
}

func TestWritesAndEventsOfAFailedCallAreDropped(t *testing.T) {
	chain := vmtest.New()
	hostile := chain.MustDeploy(t, alice, hostileContract)
	r := chain.Call(alice, hostile, "WriteThenFail").Fails(t, "failing after writing")
	if len(r.Events) != 0 || len(chain.Events()) != 0 {
		t.Fatalf("events survived: %v %v", r.Events, chain.Events())
	}
	if got := chain.Call(alice, hostile, "Touched").Value(t); got != false {
		t.Fatalf("touched = %v", got)
	}
	if obj, _ := chain.Object(vmtest.DefaultObject(hostile)); len(obj.Fields) != 0 {
		t.Fatalf("fields survived: %v", obj.Fields)
	}
}

func TestReadingAFieldAsAnotherTypeIsAnError(t *testing.T) {
	chain := vmtest.New()
	hostile := chain.MustDeploy(t, alice, hostileContract)
	chain.Call(alice, hostile, "WrongType").Fails(t, `field "n" holds uint64, not string`)
	// The call failed, so its write of n is gone too.
	if obj, _ := chain.Object(vmtest.DefaultObject(hostile)); len(obj.Fields) != 0 {
		t.Fatalf("fields survived: %v", obj.Fields)
	}
}

func TestPrintSeesTheBlock(t *testing.T) {
	chain := vmtest.New()
	hostile := chain.MustDeploy(t, alice, hostileContract)
	chain.SetBlock(42, 1_700_000_420)
	if got := chain.Call(alice, hostile, "Print", "hello").Value(t); got != uint64(42) {
		t.Fatalf("Print = %v", got)
	}
}

func TestASmallHogIsFine(t *testing.T) {
	chain := vmtest.New()
	hostile := chain.MustDeploy(t, alice, hostileContract)
	if got := chain.Call(alice, hostile, "Hog", 4).Value(t); got != uint64(4) {
		t.Fatalf("Hog = %v", got)
	}
}

func TestResultsAndEventsAreBounded(t *testing.T) {
	chain := vmtest.New()
	hostile := chain.MustDeploy(t, alice, hostileContract)
	chain.Call(alice, hostile, "Huge", uint64(2<<20)).Fails(t, "exceeds the limit of 1048576 bytes")
	if got := chain.Call(alice, hostile, "Huge", uint64(3)).Value(t); len(got.([]byte)) != 3 {
		t.Fatalf("Huge(3) = %v", got)
	}
	chain.Call(alice, hostile, "Spam", uint64(5000)).Fails(t, `vm: Log("Spam"): state limit exceeded`)
	if r := chain.Call(alice, hostile, "Spam", uint64(3)); len(r.Events) != 3 {
		t.Fatalf("Spam(3) emitted %d events", len(r.Events))
	}
	// The decoded size a call's events may take, as the engine bounds it: 16 MiB.
	const mib = uint64(1 << 20)
	if r := chain.Call(alice, hostile, "Shout", uint64(15), mib); len(r.Events) != 15 {
		t.Fatalf("Shout(15, 1 MiB) emitted %d events", len(r.Events))
	}
	chain.Call(alice, hostile, "Shout", uint64(17), mib).Fails(t, `vm: Log("Shout"): state limit exceeded`)
}

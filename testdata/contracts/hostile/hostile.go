// Package hostile misbehaves on purpose: each entry point hits one limit or failure mode.
package hostile

import (
	"fmt"

	"github.com/govm-net/vm"
)

// Panic panics with a message.
func Panic(message string) {
	panic(message)
}

// Index reads past the end of a slice: a runtime error panic.
func Index(i uint64) uint64 {
	values := []uint64{1, 2, 3}
	return values[i]
}

// Loop never returns.
func Loop() uint64 {
	n := uint64(0)
	for {
		n++
	}
}

// Hog allocates mib MiB and keeps it reachable.
func Hog(mib uint64) uint64 {
	var kept [][]byte
	for i := uint64(0); i < mib; i++ {
		kept = append(kept, make([]byte, 1<<20))
	}
	return uint64(len(kept))
}

// Print writes to stdout, which the host captures as debug output.
func Print(ctx vm.Context, text string) uint64 {
	fmt.Println("debug:", text, ctx.BlockHeight())
	return ctx.BlockHeight()
}

// WriteThenFail writes a field and an event, then fails: neither may survive.
func WriteThenFail(ctx vm.Context) error {
	obj, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return err
	}
	if err := obj.Set("touched", true); err != nil {
		return err
	}
	ctx.Log("Touched", "by", ctx.Sender())
	return fmt.Errorf("failing after writing")
}

// Touched reports whether WriteThenFail's write survived.
func Touched(ctx vm.Context) (bool, error) {
	obj, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return false, err
	}
	var touched bool
	if err := obj.Get("touched", &touched); err != nil {
		return false, nil
	}
	return touched, nil
}

// WrongType stores a uint64 and reads it back as a string: a clear error, not garbage.
func WrongType(ctx vm.Context) error {
	obj, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return err
	}
	if err := obj.Set("n", uint64(7)); err != nil {
		return err
	}
	var s string
	return obj.Get("n", &s)
}

// Recurse calls itself depth times: every Go call is a wasm call, so a deep enough recursion
// overflows the wasm stack.
func Recurse(depth uint64) uint64 {
	if depth == 0 {
		return 0
	}
	var pad [64]uint64
	pad[depth%64] = depth
	return Recurse(depth-1) + pad[depth%64] - depth + 1
}

// Huge returns a result of n bytes.
func Huge(n uint64) []byte {
	return make([]byte, n)
}

// Shout emits n events, each carrying size bytes.
func Shout(ctx vm.Context, n uint64, size uint64) uint64 {
	payload := make([]byte, size)
	for i := uint64(0); i < n; i++ {
		ctx.Log("Shout", "payload", payload)
	}
	return n
}

// Spam emits n events.
func Spam(ctx vm.Context, n uint64) uint64 {
	for i := uint64(0); i < n; i++ {
		ctx.Log("Spam", "i", i)
	}
	return n
}

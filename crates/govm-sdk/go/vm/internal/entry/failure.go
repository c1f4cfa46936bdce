// This file builds for every target: how a call that panicked ends, shared by the wasm
// wrapper (Call) and the native test support (vmtest), so that both report the same failure.

package entry

import "runtime"

// Abort is a panic value that ends the running call as a contract error (status 1, as if
// the entry point had returned an error with Message) rather than as a panic: core.Assert
// fails a call this way.
type Abort struct{ Message string }

func (a Abort) Error() string { return a.Message }

// PanicMessage is the message of a call that panicked with r: what the engine reports after
// "contract panicked: ".
func PanicMessage(r any) string {
	switch v := r.(type) {
	case string:
		return v
	case runtime.Error:
		return v.Error()
	case error:
		return v.Error()
	}
	return "panic with a value of an unprintable type"
}

// This file builds for every target: the native test support (vmtest) sets Context around
// each call it runs, as the wasm host's init sets it once per instance.

package entry

// Context is the running call's vm.Context: set by package vm when it initialises on wasm,
// and by vmtest around each native call. Package core reads it.
var Context any

// Abort is a panic value that ends the running call as a contract error (status 1, as if
// the entry point had returned an error with Message) rather than as a panic: core.Assert
// fails a call this way.
type Abort struct{ Message string }

func (a Abort) Error() string { return a.Message }

// This file builds for every target: the native test support (vmtest) sets Context around
// each call it runs, as the wasm host's init sets it once per instance.

package entry

// Context is the running call's vm.Context: set by package vm when it initialises on wasm,
// and by vmtest around each native call. Package core reads it.
var Context any

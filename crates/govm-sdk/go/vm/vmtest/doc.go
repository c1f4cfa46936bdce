//go:build !wasip1

// Package vmtest runs govm contracts natively, for `go test`: an in-memory chain with the
// host's semantics (crates/govm-runtime/src/host.rs over crates/govm-state), no VM, no node,
// no compiler.
//
// A test deploys the contract's functions, calls them as any sender with Go values, and reads
// results, events, objects and balances:
//
//	var counterContract = vmtest.Contract{Source: "counter.go", Functions: map[string]any{"Add": Add}}
//
//	func TestAdd(t *testing.T) {
//		chain := vmtest.New()
//		alice := vmtest.Account("alice")
//		counter := chain.MustDeploy(t, alice, counterContract)
//		if total := chain.Call(alice, counter, "Add", 2).Value(t); total != uint64(2) {
//			t.Fatalf("total = %v", total)
//		}
//	}
//
// What matches the engine: arguments and results cross the same SCALE encoding (encoded and
// decoded back with the generated wrapper's rules, so an encoding problem shows up natively
// too); fields and events use the SDK's tagged encoding and are checked as the host checks
// them; object IDs, contract addresses and default objects are derived as on chain (given
// the contract's Source); only the creating contract may change an object; a failed call
// (an error or a panic) leaves no writes and no events, a failed nested call is rolled back
// to where it started while its caller goes on; a nested call's Sender is the calling
// contract; calls nest at most 8 deep and re-entering a running contract is refused; the
// state limits are the engine's defaults. Failure messages are the engine's.
//
// What does not: there is no gas, no fuel and no deadline, so an endless loop hangs the test
// and a deep recursion overflows Go's stack; memory is not limited; package-level variables
// keep their values across calls (on chain every call starts a fresh instance, so do not keep
// state in them); TinyGo's runtime may word runtime panics differently from Go's.
//
// Parity: RunScenario runs a scenario (testdata/parity, docs/testing.md) natively and
// produces the transcript the engine's run of the same scenario must equal.
package vmtest

// Package kernels is the source deployed with the attack suite's hand-made execution kernels
// (crates/govm-cli/tests/it/attack/modules.rs): each entry point's wasm loops until the call's
// fuel runs out.
package kernels

// Grow runs memory.grow 0, again and again.
func Grow() {}

// Fill runs memory.fill of 0 bytes, again and again.
func Fill() {}

// Chase walks the whole memory at random, each address depending on the word loaded before.
func Chase() {}

// Package run has one entry point that does nothing: the source deployed with the attack
// suite's modules at and past the structural limits, and with its modules that fail after
// the module check (crates/govm-cli/tests/it/attack/modules.rs).
package run

// Run returns at once.
func Run() {}

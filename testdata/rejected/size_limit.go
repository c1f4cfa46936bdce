// govm-test: max_source_size=64
package bad

// This file is longer than the 64-byte limit its header sets.
func F() {}

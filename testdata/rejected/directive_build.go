//go:build wasip1

package bad

func F() {}

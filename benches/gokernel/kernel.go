// Package main is a CPU-bound kernel in Go, built for wasip1 as a reactor, that
// benches/runtime.rs runs with and without wasmtime's fuel and epoch metering: the metering's
// cost on code the Go compiler wrote (the hand-written WAT kernel's dependent multiplies hide
// it). No govm imports: only WASI, which the bench stubs.
package main

import (
	"crypto/sha256"
	"slices"
)

var data [4096]byte

// Hash chains SHA-256 over 4 KiB, rounds times.
//
//go:wasmexport Hash
func Hash(rounds int32) uint32 {
	var sum [32]byte
	for r := int32(0); r < rounds; r++ {
		data[r%4096] ^= sum[0]
		sum = sha256.Sum256(data[:])
	}
	return uint32(sum[0]) | uint32(sum[1])<<8 | uint32(sum[2])<<16 | uint32(sum[3])<<24
}

// Sort sorts n pseudo-random numbers and returns a checksum of the order.
//
//go:wasmexport Sort
func Sort(n int32) uint32 {
	xs := make([]uint32, n)
	x := uint32(2463534242)
	for i := range xs {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		xs[i] = x
	}
	slices.Sort(xs)
	var sum uint32
	for i, v := range xs {
		sum = sum*31 + v ^ uint32(i)
	}
	return sum
}

func main() {}

//go:build wasip1

// Package entry is what the wrapper govm generates around a contract runs on: argument
// buffers the host fills, the result envelope, and the running call's Context. It is
// internal: contracts cannot import it (Go's rule, and govm's validator refuses every
// internal path), so none of this is callable from a contract.
package entry

import "unsafe"

// Result envelope status bytes (docs/abi.md, "Result envelope").
const (
	StatusOK      = 0
	statusError   = 1
	statusPanic   = 2
	statusBadArgs = 3
)

// pinned keeps buffers the host writes into reachable until the guest takes them: Go's GC
// does not move objects, but it would reuse unreachable memory.
var pinned = map[uint32][]byte{}

// result keeps the last result envelope alive until the host has read it.
var result []byte

// Alloc allocates a buffer of size bytes for the host to fill (the govm_alloc export).
func Alloc(size uint32) uint32 {
	buf := make([]byte, size+1)[:size] // never zero-sized, so every buffer has its own address
	ptr := uint32(uintptr(unsafe.Pointer(unsafe.SliceData(buf))))
	pinned[ptr] = buf
	return ptr
}

type badArgs struct{ err error }

func (b badArgs) Error() string { return b.err.Error() }

// BadArgs marks an argument decoding failure.
func BadArgs(err error) error { return badArgs{err} }

// Call runs one entry point: it takes the argument buffer the host filled, runs body, and
// returns the packed address (high 32 bits) and length (low 32 bits) of the result envelope.
// body returns the whole envelope of a success (StatusOK, then the results). A returned
// error and a panic become envelopes, not traps.
func Call(ptr, size uint32, body func(args []byte) ([]byte, error)) (packed uint64) {
	var args []byte
	if size > 0 {
		args = pinned[ptr]
		delete(pinned, ptr)
		if uint32(len(args)) != size {
			return finish(statusBadArgs, "argument buffer was not allocated by govm_alloc")
		}
	}
	defer func() {
		if r := recover(); r != nil {
			if a, ok := r.(Abort); ok {
				packed = finish(statusError, a.Message)
				return
			}
			packed = finish(statusPanic, PanicMessage(r))
		}
	}()
	out, err := body(args)
	if err != nil {
		if b, ok := err.(badArgs); ok {
			return finish(statusBadArgs, b.err.Error())
		}
		return finish(statusError, err.Error())
	}
	return pack(out)
}

// finish encodes a failure envelope: the status, then the message as a SCALE string.
func finish(status byte, message string) uint64 {
	b := make([]byte, 0, 6+len(message))
	b = append(b, status)
	b = appendCompact(b, uint64(len(message)))
	return pack(append(b, message...))
}

// appendCompact appends n in SCALE's compact encoding (docs/abi.md, "Compact lengths").
func appendCompact(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n<<2))
	case n < 1<<14:
		return append(b, byte(n<<2|1), byte(n>>6))
	case n < 1<<30:
		v := uint32(n<<2 | 2)
		return append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	}
	// A length on wasm32 fits four bytes: prefix (4-4)<<2|3.
	b = append(b, 3)
	for i := 0; i < 4; i++ {
		b = append(b, byte(n>>(8*i)))
	}
	return b
}

func pack(b []byte) uint64 {
	result = b
	ptr := uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
	return ptr<<32 | uint64(len(b))
}

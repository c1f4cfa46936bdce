//go:build wasip1

package vm

import (
	"runtime"
	"unsafe"
)

// Support for the wrapper govm generates around a contract. Contracts do not call these.

// Result envelope status bytes (docs/abi.md).
const (
	envelopeOK      = 0
	envelopeError   = 1
	envelopePanic   = 2
	envelopeBadArgs = 3
)

// pinned keeps buffers the host writes into reachable until the guest takes them: Go's GC
// does not move objects, but it would reuse unreachable memory.
var pinned = map[uint32][]byte{}

// result keeps the last result envelope alive until the host has read it.
var result []byte

// WrapperAlloc allocates a buffer of size bytes for the host to fill.
func WrapperAlloc(size uint32) uint32 {
	buf := make([]byte, size+1)[:size] // never zero-sized, so every buffer has its own address
	ptr := uint32(uintptr(unsafe.Pointer(unsafe.SliceData(buf))))
	pinned[ptr] = buf
	return ptr
}

// WrapperContext returns the Context of the running call.
func WrapperContext() Context { return hostContext{} }

type badArgs struct{ err error }

func (b badArgs) Error() string { return b.err.Error() }

// WrapperBadArgs marks an argument decoding failure.
func WrapperBadArgs(err error) error { return badArgs{err} }

// WrapperCall runs one entry point: it takes the argument buffer the host filled, runs body,
// and returns the packed address (high 32 bits) and length (low 32 bits) of the result
// envelope. A returned error and a panic become envelopes, not traps.
func WrapperCall(ptr, size uint32, body func(args *Decoder, results *Encoder) error) (packed uint64) {
	var args []byte
	if size > 0 {
		args = pinned[ptr]
		delete(pinned, ptr)
		if uint32(len(args)) != size {
			return finish(envelopeBadArgs, "argument buffer was not allocated by govm_alloc")
		}
	}
	defer func() {
		if r := recover(); r != nil {
			packed = finish(envelopePanic, panicMessage(r))
		}
	}()
	var out Encoder
	out.Uint8(envelopeOK)
	if err := body(NewDecoder(args), &out); err != nil {
		if b, ok := err.(badArgs); ok {
			return finish(envelopeBadArgs, b.err.Error())
		}
		return finish(envelopeError, err.Error())
	}
	return pack(out.Bytes())
}

func finish(status byte, message string) uint64 {
	var e Encoder
	e.Uint8(status)
	e.Str(message)
	return pack(e.Bytes())
}

func pack(b []byte) uint64 {
	result = b
	ptr := uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
	return ptr<<32 | uint64(len(b))
}

func panicMessage(r any) string {
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

//go:build wasip1

package vm

import (
	"errors"
	"runtime"
	"unsafe"

	"github.com/govm-net/vm/internal/entry"
)

// The wrapper reaches the running call's Context through package entry, which contracts
// cannot import.
func init() {
	entry.Context = Context(hostContext{})
	warmAllocator()
}

// warmSink keeps the warm-up's objects from being optimised away.
var warmSink any

// warmAllocator leaves the allocator's per-size caches filled. Package initialisation ends
// in the snapshot every call starts from, so a size class whose cache is empty there is
// refilled (a span fetched, initialised and its bitmaps set up) on every call that uses it.
// One object of each size class up to 1 KiB, with and without pointers, caches a span of
// each (about 0.6 MB of heap, never touched after). Measured on a token Transfer: 152,409
// gas without it, 116,488 with it, and 13-25% less time. TinyGo's allocator has no such
// caches.
func warmAllocator() {
	if runtime.Compiler != "gc" {
		return
	}
	for size := 8; size <= 1024; size += 8 {
		warmSink = make([]byte, size)
		warmSink = make([]*byte, size/8)
	}
	warmSink = nil
}

// Host functions of the "govm" import module; docs/abi.md specifies each one. Pointers are
// offsets into this module's linear memory; results are status codes (statusOK, ...).

//go:wasmimport govm sender
//go:noescape
func hostSender(out unsafe.Pointer)

//go:wasmimport govm contract_address
//go:noescape
func hostContractAddress(out unsafe.Pointer)

//go:wasmimport govm block_height
func hostBlockHeight() uint64

//go:wasmimport govm block_time
func hostBlockTime() int64

//go:wasmimport govm value
func hostValue() uint64

//go:wasmimport govm sha256
//go:noescape
func hostSha256(data unsafe.Pointer, dataLen uint32, out unsafe.Pointer)

//go:wasmimport govm keccak256
//go:noescape
func hostKeccak256(data unsafe.Pointer, dataLen uint32, out unsafe.Pointer)

//go:wasmimport govm ed25519_verify
//go:noescape
func hostEd25519Verify(pub unsafe.Pointer, msg unsafe.Pointer, msgLen uint32, sig unsafe.Pointer) uint32

//go:wasmimport govm secp256k1_verify
//go:noescape
func hostSecp256k1Verify(digest unsafe.Pointer, sig unsafe.Pointer, pub unsafe.Pointer, pubLen uint32) uint32

//go:wasmimport govm secp256k1_recover
//go:noescape
func hostSecp256k1Recover(digest unsafe.Pointer, sig unsafe.Pointer, recoveryID uint32, out unsafe.Pointer) uint32

//go:wasmimport govm object_create
//go:noescape
func hostObjectCreate(outID unsafe.Pointer) uint32

//go:wasmimport govm object_get
//go:noescape
func hostObjectGet(id unsafe.Pointer, outID unsafe.Pointer) uint32

//go:wasmimport govm object_with_owner
//go:noescape
func hostObjectWithOwner(owner unsafe.Pointer, outID unsafe.Pointer) uint32

//go:wasmimport govm object_delete
//go:noescape
func hostObjectDelete(id unsafe.Pointer) uint32

//go:wasmimport govm object_owner
//go:noescape
func hostObjectOwner(id unsafe.Pointer, out unsafe.Pointer) uint32

//go:wasmimport govm object_set_owner
//go:noescape
func hostObjectSetOwner(id unsafe.Pointer, owner unsafe.Pointer) uint32

//go:wasmimport govm object_contract
//go:noescape
func hostObjectContract(id unsafe.Pointer, out unsafe.Pointer) uint32

//go:wasmimport govm field_get
//go:noescape
func hostFieldGet(id unsafe.Pointer, key unsafe.Pointer, keyLen uint32) int64

//go:wasmimport govm field_set
//go:noescape
func hostFieldSet(id unsafe.Pointer, key unsafe.Pointer, keyLen uint32, val unsafe.Pointer, valLen uint32) uint32

//go:wasmimport govm field_delete
//go:noescape
func hostFieldDelete(id unsafe.Pointer, key unsafe.Pointer, keyLen uint32) uint32

//go:wasmimport govm emit_event
//go:noescape
func hostEmitEvent(data unsafe.Pointer, dataLen uint32) uint32

//go:wasmimport govm balance
//go:noescape
func hostBalance(addr unsafe.Pointer) uint64

//go:wasmimport govm transfer
//go:noescape
func hostTransfer(to unsafe.Pointer, amount uint64) uint32

//go:wasmimport govm call
//go:noescape
func hostCall(contract unsafe.Pointer, fn unsafe.Pointer, fnLen uint32, args unsafe.Pointer, argsLen uint32) uint64

//go:wasmimport govm read_return
//go:noescape
func hostReadReturn(out unsafe.Pointer)

const (
	statusOK               = 0
	statusNotFound         = 1
	statusPermissionDenied = 2
	statusInvalidInput     = 3
	statusLimitExceeded    = 4
	statusInsufficient     = 5
	statusCallFailed       = 6
)

func statusError(status uint32) error {
	switch status {
	case statusOK:
		return nil
	case statusNotFound:
		return ErrNotFound
	case statusPermissionDenied:
		return ErrPermissionDenied
	case statusInvalidInput:
		return ErrInvalidInput
	case statusLimitExceeded:
		return ErrLimitExceeded
	case statusInsufficient:
		return ErrInsufficientBalance
	}
	return errors.New("vm: unknown host status")
}

func strPtr(s string) unsafe.Pointer { return unsafe.Pointer(unsafe.StringData(s)) }

func bytesPtr(b []byte) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(b)) }

func sha256Of(data []byte) (h Hash) {
	hostSha256(bytesPtr(data), uint32(len(data)), unsafe.Pointer(&h))
	return
}

func keccak256Of(data []byte) (h Hash) {
	hostKeccak256(bytesPtr(data), uint32(len(data)), unsafe.Pointer(&h))
	return
}

func ed25519Check(pub []byte, msg []byte, sig []byte) bool {
	return hostEd25519Verify(bytesPtr(pub), bytesPtr(msg), uint32(len(msg)), bytesPtr(sig)) == 1
}

func secp256k1Check(digest []byte, sig []byte, pub []byte) bool {
	return hostSecp256k1Verify(bytesPtr(digest), bytesPtr(sig), bytesPtr(pub), uint32(len(pub))) == 1
}

func secp256k1RecoverKey(digest []byte, sig []byte, recoveryID byte) ([]byte, error) {
	out := make([]byte, 65)
	if status := hostSecp256k1Recover(bytesPtr(digest), bytesPtr(sig), uint32(recoveryID), bytesPtr(out)); status != statusOK {
		return nil, statusError(status)
	}
	return out, nil
}

type hostContext struct{}

// callContext is this build's Context, for what event.go writes once for every build.
type callContext = hostContext

func (hostContext) Sender() (a Address) {
	hostSender(unsafe.Pointer(&a))
	return
}

func (hostContext) ContractAddress() (a Address) {
	hostContractAddress(unsafe.Pointer(&a))
	return
}

func (hostContext) BlockHeight() uint64 { return hostBlockHeight() }

func (hostContext) BlockTime() int64 { return hostBlockTime() }

func (hostContext) Value() uint64 { return hostValue() }

func (hostContext) CreateObject() (Object, error) {
	var id ObjectID
	if err := statusError(hostObjectCreate(unsafe.Pointer(&id))); err != nil {
		return nil, err
	}
	return &hostObject{id: id}, nil
}

func (hostContext) GetObject(id ObjectID) (Object, error) {
	var resolved ObjectID
	if err := statusError(hostObjectGet(unsafe.Pointer(&id), unsafe.Pointer(&resolved))); err != nil {
		return nil, err
	}
	return &hostObject{id: resolved}, nil
}

func (hostContext) GetObjectWithOwner(owner Address) (Object, error) {
	var id ObjectID
	if err := statusError(hostObjectWithOwner(unsafe.Pointer(&owner), unsafe.Pointer(&id))); err != nil {
		return nil, err
	}
	return &hostObject{id: id}, nil
}

func (hostContext) DeleteObject(id ObjectID) error {
	return statusError(hostObjectDelete(unsafe.Pointer(&id)))
}

// eventValue, emitEvent and eventError are Log's steps (event.go). The host's status and
// its error are two steps so that each inlines (one step would be over Go's inlining budget,
// and an extra call costs gas).
func (hostContext) eventValue(v any) any { return v }

func (hostContext) emitEvent(data []byte) uint32 {
	return hostEmitEvent(bytesPtr(data), uint32(len(data)))
}

func (hostContext) eventError(status uint32) error { return statusError(status) }

func (hostContext) Balance(addr Address) uint64 { return hostBalance(unsafe.Pointer(&addr)) }

func (hostContext) Transfer(to Address, amount uint64) error {
	return statusError(hostTransfer(unsafe.Pointer(&to), amount))
}

func (hostContext) Call(contract Address, function string, args ...any) ([]byte, error) {
	var e Encoder
	for i, arg := range args {
		if !encodeValue(&e, arg) {
			return nil, errors.New("vm: Call " + function + ": argument " + itoa(i+1) + " has an unsupported type")
		}
	}
	data := e.Bytes()
	packed := hostCall(unsafe.Pointer(&contract), strPtr(function), uint32(len(function)), bytesPtr(data), uint32(len(data)))
	status, n := uint32(packed>>32), uint32(packed)
	out := make([]byte, n)
	if n > 0 {
		hostReadReturn(bytesPtr(out))
	}
	switch status {
	case statusOK:
		return out, nil
	case statusCallFailed:
		return nil, &CallError{Contract: contract, Function: function, Message: string(out)}
	}
	return nil, statusError(status)
}

type hostObject struct {
	id ObjectID
}

func (o *hostObject) ID() ObjectID { return o.id }

func (o *hostObject) Owner() (a Address) {
	if err := statusError(hostObjectOwner(unsafe.Pointer(&o.id), unsafe.Pointer(&a))); err != nil {
		panic("vm: Owner of object " + o.id.String() + ": " + err.Error())
	}
	return
}

func (o *hostObject) SetOwner(owner Address) error {
	return statusError(hostObjectSetOwner(unsafe.Pointer(&o.id), unsafe.Pointer(&owner)))
}

func (o *hostObject) Contract() (a Address) {
	if err := statusError(hostObjectContract(unsafe.Pointer(&o.id), unsafe.Pointer(&a))); err != nil {
		panic("vm: Contract of object " + o.id.String() + ": " + err.Error())
	}
	return
}

func (o *hostObject) Get(field string, out any) error {
	n := hostFieldGet(unsafe.Pointer(&o.id), strPtr(field), uint32(len(field)))
	if n < 0 {
		err := statusError(uint32(-n))
		if err == ErrNotFound {
			return &fieldError{field, err}
		}
		return err
	}
	data := make([]byte, n)
	hostReadReturn(bytesPtr(data))
	return decodeTagged(field, data, out)
}

func (o *hostObject) Set(field string, value any) error {
	var e Encoder
	if !encodeTagged(&e, value) {
		return errors.New("field " + quote(field) + ": unsupported value type")
	}
	data := e.Bytes()
	return statusError(hostFieldSet(unsafe.Pointer(&o.id), strPtr(field), uint32(len(field)), bytesPtr(data), uint32(len(data))))
}

func (o *hostObject) Delete(field string) error {
	return statusError(hostFieldDelete(unsafe.Pointer(&o.id), strPtr(field), uint32(len(field))))
}

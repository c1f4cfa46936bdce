// Package core is the upstream govm contract API (github.com/govm-net/vm/core): package-level
// functions over the same host as package vm, for contracts written without a vm.Context
// parameter. Entry points that use it take their arguments directly and may return results
// without an error:
//
//	func Increment(by uint64) uint64 {
//		obj, err := core.GetObject(core.ZeroObjectID)
//		core.Assert(err)
//		var n uint64
//		_ = obj.Get("count", &n)
//		n += by
//		core.Assert(obj.Set("count", n))
//		return n
//	}
//
// A failed Assert ends the call as a contract error with its message (its writes are rolled
// back); the other operations that cannot fail in a correct contract (CreateObject,
// DeleteObject, Object.SetOwner) panic on failure. Address, ObjectID and Hash are package
// vm's types, so values cross the contract boundary and print exactly as vm's do. The zero
// ObjectID names the contract's default object. docs/core.md describes the package.
package core

import (
	"errors"
	"fmt"
	"strings"

	"github.com/govm-net/vm"
	"github.com/govm-net/vm/internal/entry"
)

// Address is a 20-byte account or contract address (vm.Address).
type Address = vm.Address

// ObjectID is a 32-byte object identifier (vm.ObjectID); the zero ID is the contract's
// default object.
type ObjectID = vm.ObjectID

// Hash is a 32-byte hash (vm.Hash).
type Hash = vm.Hash

// The zero values.
var (
	ZeroAddress  = Address{}
	ZeroObjectID = ObjectID{}
	ZeroHash     = Hash{}
)

// Object is a handle on a stored object. Get and Set take the types vm's Object takes.
type Object interface {
	// ID is the object's identifier.
	ID() ObjectID
	// Owner is the owner's address.
	Owner() Address
	// Contract is the address of the contract that created the object.
	Contract() Address
	// SetOwner changes the owner; it panics when the host refuses (another contract's
	// object, or a deleted one).
	SetOwner(owner Address)
	// Get reads a field into out, a pointer to a supported type (*uint64, *string, ...).
	Get(field string, out any) error
	// Set stores a value of a supported type in a field.
	Set(field string, value any) error
	// Delete removes a field.
	Delete(field string) error
}

type object struct{ vm.Object }

func (o object) SetOwner(owner Address) {
	if err := o.Object.SetOwner(owner); err != nil {
		panic(err)
	}
}

// ctx is the running call's context.
func ctx() vm.Context {
	c, _ := entry.Context.(vm.Context)
	if c == nil {
		panic("core: no call is running (core works inside an entry point, on the chain or in vmtest)")
	}
	return c
}

// SetContext replaces the Context the package's functions use, for the rest of the running
// call: a contract may hand them a vm.Context of its own (one that wraps the call's, say).
// A replacement never outlives its call: on the chain every call starts with its own
// Context, set by the wrapper govm generates, and vmtest sets each call's before it runs and
// restores the caller's after it returns. Outside a call (a plain Go test) it sets the
// Context until the next SetContext; nil removes it. Upstream's SetContext, called by its
// runtime, panics when a Context is already set; govm's wrapper sets one for every call, so
// here it replaces it instead.
func SetContext(c vm.Context) { entry.Context = c }

// Sender is the account (or, in a cross-contract call, the contract) that called.
func Sender() Address { return ctx().Sender() }

// ContractAddress is the address of the running contract.
func ContractAddress() Address { return ctx().ContractAddress() }

// BlockHeight is the height of the block being executed.
func BlockHeight() uint64 { return ctx().BlockHeight() }

// BlockTime is the block's time in Unix seconds.
func BlockTime() int64 { return ctx().BlockTime() }

// Balance is the native balance of an address.
func Balance(addr Address) uint64 { return ctx().Balance(addr) }

// TransferTo pays native balance from this contract's own balance.
func TransferTo(to Address, amount uint64) error { return ctx().Transfer(to, amount) }

// ErrInsufficientValue is Receive's error when the call carries less than asked for.
var ErrInsufficientValue = errors.New("insufficient value")

// Receive succeeds when the call carries at least amount of native value (vm.Context's
// Value: the host moved it from the sender to this contract before the entry point ran and
// moves it back if the call fails). It returns an error wrapping ErrInsufficientValue
// otherwise.
func Receive(amount uint64) error {
	if got := ctx().Value(); got < amount {
		return fmt.Errorf("%w: the call carries %d, not at least %d", ErrInsufficientValue, got, amount)
	}
	return nil
}

// CreateObject creates an object owned by this contract's address until SetOwner; it
// panics when the host refuses (a state limit).
func CreateObject() Object {
	o, err := ctx().CreateObject()
	if err != nil {
		panic(err)
	}
	return object{o}
}

// GetObject returns an object by ID; the zero ID is this contract's default object.
func GetObject(id ObjectID) (Object, error) {
	o, err := ctx().GetObject(id)
	if err != nil {
		return nil, err
	}
	return object{o}, nil
}

// GetObjectWithOwner returns this contract's earliest created object owned by owner.
func GetObjectWithOwner(owner Address) (Object, error) {
	o, err := ctx().GetObjectWithOwner(owner)
	if err != nil {
		return nil, err
	}
	return object{o}, nil
}

// DeleteObject deletes an object this contract created; it panics when the host refuses.
func DeleteObject(id ObjectID) {
	if err := ctx().DeleteObject(id); err != nil {
		panic(err)
	}
}

// Call runs an entry point of another contract and returns its encoded results (read them
// with vm.NewDecoder); see vm.Context's Call.
func Call(contract Address, function string, args ...any) ([]byte, error) {
	return ctx().Call(contract, function, args...)
}

// Log emits an event: a name, then key/value pairs with string keys.
func Log(event string, keyValues ...any) { ctx().Log(event, keyValues...) }

// Assert fails the call unless condition holds: a false bool, or a non-nil error, ends the
// call as a contract error (its writes rolled back) whose message is msgs (separated by
// spaces, as fmt.Sprintln prints them, without the newline), the error's message, or both
// ("msgs: error"). A true bool and a nil
// error return; so does a condition of any other type.
func Assert(condition any, msgs ...any) {
	var message string
	switch v := condition.(type) {
	case bool:
		if v {
			return
		}
		message = "assertion failed"
		if len(msgs) > 0 {
			message = sprint(msgs)
		}
	case error:
		if v == nil {
			return
		}
		message = v.Error()
		if len(msgs) > 0 {
			message = sprint(msgs) + ": " + message
		}
	default:
		return
	}
	panic(entry.Abort{Message: message})
}

func sprint(msgs []any) string { return strings.TrimSuffix(fmt.Sprintln(msgs...), "\n") }

// Error returns an error with the message, for entry points that return one.
func Error(msg string) error { return errors.New(msg) }

// GetHash is the SHA-256 of data, computed by the host (vm.Sha256).
func GetHash(data []byte) Hash { return vm.Sha256(data) }

// IDFromString parses an ObjectID from hex, with or without 0x; ZeroObjectID when it is not
// exactly 64 hex digits.
func IDFromString(s string) ObjectID { return orZero(vm.ParseObjectID, s) }

// AddressFromString parses an Address from hex, with or without 0x; ZeroAddress when it is
// not exactly 40 hex digits.
func AddressFromString(s string) Address { return orZero(vm.ParseAddress, s) }

// HashFromString parses a Hash from hex, with or without 0x; ZeroHash when it is not
// exactly 64 hex digits.
func HashFromString(s string) Hash { return orZero(vm.ParseHash, s) }

// orZero parses s (0x added when missing), or gives the zero value.
func orZero[T any](parse func(string) (T, error), s string) T {
	v, err := parse(with0x(s))
	if err != nil {
		var zero T
		return zero
	}
	return v
}

func with0x(s string) string {
	if strings.HasPrefix(s, "0x") {
		return s
	}
	return "0x" + s
}

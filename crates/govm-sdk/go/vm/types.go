// Package vm is the govm contract SDK: the types, the Context and Object API a contract
// uses, and the SCALE codec shared with the host. It uses the standard library only and no
// reflection, so that both Go and TinyGo can build it.
package vm

import (
	"encoding/hex"
	"errors"
)

// Address is a 20-byte account or contract address.
type Address [20]byte

// ObjectID is a 32-byte object identifier. The zero ObjectID names the calling contract's
// default object: ctx.GetObject(vm.ObjectID{}).
type ObjectID [32]byte

// Hash is a 32-byte hash.
type Hash [32]byte

// String returns the 0x-hex form.
func (a Address) String() string { return "0x" + hex.EncodeToString(a[:]) }

// String returns the 0x-hex form.
func (id ObjectID) String() string { return "0x" + hex.EncodeToString(id[:]) }

// String returns the 0x-hex form.
func (h Hash) String() string { return "0x" + hex.EncodeToString(h[:]) }

// ParseAddress parses the 0x-hex form: "0x" and exactly 40 hex digits.
func ParseAddress(s string) (a Address, err error) {
	err = parseHex(s, a[:], "vm.Address")
	return
}

// ParseObjectID parses the 0x-hex form: "0x" and exactly 64 hex digits.
func ParseObjectID(s string) (id ObjectID, err error) {
	err = parseHex(s, id[:], "vm.ObjectID")
	return
}

// ParseHash parses the 0x-hex form: "0x" and exactly 64 hex digits.
func ParseHash(s string) (h Hash, err error) {
	err = parseHex(s, h[:], "vm.Hash")
	return
}

// parseHex fills out from "0x" and exactly 2*len(out) hex digits; out is untouched on error.
func parseHex(s string, out []byte, typeName string) error {
	if len(s) < 2 || s[:2] != "0x" {
		return errors.New("invalid " + typeName + ": missing 0x prefix")
	}
	digits := s[2:]
	if len(digits) != 2*len(out) {
		return errors.New("invalid " + typeName + ": expected " + itoa(2*len(out)) + " hex digits, got " + itoa(len(digits)))
	}
	buf := make([]byte, len(out))
	if _, err := hex.Decode(buf, []byte(digits)); err != nil {
		return errors.New("invalid " + typeName + ": " + err.Error())
	}
	copy(out, buf)
	return nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// LessBytes reports whether a sorts before b byte-wise: the order of map keys of type
// Address, ObjectID and Hash.
func LessBytes(a, b []byte) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// Marshaler is a composite value that can be stored in an object field or logged: govm
// generates these methods for the structs a contract declares.
type Marshaler interface {
	GovmType() string
	GovmEncode(e *Encoder)
}

// Unmarshaler is a pointer to a composite value that Object.Get can fill: govm generates
// these methods for the structs a contract declares.
type Unmarshaler interface {
	GovmType() string
	GovmDecode(d *Decoder)
}

// IsZero reports whether every byte is zero.
func (a Address) IsZero() bool { return a == Address{} }

// IsZero reports whether every byte is zero.
func (id ObjectID) IsZero() bool { return id == ObjectID{} }

// Errors returned by host operations. Compare with errors.Is.
var (
	// ErrNotFound: no such object, field, or owner match.
	ErrNotFound = errors.New("not found")
	// ErrPermissionDenied: the object belongs to another contract.
	ErrPermissionDenied = errors.New("permission denied: object belongs to another contract")
	// ErrInvalidInput: a malformed key or value.
	ErrInvalidInput = errors.New("invalid input")
	// ErrLimitExceeded: a state limit (value size, field name length, ...) was exceeded.
	ErrLimitExceeded = errors.New("state limit exceeded")
	// ErrInsufficientBalance: a Transfer of more than the contract's native balance.
	ErrInsufficientBalance = errors.New("insufficient balance")
)

// fieldError is Object.Get's error for a field that is not there: it names the field and
// wraps ErrNotFound, so errors.Is(err, ErrNotFound) holds.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return "field " + quote(e.field) + ": " + e.err.Error() }

func (e *fieldError) Unwrap() error { return e.err }

// CallError is returned by Context.Call when the callee failed; its writes were rolled back.
type CallError struct {
	Contract Address
	Function string
	// Message is the callee's error: its returned error, its panic, or a limit it hit.
	Message string
}

func (e *CallError) Error() string {
	return "call " + e.Function + " on " + e.Contract.String() + ": " + e.Message
}

// Context is what an entry point receives as its first parameter.
type Context interface {
	// Sender is the account (or, in a cross-contract call, the contract) that called.
	Sender() Address
	// ContractAddress is the address of the running contract.
	ContractAddress() Address
	// BlockHeight is the height of the block being executed.
	BlockHeight() uint64
	// BlockTime is the block's time in Unix seconds.
	BlockTime() int64
	// Value is the native value the call carries: the host moved it from the sender to this
	// contract before the entry point ran, and moves it back if the call fails. A nested
	// call carries none.
	Value() uint64
	// CreateObject creates an object owned by this contract's address until SetOwner.
	CreateObject() (Object, error)
	// GetObject returns an object by ID; the zero ID is this contract's default object.
	GetObject(id ObjectID) (Object, error)
	// GetObjectWithOwner returns this contract's earliest created object owned by owner.
	GetObjectWithOwner(owner Address) (Object, error)
	// DeleteObject deletes an object this contract created.
	DeleteObject(id ObjectID) error
	// Log emits an event: a name, then key/value pairs with string keys.
	Log(event string, keyValues ...any)
	// Call runs an entry point of another contract, its arguments encoded as that entry
	// point's parameters (the types Object.Set accepts). It returns the callee's encoded
	// results: read them with NewDecoder. The callee's Sender is this contract; it shares
	// this call's fuel and deadline; re-entering a contract already running is refused. A
	// failed callee's writes are rolled back and its error returned as a *CallError.
	Call(contract Address, function string, args ...any) ([]byte, error)
	// Balance is the native balance of an address.
	Balance(addr Address) uint64
	// Transfer pays native balance from this contract's own balance.
	Transfer(to Address, amount uint64) error
}

// Object is a handle on a stored object.
type Object interface {
	// ID is the object's identifier.
	ID() ObjectID
	// Owner is the owner's address (data a contract checks; the host enforces only that
	// the creating contract changes the object).
	Owner() Address
	// SetOwner changes the owner.
	SetOwner(owner Address) error
	// Contract is the address of the contract that created the object.
	Contract() Address
	// Get reads a field into out, a pointer to a supported type (*uint64, *string, ...).
	// Reading a field into a different type than it was stored with is an error.
	Get(field string, out any) error
	// Set stores a value of a supported type in a field.
	Set(field string, value any) error
	// Delete removes a field.
	Delete(field string) error
}

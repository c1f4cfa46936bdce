//go:build !wasip1

package vm

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
)

// The host's cryptography, natively. Go's ed25519.Verify is not as strict as the host's
// check: it accepts small-order keys and R that the chain refuses (no test vector of RFC 8032
// has one).
func sha256Of(data []byte) Hash { return Hash(sha256.Sum256(data)) }

func keccak256Of(data []byte) Hash { return keccak256(data) }

func ed25519Check(pub []byte, msg []byte, sig []byte) bool {
	return ed25519.Verify(ed25519.PublicKey(pub), msg, sig)
}

// Test support for native builds (every GOOS but wasip1), described in docs/testing.md:
// contracts never use these. The vmtest package (github.com/govm-net/vm/vmtest) runs a
// contract's functions natively with `go test`; it implements NativeHost with the semantics
// of the real host, and hands each call a Context from NativeContext. That Context and its
// Objects do what host_wasip1.go does, with the same encodings and the same error messages,
// so that a contract behaves the same natively and on chain.

// NativeHost is the `govm` host module (docs/abi.md, "Host functions") as Go methods, seen
// from one running call. Errors are nil, ErrNotFound, ErrPermissionDenied, ErrInvalidInput,
// ErrLimitExceeded or ErrInsufficientBalance, as the status codes map to them on chain. Test
// support: implemented by vmtest.
type NativeHost interface {
	Sender() Address
	ContractAddress() Address
	BlockHeight() uint64
	BlockTime() int64
	// Value is the native value the call carries (0 in a nested call).
	Value() uint64
	// ObjectCreate creates an object of the running contract, owned by the contract.
	ObjectCreate() (ObjectID, error)
	// ObjectGet resolves an ID (the zero ID is the running contract's default object).
	ObjectGet(id ObjectID) (ObjectID, error)
	ObjectWithOwner(owner Address) (ObjectID, error)
	ObjectDelete(id ObjectID) error
	ObjectOwner(id ObjectID) (Address, error)
	ObjectContract(id ObjectID) (Address, error)
	ObjectSetOwner(id ObjectID, owner Address) error
	// FieldGet returns a field's tagged value (docs/abi.md, "Tagged values").
	FieldGet(id ObjectID, key string) ([]byte, error)
	FieldSet(id ObjectID, key string, value []byte) error
	FieldDelete(id ObjectID, key string) error
	// EmitEvent records an event in the SDK's encoding (docs/abi.md, "Events").
	EmitEvent(data []byte) error
	Balance(addr Address) uint64
	Transfer(to Address, amount uint64) error
	// Call runs an entry point of another contract with SCALE-encoded arguments and returns
	// its SCALE-encoded results, or a *CallError when it failed (or ErrInvalidInput for a
	// function name that is not UTF-8).
	Call(contract Address, function string, args []byte) ([]byte, error)
	// Composite stands in for the methods govm generates for a contract's structs: for a
	// struct value (or a pointer to one) the contract declared, a value with the Marshaler
	// (and, for a pointer, Unmarshaler) methods; anything else is returned unchanged.
	Composite(v any) any
}

// NativeContext returns the Context a native call runs with: every operation goes to h.
// Test support: used by vmtest.
func NativeContext(h NativeHost) Context { return nativeContext{h} }

type nativeContext struct{ h NativeHost }

// callContext is this build's Context, for what event.go writes once for every build.
type callContext = nativeContext

func (c nativeContext) Sender() Address { return c.h.Sender() }

func (c nativeContext) ContractAddress() Address { return c.h.ContractAddress() }

func (c nativeContext) BlockHeight() uint64 { return c.h.BlockHeight() }

func (c nativeContext) BlockTime() int64 { return c.h.BlockTime() }

func (c nativeContext) Value() uint64 { return c.h.Value() }

func (c nativeContext) CreateObject() (Object, error) {
	id, err := c.h.ObjectCreate()
	if err != nil {
		return nil, err
	}
	return &nativeObject{h: c.h, id: id}, nil
}

func (c nativeContext) GetObject(id ObjectID) (Object, error) {
	resolved, err := c.h.ObjectGet(id)
	if err != nil {
		return nil, err
	}
	return &nativeObject{h: c.h, id: resolved}, nil
}

func (c nativeContext) GetObjectWithOwner(owner Address) (Object, error) {
	id, err := c.h.ObjectWithOwner(owner)
	if err != nil {
		return nil, err
	}
	return &nativeObject{h: c.h, id: id}, nil
}

func (c nativeContext) DeleteObject(id ObjectID) error { return c.h.ObjectDelete(id) }

// eventValue, emitEvent and eventError are Log's steps (event.go).
func (c nativeContext) eventValue(v any) any { return c.h.Composite(v) }

func (c nativeContext) emitEvent(data []byte) error { return c.h.EmitEvent(data) }

func (nativeContext) eventError(err error) error { return err }

func (c nativeContext) Balance(addr Address) uint64 { return c.h.Balance(addr) }

func (c nativeContext) Transfer(to Address, amount uint64) error { return c.h.Transfer(to, amount) }

func (c nativeContext) Call(contract Address, function string, args ...any) ([]byte, error) {
	var e Encoder
	for i, arg := range args {
		if !encodeValue(&e, c.h.Composite(arg)) {
			return nil, errors.New("vm: Call " + function + ": argument " + itoa(i+1) + " has an unsupported type")
		}
	}
	out, err := c.h.Call(contract, function, e.Bytes())
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

type nativeObject struct {
	h  NativeHost
	id ObjectID
}

func (o *nativeObject) ID() ObjectID { return o.id }

func (o *nativeObject) Owner() Address {
	a, err := o.h.ObjectOwner(o.id)
	if err != nil {
		panic("vm: Owner of object " + o.id.String() + ": " + err.Error())
	}
	return a
}

func (o *nativeObject) SetOwner(owner Address) error { return o.h.ObjectSetOwner(o.id, owner) }

func (o *nativeObject) Contract() Address {
	a, err := o.h.ObjectContract(o.id)
	if err != nil {
		panic("vm: Contract of object " + o.id.String() + ": " + err.Error())
	}
	return a
}

func (o *nativeObject) Get(field string, out any) error {
	data, err := o.h.FieldGet(o.id, field)
	if err != nil {
		if err == ErrNotFound {
			return &fieldError{field, err}
		}
		return err
	}
	return decodeTagged(field, data, o.h.Composite(out))
}

func (o *nativeObject) Set(field string, value any) error {
	var e Encoder
	if !encodeTagged(&e, o.h.Composite(value)) {
		return errors.New("field " + quote(field) + ": unsupported value type")
	}
	return o.h.FieldSet(o.id, field, e.Bytes())
}

func (o *nativeObject) Delete(field string) error { return o.h.FieldDelete(o.id, field) }

//go:build !wasip1

package vmtest

// The host functions of crates/govm-runtime/src/host.rs for one running call (a frame), and
// the part of the generated wrapper that runs an entry point: decode the arguments, call,
// turn a returned error or a panic into a failure, encode the results.

import (
	"fmt"
	"reflect"
	"strconv"
	"unicode/utf8"

	"github.com/govm-net/vm"
	govmentry "github.com/govm-net/vm/internal/entry"
)

// FailureKind says how a call failed.
type FailureKind int

// The ways a call fails natively; on chain a call can also run out of fuel, time or memory.
const (
	// ContractError: the function returned a non-nil error.
	ContractError FailureKind = iota + 1
	// Panic: the function panicked.
	Panic
	// BadArguments: the arguments did not decode as the function's parameters.
	BadArguments
	// UnknownFunction: the contract has no entry point of that name.
	UnknownFunction
	// UnknownContract: no contract at that address.
	UnknownContract
	// ResultTooLarge: the encoded results exceed MaxResultSize.
	ResultTooLarge
	// InsufficientValue: the sender cannot pay the value the call carries; nothing ran.
	InsufficientValue
)

// MaxResultSize is the largest result envelope (a status byte and the encoded results) a
// call may return, as on chain (govm_runtime::MAX_RESULT_SIZE).
const MaxResultSize = 1 << 20

// Failure is why a call failed. Its Error is the message the engine reports for the same
// failure, which is also what a calling contract finds in vm.CallError.Message.
type Failure struct {
	Kind FailureKind
	// Message is the returned error's message, the panic's message, why the arguments did
	// not decode, the unknown function's name, or the unknown contract's address.
	Message string
	// Err is the error the function returned (ContractError): errors.Is and errors.As see
	// through the failure to it, which only a native test can do.
	Err error
	// Value is what the function panicked with (Panic).
	Value any
}

func (f *Failure) Error() string {
	switch f.Kind {
	case Panic:
		return "contract panicked: " + f.Message
	case BadArguments:
		return "bad arguments: " + f.Message
	case UnknownFunction:
		return "unknown function `" + f.Message + "`"
	case UnknownContract:
		return "unknown contract " + f.Message
	case ResultTooLarge:
		return "result of " + f.Message + " bytes exceeds the limit of " + strconv.Itoa(MaxResultSize) + " bytes"
	}
	return f.Message
}

// Unwrap returns the error the function returned.
func (f *Failure) Unwrap() error { return f.Err }

// frame is one running call: what its host functions see.
type frame struct {
	chain    *Chain
	tx       *txn
	code     *code
	contract vm.Address
	sender   vm.Address
	height   uint64
	time     int64
	value    uint64
	// depth is 0 for the outermost call; callers are the contracts running below this one.
	depth   int
	callers []vm.Address
	done    bool
}

var _ vm.NativeHost = (*frame)(nil)

// live refuses a Context kept past its call, which on chain would be a dead instance.
func (f *frame) live() {
	if f.done {
		panic("vmtest: a vm.Context was used after its call returned")
	}
}

// run runs function of the frame's contract with the encoded arguments, as the engine runs a
// call: the contract and the function must exist, then the wrapper's work.
func (c *Chain) run(f *frame, function string, args []byte) ([]byte, *Failure) {
	code := c.codes[f.contract]
	if code == nil || !f.tx.hasContract(f.contract) {
		return nil, &Failure{Kind: UnknownContract, Message: f.contract.String()}
	}
	e := code.entries[function]
	if e == nil {
		return nil, &Failure{Kind: UnknownFunction, Message: function}
	}
	f.code = code
	defer func() { f.done = true }()
	return invoke(f, e, args)
}

// invoke is the generated wrapper: decode, call, encode; a returned error and a panic become
// failures.
func invoke(f *frame, e *entry, args []byte) (out []byte, failure *Failure) {
	ctx := vm.NativeContext(f)
	// Package core reaches the running call's Context through package entry, as on wasm; a
	// nested call sets its own and this one's comes back when it returns.
	outer := govmentry.Context
	govmentry.Context = ctx
	defer func() {
		govmentry.Context = outer
		if r := recover(); r != nil {
			if a, ok := r.(govmentry.Abort); ok {
				failure = &Failure{Kind: ContractError, Message: a.Message, Err: a}
				return
			}
			failure = &Failure{Kind: Panic, Message: govmentry.PanicMessage(r), Value: r}
		}
	}()
	d := vm.NewDecoder(args)
	in := make([]reflect.Value, 0, len(e.params)+1)
	if e.context {
		in = append(in, reflect.ValueOf(ctx))
	}
	for _, p := range e.params {
		in = append(in, decode(d, p))
	}
	if err := d.Finish(); err != nil {
		return nil, &Failure{Kind: BadArguments, Message: err.Error()}
	}
	results := e.fn.Call(in)
	if e.hasError {
		last := results[len(results)-1]
		results = results[:len(results)-1]
		if !last.IsNil() {
			err := last.Interface().(error)
			return nil, &Failure{Kind: ContractError, Message: err.Error(), Err: err}
		}
	}
	var enc vm.Encoder
	for _, r := range results {
		encode(&enc, r)
	}
	if size := 1 + len(enc.Bytes()); size > MaxResultSize {
		return nil, &Failure{Kind: ResultTooLarge, Message: strconv.Itoa(size)}
	}
	return enc.Bytes(), nil
}

// resolve maps the zero ID to the running contract's default object.
func (f *frame) resolve(id vm.ObjectID) vm.ObjectID {
	if id.IsZero() {
		return DefaultObject(f.contract)
	}
	return id
}

func (f *frame) Sender() vm.Address {
	f.live()
	return f.sender
}

func (f *frame) ContractAddress() vm.Address {
	f.live()
	return f.contract
}

func (f *frame) BlockHeight() uint64 {
	f.live()
	return f.height
}

func (f *frame) Value() uint64 {
	f.live()
	return f.value
}

func (f *frame) BlockTime() int64 {
	f.live()
	return f.time
}

func (f *frame) ObjectCreate() (vm.ObjectID, error) {
	f.live()
	return f.tx.createObject(f.contract, f.contract)
}

func (f *frame) ObjectGet(id vm.ObjectID) (vm.ObjectID, error) {
	f.live()
	id = f.resolve(id)
	if _, ok := f.tx.object(id); !ok {
		return vm.ObjectID{}, vm.ErrNotFound
	}
	return id, nil
}

func (f *frame) ObjectWithOwner(owner vm.Address) (vm.ObjectID, error) {
	f.live()
	id, ok := f.tx.objectWithOwner(f.contract, owner)
	if !ok {
		return vm.ObjectID{}, vm.ErrNotFound
	}
	return id, nil
}

func (f *frame) ObjectDelete(id vm.ObjectID) error {
	f.live()
	id = f.resolve(id)
	if id == DefaultObject(f.contract) {
		return vm.ErrInvalidInput
	}
	return f.tx.deleteObject(f.contract, id)
}

func (f *frame) ObjectOwner(id vm.ObjectID) (vm.Address, error) {
	f.live()
	m, ok := f.tx.object(f.resolve(id))
	if !ok {
		return vm.Address{}, vm.ErrNotFound
	}
	return m.owner, nil
}

func (f *frame) ObjectContract(id vm.ObjectID) (vm.Address, error) {
	f.live()
	m, ok := f.tx.object(f.resolve(id))
	if !ok {
		return vm.Address{}, vm.ErrNotFound
	}
	return m.contract, nil
}

func (f *frame) ObjectSetOwner(id vm.ObjectID, owner vm.Address) error {
	f.live()
	return f.tx.setOwner(f.contract, f.resolve(id), owner)
}

func (f *frame) FieldGet(id vm.ObjectID, key string) ([]byte, error) {
	f.live()
	id = f.resolve(id)
	if !utf8.ValidString(key) {
		return nil, vm.ErrInvalidInput
	}
	v, err := f.tx.field(id, key)
	if err != nil {
		return nil, err
	}
	return append([]byte{}, v...), nil
}

func (f *frame) FieldSet(id vm.ObjectID, key string, value []byte) error {
	f.live()
	id = f.resolve(id)
	if !utf8.ValidString(key) {
		return vm.ErrInvalidInput
	}
	// Only well-formed tagged values are stored, so every reader can decode them.
	if _, err := f.code.types.decodeTagged(value); err != nil {
		return vm.ErrInvalidInput
	}
	return f.tx.setField(f.contract, id, key, value)
}

func (f *frame) FieldDelete(id vm.ObjectID, key string) error {
	f.live()
	id = f.resolve(id)
	if !utf8.ValidString(key) {
		return vm.ErrInvalidInput
	}
	return f.tx.deleteField(f.contract, id, key)
}

func (f *frame) EmitEvent(data []byte) error {
	f.live()
	name, fields, err := f.code.types.decodeEvent(data)
	if err != nil {
		return vm.ErrInvalidInput
	}
	return f.tx.emit(rawEvent{contract: f.contract, data: append([]byte{}, data...)}, eventSize(name, fields))
}

func (f *frame) Balance(addr vm.Address) uint64 {
	f.live()
	return f.tx.balance(addr)
}

func (f *frame) Transfer(to vm.Address, amount uint64) error {
	f.live()
	return f.tx.transfer(f.contract, to, amount)
}

// Call is the host's call: refused past the depth limit and for a contract already running,
// else the callee runs in a savepoint with this contract as its sender, and is rolled back
// when it fails.
func (f *frame) Call(contract vm.Address, function string, args []byte) ([]byte, error) {
	f.live()
	if !utf8.ValidString(function) {
		return nil, vm.ErrInvalidInput
	}
	fail := func(message string) ([]byte, error) {
		return nil, &vm.CallError{Contract: contract, Function: function, Message: message}
	}
	if f.depth+1 > maxCallDepth {
		return fail(fmt.Sprintf("call depth limit of %d exceeded", maxCallDepth))
	}
	if contract == f.contract || contains(f.callers, contract) {
		return fail("re-entering contract " + contract.String() + " is not allowed")
	}
	callee := &frame{
		chain:    f.chain,
		tx:       f.tx,
		contract: contract,
		sender:   f.contract,
		height:   f.height,
		time:     f.time,
		depth:    f.depth + 1,
		callers:  append(append([]vm.Address{}, f.callers...), f.contract),
	}
	sp := f.tx.savepoint()
	out, failure := f.chain.run(callee, function, args)
	if failure != nil {
		f.tx.rollback(sp)
		return fail(failure.Error())
	}
	return out, nil
}

func (f *frame) Composite(v any) any { return f.code.types.composite(v) }

func contains(list []vm.Address, a vm.Address) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

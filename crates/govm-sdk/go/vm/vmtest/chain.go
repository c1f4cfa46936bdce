//go:build !wasip1

package vmtest

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/govm-net/vm"
)

// Chain is an in-memory chain: deployed contracts, objects, balances, events and the current
// block. Each Call runs in its own transaction, committed when the call succeeds and dropped
// when it fails, as the engine's execute does. A Chain is not safe for concurrent use.
type Chain struct {
	store  *store
	codes  map[vm.Address]*code
	height uint64
	time   int64
}

// New returns an empty chain at height 1, time 1,700,000,000: the engine's default call
// context (govm::CallContext::new).
func New() *Chain {
	return &Chain{
		store:  newStore(),
		codes:  map[vm.Address]*code{},
		height: 1,
		time:   defaultBlockTime,
	}
}

// Block returns the current block's height and time (Unix seconds).
func (c *Chain) Block() (height uint64, time int64) { return c.height, c.time }

// SetBlock moves to a block: later calls see this height and time.
func (c *Chain) SetBlock(height uint64, time int64) { c.height, c.time = height, time }

// Advance moves blocks blocks and seconds seconds ahead.
func (c *Chain) Advance(blocks uint64, seconds int64) {
	c.height, c.time = c.height+blocks, c.time+seconds
}

// Deploy deploys a contract as deployer, at the address the engine would give it: derived
// from the deployer, its number of earlier deployments and the source's hash. Deployment
// creates the contract's default object, owned by the contract.
func (c *Chain) Deploy(deployer vm.Address, contract Contract) (vm.Address, error) {
	code, err := contract.load()
	if err != nil {
		return vm.Address{}, err
	}
	tx := c.store.begin()
	addr, err := tx.deploy(deployer, code.hash, c.height)
	if err != nil {
		return vm.Address{}, fmt.Errorf("vmtest: deploying %s: %w", code.name, err)
	}
	c.store.commit(tx)
	c.codes[addr] = code
	return addr, nil
}

// MustDeploy is Deploy that fails the test on error.
func (c *Chain) MustDeploy(t testing.TB, deployer vm.Address, contract Contract) vm.Address {
	t.Helper()
	addr, err := c.Deploy(deployer, contract)
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// Receipt is what a call did.
type Receipt struct {
	// Results are the function's results (the trailing error excluded), encoded as the
	// wrapper encodes them and decoded back, in their Go types.
	Results []any
	// Err is nil, a *Failure when the call failed (no state changed then), or an error
	// saying why the arguments do not fit the function.
	Err error
	// Events are the events the call emitted, its nested calls' included, in order; none
	// when it failed.
	Events []Event
}

// OK fails the test now if the call failed.
func (r *Receipt) OK(t testing.TB) *Receipt {
	t.Helper()
	if r.Err != nil {
		t.Fatalf("call failed: %v", r.Err)
	}
	return r
}

// Value fails the test now unless the call succeeded with exactly one result, and returns it.
func (r *Receipt) Value(t testing.TB) any {
	t.Helper()
	r.OK(t)
	if len(r.Results) != 1 {
		t.Fatalf("the call returned %d results, not one", len(r.Results))
	}
	return r.Results[0]
}

// Result is Value in its type: it fails the test now unless the call succeeded with exactly
// one result of type T.
//
//	id := vmtest.Result[vm.ObjectID](t, chain.Call(alice, token, "Initialize", 1000))
func Result[T any](t testing.TB, r *Receipt) T {
	t.Helper()
	v, ok := r.Value(t).(T)
	if !ok {
		t.Fatalf("the result is a %T, not a %v", r.Results[0], reflect.TypeFor[T]())
	}
	return v
}

// Fails fails the test now unless the call failed with an error message containing text.
func (r *Receipt) Fails(t testing.TB, text string) *Receipt {
	t.Helper()
	switch {
	case r.Err == nil:
		t.Fatalf("the call succeeded (results %v), expected a failure containing %q", r.Results, text)
	case !strings.Contains(r.Err.Error(), text):
		t.Fatalf("the call failed with %q, expected a failure containing %q", r.Err, text)
	}
	return r
}

// Event is an event a contract emitted with ctx.Log.
type Event struct {
	// Contract is the emitting contract.
	Contract vm.Address
	Name     string
	Fields   []Field
}

// Field is one key and value of an event. Values come back in the type their tag names:
// uint and int values as uint64 and int64.
type Field struct {
	Key   string
	Value any
}

// Value returns the value of the first field named key, or nil.
func (e Event) Value(key string) any {
	for _, f := range e.Fields {
		if f.Key == key {
			return f.Value
		}
	}
	return nil
}

// Call calls a contract's entry point as sender in the current block, with Go values for its
// parameters (a Go int converts to the parameter's integer type when it fits, so untyped
// constants work). The arguments are encoded and decoded back as on chain, and the call
// commits when it succeeds.
func (c *Chain) Call(sender, contract vm.Address, function string, args ...any) *Receipt {
	return c.execute(sender, 0, contract, function, args, true)
}

// CallWithValue is Call carrying native value: it moves from sender to the contract before
// the entry point runs (ctx.Value() reports it) and back when the call fails.
func (c *Chain) CallWithValue(sender vm.Address, value uint64, contract vm.Address, function string, args ...any) *Receipt {
	return c.execute(sender, value, contract, function, args, true)
}

// Query is Call that never commits: the call's writes are dropped even when it succeeds.
func (c *Chain) Query(sender, contract vm.Address, function string, args ...any) *Receipt {
	return c.execute(sender, 0, contract, function, args, false)
}

func (c *Chain) execute(sender vm.Address, value uint64, contract vm.Address, function string, args []any, commit bool) *Receipt {
	tx := c.store.begin()
	code := c.codes[contract]
	if code == nil || !tx.hasContract(contract) {
		return &Receipt{Err: &Failure{Kind: UnknownContract, Message: contract.String()}}
	}
	e := code.entries[function]
	if e == nil {
		return &Receipt{Err: &Failure{Kind: UnknownFunction, Message: function}}
	}
	values, err := convertArgs(e, args)
	if err != nil {
		return &Receipt{Err: err}
	}
	return c.executeValues(tx, sender, value, contract, e, values, commit)
}

// calling is held for each outermost call: see executeValues.
var calling sync.Mutex

// executeValues runs a call with arguments of the function's parameter types.
func (c *Chain) executeValues(tx *txn, sender vm.Address, value uint64, contract vm.Address, e *entry, args []reflect.Value, commit bool) *Receipt {
	var enc vm.Encoder
	for _, a := range args {
		encode(&enc, a)
	}
	// The value moves first; a failed call's transaction, this move included, is dropped.
	if value > 0 {
		if balance := tx.balance(sender); balance < value {
			message := fmt.Sprintf("the sender's balance of %d cannot pay the %d the call carries", balance, value)
			return &Receipt{Err: &Failure{Kind: InsufficientValue, Message: message}}
		}
		if err := tx.transfer(sender, contract, value); err != nil {
			return &Receipt{Err: fmt.Errorf("vmtest: moving the call's value: %w", err)}
		}
	}
	f := &frame{chain: c, tx: tx, contract: contract, sender: sender, height: c.height, time: c.time, value: value}
	// Package core finds the running call's Context in one process-wide variable: calls of
	// Chains in parallel tests take turns (each is microseconds).
	out, failure := func() ([]byte, *Failure) {
		calling.Lock()
		defer calling.Unlock()
		return c.run(f, e.name, enc.Bytes())
	}()
	if failure != nil {
		return &Receipt{Err: failure}
	}
	d := vm.NewDecoder(out)
	results := make([]any, len(e.results))
	for i, t := range e.results {
		results[i] = decode(d, t).Interface()
	}
	if err := d.Finish(); err != nil {
		return &Receipt{Err: fmt.Errorf("vmtest: the results of %s do not decode: %w", e.name, err)}
	}
	events := c.decodeEvents(tx.events)
	if commit {
		c.store.commit(tx)
	}
	return &Receipt{Results: results, Events: events}
}

// convertArgs checks Go arguments against a function's parameters.
func convertArgs(e *entry, args []any) ([]reflect.Value, error) {
	if len(args) != len(e.params) {
		return nil, fmt.Errorf("vmtest: %s takes %d arguments, got %d", e.name, len(e.params), len(args))
	}
	out := make([]reflect.Value, len(args))
	for i, a := range args {
		v, err := convertArg(a, e.params[i])
		if err != nil {
			return nil, fmt.Errorf("vmtest: %s argument %d: %w", e.name, i+1, err)
		}
		out[i] = v
	}
	return out, nil
}

var intType = reflect.TypeOf(0)

func convertArg(a any, want reflect.Type) (reflect.Value, error) {
	if a == nil {
		if want.Kind() == reflect.Slice || want.Kind() == reflect.Map {
			return reflect.Zero(want), nil
		}
		return reflect.Value{}, fmt.Errorf("expected %s, got nil", typeName(want))
	}
	v := reflect.ValueOf(a)
	if v.Type() == want {
		return v, nil
	}
	if _, basic := basicNames[want]; v.Type() == intType && basic {
		n := v.Int()
		c := reflect.New(want).Elem()
		switch want.Kind() {
		case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
			if n < 0 || c.OverflowUint(uint64(n)) {
				return reflect.Value{}, fmt.Errorf("%d does not fit %s", n, typeName(want))
			}
			c.SetUint(uint64(n))
			return c, nil
		case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if c.OverflowInt(n) {
				return reflect.Value{}, fmt.Errorf("%d does not fit %s", n, typeName(want))
			}
			c.SetInt(n)
			return c, nil
		}
	}
	return reflect.Value{}, fmt.Errorf("expected %s, got %T", typeName(want), a)
}

func (c *Chain) decodeEvents(raw []rawEvent) []Event {
	out := make([]Event, 0, len(raw))
	for _, r := range raw {
		name, fields, err := c.codes[r.contract].types.decodeEvent(r.data)
		if err != nil {
			// Checked when emitted: a failure here is a bug in vmtest.
			panic("vmtest: a stored event does not decode: " + err.Error())
		}
		e := Event{Contract: r.contract, Name: name, Fields: make([]Field, len(fields))}
		for i, f := range fields {
			e.Fields[i] = Field{Key: f.key, Value: f.value.Interface()}
		}
		out = append(out, e)
	}
	return out
}

// Events returns every committed event, oldest first.
func (c *Chain) Events() []Event { return c.decodeEvents(c.store.events) }

// Mint creates native balance for an address (the engine's development faucet).
func (c *Chain) Mint(to vm.Address, amount uint64) error {
	tx := c.store.begin()
	if err := tx.mint(to, amount); err != nil {
		return err
	}
	c.store.commit(tx)
	return nil
}

// Balance is an address's native balance.
func (c *Chain) Balance(addr vm.Address) uint64 { return c.store.begin().balance(addr) }

// Object is a stored object.
type Object struct {
	ID       vm.ObjectID
	Owner    vm.Address
	Contract vm.Address
	// Fields holds each field's value in the type its tag names (uint and int values as
	// uint64 and int64, structs as the contract's struct types).
	Fields map[string]any
}

// Object returns a stored object.
func (c *Chain) Object(id vm.ObjectID) (Object, bool) {
	tx := c.store.begin()
	m, ok := tx.object(id)
	if !ok {
		return Object{}, false
	}
	obj := Object{ID: id, Owner: m.owner, Contract: m.contract, Fields: map[string]any{}}
	for _, name := range tx.fields(id) {
		v, _ := tx.field(id, name)
		value, err := c.codes[m.contract].types.decodeTagged(v)
		if err != nil {
			panic("vmtest: a stored field does not decode: " + err.Error())
		}
		obj.Fields[name] = value.Interface()
	}
	return obj, true
}

// Objects returns a contract's objects, oldest first: its default object, then those it
// created.
func (c *Chain) Objects(contract vm.Address) []Object {
	var out []Object
	for _, id := range c.store.begin().objectsOf(contract) {
		if obj, ok := c.Object(id); ok {
			out = append(out, obj)
		}
	}
	return out
}

// Get reads a field of an object into out, a pointer, exactly as the object's contract would
// with Object.Get.
func (c *Chain) Get(id vm.ObjectID, field string, out any) error {
	tx := c.store.begin()
	m, ok := tx.object(id)
	if !ok {
		return vm.ErrNotFound
	}
	f := &frame{chain: c, tx: tx, code: c.codes[m.contract], contract: m.contract, height: c.height, time: c.time}
	obj, err := vm.NativeContext(f).GetObject(id)
	if err != nil {
		return err
	}
	return obj.Get(field, out)
}

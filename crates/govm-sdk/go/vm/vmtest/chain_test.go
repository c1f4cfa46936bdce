//go:build !wasip1

package vmtest_test

// The native host's semantics, with small contracts declared here: each test pins one rule
// of crates/govm-runtime/src/host.rs and crates/govm-state.

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/govm-net/vm"
	"github.com/govm-net/vm/vmtest"
)

// ---- the "box" contract: objects, fields, events and failures ----

// Item is a struct the box contract stores, logs, takes and returns.
type Item struct {
	Name   string
	Counts map[string]uint32
	Owners []vm.Address
	secret uint8
}

func Put(ctx vm.Context, field string, n uint64) error {
	obj, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return err
	}
	if err := obj.Set(field, n); err != nil {
		return err
	}
	ctx.Log("Put", "field", field, "n", n)
	return nil
}

func Read(ctx vm.Context, id vm.ObjectID, field string) (uint64, error) {
	obj, err := ctx.GetObject(id)
	if err != nil {
		return 0, err
	}
	var n uint64
	err = obj.Get(field, &n)
	return n, err
}

func ReadString(ctx vm.Context, field string) (string, error) {
	obj, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return "", err
	}
	var s string
	err = obj.Get(field, &s)
	return s, err
}

func PutThenFail(ctx vm.Context, panics bool) error {
	if err := Put(ctx, "doomed", 1); err != nil {
		return err
	}
	if _, err := ctx.CreateObject(); err != nil {
		return err
	}
	if panics {
		panic("boom")
	}
	return vm.ErrNotFound
}

func Create(ctx vm.Context, owner vm.Address) (vm.ObjectID, error) {
	obj, err := ctx.CreateObject()
	if err != nil {
		return vm.ObjectID{}, err
	}
	return obj.ID(), obj.SetOwner(owner)
}

func Poke(ctx vm.Context, id vm.ObjectID) error {
	obj, err := ctx.GetObject(id)
	if err != nil {
		return err
	}
	return obj.Set("poked", true)
}

func Remove(ctx vm.Context, id vm.ObjectID) error { return ctx.DeleteObject(id) }

func FirstOwnedBy(ctx vm.Context, owner vm.Address) (vm.ObjectID, error) {
	obj, err := ctx.GetObjectWithOwner(owner)
	if err != nil {
		return vm.ObjectID{}, err
	}
	return obj.ID(), nil
}

func Keep(ctx vm.Context, item Item) (Item, error) {
	obj, err := ctx.CreateObject()
	if err != nil {
		return Item{}, err
	}
	if err := obj.Set("item", item); err != nil {
		return Item{}, err
	}
	if err := obj.Set("ptr", &item); err != nil {
		return Item{}, err
	}
	var back Item
	if err := obj.Get("item", &back); err != nil {
		return Item{}, err
	}
	ctx.Log("Kept", "item", back, "names", []string{back.Name})
	return back, nil
}

func BadField(ctx vm.Context, field string) error {
	obj, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return err
	}
	return obj.Set(field, struct{ X int }{1})
}

func Where(ctx vm.Context) (uint64, int64, vm.Address, vm.Address) {
	return ctx.BlockHeight(), ctx.BlockTime(), ctx.Sender(), ctx.ContractAddress()
}

func Pay(ctx vm.Context, to vm.Address, amount uint64) error { return ctx.Transfer(to, amount) }

var kept vm.Context

func KeepContext(ctx vm.Context) { kept = ctx }

func UseKeptContext() vm.Address { return kept.Sender() }

var box = vmtest.Contract{Functions: map[string]any{
	"Put": Put, "Read": Read, "ReadString": ReadString, "PutThenFail": PutThenFail,
	"Create": Create, "Poke": Poke, "Remove": Remove, "FirstOwnedBy": FirstOwnedBy,
	"Keep": Keep, "BadField": BadField, "Where": Where, "Pay": Pay,
	"KeepContext": KeepContext, "UseKeptContext": UseKeptContext,
}}

// ---- the "relay" contract: cross-contract calls ----

func Forward(ctx vm.Context, to vm.Address, function string, n uint64) (string, error) {
	out, err := ctx.Call(to, function, n)
	var callErr *vm.CallError
	if errors.As(err, &callErr) {
		obj, err := ctx.GetObject(vm.ObjectID{})
		if err != nil {
			return "", err
		}
		if err := obj.Set("handled", callErr.Message); err != nil {
			return "", err
		}
		return "failed: " + callErr.Message, nil
	}
	if err != nil {
		return "", err
	}
	d := vm.NewDecoder(out)
	n = d.Uint64()
	return "ok", d.Finish()
}

func Echo(ctx vm.Context, n uint64) (uint64, error) {
	ctx.Log("Echo", "sender", ctx.Sender(), "n", n)
	return n, nil
}

func Fail(ctx vm.Context, n uint64) (uint64, error) {
	if err := Put(ctx, "before-failing", n); err != nil {
		return 0, err
	}
	return 0, errors.New("refused")
}

// Hop calls Hop on the next contract in path, which ends with the contract to stop at.
func Hop(ctx vm.Context, path []vm.Address) (uint64, error) {
	if len(path) == 0 {
		return 0, nil
	}
	out, err := ctx.Call(path[0], "Hop", path[1:])
	if err != nil {
		return 0, err
	}
	d := vm.NewDecoder(out)
	return d.Uint64() + 1, d.Finish()
}

func AskSender(ctx vm.Context, to vm.Address) (vm.Address, error) {
	out, err := ctx.Call(to, "Sender")
	if err != nil {
		return vm.Address{}, err
	}
	d := vm.NewDecoder(out)
	return d.Address(), d.Finish()
}

func Sender(ctx vm.Context) vm.Address { return ctx.Sender() }

var relay = vmtest.Contract{Functions: map[string]any{
	"Forward": Forward, "Echo": Echo, "Fail": Fail, "Hop": Hop, "AskSender": AskSender,
	"Sender": Sender,
}}

var (
	alice = vmtest.Account("alice")
	bob   = vmtest.Account("bob")
)

func TestAddressesAndObjectIDsAreDerivedAsOnChain(t *testing.T) {
	dir := t.TempDir()
	source := filepath.Join(dir, "relay.go")
	text := "package relay\n\nfunc Forward() {}\nfunc Echo() {}\nfunc Fail() {}\nfunc Hop() {}\nfunc AskSender() {}\nfunc Sender() {}\nfunc helper() {}\n"
	if err := os.WriteFile(source, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	chain := vmtest.New()
	withSource := relay
	withSource.Source = source
	first := chain.MustDeploy(t, alice, withSource)
	second := chain.MustDeploy(t, alice, withSource)
	hash := vmtest.CodeHash([]byte(text))
	if first != vmtest.ContractAddress(alice, 0, hash) || second != vmtest.ContractAddress(alice, 1, hash) {
		t.Fatalf("addresses %s and %s are not derived from the deployer, its nonce and the code hash", first, second)
	}
	b := chain.MustDeploy(t, bob, box)
	objects := chain.Objects(b)
	if len(objects) != 1 || objects[0].ID != vmtest.DefaultObject(b) || objects[0].Owner != b || objects[0].Contract != b {
		t.Fatalf("the default object is missing or wrong: %+v", objects)
	}
	// Three default objects took sequence numbers 0 to 2.
	id := chain.Call(alice, b, "Create", alice).Value(t)
	if id != vmtest.ObjectID(b, 3) {
		t.Fatalf("object %v is not the fourth object ever created", id)
	}
}

func TestContractsAreCheckedAgainstTheirSource(t *testing.T) {
	dir := t.TempDir()
	source := filepath.Join(dir, "relay.go")
	if err := os.WriteFile(source, []byte("package relay\n\nfunc Forward() {}\nfunc Extra() {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := relay
	c.Source = source
	_, err := vmtest.New().Deploy(alice, c)
	if err == nil || !strings.Contains(err.Error(), "missing from Functions: Extra") || !strings.Contains(err.Error(), "not exported functions of the file: AskSender, Echo") {
		t.Fatalf("got %v", err)
	}
	bad := vmtest.Contract{Functions: map[string]any{"F": func(n uint64, ctx vm.Context) {}}}
	if _, err := vmtest.New().Deploy(alice, bad); err == nil || !strings.Contains(err.Error(), "vm.Context must be the first parameter") {
		t.Fatalf("got %v", err)
	}
	floats := vmtest.Contract{Functions: map[string]any{"F": func(x float64) {}}}
	if _, err := vmtest.New().Deploy(alice, floats); err == nil || !strings.Contains(err.Error(), "float64 cannot cross the boundary") {
		t.Fatalf("got %v", err)
	}
}

func TestTheDefaultObjectAndOwnerLookups(t *testing.T) {
	chain := vmtest.New()
	b := chain.MustDeploy(t, alice, box)
	chain.Call(alice, b, "Put", "n", 7).OK(t)
	if n := chain.Call(bob, b, "Read", vm.ObjectID{}, "n").Value(t); n != uint64(7) {
		t.Fatalf("n = %v", n)
	}
	var n uint64
	if err := chain.Get(vmtest.DefaultObject(b), "n", &n); err != nil || n != 7 {
		t.Fatalf("Get: %v, %d", err, n)
	}
	// The default object is owned by the contract, not by its deployer.
	chain.Call(alice, b, "FirstOwnedBy", alice).Fails(t, "not found")
	if id := chain.Call(alice, b, "FirstOwnedBy", b).Value(t); id != vmtest.DefaultObject(b) {
		t.Fatalf("the contract's own object is %v", id)
	}
	first := vmtest.Result[vm.ObjectID](t, chain.Call(alice, b, "Create", bob))
	chain.Call(alice, b, "Create", bob).OK(t)
	if id := chain.Call(alice, b, "FirstOwnedBy", bob).Value(t); id != first {
		t.Fatalf("the earliest object owned by bob is %v, not %v", id, first)
	}
	chain.Call(alice, b, "Remove", vm.ObjectID{}).Fails(t, "invalid input")
	chain.Call(alice, b, "Remove", first).OK(t)
	chain.Call(alice, b, "Read", first, "n").Fails(t, "not found")
	if _, ok := chain.Object(first); ok {
		t.Fatal("the deleted object is still there")
	}
}

func TestOnlyTheCreatingContractMayChangeAnObject(t *testing.T) {
	chain := vmtest.New()
	mine := chain.MustDeploy(t, alice, box)
	other := chain.MustDeploy(t, alice, box)
	id := vmtest.Result[vm.ObjectID](t, chain.Call(alice, mine, "Create", alice))
	r := chain.Call(alice, other, "Poke", id)
	if !errors.Is(r.Err, vm.ErrPermissionDenied) || r.Err.Error() != vm.ErrPermissionDenied.Error() {
		t.Fatalf("got %v", r.Err)
	}
	chain.Call(alice, other, "Remove", id).Fails(t, "permission denied")
	chain.Call(alice, other, "Remove", vmtest.DefaultObject(mine)).Fails(t, "permission denied")
	// Reading another contract's object is allowed.
	r = chain.Call(alice, other, "Read", vmtest.DefaultObject(mine), "n")
	r.Fails(t, `field "n": not found`)
	// A missing field's error names it and wraps ErrNotFound.
	if !errors.Is(r.Err, vm.ErrNotFound) {
		t.Fatalf("errors.Is(%v, vm.ErrNotFound) is false", r.Err)
	}
	chain.Call(alice, mine, "Poke", id).OK(t)
	if obj, _ := chain.Object(id); obj.Fields["poked"] != true || obj.Owner != alice || obj.Contract != mine {
		t.Fatalf("object %+v", obj)
	}
}

func TestAFailedCallLeavesNoTrace(t *testing.T) {
	for _, panics := range []bool{false, true} {
		chain := vmtest.New()
		b := chain.MustDeploy(t, alice, box)
		before := chain.Objects(b)
		r := chain.Call(alice, b, "PutThenFail", panics)
		var failure *vmtest.Failure
		if !errors.As(r.Err, &failure) || len(r.Events) != 0 {
			t.Fatalf("panics=%v: %v, %v", panics, r.Err, r.Events)
		}
		if panics {
			if failure.Kind != vmtest.Panic || r.Err.Error() != "contract panicked: boom" || failure.Value != "boom" {
				t.Fatalf("got %#v", failure)
			}
		} else if failure.Kind != vmtest.ContractError || !errors.Is(r.Err, vm.ErrNotFound) || r.Err.Error() != "not found" {
			t.Fatalf("got %#v", failure)
		}
		if !reflect.DeepEqual(chain.Objects(b), before) || len(chain.Events()) != 0 {
			t.Fatalf("panics=%v: the failed call left %v and %v", panics, chain.Objects(b), chain.Events())
		}
		// Its object's sequence number was not used either.
		if id := chain.Call(alice, b, "Create", alice).Value(t); id != vmtest.ObjectID(b, 1) {
			t.Fatalf("panics=%v: the next object is %v", panics, id)
		}
	}
}

func TestQueryDropsItsWrites(t *testing.T) {
	chain := vmtest.New()
	b := chain.MustDeploy(t, alice, box)
	r := chain.Query(alice, b, "Put", "n", 1).OK(t)
	if len(r.Events) != 1 || len(chain.Events()) != 0 {
		t.Fatalf("events %v, committed %v", r.Events, chain.Events())
	}
	chain.Call(alice, b, "Read", vm.ObjectID{}, "n").Fails(t, "not found")
}

func TestFieldsAndEventsKeepTheirTypes(t *testing.T) {
	chain := vmtest.New()
	b := chain.MustDeploy(t, alice, box)
	item := Item{Name: "x", Counts: map[string]uint32{"b": 2, "a": 1}, Owners: []vm.Address{alice}, secret: 9}
	r := chain.Call(alice, b, "Keep", item).OK(t)
	if !reflect.DeepEqual(r.Results[0], item) {
		t.Fatalf("got %+v", r.Results[0])
	}
	if len(r.Events) != 1 || !reflect.DeepEqual(r.Events[0].Value("item"), item) || !reflect.DeepEqual(r.Events[0].Value("names"), []string{"x"}) || r.Events[0].Contract != b {
		t.Fatalf("events %+v", r.Events)
	}
	objects := chain.Objects(b)
	if got := objects[len(objects)-1].Fields; !reflect.DeepEqual(got["item"], item) || !reflect.DeepEqual(got["ptr"], item) {
		t.Fatalf("fields %+v", got)
	}
	chain.Call(alice, b, "Put", "n", 1).OK(t)
	chain.Call(alice, b, "ReadString", "n").Fails(t, `field "n" holds uint64, not string`)
	chain.Call(alice, b, "Put", "", 1).Fails(t, "invalid input")
	chain.Call(alice, b, "Put", strings.Repeat("x", 129), 1).Fails(t, "state limit exceeded")
	chain.Call(alice, b, "BadField", "f").Fails(t, `field "f": unsupported value type`)
	var s string
	if err := chain.Get(vmtest.DefaultObject(b), "n", &s); err == nil || err.Error() != `field "n" holds uint64, not string` {
		t.Fatalf("Get: %v", err)
	}
}

func TestTheBlockAndTheSender(t *testing.T) {
	chain := vmtest.New()
	b := chain.MustDeploy(t, alice, box)
	if got := chain.Call(bob, b, "Where").OK(t).Results; !reflect.DeepEqual(got, []any{uint64(1), int64(1_700_000_000), bob, b}) {
		t.Fatalf("got %v", got)
	}
	chain.Advance(2, 30)
	if h, tm := chain.Block(); h != 3 || tm != 1_700_000_030 {
		t.Fatalf("block %d %d", h, tm)
	}
	if got := chain.Call(bob, b, "Where").OK(t).Results[:2]; !reflect.DeepEqual(got, []any{uint64(3), int64(1_700_000_030)}) {
		t.Fatalf("got %v", got)
	}
}

func TestNativeBalances(t *testing.T) {
	chain := vmtest.New()
	b := chain.MustDeploy(t, alice, box)
	if err := chain.Mint(b, 100); err != nil {
		t.Fatal(err)
	}
	chain.Call(alice, b, "Pay", bob, 30).OK(t)
	chain.Call(alice, b, "Pay", bob, 71).Fails(t, "insufficient balance")
	if chain.Balance(b) != 70 || chain.Balance(bob) != 30 {
		t.Fatalf("balances %d %d", chain.Balance(b), chain.Balance(bob))
	}
	if err := chain.Mint(bob, ^uint64(0)); !errors.Is(err, vm.ErrLimitExceeded) {
		t.Fatalf("minting past the maximum: %v", err)
	}
}

func TestArgumentsMustFitTheParameters(t *testing.T) {
	chain := vmtest.New()
	b := chain.MustDeploy(t, alice, box)
	chain.Call(alice, b, "Put", "n", -1).Fails(t, "vmtest: Put argument 2: -1 does not fit uint64")
	chain.Call(alice, b, "Put", "n", "1").Fails(t, "vmtest: Put argument 2: expected uint64, got string")
	chain.Call(alice, b, "Put", "n").Fails(t, "vmtest: Put takes 2 arguments, got 1")
	chain.Call(alice, b, "Nope").Fails(t, "unknown function `Nope`")
	chain.Call(alice, bob, "Put").Fails(t, "unknown contract "+bob.String())
}

func TestAContextDiesWithItsCall(t *testing.T) {
	chain := vmtest.New()
	b := chain.MustDeploy(t, alice, box)
	chain.Call(alice, b, "KeepContext").OK(t)
	chain.Call(alice, b, "UseKeptContext").Fails(t, "contract panicked: vmtest: a vm.Context was used after its call returned")
}

func TestCrossContractCalls(t *testing.T) {
	chain := vmtest.New()
	r1 := chain.MustDeploy(t, alice, relay)
	r2 := chain.MustDeploy(t, alice, relay)

	// The callee sees the calling contract as its sender, and its events are the caller's.
	r := chain.Call(alice, r1, "Forward", r2, "Echo", 5).OK(t)
	if len(r.Events) != 1 || r.Events[0].Contract != r2 || r.Events[0].Value("sender") != r1 {
		t.Fatalf("events %+v", r.Events)
	}
	if got := chain.Call(alice, r1, "AskSender", r2).Value(t); got != r1 {
		t.Fatalf("the callee saw %v", got)
	}

	// A failed callee is rolled back; the caller goes on and its own writes stay.
	got := chain.Call(alice, r1, "Forward", r2, "Fail", 5).Value(t)
	if got != "failed: refused" {
		t.Fatalf("got %v", got)
	}
	if obj, _ := chain.Object(vmtest.DefaultObject(r2)); len(obj.Fields) != 0 {
		t.Fatalf("the failed callee's write survived: %v", obj.Fields)
	}
	if obj, _ := chain.Object(vmtest.DefaultObject(r1)); obj.Fields["handled"] != "refused" {
		t.Fatalf("the caller's write is missing: %v", obj.Fields)
	}

	// Arguments are decoded by the callee: a mismatch is its bad-arguments failure.
	b := chain.MustDeploy(t, alice, box)
	if got := chain.Call(alice, r1, "Forward", b, "Read", 1).Value(t); got != "failed: bad arguments: unexpected end of input reading vm.ObjectID" {
		t.Fatalf("got %v", got)
	}
	if got := chain.Call(alice, r1, "Forward", b, "Missing", 1).Value(t); got != "failed: unknown function `Missing`" {
		t.Fatalf("got %v", got)
	}
	if got := chain.Call(alice, r1, "Forward", bob, "Echo", 1).Value(t); got != "failed: unknown contract "+bob.String() {
		t.Fatalf("got %v", got)
	}

	// Re-entering a running contract is refused, and the refusal travels up as errors.
	r = chain.Call(alice, r1, "Hop", []vm.Address{r2, r1})
	want := "call Hop on " + r2.String() + ": call Hop on " + r1.String() + ": re-entering contract " + r1.String() + " is not allowed"
	if r.Err == nil || r.Err.Error() != want {
		t.Fatalf("got %v, want %s", r.Err, want)
	}
	if got := chain.Call(alice, r1, "Hop", []vm.Address{r2}).Value(t); got != uint64(1) {
		t.Fatalf("got %v", got)
	}
}

func TestCallsNestAtMostEightDeep(t *testing.T) {
	chain := vmtest.New()
	var path []vm.Address
	for i := 0; i < 10; i++ {
		path = append(path, chain.MustDeploy(t, alice, relay))
	}
	// The outermost call is depth 0: eight nested calls are fine, a ninth is refused.
	if got := chain.Call(alice, path[0], "Hop", path[1:9]).Value(t); got != uint64(8) {
		t.Fatalf("got %v", got)
	}
	r := chain.Call(alice, path[0], "Hop", path[1:10])
	if r.Err == nil || !strings.HasSuffix(r.Err.Error(), ": call depth limit of 8 exceeded") {
		t.Fatalf("got %v", r.Err)
	}
}

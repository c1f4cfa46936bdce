package counter

import (
	"testing"

	"github.com/govm-net/vm/vmtest"
)

var counterContract = vmtest.Contract{
	Source:    "counter.go",
	Functions: map[string]any{"Add": Add},
}

var (
	alice = vmtest.Account("alice")
	bob   = vmtest.Account("bob")
)

func TestAddKeepsATotalInTheDefaultObject(t *testing.T) {
	chain := vmtest.New()
	counter := chain.MustDeploy(t, alice, counterContract)
	for i, want := range []uint64{3, 3, 10} {
		n := []uint64{3, 0, 7}[i]
		r := chain.Call(bob, counter, "Add", n)
		if got := r.Value(t); got != want {
			t.Fatalf("Add(%d) = %v, want %d", n, got, want)
		}
		if len(r.Events) != 1 || r.Events[0].Name != "Added" || r.Events[0].Value("n") != n || r.Events[0].Value("total") != want {
			t.Fatalf("events %+v", r.Events)
		}
	}
	var total uint64
	if err := chain.Get(vmtest.DefaultObject(counter), "total", &total); err != nil || total != 10 {
		t.Fatalf("total %d, %v", total, err)
	}
	if objects := chain.Objects(counter); len(objects) != 1 {
		t.Fatalf("Add created objects: %+v", objects)
	}
}

func TestEachDeploymentCountsAlone(t *testing.T) {
	chain := vmtest.New()
	first := chain.MustDeploy(t, alice, counterContract)
	second := chain.MustDeploy(t, alice, counterContract)
	if first == second {
		t.Fatal("two deployments share an address")
	}
	chain.Call(alice, first, "Add", 5).OK(t)
	if got := chain.Call(alice, second, "Add", 1).Value(t); got != uint64(1) {
		t.Fatalf("the second counter starts at %v", got)
	}
}

func TestAQueryDoesNotCount(t *testing.T) {
	chain := vmtest.New()
	counter := chain.MustDeploy(t, alice, counterContract)
	chain.Call(alice, counter, "Add", 1).OK(t)
	if got := chain.Query(alice, counter, "Add", 1).Value(t); got != uint64(2) {
		t.Fatalf("query result %v", got)
	}
	if got := chain.Call(alice, counter, "Add", 1).Value(t); got != uint64(2) {
		t.Fatalf("the query's write survived: %v", got)
	}
}

func TestTheTotalWrapsAround(t *testing.T) {
	chain := vmtest.New()
	counter := chain.MustDeploy(t, alice, counterContract)
	chain.Call(alice, counter, "Add", ^uint64(0)).OK(t)
	// Go's uint64 arithmetic wraps: the contract does not check, and neither does the host.
	if got := chain.Call(alice, counter, "Add", 2).Value(t); got != uint64(1) {
		t.Fatalf("got %v", got)
	}
	if obj, _ := chain.Object(vmtest.DefaultObject(counter)); obj.Owner != counter || obj.Fields["total"] != uint64(1) {
		t.Fatalf("default object %+v", obj)
	}
}

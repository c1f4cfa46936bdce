//go:build !wasip1

package vmtest_test

import (
	"errors"
	"fmt"

	"github.com/govm-net/vm"
	"github.com/govm-net/vm/vmtest"
)

// A contract's entry points, as they would be in its own file (counter.go).

func Increment(ctx vm.Context, by uint64) (uint64, error) {
	if by == 0 {
		return 0, errors.New("nothing to add")
	}
	obj, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return 0, err
	}
	var total uint64
	_ = obj.Get("total", &total)
	total += by
	if err := obj.Set("total", total); err != nil {
		return 0, err
	}
	ctx.Log("Incremented", "by", by, "total", total, "who", ctx.Sender())
	return total, nil
}

// The test declares the contract once. In the contract's own folder it also sets
// Source: "counter.go", for the engine's addresses and a check that Functions lists every
// exported function of the file.
var counterContract = vmtest.Contract{
	Functions: map[string]any{"Increment": Increment},
}

func Example() {
	chain := vmtest.New()
	alice := vmtest.Account("alice")
	counter, err := chain.Deploy(alice, counterContract)
	if err != nil {
		panic(err)
	}

	r := chain.Call(alice, counter, "Increment", 2)
	fmt.Println(r.Results, r.Err)
	fmt.Println(r.Events[0].Name, r.Events[0].Value("total"), r.Events[0].Value("who") == alice)

	// A failed call changes nothing.
	r = chain.Call(alice, counter, "Increment", 0)
	fmt.Println(r.Err)

	chain.Advance(1, 10)
	r = chain.Call(alice, counter, "Increment", 3)
	fmt.Println(r.Results)

	var total uint64
	_ = chain.Get(vmtest.DefaultObject(counter), "total", &total)
	fmt.Println(total, len(chain.Events()))
	// Output:
	// [2] <nil>
	// Incremented 2 true
	// nothing to add
	// [5]
	// 5 2
}

package counter

import "github.com/govm-net/vm"

// Add adds n to the counter kept in the contract's default object and returns the total.
func Add(ctx vm.Context, n uint64) (uint64, error) {
	obj, err := ctx.GetObject(vm.ObjectID{}) // the zero ID is the contract's own object
	if err != nil {
		return 0, err
	}
	var total uint64
	_ = obj.Get("total", &total) // absent the first time
	total += n
	if err := obj.Set("total", total); err != nil {
		return 0, err
	}
	ctx.Log("Added", "n", n, "total", total)
	return total, nil
}

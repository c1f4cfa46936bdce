// Package caller calls other contracts and moves native balance.
package caller

import (
	"errors"

	"github.com/govm-net/vm"
)

// AddTwice calls counter.Add(n) twice and returns the final total.
func AddTwice(ctx vm.Context, counter vm.Address, n uint64) (uint64, error) {
	if _, err := ctx.Call(counter, "Add", n); err != nil {
		return 0, err
	}
	out, err := ctx.Call(counter, "Add", n)
	if err != nil {
		return 0, err
	}
	d := vm.NewDecoder(out)
	total := d.Uint64()
	return total, d.Finish()
}

// TryFail calls a function that fails and reports how: the callee's writes are gone, and the
// caller goes on.
func TryFail(ctx vm.Context, target vm.Address, function string) (string, error) {
	_, err := ctx.Call(target, function)
	var callErr *vm.CallError
	if !errors.As(err, &callErr) {
		return "", errors.New("expected a call error")
	}
	obj, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return "", err
	}
	if err := obj.Set("survived", true); err != nil {
		return "", err
	}
	ctx.Log("Handled", "message", callErr.Message)
	return callErr.Message, nil
}

// Bounce calls target.Bounce(next, me) so that a chain of callers can be built; with next
// being a contract already on the stack, the call is refused.
func Bounce(ctx vm.Context, next vm.Address, back vm.Address) (uint64, error) {
	if next.IsZero() {
		return 1, nil
	}
	out, err := ctx.Call(next, "Bounce", back, vm.Address{})
	if err != nil {
		return 0, err
	}
	d := vm.NewDecoder(out)
	return d.Uint64() + 1, d.Finish()
}

// Pay sends native balance from this contract to an address.
func Pay(ctx vm.Context, to vm.Address, amount uint64) (uint64, error) {
	if err := ctx.Transfer(to, amount); err != nil {
		return 0, err
	}
	return ctx.Balance(ctx.ContractAddress()), nil
}

// WhoCalls returns the sender it sees: for a nested call, the calling contract.
func WhoCalls(ctx vm.Context) vm.Address {
	return ctx.Sender()
}

// AskWho calls target.WhoCalls and returns what it saw.
func AskWho(ctx vm.Context, target vm.Address) (vm.Address, error) {
	out, err := ctx.Call(target, "WhoCalls")
	if err != nil {
		return vm.Address{}, err
	}
	d := vm.NewDecoder(out)
	return d.Address(), d.Finish()
}

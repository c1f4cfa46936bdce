// Package registry maps names to byte values: string keys and []byte values in the
// contract's default object.
package registry

import (
	"errors"
	"strings"

	"github.com/govm-net/vm"
)

// Register stores value under name; the first registrant owns the name.
func Register(ctx vm.Context, name string, value []byte) error {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 64 {
		return errors.New("names are 1 to 64 characters")
	}
	registry, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return err
	}
	var owner vm.Address
	if err := registry.Get("owner:"+name, &owner); err == nil && owner != ctx.Sender() {
		return errors.New("name " + name + " belongs to " + owner.String())
	}
	if err := registry.Set("owner:"+name, ctx.Sender()); err != nil {
		return err
	}
	if err := registry.Set("value:"+name, value); err != nil {
		return err
	}
	ctx.Log("Registered", "name", name, "owner", ctx.Sender())
	return nil
}

// Lookup returns the value and owner registered under name.
func Lookup(ctx vm.Context, name string) ([]byte, vm.Address, error) {
	registry, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return nil, vm.Address{}, err
	}
	var value []byte
	if err := registry.Get("value:"+name, &value); err != nil {
		return nil, vm.Address{}, errors.New("name " + name + " is not registered")
	}
	var owner vm.Address
	if err := registry.Get("owner:"+name, &owner); err != nil {
		return nil, vm.Address{}, err
	}
	return value, owner, nil
}

// Release removes a name its owner no longer wants.
func Release(ctx vm.Context, name string) error {
	registry, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return err
	}
	var owner vm.Address
	if err := registry.Get("owner:"+name, &owner); err != nil {
		return errors.New("name " + name + " is not registered")
	}
	if owner != ctx.Sender() {
		return errors.New("only the owner may release " + name)
	}
	if err := registry.Delete("owner:" + name); err != nil {
		return err
	}
	return registry.Delete("value:" + name)
}

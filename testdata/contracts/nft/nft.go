// Package nft issues unique tokens: one object per token, owned by its holder.
package nft

import (
	"errors"

	"github.com/govm-net/vm"
)

// Token describes one token.
type Token struct {
	Name     string
	URI      string
	Serial   uint64
	Metadata map[string]string
}

// Mint creates a token owned by the caller; only the deployer's contract admin may mint.
func Mint(ctx vm.Context, name string, uri string, metadata map[string]string) (vm.ObjectID, error) {
	config, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return vm.ObjectID{}, err
	}
	var admin vm.Address
	if err := config.Get("admin", &admin); err != nil {
		// The first minter becomes the admin.
		admin = ctx.Sender()
		if err := config.Set("admin", admin); err != nil {
			return vm.ObjectID{}, err
		}
	}
	if admin != ctx.Sender() {
		return vm.ObjectID{}, errors.New("only the admin may mint")
	}
	var serial uint64
	_ = config.Get("next_serial", &serial)
	serial++
	if err := config.Set("next_serial", serial); err != nil {
		return vm.ObjectID{}, err
	}
	token, err := ctx.CreateObject()
	if err != nil {
		return vm.ObjectID{}, err
	}
	if err := token.Set("token", Token{Name: name, URI: uri, Serial: serial, Metadata: metadata}); err != nil {
		return vm.ObjectID{}, err
	}
	if err := token.SetOwner(ctx.Sender()); err != nil {
		return vm.ObjectID{}, err
	}
	ctx.Log("Minted", "token", token.ID(), "serial", serial, "owner", ctx.Sender())
	return token.ID(), nil
}

// TransferToken hands a token to a new holder; only the current holder may.
func TransferToken(ctx vm.Context, id vm.ObjectID, to vm.Address) error {
	token, err := ctx.GetObject(id)
	if err != nil {
		return err
	}
	if token.Contract() != ctx.ContractAddress() {
		return errors.New("not a token of this contract")
	}
	if token.Owner() != ctx.Sender() {
		return errors.New("only the holder may transfer a token")
	}
	if err := token.SetOwner(to); err != nil {
		return err
	}
	ctx.Log("Transferred", "token", id, "from", ctx.Sender(), "to", to)
	return nil
}

// Burn destroys a token; only its holder may.
func Burn(ctx vm.Context, id vm.ObjectID) error {
	token, err := ctx.GetObject(id)
	if err != nil {
		return err
	}
	if token.Owner() != ctx.Sender() {
		return errors.New("only the holder may burn a token")
	}
	if err := ctx.DeleteObject(id); err != nil {
		return err
	}
	ctx.Log("Burned", "token", id)
	return nil
}

// Describe returns a token and its holder.
func Describe(ctx vm.Context, id vm.ObjectID) (Token, vm.Address, error) {
	token, err := ctx.GetObject(id)
	if err != nil {
		return Token{}, vm.Address{}, err
	}
	var t Token
	if err := token.Get("token", &t); err != nil {
		return Token{}, vm.Address{}, err
	}
	return t, token.Owner(), nil
}

// FirstOf returns the earliest token a holder still has.
func FirstOf(ctx vm.Context, holder vm.Address) (vm.ObjectID, error) {
	token, err := ctx.GetObjectWithOwner(holder)
	if err != nil {
		return vm.ObjectID{}, err
	}
	return token.ID(), nil
}

// Package escrow holds native balance for a buyer until the buyer releases it to the seller,
// or an arbiter refunds it.
package escrow

import (
	"errors"
	"strconv"

	"github.com/govm-net/vm"
)

// Deal is one escrowed payment.
type Deal struct {
	Buyer   vm.Address
	Seller  vm.Address
	Arbiter vm.Address
	Amount  uint64
	State   uint8
}

const (
	open uint8 = iota
	released
	refunded
)

// Open records a deal. The buyer must have paid Amount to this contract beforehand; the
// contract checks that its unallocated balance covers it.
func Open(ctx vm.Context, seller vm.Address, arbiter vm.Address, amount uint64) (vm.ObjectID, error) {
	if amount == 0 {
		return vm.ObjectID{}, errors.New("nothing to escrow")
	}
	book, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return vm.ObjectID{}, err
	}
	var locked uint64
	_ = book.Get("locked", &locked)
	available := ctx.Balance(ctx.ContractAddress()) - locked
	if available < amount {
		return vm.ObjectID{}, errors.New("escrow holds " + strconv.FormatUint(available, 10) + " unallocated, need " + strconv.FormatUint(amount, 10))
	}
	if err := book.Set("locked", locked+amount); err != nil {
		return vm.ObjectID{}, err
	}
	obj, err := ctx.CreateObject()
	if err != nil {
		return vm.ObjectID{}, err
	}
	deal := Deal{Buyer: ctx.Sender(), Seller: seller, Arbiter: arbiter, Amount: amount, State: open}
	if err := obj.Set("deal", deal); err != nil {
		return vm.ObjectID{}, err
	}
	ctx.Log("Opened", "deal", obj.ID(), "amount", amount)
	return obj.ID(), nil
}

// Fund opens a deal paid with the value the call carries: the host moved it to this
// contract before Fund ran, and moves it back when Fund fails.
func Fund(ctx vm.Context, seller vm.Address, arbiter vm.Address) (vm.ObjectID, error) {
	if seller == ctx.Sender() {
		return vm.ObjectID{}, errors.New("a buyer cannot be its own seller")
	}
	return Open(ctx, seller, arbiter, ctx.Value())
}

// Release pays the seller; only the buyer may release.
func Release(ctx vm.Context, id vm.ObjectID) error {
	return settle(ctx, id, released)
}

// Refund pays the buyer back; only the arbiter may refund.
func Refund(ctx vm.Context, id vm.ObjectID) error {
	return settle(ctx, id, refunded)
}

func settle(ctx vm.Context, id vm.ObjectID, outcome uint8) error {
	obj, err := ctx.GetObject(id)
	if err != nil {
		return err
	}
	var deal Deal
	if err := obj.Get("deal", &deal); err != nil {
		return err
	}
	if deal.State != open {
		return errors.New("the deal is settled")
	}
	payee, who := deal.Seller, deal.Buyer
	if outcome == refunded {
		payee, who = deal.Buyer, deal.Arbiter
	}
	if ctx.Sender() != who {
		return errors.New("not allowed to settle this deal")
	}
	book, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return err
	}
	var locked uint64
	if err := book.Get("locked", &locked); err != nil {
		return err
	}
	deal.State = outcome
	if err := obj.Set("deal", deal); err != nil {
		return err
	}
	if err := book.Set("locked", locked-deal.Amount); err != nil {
		return err
	}
	if err := ctx.Transfer(payee, deal.Amount); err != nil {
		return err
	}
	ctx.Log("Settled", "deal", id, "to", payee, "amount", deal.Amount)
	return nil
}

// Status returns a deal.
func Status(ctx vm.Context, id vm.ObjectID) (Deal, error) {
	obj, err := ctx.GetObject(id)
	if err != nil {
		return Deal{}, err
	}
	var deal Deal
	err = obj.Get("deal", &deal)
	return deal, err
}

// Package coretoken is the upstream govm token example, written against package core: the
// name, symbol, decimals, total supply, owner and every balance are fields of the contract's
// default object, balances keyed by the holder's address.
package coretoken

import "github.com/govm-net/vm/core"

const (
	nameKey     = "name"
	symbolKey   = "symbol"
	decimalsKey = "decimals"
	supplyKey   = "total_supply"
	ownerKey    = "owner"
)

func balanceKey(addr core.Address) string { return "balance_" + addr.String() }

func state() core.Object {
	obj, err := core.GetObject(core.ZeroObjectID)
	core.Assert(err)
	return obj
}

// InitializeToken creates the token once: the sender owns it and holds the whole supply.
func InitializeToken(name string, symbol string, decimals uint8, totalSupply uint64) core.ObjectID {
	obj := state()
	var owner core.Address
	core.Assert(obj.Get(ownerKey, &owner) != nil, "token already initialized")
	core.Assert(name != "" && symbol != "", "name and symbol must not be empty")
	core.Assert(obj.Set(nameKey, name))
	core.Assert(obj.Set(symbolKey, symbol))
	core.Assert(obj.Set(decimalsKey, decimals))
	core.Assert(obj.Set(supplyKey, totalSupply))
	core.Assert(obj.Set(ownerKey, core.Sender()))
	core.Assert(obj.Set(balanceKey(core.Sender()), totalSupply))
	core.Log("Initialize", "name", name, "symbol", symbol, "decimals", decimals, "total_supply", totalSupply, "owner", core.Sender())
	return obj.ID()
}

// GetTokenInfo returns the name, symbol, decimals and total supply.
func GetTokenInfo() (string, string, uint8, uint64) {
	obj := state()
	var name, symbol string
	var decimals uint8
	var supply uint64
	core.Assert(obj.Get(nameKey, &name), "token not initialized")
	core.Assert(obj.Get(symbolKey, &symbol))
	core.Assert(obj.Get(decimalsKey, &decimals))
	core.Assert(obj.Get(supplyKey, &supply))
	return name, symbol, decimals, supply
}

// BalanceOf returns an address's balance (0 for one that never held the token).
func BalanceOf(owner core.Address) uint64 {
	var balance uint64
	_ = state().Get(balanceKey(owner), &balance)
	return balance
}

// Transfer moves amount from the sender to to.
func Transfer(to core.Address, amount uint64) bool {
	core.Assert(amount > 0, "amount must be positive")
	core.Assert(to != core.ZeroAddress, "cannot transfer to the zero address")
	obj := state()
	from := core.Sender()
	var fromBalance, toBalance uint64
	_ = obj.Get(balanceKey(from), &fromBalance)
	core.Assert(fromBalance >= amount, "insufficient balance")
	core.Assert(obj.Set(balanceKey(from), fromBalance-amount))
	_ = obj.Get(balanceKey(to), &toBalance)
	core.Assert(obj.Set(balanceKey(to), toBalance+amount))
	core.Log("Transfer", "from", from, "to", to, "amount", amount)
	return true
}

// Mint creates amount new tokens for to; only the owner may.
func Mint(to core.Address, amount uint64) bool {
	obj := state()
	var owner core.Address
	core.Assert(obj.Get(ownerKey, &owner), "token not initialized")
	core.Assert(core.Sender() == owner, "only the owner can mint")
	var supply, balance uint64
	core.Assert(obj.Get(supplyKey, &supply))
	core.Assert(supply+amount >= supply, "total supply overflows")
	_ = obj.Get(balanceKey(to), &balance)
	core.Assert(obj.Set(supplyKey, supply+amount))
	core.Assert(obj.Set(balanceKey(to), balance+amount))
	core.Log("Mint", "to", to, "amount", amount)
	return true
}

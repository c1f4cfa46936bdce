package coretoken

import (
	"testing"

	"github.com/govm-net/vm"
	"github.com/govm-net/vm/vmtest"
)

var tokenContract = vmtest.Contract{
	Source: "coretoken.go",
	Functions: map[string]any{
		"InitializeToken": InitializeToken, "GetTokenInfo": GetTokenInfo, "BalanceOf": BalanceOf,
		"Transfer": Transfer, "Mint": Mint,
	},
}

var (
	alice = vmtest.Account("alice")
	bob   = vmtest.Account("bob")
)

func TestTokenBalancesLiveInTheDefaultObject(t *testing.T) {
	chain := vmtest.New()
	token := chain.MustDeploy(t, alice, tokenContract)
	id := vmtest.Result[vm.ObjectID](t, chain.Call(alice, token, "InitializeToken", "Gold", "GLD", uint8(6), uint64(1000)))
	if id != vmtest.DefaultObject(token) {
		t.Fatalf("InitializeToken returned %s, not the default object", id)
	}
	chain.Call(bob, token, "InitializeToken", "X", "X", uint8(0), uint64(1)).Fails(t, "token already initialized")
	if !vmtest.Result[bool](t, chain.Call(alice, token, "Transfer", bob, uint64(300))) {
		t.Fatal("Transfer returned false")
	}
	chain.Call(bob, token, "Transfer", alice, uint64(301)).Fails(t, "insufficient balance")
	chain.Call(bob, token, "Mint", bob, uint64(1)).Fails(t, "only the owner can mint")
	var balance uint64
	if err := chain.Get(vmtest.DefaultObject(token), "balance_"+bob.String(), &balance); err != nil || balance != 300 {
		t.Fatalf("bob's balance field: %d, %v", balance, err)
	}
	if got := vmtest.Result[uint64](t, chain.Call(bob, token, "BalanceOf", alice)); got != 700 {
		t.Fatalf("BalanceOf(alice) = %d", got)
	}
	info := chain.Call(bob, token, "GetTokenInfo").OK(t).Results
	if len(info) != 4 || info[0] != "Gold" || info[1] != "GLD" || info[2] != uint8(6) || info[3] != uint64(1000) {
		t.Fatalf("GetTokenInfo = %v", info)
	}
}

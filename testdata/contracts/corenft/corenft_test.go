package corenft

import (
	"testing"

	"github.com/govm-net/vm"
	"github.com/govm-net/vm/vmtest"
)

var nftContract = vmtest.Contract{
	Source: "corenft.go",
	Functions: map[string]any{
		"Mint": Mint, "OwnerOf": OwnerOf, "TokenURI": TokenURI, "Transfer": Transfer,
		"FirstTokenOf": FirstTokenOf, "Burn": Burn,
	},
}

var (
	alice = vmtest.Account("alice")
	bob   = vmtest.Account("bob")
	carol = vmtest.Account("carol")
)

func TestTokensAreObjectsOwnedByTheirHolders(t *testing.T) {
	chain := vmtest.New()
	nft := chain.MustDeploy(t, alice, nftContract)
	one := vmtest.Result[vm.ObjectID](t, chain.Call(alice, nft, "Mint", bob, "ipfs://one"))
	chain.Call(bob, nft, "Mint", bob, "ipfs://two").Fails(t, "only the creator can mint")
	if obj, ok := chain.Object(one); !ok || obj.Owner != bob {
		t.Fatalf("token object %+v, %v", obj, ok)
	}
	chain.Call(carol, nft, "Transfer", one, carol).Fails(t, "only the holder can transfer a token")
	chain.Call(bob, nft, "Transfer", one, carol).OK(t)
	if got := vmtest.Result[vm.Address](t, chain.Call(bob, nft, "OwnerOf", one)); got != carol {
		t.Fatalf("OwnerOf = %s", got)
	}
	if got := vmtest.Result[vm.ObjectID](t, chain.Call(bob, nft, "FirstTokenOf", carol)); got != one {
		t.Fatalf("FirstTokenOf = %s", got)
	}
	chain.Call(carol, nft, "Burn", one).OK(t)
	chain.Call(carol, nft, "TokenURI", one).Fails(t, "no such token: not found")
}

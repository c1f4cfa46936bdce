package nft

import (
	"reflect"
	"testing"

	"github.com/govm-net/vm"
	"github.com/govm-net/vm/vmtest"
)

var nftContract = vmtest.Contract{
	Source: "nft.go",
	Functions: map[string]any{
		"Mint":          Mint,
		"TransferToken": TransferToken,
		"Burn":          Burn,
		"Describe":      Describe,
		"FirstOf":       FirstOf,
	},
}

var (
	alice = vmtest.Account("alice")
	bob   = vmtest.Account("bob")
	carol = vmtest.Account("carol")
)

var art = map[string]string{"artist": "ada", "year": "1843"}

func minted(t *testing.T) (*vmtest.Chain, vm.Address, vm.ObjectID) {
	t.Helper()
	chain := vmtest.New()
	nft := chain.MustDeploy(t, carol, nftContract)
	id := vmtest.Result[vm.ObjectID](t, chain.Call(alice, nft, "Mint", "Engine", "ipfs://engine", art))
	return chain, nft, id
}

func TestTheFirstMinterIsTheAdmin(t *testing.T) {
	chain := vmtest.New()
	nft := chain.MustDeploy(t, carol, nftContract)
	r := chain.Call(alice, nft, "Mint", "Engine", "ipfs://engine", art).OK(t)
	id := r.Results[0].(vm.ObjectID)
	if e := r.Events[0]; e.Name != "Minted" || e.Value("token") != id || e.Value("serial") != uint64(1) || e.Value("owner") != alice {
		t.Fatalf("event %+v", e)
	}
	chain.Call(bob, nft, "Mint", "Copy", "ipfs://copy", nil).Fails(t, "only the admin may mint")
	second := vmtest.Result[vm.ObjectID](t, chain.Call(alice, nft, "Mint", "Loom", "ipfs://loom", nil))
	got := chain.Call(bob, nft, "Describe", second).OK(t).Results
	want := []any{Token{Name: "Loom", URI: "ipfs://loom", Serial: 2, Metadata: map[string]string{}}, alice}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("describe %v", got)
	}
	config, _ := chain.Object(vmtest.DefaultObject(nft))
	if config.Fields["admin"] != alice || config.Fields["next_serial"] != uint64(2) {
		t.Fatalf("config %v", config.Fields)
	}
}

func TestATokenIsAnObjectOwnedByItsHolder(t *testing.T) {
	chain, nft, id := minted(t)
	obj, _ := chain.Object(id)
	want := Token{Name: "Engine", URI: "ipfs://engine", Serial: 1, Metadata: art}
	if obj.Owner != alice || obj.Contract != nft || !reflect.DeepEqual(obj.Fields["token"], want) {
		t.Fatalf("token object %+v", obj)
	}
	if got := chain.Call(bob, nft, "FirstOf", alice).Value(t); got != id {
		t.Fatalf("first of alice: %v", got)
	}
	chain.Call(bob, nft, "FirstOf", bob).Fails(t, "not found")
}

func TestOnlyTheHolderTransfers(t *testing.T) {
	chain, nft, id := minted(t)
	chain.Call(bob, nft, "TransferToken", id, bob).Fails(t, "only the holder may transfer a token")
	r := chain.Call(alice, nft, "TransferToken", id, bob).OK(t)
	if e := r.Events[0]; e.Name != "Transferred" || e.Value("from") != alice || e.Value("to") != bob {
		t.Fatalf("event %+v", e)
	}
	if holder := chain.Call(carol, nft, "Describe", id).OK(t).Results[1]; holder != bob {
		t.Fatalf("holder %v", holder)
	}
	chain.Call(carol, nft, "FirstOf", alice).Fails(t, "not found")
}

func TestTokensOfAnotherContractAreRefused(t *testing.T) {
	chain, _, id := minted(t)
	other := chain.MustDeploy(t, carol, nftContract)
	chain.Call(alice, other, "TransferToken", id, bob).Fails(t, "not a token of this contract")
	// Burning checks only the holder; the host refuses to delete another contract's object.
	chain.Call(alice, other, "Burn", id).Fails(t, "permission denied")
	if _, ok := chain.Object(id); !ok {
		t.Fatal("the token is gone")
	}
}

func TestOnlyTheHolderBurns(t *testing.T) {
	chain, nft, id := minted(t)
	chain.Call(bob, nft, "Burn", id).Fails(t, "only the holder may burn a token")
	r := chain.Call(alice, nft, "Burn", id).OK(t)
	if e := r.Events[0]; e.Name != "Burned" || e.Value("token") != id {
		t.Fatalf("event %+v", e)
	}
	chain.Call(alice, nft, "Describe", id).Fails(t, "not found")
	chain.Call(alice, nft, "Burn", id).Fails(t, "not found")
	// Serials keep counting after a burn.
	next := vmtest.Result[vm.ObjectID](t, chain.Call(alice, nft, "Mint", "Next", "ipfs://next", nil))
	if got := chain.Call(alice, nft, "Describe", next).OK(t).Results[0].(Token); got.Serial != 2 {
		t.Fatalf("serial %d", got.Serial)
	}
}

package registry

import (
	"reflect"
	"strings"
	"testing"

	"github.com/govm-net/vm"
	"github.com/govm-net/vm/vmtest"
)

var registryContract = vmtest.Contract{
	Source: "registry.go",
	Functions: map[string]any{
		"Register": Register,
		"Lookup":   Lookup,
		"Release":  Release,
	},
}

var (
	alice = vmtest.Account("alice")
	bob   = vmtest.Account("bob")
)

func deployed(t *testing.T) (*vmtest.Chain, vm.Address) {
	t.Helper()
	chain := vmtest.New()
	return chain, chain.MustDeploy(t, alice, registryContract)
}

func TestRegisterThenLookup(t *testing.T) {
	chain, registry := deployed(t)
	r := chain.Call(alice, registry, "Register", "  home  ", []byte{1, 2, 3}).OK(t)
	if e := r.Events[0]; e.Name != "Registered" || e.Value("name") != "home" || e.Value("owner") != alice {
		t.Fatalf("event %+v", e)
	}
	got := chain.Call(bob, registry, "Lookup", "home").OK(t).Results
	if !reflect.DeepEqual(got, []any{[]byte{1, 2, 3}, alice}) {
		t.Fatalf("lookup %v", got)
	}
	obj, _ := chain.Object(vmtest.DefaultObject(registry))
	if !reflect.DeepEqual(obj.Fields, map[string]any{"owner:home": alice, "value:home": []byte{1, 2, 3}}) {
		t.Fatalf("fields %v", obj.Fields)
	}
	chain.Call(bob, registry, "Lookup", "away").Fails(t, "name away is not registered")
}

func TestANameBelongsToItsFirstRegistrant(t *testing.T) {
	chain, registry := deployed(t)
	chain.Call(alice, registry, "Register", "home", []byte("a")).OK(t)
	chain.Call(bob, registry, "Register", "home", []byte("b")).Fails(t, "name home belongs to "+alice.String())
	// The owner may change the value; an empty value is a value.
	chain.Call(alice, registry, "Register", "home", []byte{}).OK(t)
	got := chain.Call(bob, registry, "Lookup", "home").OK(t).Results
	if !reflect.DeepEqual(got, []any{[]byte{}, alice}) {
		t.Fatalf("lookup %v", got)
	}
}

func TestNamesAreOneToSixtyFourCharacters(t *testing.T) {
	chain, registry := deployed(t)
	chain.Call(alice, registry, "Register", "   ", []byte{1}).Fails(t, "names are 1 to 64 characters")
	chain.Call(alice, registry, "Register", strings.Repeat("n", 65), []byte{1}).Fails(t, "names are 1 to 64 characters")
	chain.Call(alice, registry, "Register", strings.Repeat("n", 64), []byte{1}).OK(t)
}

func TestOnlyTheOwnerReleasesAName(t *testing.T) {
	chain, registry := deployed(t)
	chain.Call(alice, registry, "Register", "home", []byte("a")).OK(t)
	chain.Call(bob, registry, "Release", "home").Fails(t, "only the owner may release home")
	chain.Call(bob, registry, "Release", "away").Fails(t, "name away is not registered")
	chain.Call(alice, registry, "Release", "home").OK(t)
	chain.Call(alice, registry, "Lookup", "home").Fails(t, "name home is not registered")
	if obj, _ := chain.Object(vmtest.DefaultObject(registry)); len(obj.Fields) != 0 {
		t.Fatalf("fields left: %v", obj.Fields)
	}
	// Released, the name is free for anyone.
	chain.Call(bob, registry, "Register", "home", []byte("b")).OK(t)
}

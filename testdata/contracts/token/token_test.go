package token

import (
	"errors"
	"testing"

	"github.com/govm-net/vm"
	"github.com/govm-net/vm/vmtest"
)

var tokenContract = vmtest.Contract{
	Source: "token.go",
	Functions: map[string]any{
		"Initialize":    Initialize,
		"Transfer":      Transfer,
		"GetBalance":    GetBalance,
		"CreateAccount": CreateAccount,
	},
}

var (
	alice = vmtest.Account("alice")
	bob   = vmtest.Account("bob")
	carol = vmtest.Account("carol")
)

// issued deploys the token and gives alice the supply.
func issued(t *testing.T, supply uint64) (*vmtest.Chain, vm.Address, vm.ObjectID) {
	t.Helper()
	chain := vmtest.New()
	token := chain.MustDeploy(t, alice, tokenContract)
	id := vmtest.Result[vm.ObjectID](t, chain.Call(alice, token, "Initialize", supply))
	return chain, token, id
}

func balance(t *testing.T, chain *vmtest.Chain, token vm.Address, id vm.ObjectID) uint64 {
	t.Helper()
	return vmtest.Result[uint64](t, chain.Call(carol, token, "GetBalance", id))
}

func TestInitializeGivesTheSenderTheSupply(t *testing.T) {
	chain := vmtest.New()
	token := chain.MustDeploy(t, alice, tokenContract)
	r := chain.Call(alice, token, "Initialize", 1000).OK(t)
	id := r.Results[0].(vm.ObjectID)
	if got := balance(t, chain, token, id); got != 1000 {
		t.Fatalf("balance %d", got)
	}
	obj, ok := chain.Object(id)
	if !ok || obj.Owner != alice || obj.Contract != token || obj.Fields["amount"] != uint64(1000) {
		t.Fatalf("the supply object is %+v", obj)
	}
	if len(r.Events) != 1 || r.Events[0].Name != "Initialize" || r.Events[0].Value("total_supply") != uint64(1000) || r.Events[0].Value("owner") != alice {
		t.Fatalf("events %+v", r.Events)
	}
}

func TestTransferMovesBalanceAndOpensTheReceiversAccount(t *testing.T) {
	chain, token, aliceID := issued(t, 1000)
	r := chain.Call(alice, token, "Transfer", bob, 300).OK(t)
	want := []vmtest.Field{{Key: "from", Value: alice}, {Key: "to", Value: bob}, {Key: "amount", Value: uint64(300)}}
	if len(r.Events) != 1 || r.Events[0].Name != "Transfer" || len(r.Events[0].Fields) != 3 {
		t.Fatalf("events %+v", r.Events)
	}
	for i, f := range want {
		if r.Events[0].Fields[i] != f {
			t.Fatalf("field %d is %+v, want %+v", i, r.Events[0].Fields[i], f)
		}
	}
	objects := chain.Objects(token)
	// The default object, alice's and bob's accounts.
	if len(objects) != 3 || objects[2].Owner != bob || objects[2].Fields["amount"] != uint64(300) {
		t.Fatalf("objects %+v", objects)
	}
	bobID := objects[2].ID
	// A second transfer adds to bob's account instead of opening another.
	chain.Call(alice, token, "Transfer", bob, 200).OK(t)
	chain.Call(bob, token, "Transfer", carol, 50).OK(t)
	if n := len(chain.Objects(token)); n != 4 {
		t.Fatalf("%d objects", n)
	}
	if a, b := balance(t, chain, token, aliceID), balance(t, chain, token, bobID); a != 500 || b != 450 {
		t.Fatalf("balances %d and %d", a, b)
	}
}

func TestAFailedTransferChangesNothing(t *testing.T) {
	chain, token, aliceID := issued(t, 1000)
	before := chain.Objects(token)
	events := len(chain.Events())

	chain.Call(alice, token, "Transfer", bob, 1001).Fails(t, "insufficient balance: 1000 < 1001")
	r := chain.Call(carol, token, "Transfer", bob, 1)
	if !errors.Is(r.Err, vm.ErrNotFound) || r.Err.Error() != "failed to get sender balance: not found" {
		t.Fatalf("a sender without an account: %v", r.Err)
	}
	if len(chain.Objects(token)) != len(before) || len(chain.Events()) != events {
		t.Fatal("a failed transfer left objects or events behind")
	}
	if got := balance(t, chain, token, aliceID); got != 1000 {
		t.Fatalf("balance %d", got)
	}
}

func TestTransferToOneselfKeepsTheBalance(t *testing.T) {
	chain, token, id := issued(t, 1000)
	chain.Call(alice, token, "Transfer", alice, 400).OK(t)
	if got := balance(t, chain, token, id); got != 1000 {
		t.Fatalf("balance %d", got)
	}
}

func TestAReceiverBalanceNeverOverflows(t *testing.T) {
	chain, token, _ := issued(t, ^uint64(0))
	// bob issues himself one more unit of the same token.
	chain.Call(bob, token, "Initialize", 1).OK(t)
	chain.Call(alice, token, "Transfer", bob, ^uint64(0)).Fails(t, "receiver balance overflows")
}

func TestCreateAccountOpensAnEmptyAccount(t *testing.T) {
	chain, token, _ := issued(t, 1000)
	r := chain.Call(bob, token, "CreateAccount", carol).OK(t)
	carolID := r.Results[0].(vm.ObjectID)
	if r.Events[0].Name != "CreateAccount" || r.Events[0].Value("owner") != carol {
		t.Fatalf("events %+v", r.Events)
	}
	chain.Call(alice, token, "Transfer", carol, 10).OK(t)
	if got := balance(t, chain, token, carolID); got != 10 {
		t.Fatalf("balance %d", got)
	}
	chain.Call(carol, token, "GetBalance", vm.ObjectID{1}).Fails(t, "failed to get balance object: not found")
	// The token's own object holds no amount.
	chain.Call(carol, token, "GetBalance", vm.ObjectID{}).Fails(t, `failed to get amount: field "amount": not found`)
}

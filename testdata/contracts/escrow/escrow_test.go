package escrow

import (
	"testing"

	"github.com/govm-net/vm"
	"github.com/govm-net/vm/vmtest"
)

var escrowContract = vmtest.Contract{
	Source: "escrow.go",
	Functions: map[string]any{
		"Open":    Open,
		"Fund":    Fund,
		"Release": Release,
		"Refund":  Refund,
		"Status":  Status,
	},
}

var (
	buyer   = vmtest.Account("buyer")
	seller  = vmtest.Account("seller")
	arbiter = vmtest.Account("arbiter")
)

// funded deploys the escrow and pays it what the buyer escrows (on chain the buyer would
// transfer it; natively the faucet does).
func funded(t *testing.T, amount uint64) (*vmtest.Chain, vm.Address) {
	t.Helper()
	chain := vmtest.New()
	escrow := chain.MustDeploy(t, arbiter, escrowContract)
	if err := chain.Mint(escrow, amount); err != nil {
		t.Fatal(err)
	}
	return chain, escrow
}

func openDeal(t *testing.T, chain *vmtest.Chain, escrow vm.Address, amount uint64) vm.ObjectID {
	t.Helper()
	return vmtest.Result[vm.ObjectID](t, chain.Call(buyer, escrow, "Open", seller, arbiter, amount))
}

func status(t *testing.T, chain *vmtest.Chain, escrow vm.Address, id vm.ObjectID) Deal {
	t.Helper()
	return vmtest.Result[Deal](t, chain.Call(arbiter, escrow, "Status", id))
}

func TestOpenNeedsUnallocatedBalance(t *testing.T) {
	chain, escrow := funded(t, 100)
	chain.Call(buyer, escrow, "Open", seller, arbiter, 0).Fails(t, "nothing to escrow")
	chain.Call(buyer, escrow, "Open", seller, arbiter, 101).Fails(t, "escrow holds 100 unallocated, need 101")
	r := chain.Call(buyer, escrow, "Open", seller, arbiter, 60).OK(t)
	id := r.Results[0].(vm.ObjectID)
	if e := r.Events[0]; e.Name != "Opened" || e.Value("deal") != id || e.Value("amount") != uint64(60) {
		t.Fatalf("event %+v", e)
	}
	want := Deal{Buyer: buyer, Seller: seller, Arbiter: arbiter, Amount: 60, State: open}
	if got := status(t, chain, escrow, id); got != want {
		t.Fatalf("deal %+v", got)
	}
	// 60 of the 100 are allocated now.
	chain.Call(buyer, escrow, "Open", seller, arbiter, 41).Fails(t, "escrow holds 40 unallocated, need 41")
	openDeal(t, chain, escrow, 40)
}

func TestAFundedDealIsPaidWithTheCallsValue(t *testing.T) {
	chain, escrow := funded(t, 0)
	if err := chain.Mint(buyer, 50); err != nil {
		t.Fatal(err)
	}
	id := vmtest.Result[vm.ObjectID](t, chain.CallWithValue(buyer, 30, escrow, "Fund", seller, arbiter))
	if got := status(t, chain, escrow, id); got.Amount != 30 || got.Buyer != buyer {
		t.Fatalf("deal %+v", got)
	}
	// A failed call gives its value back; one the sender cannot pay does not run.
	chain.CallWithValue(buyer, 10, escrow, "Fund", buyer, arbiter).Fails(t, "a buyer cannot be its own seller")
	chain.CallWithValue(buyer, 0, escrow, "Fund", seller, arbiter).Fails(t, "nothing to escrow")
	chain.CallWithValue(buyer, 21, escrow, "Fund", seller, arbiter).Fails(t, "the sender's balance of 20 cannot pay the 21 the call carries")
	if b, e := chain.Balance(buyer), chain.Balance(escrow); b != 20 || e != 30 {
		t.Fatalf("balances: buyer %d, escrow %d", b, e)
	}
}

func TestTheBuyerReleasesToTheSeller(t *testing.T) {
	chain, escrow := funded(t, 100)
	id := openDeal(t, chain, escrow, 70)
	chain.Call(seller, escrow, "Release", id).Fails(t, "not allowed to settle this deal")
	chain.Call(arbiter, escrow, "Release", id).Fails(t, "not allowed to settle this deal")
	r := chain.Call(buyer, escrow, "Release", id).OK(t)
	if e := r.Events[0]; e.Name != "Settled" || e.Value("to") != seller || e.Value("amount") != uint64(70) {
		t.Fatalf("event %+v", e)
	}
	if chain.Balance(seller) != 70 || chain.Balance(escrow) != 30 {
		t.Fatalf("balances: seller %d, escrow %d", chain.Balance(seller), chain.Balance(escrow))
	}
	if got := status(t, chain, escrow, id); got.State != released {
		t.Fatalf("deal %+v", got)
	}
	chain.Call(buyer, escrow, "Release", id).Fails(t, "the deal is settled")
	chain.Call(arbiter, escrow, "Refund", id).Fails(t, "the deal is settled")
	var locked uint64
	if err := chain.Get(vmtest.DefaultObject(escrow), "locked", &locked); err != nil || locked != 0 {
		t.Fatalf("locked %d, %v", locked, err)
	}
}

func TestTheArbiterRefundsTheBuyer(t *testing.T) {
	chain, escrow := funded(t, 100)
	id := openDeal(t, chain, escrow, 100)
	chain.Call(buyer, escrow, "Refund", id).Fails(t, "not allowed to settle this deal")
	chain.Call(arbiter, escrow, "Refund", id).OK(t)
	if chain.Balance(buyer) != 100 || chain.Balance(escrow) != 0 {
		t.Fatalf("balances: buyer %d, escrow %d", chain.Balance(buyer), chain.Balance(escrow))
	}
	if got := status(t, chain, escrow, id); got.State != refunded {
		t.Fatalf("deal %+v", got)
	}
}

func TestAnotherEscrowCannotSettleADeal(t *testing.T) {
	chain, escrow := funded(t, 50)
	id := openDeal(t, chain, escrow, 50)
	other := chain.MustDeploy(t, arbiter, escrowContract)
	// The other escrow has nothing locked: it fails before touching anything.
	chain.Call(buyer, other, "Release", id).Fails(t, `field "locked": not found`)
	if err := chain.Mint(other, 10); err != nil {
		t.Fatal(err)
	}
	openDeal(t, chain, other, 10)
	// Now it gets as far as writing the deal, which the host refuses: the deal belongs to
	// the first escrow.
	chain.Call(buyer, other, "Release", id).Fails(t, "permission denied")
	if got := status(t, chain, escrow, id); got.State != open {
		t.Fatalf("deal %+v", got)
	}
	var locked uint64
	if err := chain.Get(vmtest.DefaultObject(other), "locked", &locked); err != nil || locked != 10 {
		t.Fatalf("locked %d, %v", locked, err)
	}
	if chain.Balance(seller) != 0 || chain.Balance(other) != 10 {
		t.Fatal("money moved")
	}
	chain.Call(arbiter, escrow, "Status", vm.ObjectID{7}).Fails(t, "not found")
}

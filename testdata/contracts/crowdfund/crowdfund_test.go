package crowdfund

import (
	"testing"

	"github.com/govm-net/vm"
	"github.com/govm-net/vm/vmtest"
)

var crowdfundContract = vmtest.Contract{
	Source: "crowdfund.go",
	Functions: map[string]any{
		"Start": Start, "Pledge": Pledge, "Claim": Claim, "Refund": Refund, "Status": Status,
		"PledgeOf": PledgeOf, "Total": Total,
	},
}

var (
	alice = vmtest.Account("alice")
	bob   = vmtest.Account("bob")
)

func TestPledgesCarryValueAndTheOwnerClaimsThem(t *testing.T) {
	chain := vmtest.New()
	fund := chain.MustDeploy(t, alice, crowdfundContract)
	if err := chain.Mint(bob, 1000); err != nil {
		t.Fatal(err)
	}
	chain.Call(alice, fund, "Start", vm.NewUint256(500), uint64(10)).OK(t)
	chain.CallWithValue(bob, 9, fund, "Pledge").Fails(t, "insufficient value: the call carries 9, not at least 10")
	if chain.Balance(bob) != 1000 {
		t.Fatalf("a failed pledge kept the value: bob has %d", chain.Balance(bob))
	}
	raised := vmtest.Result[vm.Uint256](t, chain.CallWithValue(bob, 600, fund, "Pledge"))
	if raised != vm.NewUint256(600) || chain.Balance(fund) != 600 {
		t.Fatalf("raised %s, the contract holds %d", raised, chain.Balance(fund))
	}
	if got := vmtest.Result[uint64](t, chain.Call(alice, fund, "Claim")); got != 600 || chain.Balance(alice) != 600 {
		t.Fatalf("Claim = %d; alice has %d", got, chain.Balance(alice))
	}
	status := vmtest.Result[Campaign](t, chain.Call(bob, fund, "Status"))
	if !status.Claimed || status.Backers != 1 || status.Goal != vm.NewUint256(500) {
		t.Fatalf("Status = %+v", status)
	}
}

func TestTotalFailsPastTwoToThe256(t *testing.T) {
	chain := vmtest.New()
	fund := chain.MustDeploy(t, alice, crowdfundContract)
	chain.Call(bob, fund, "Total", []vm.Uint256{vm.MaxUint256, vm.NewUint256(1)}).Fails(t, "vm.Uint256: overflow")
	sum := vmtest.Result[vm.Uint256](t, chain.Call(bob, fund, "Total", []vm.Uint256{vm.MaxUint256.Sub(vm.NewUint256(1)), vm.NewUint256(1)}))
	if sum != vm.MaxUint256 {
		t.Fatalf("Total = %s", sum)
	}
}

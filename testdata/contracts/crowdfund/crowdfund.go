// Package crowdfund raises native value for a goal before a deadline. It shows the value a
// call carries: vm.Context's Value (the host moved it from the sender to this contract before
// the entry point ran, and moves it back if the call fails), core.Receive for a minimum, and
// vm.Uint256 for totals that many pledges could push past 64 bits.
package crowdfund

import (
	"errors"

	"github.com/govm-net/vm"
	"github.com/govm-net/vm/core"
)

// MinPledge is the least a pledge may carry.
const MinPledge = 10

// Campaign is the campaign's state, as Status returns it.
type Campaign struct {
	Owner    vm.Address
	Goal     vm.Uint256
	Deadline uint64
	Raised   vm.Uint256
	Backers  uint32
	Claimed  bool
}

func pledgeKey(backer vm.Address) string { return "pledge_" + backer.String() }

func load(ctx vm.Context) (vm.Object, Campaign, error) {
	obj, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return nil, Campaign{}, err
	}
	var c Campaign
	if err := obj.Get("campaign", &c); err != nil {
		return nil, Campaign{}, errors.New("no campaign: call Start first")
	}
	return obj, c, nil
}

// Start opens the campaign: the sender will be able to claim what is raised once it reaches
// goal, before the block height deadline.
func Start(ctx vm.Context, goal vm.Uint256, deadline uint64) error {
	obj, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return err
	}
	var existing Campaign
	if obj.Get("campaign", &existing) == nil {
		return errors.New("the campaign has started already")
	}
	if goal.IsZero() || deadline <= ctx.BlockHeight() {
		return errors.New("the goal must be positive and the deadline in the future")
	}
	c := Campaign{Owner: ctx.Sender(), Goal: goal, Deadline: deadline}
	ctx.Log("Started", "owner", c.Owner, "goal", goal, "deadline", deadline)
	return obj.Set("campaign", c)
}

// Pledge adds the value the call carries (at least MinPledge) to the sender's pledge and
// returns the total raised.
func Pledge(ctx vm.Context) (vm.Uint256, error) {
	if err := core.Receive(MinPledge); err != nil {
		return vm.Uint256{}, err
	}
	obj, c, err := load(ctx)
	if err != nil {
		return vm.Uint256{}, err
	}
	if ctx.BlockHeight() >= c.Deadline {
		return vm.Uint256{}, errors.New("the campaign has ended")
	}
	amount := vm.NewUint256(ctx.Value())
	var pledged vm.Uint256
	if obj.Get(pledgeKey(ctx.Sender()), &pledged) != nil {
		c.Backers++
	}
	pledged = pledged.Add(amount)
	c.Raised = c.Raised.Add(amount)
	if err := obj.Set(pledgeKey(ctx.Sender()), pledged); err != nil {
		return vm.Uint256{}, err
	}
	ctx.Log("Pledged", "backer", ctx.Sender(), "amount", amount, "raised", c.Raised)
	return c.Raised, obj.Set("campaign", c)
}

// Claim pays everything raised to the owner once the goal is reached.
func Claim(ctx vm.Context) (uint64, error) {
	obj, c, err := load(ctx)
	if err != nil {
		return 0, err
	}
	if ctx.Sender() != c.Owner {
		return 0, errors.New("only the owner can claim")
	}
	if c.Raised.Lt(c.Goal) {
		return 0, errors.New("the goal is not reached: raised " + c.Raised.String() + " of " + c.Goal.String())
	}
	if c.Claimed {
		return 0, errors.New("claimed already")
	}
	amount, fits := c.Raised.Uint64()
	if !fits {
		return 0, errors.New("the amount raised does not fit a native transfer")
	}
	c.Claimed = true
	if err := obj.Set("campaign", c); err != nil {
		return 0, err
	}
	if err := ctx.Transfer(c.Owner, amount); err != nil {
		return 0, err
	}
	ctx.Log("Claimed", "owner", c.Owner, "amount", c.Raised)
	return amount, nil
}

// Refund returns the sender's pledge once the deadline has passed without the goal reached.
func Refund(ctx vm.Context) (uint64, error) {
	obj, c, err := load(ctx)
	if err != nil {
		return 0, err
	}
	if ctx.BlockHeight() < c.Deadline || c.Raised.Gte(c.Goal) {
		return 0, errors.New("refunds open after the deadline, if the goal was not reached")
	}
	var pledged vm.Uint256
	if obj.Get(pledgeKey(ctx.Sender()), &pledged) != nil || pledged.IsZero() {
		return 0, errors.New("nothing to refund")
	}
	amount, _ := pledged.Uint64()
	if err := obj.Set(pledgeKey(ctx.Sender()), vm.Uint256{}); err != nil {
		return 0, err
	}
	if err := ctx.Transfer(ctx.Sender(), amount); err != nil {
		return 0, err
	}
	ctx.Log("Refunded", "backer", ctx.Sender(), "amount", pledged)
	return amount, nil
}

// Status returns the campaign's state.
func Status(ctx vm.Context) (Campaign, error) {
	_, c, err := load(ctx)
	return c, err
}

// PledgeOf returns what a backer pledged.
func PledgeOf(ctx vm.Context, backer vm.Address) (vm.Uint256, error) {
	obj, err := ctx.GetObject(vm.ObjectID{})
	if err != nil {
		return vm.Uint256{}, err
	}
	var pledged vm.Uint256
	_ = obj.Get(pledgeKey(backer), &pledged)
	return pledged, nil
}

// Total sums amounts with checked 256-bit arithmetic: past 2^256-1 the call fails.
func Total(amounts []vm.Uint256) vm.Uint256 {
	var sum vm.Uint256
	for _, a := range amounts {
		sum = sum.Add(a)
	}
	return sum
}

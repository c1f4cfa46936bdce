package vote

import (
	"reflect"
	"testing"

	"github.com/govm-net/vm"
	"github.com/govm-net/vm/vmtest"
)

var voteContract = vmtest.Contract{
	Source: "vote.go",
	Functions: map[string]any{
		"Create":   Create,
		"Vote":     Vote,
		"Results":  Results,
		"Describe": Describe,
	},
}

var (
	alice = vmtest.Account("alice")
	bob   = vmtest.Account("bob")
	carol = vmtest.Account("carol")
)

var lunch = Poll{Question: "Lunch?", Options: []string{"soup", "salad", "pie"}, Closes: 10}

func opened(t *testing.T) (*vmtest.Chain, vm.Address, vm.ObjectID) {
	t.Helper()
	chain := vmtest.New()
	vote := chain.MustDeploy(t, alice, voteContract)
	poll := vmtest.Result[vm.ObjectID](t, chain.Call(alice, vote, "Create", lunch))
	return chain, vote, poll
}

func TestCreateStoresTheTallyAndLogsThePoll(t *testing.T) {
	chain := vmtest.New()
	vote := chain.MustDeploy(t, alice, voteContract)
	r := chain.Call(alice, vote, "Create", lunch).OK(t)
	poll := r.Results[0].(vm.ObjectID)
	var tally Tally
	if err := chain.Get(poll, "tally", &tally); err != nil {
		t.Fatal(err)
	}
	want := Tally{Poll: lunch, Counts: []uint64{0, 0, 0}, Voters: []vm.Address{}}
	if !reflect.DeepEqual(tally, want) {
		t.Fatalf("tally %+v", tally)
	}
	e := r.Events[0]
	if e.Name != "Created" || e.Value("poll") != poll || e.Value("question") != "Lunch?" || !reflect.DeepEqual(e.Value("options"), lunch.Options) {
		t.Fatalf("event %+v", e)
	}
	// The poll belongs to the contract: nobody else may change it.
	if obj, _ := chain.Object(poll); obj.Owner != vote {
		t.Fatalf("owner %v", obj.Owner)
	}
}

func TestAPollNeedsTwoOptions(t *testing.T) {
	chain := vmtest.New()
	vote := chain.MustDeploy(t, alice, voteContract)
	chain.Call(alice, vote, "Create", Poll{Question: "?", Options: []string{"yes"}}).Fails(t, "a poll needs at least two options")
	if n := len(chain.Objects(vote)); n != 1 {
		t.Fatalf("%d objects", n)
	}
}

func TestVotesAreCountedOncePerVoter(t *testing.T) {
	chain, vote, poll := opened(t)
	r := chain.Call(bob, vote, "Vote", poll, 2).OK(t)
	if e := r.Events[0]; e.Name != "Voted" || e.Value("voter") != bob || e.Value("option") != uint32(2) {
		t.Fatalf("event %+v", e)
	}
	chain.Call(carol, vote, "Vote", poll, 2).OK(t)
	chain.Call(alice, vote, "Vote", poll, 0).OK(t)
	chain.Call(bob, vote, "Vote", poll, 1).Fails(t, "already voted")
	chain.Call(bob, vote, "Vote", poll, 3).Fails(t, "no such option")

	results := chain.Call(bob, vote, "Results", poll).OK(t).Results
	want := []any{"Lunch?", map[string]uint64{"soup": 1, "salad": 0, "pie": 2}, "pie"}
	if !reflect.DeepEqual(results, want) {
		t.Fatalf("results %v", results)
	}
	var tally Tally
	if err := chain.Get(poll, "tally", &tally); err != nil || !reflect.DeepEqual(tally.Voters, []vm.Address{bob, carol, alice}) {
		t.Fatalf("voters %v, %v", tally.Voters, err)
	}
}

func TestAPollClosesAfterItsHeight(t *testing.T) {
	chain, vote, poll := opened(t)
	chain.SetBlock(10, 1_700_000_100)
	chain.Call(bob, vote, "Vote", poll, 0).OK(t)
	chain.Advance(1, 5)
	chain.Call(carol, vote, "Vote", poll, 0).Fails(t, "the poll is closed")
}

func TestUnknownPollsAndForeignObjects(t *testing.T) {
	chain, vote, _ := opened(t)
	chain.Call(bob, vote, "Vote", vm.ObjectID{9}, 0).Fails(t, "not found")
	chain.Call(bob, vote, "Results", vm.ObjectID{9}).Fails(t, "not found")
	// The contract's own object holds no tally.
	chain.Call(bob, vote, "Results", vm.ObjectID{}).Fails(t, `field "tally": not found`)
}

func TestDescribeNeedsNoContext(t *testing.T) {
	chain := vmtest.New()
	vote := chain.MustDeploy(t, alice, voteContract)
	got := chain.Call(bob, vote, "Describe", lunch).OK(t).Results
	if !reflect.DeepEqual(got, []any{lunch, 3, [2]bool{true, true}}) {
		t.Fatalf("got %v", got)
	}
	empty := Poll{Options: []string{}}
	got = chain.Call(bob, vote, "Describe", empty).OK(t).Results
	if !reflect.DeepEqual(got, []any{empty, 0, [2]bool{false, false}}) {
		t.Fatalf("got %v", got)
	}
}

// Package vote runs polls: struct parameters, several results, slices and maps crossing the
// boundary, and structs stored in object fields.
package vote

import (
	"errors"

	"github.com/govm-net/vm"
)

// Poll is a question with its options.
type Poll struct {
	Question string
	Options  []string
	Closes   uint64
}

// Tally is a poll's state, stored in the poll's object.
type Tally struct {
	Poll   Poll
	Counts []uint64
	Voters []vm.Address
}

// Create opens a poll and returns its ID.
func Create(ctx vm.Context, poll Poll) (vm.ObjectID, error) {
	if len(poll.Options) < 2 {
		return vm.ObjectID{}, errors.New("a poll needs at least two options")
	}
	obj, err := ctx.CreateObject()
	if err != nil {
		return vm.ObjectID{}, err
	}
	tally := Tally{Poll: poll, Counts: make([]uint64, len(poll.Options))}
	if err := obj.Set("tally", tally); err != nil {
		return vm.ObjectID{}, err
	}
	ctx.Log("Created", "poll", obj.ID(), "question", poll.Question, "options", poll.Options)
	return obj.ID(), nil
}

// Vote casts the sender's vote for one option.
func Vote(ctx vm.Context, poll vm.ObjectID, option uint32) error {
	obj, err := ctx.GetObject(poll)
	if err != nil {
		return err
	}
	var tally Tally
	if err := obj.Get("tally", &tally); err != nil {
		return err
	}
	if ctx.BlockHeight() > tally.Poll.Closes {
		return errors.New("the poll is closed")
	}
	if int(option) >= len(tally.Counts) {
		return errors.New("no such option")
	}
	for _, voter := range tally.Voters {
		if voter == ctx.Sender() {
			return errors.New("already voted")
		}
	}
	tally.Counts[option]++
	tally.Voters = append(tally.Voters, ctx.Sender())
	if err := obj.Set("tally", tally); err != nil {
		return err
	}
	ctx.Log("Voted", "poll", poll, "voter", ctx.Sender(), "option", option)
	return nil
}

// Results returns the poll's question, the counts by option, and the leading option.
func Results(ctx vm.Context, poll vm.ObjectID) (string, map[string]uint64, string, error) {
	obj, err := ctx.GetObject(poll)
	if err != nil {
		return "", nil, "", err
	}
	var tally Tally
	if err := obj.Get("tally", &tally); err != nil {
		return "", nil, "", err
	}
	counts := make(map[string]uint64, len(tally.Counts))
	leader, best := "", uint64(0)
	for i, option := range tally.Poll.Options {
		counts[option] = tally.Counts[i]
		if tally.Counts[i] > best {
			leader, best = option, tally.Counts[i]
		}
	}
	return tally.Poll.Question, counts, leader, nil
}

// Describe echoes a poll back with its option count: a struct in, several results out.
func Describe(poll Poll) (Poll, int, [2]bool) {
	return poll, len(poll.Options), [2]bool{len(poll.Options) > 0, poll.Closes > 0}
}

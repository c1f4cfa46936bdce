// Package parity runs the parity scenarios of this folder natively (docs/testing.md). The
// engine runs the same scenarios through wasm, and the two transcripts must be equal.
//
// Without environment, `go test` runs every scenario and checks its expectations. With
// GOVM_PARITY_SCENARIO=<scenario file> and GOVM_PARITY_OUT=<transcript file> it runs that
// one scenario and writes its transcript (relative paths are relative to this folder).
package parity

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/govm-net/vm/vmtest"
	"govm.test/contracts/caller"
	"govm.test/contracts/corecounter"
	"govm.test/contracts/corefactory"
	"govm.test/contracts/corenft"
	"govm.test/contracts/corerelay"
	"govm.test/contracts/coretoken"
	"govm.test/contracts/counter"
	"govm.test/contracts/crowdfund"
	"govm.test/contracts/crypto"
	"govm.test/contracts/escrow"
	"govm.test/contracts/hostile"
	"govm.test/contracts/nft"
	"govm.test/contracts/registry"
	"govm.test/contracts/stdlib"
	"govm.test/contracts/token"
	"govm.test/contracts/vote"
)

// contracts are the contracts of testdata/contracts by folder name, as scenarios deploy them.
var contracts = map[string]vmtest.Contract{
	"caller": {Source: "../contracts/caller/caller.go", Functions: map[string]any{
		"AddTwice": caller.AddTwice, "TryFail": caller.TryFail, "Bounce": caller.Bounce,
		"Pay": caller.Pay, "WhoCalls": caller.WhoCalls, "AskWho": caller.AskWho,
	}},
	"corecounter": {Source: "../contracts/corecounter/corecounter.go", Functions: map[string]any{
		"Initialize": corecounter.Initialize, "Increment": corecounter.Increment,
		"GetCounter": corecounter.GetCounter, "Reset": corecounter.Reset,
	}},
	"corefactory": {Source: "../contracts/corefactory/corefactory.go", Functions: map[string]any{
		"CreateCounter": corefactory.CreateCounter, "Increment": corefactory.Increment,
		"Get": corefactory.Get, "CounterOf": corefactory.CounterOf, "Count": corefactory.Count,
	}},
	"corenft": {Source: "../contracts/corenft/corenft.go", Functions: map[string]any{
		"Mint": corenft.Mint, "OwnerOf": corenft.OwnerOf, "TokenURI": corenft.TokenURI,
		"Transfer": corenft.Transfer, "FirstTokenOf": corenft.FirstTokenOf, "Burn": corenft.Burn,
	}},
	"corerelay": {Source: "../contracts/corerelay/corerelay.go", Functions: map[string]any{
		"Forward": corerelay.Forward, "TryForward": corerelay.TryForward, "Forwarded": corerelay.Forwarded,
	}},
	"coretoken": {Source: "../contracts/coretoken/coretoken.go", Functions: map[string]any{
		"InitializeToken": coretoken.InitializeToken, "GetTokenInfo": coretoken.GetTokenInfo,
		"BalanceOf": coretoken.BalanceOf, "Transfer": coretoken.Transfer, "Mint": coretoken.Mint,
	}},
	"counter": {Source: "../contracts/counter/counter.go", Functions: map[string]any{
		"Add": counter.Add,
	}},
	"crowdfund": {Source: "../contracts/crowdfund/crowdfund.go", Functions: map[string]any{
		"Start": crowdfund.Start, "Pledge": crowdfund.Pledge, "Claim": crowdfund.Claim,
		"Refund": crowdfund.Refund, "Status": crowdfund.Status, "PledgeOf": crowdfund.PledgeOf,
		"Total": crowdfund.Total,
	}},
	"crypto": {Source: "../contracts/crypto/crypto.go", Functions: map[string]any{
		"Hashes": crypto.Hashes, "GoSha256": crypto.GoSha256, "Verify": crypto.Verify,
		"VerifySecp": crypto.VerifySecp, "Recover": crypto.Recover,
		"HostSha256": crypto.HostSha256, "GoVerify": crypto.GoVerify,
	}},
	"escrow": {Source: "../contracts/escrow/escrow.go", Functions: map[string]any{
		"Open": escrow.Open, "Fund": escrow.Fund, "Release": escrow.Release, "Refund": escrow.Refund,
		"Status": escrow.Status,
	}},
	"hostile": {Source: "../contracts/hostile/hostile.go", Functions: map[string]any{
		"Panic": hostile.Panic, "Index": hostile.Index, "Loop": hostile.Loop, "Hog": hostile.Hog,
		"Print": hostile.Print, "WriteThenFail": hostile.WriteThenFail,
		"Touched": hostile.Touched, "WrongType": hostile.WrongType,
		"Recurse": hostile.Recurse, "Huge": hostile.Huge, "Spam": hostile.Spam, "Shout": hostile.Shout,
	}},
	"nft": {Source: "../contracts/nft/nft.go", Functions: map[string]any{
		"Mint": nft.Mint, "TransferToken": nft.TransferToken, "Burn": nft.Burn,
		"Describe": nft.Describe, "FirstOf": nft.FirstOf,
	}},
	"registry": {Source: "../contracts/registry/registry.go", Functions: map[string]any{
		"Register": registry.Register, "Lookup": registry.Lookup, "Release": registry.Release,
	}},
	"stdlib": {Source: "../contracts/stdlib/stdlib.go", Functions: map[string]any{
		"BigMul": stdlib.BigMul, "Ed25519": stdlib.Ed25519, "Sha512": stdlib.Sha512,
		"Sha3": stdlib.Sha3, "Hmac": stdlib.Hmac, "Crc32": stdlib.Crc32, "Fnv": stdlib.Fnv,
		"Keys": stdlib.Keys, "Compare": stdlib.Compare, "HeapSort": stdlib.HeapSort,
		"Reverse": stdlib.Reverse, "Base64": stdlib.Base64, "Json": stdlib.Json,
		"Utf16Units": stdlib.Utf16Units, "Match": stdlib.Match, "Hex": stdlib.Hex,
	}},
	"token": {Source: "../contracts/token/token.go", Functions: map[string]any{
		"Initialize": token.Initialize, "Transfer": token.Transfer,
		"GetBalance": token.GetBalance, "CreateAccount": token.CreateAccount,
	}},
	"vote": {Source: "../contracts/vote/vote.go", Functions: map[string]any{
		"Create": vote.Create, "Vote": vote.Vote, "Results": vote.Results,
		"Describe": vote.Describe,
	}},
}

func TestParity(t *testing.T) {
	scenario, out := os.Getenv("GOVM_PARITY_SCENARIO"), os.Getenv("GOVM_PARITY_OUT")
	if scenario != "" || out != "" {
		if scenario == "" || out == "" {
			t.Fatal("set both GOVM_PARITY_SCENARIO and GOVM_PARITY_OUT")
		}
		transcript(t, scenario, out)
		return
	}
	files, err := filepath.Glob("../contracts/*/parity.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(filepath.Base(filepath.Dir(file)), func(t *testing.T) {
			transcript(t, file, "")
		})
	}
}

// transcript runs a scenario, reports its unmet expectations, and writes its transcript to
// out unless out is empty.
func transcript(t *testing.T, scenario, out string) {
	tr, err := vmtest.RunScenarioFile(scenario, contracts)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range tr.Unmet {
		t.Error(u)
	}
	data, err := tr.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if out != "" {
		if err := os.WriteFile(out, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Every contract of testdata/contracts is registered here and has a scenario.
func TestEveryContractHasAScenario(t *testing.T) {
	dirs, err := os.ReadDir("../contracts")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, dir := range dirs {
		name := dir.Name()
		if _, err := os.Stat(filepath.Join("..", "contracts", name, name+".go")); err != nil {
			continue
		}
		found++
		if _, ok := contracts[name]; !ok {
			t.Errorf("contract %s is not registered in parity_test.go", name)
		}
		if _, err := os.Stat(filepath.Join("..", "contracts", name, "parity.json")); err != nil {
			t.Errorf("contract %s has no scenario: %v", name, err)
		}
	}
	if found != len(contracts) {
		t.Errorf("%d contracts in testdata/contracts, %d registered", found, len(contracts))
	}
}

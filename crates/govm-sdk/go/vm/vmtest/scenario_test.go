//go:build !wasip1

package vmtest_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/govm-net/vm/vmtest"
)

var scenarioContracts = map[string]vmtest.Contract{"box": box, "relay": relay}

func TestAScenarioRunsAndIsTranscribed(t *testing.T) {
	scenario := `{
	  "accounts": ["alice", "bob"],
	  "steps": [
	    {"op": "deploy", "contract": "box", "sender": "@alice"},
	    {"op": "deploy", "contract": "relay", "name": "r", "sender": "@alice"},
	    {"op": "mint", "to": "$box", "amount": 50},
	    {"op": "block", "height": 7},
	    {"op": "call", "contract": "box", "function": "Create", "sender": "@bob", "args": ["@bob"], "save": "obj"},
	    {"op": "call", "contract": "box", "function": "Put", "sender": "@bob", "args": ["$$x", "18446744073709551615"],
	     "expect": {"result": null}},
	    {"op": "call", "contract": "box", "function": "Read", "sender": "@bob", "args": ["$obj", "n"],
	     "expect": {"error": "field \"n\": not found"}},
	    {"op": "call", "contract": "box", "function": "Where", "sender": "@bob",
	     "expect": {"result": [7, 1700000000, "@bob", "$box"]}},
	    {"op": "call", "contract": "box", "function": "Pay", "sender": "@bob", "args": ["@alice", 20]},
	    {"op": "call", "contract": "r", "function": "Forward", "sender": "@bob", "args": ["$box", "Nope", 1],
	     "expect": {"result": "failed: unknown function ` + "`Nope`" + `"}},
	    {"op": "call", "contract": "box", "function": "Nope", "sender": "@bob", "args": ["ignored"],
	     "expect": {"result": 1}}
	  ]
	}`
	tr, err := vmtest.RunScenario([]byte(scenario), scenarioContracts)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Unmet) != 1 || !strings.Contains(tr.Unmet[0], "step 11 (box.Nope): expected the result 1, got the error \"unknown function `Nope`\"") {
		t.Fatalf("unmet: %q", tr.Unmet)
	}
	out, err := tr.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Accounts  map[string]string
		Contracts map[string]string
		Steps     []map[string]any
		State     struct {
			Objects  map[string][]map[string]any
			Balances map[string]float64
		}
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	boxAddr := got.Contracts["box"]
	if got.Accounts["bob"] != vmtest.Account("bob").String() || boxAddr == "" || got.Contracts["r"] == "" {
		t.Fatalf("names: %v %v", got.Accounts, got.Contracts)
	}
	wantSteps := []map[string]any{
		{"op": "deploy", "name": "box", "address": boxAddr},
		{"op": "deploy", "name": "r", "address": got.Contracts["r"]},
		{"op": "mint", "to": boxAddr, "balance": 50.0},
		{"op": "block", "height": 7.0, "time": 1700000000.0},
	}
	if !reflect.DeepEqual(got.Steps[:4], wantSteps) {
		t.Fatalf("steps: %v", got.Steps[:4])
	}
	put := got.Steps[5]
	events := put["events"].([]any)
	if put["result"] != nil || put["error"] != nil || len(events) != 1 {
		t.Fatalf("Put: %v", put)
	}
	fields := events[0].(map[string]any)["fields"]
	if !reflect.DeepEqual(fields, []any{[]any{"field", "$x"}, []any{"n", 18446744073709551615.0}}) {
		t.Fatalf("Put's event: %v", events[0])
	}
	if !strings.Contains(string(out), "18446744073709551615") {
		t.Fatalf("large numbers must be written exactly:\n%s", out)
	}
	if got.Steps[10]["error"] != "unknown function `Nope`" {
		t.Fatalf("unknown function: %v", got.Steps[10])
	}
	if got.State.Balances["box"] != 30 || got.State.Balances["alice"] != 20 || got.State.Balances["bob"] != 0 || got.State.Balances["r"] != 0 {
		t.Fatalf("balances: %v", got.State.Balances)
	}
	objects := got.State.Objects["box"]
	if len(objects) != 2 || objects[0]["owner"] != boxAddr || objects[1]["owner"] != got.Accounts["bob"] {
		t.Fatalf("objects: %v", objects)
	}
	if !reflect.DeepEqual(objects[0]["fields"], map[string]any{"$x": 18446744073709551615.0}) {
		t.Fatalf("default object: %v", objects[0])
	}
}

func TestScenarioMistakesAreReported(t *testing.T) {
	deploy := `{"op": "deploy", "contract": "box", "sender": "@alice"}`
	for _, c := range []struct{ steps, message string }{
		{`{"op": "jump"}`, `step 1 (jump): unknown op "jump"`},
		{`{"op": "deploy", "contract": "nope", "sender": "@alice"}`, `no Contract is registered for "nope"`},
		{`{"op": "deploy", "contract": "box", "sender": "@carol"}`, `@carol: no such account`},
		{deploy + `, {"op": "call", "contract": "box", "function": "Put", "sender": "@alice", "args": ["n"]}`, `Put takes 2 arguments, the step gives 1`},
		{deploy + `, {"op": "call", "contract": "box", "function": "Put", "sender": "@alice", "args": ["n", -1]}`, `argument 2: expected uint64, got number -1`},
		{deploy + `, {"op": "call", "contract": "box", "function": "Put", "sender": "@alice", "args": ["$nope", 1]}`, `$nope: no contract deployed or result saved`},
		{deploy + `, {"op": "call", "contract": "box", "function": "Put", "sender": "@alice", "args": ["n", 1], "save": "x"}, {"op": "call", "contract": "box", "function": "Remove", "sender": "@alice", "args": ["$x"]}`, `argument 1: expected vm.ObjectID, got null`},
		{deploy + `, {"op": "call", "contract": "box", "function": "Remove", "sender": "@alice", "args": ["0x0000000000000000000000000000000000000000000000000000000000000000"], "save": "x"}`, `cannot save the result of a failed call`},
		{`{"op": "call", "contract": "box", "function": "Put", "sender": "@alice"}`, `contract "box" is neither a deployed name nor an address`},
		{`{"op": "mint", "to": "@alice"}`, `a mint needs an amount`},
		{`{"op": "deploy", "contract": "box", "sender": "@alice", "typo": 1}`, `unknown field "typo"`},
	} {
		_, err := vmtest.RunScenario([]byte(`{"accounts": ["alice"], "steps": [`+c.steps+`]}`), scenarioContracts)
		if err == nil || !strings.Contains(err.Error(), c.message) {
			t.Errorf("%s: got %v, expected %q", c.steps, err, c.message)
		}
	}
}

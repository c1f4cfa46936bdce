//go:build !wasip1

package vmtest

// Parity scenarios: a list of steps that runs natively here and through the real engine on
// the Rust side, each producing a transcript; the transcripts must be equal. docs/testing.md
// specifies both formats.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/govm-net/vm"
)

type scenario struct {
	Accounts []string `json:"accounts"`
	Steps    []step   `json:"steps"`
}

type step struct {
	Op       string            `json:"op"`
	Note     string            `json:"note"`
	Contract string            `json:"contract"`
	Name     string            `json:"name"`
	Sender   string            `json:"sender"`
	Function string            `json:"function"`
	Args     []json.RawMessage `json:"args"`
	Save     string            `json:"save"`
	Expect   *expect           `json:"expect"`
	To       string            `json:"to"`
	Amount   *uint64           `json:"amount"`
	Value    uint64            `json:"value"`
	// Fuel is the engine's fuel for the call; natively there is no fuel, and it is ignored.
	Fuel   uint64  `json:"fuel"`
	Height *uint64 `json:"height"`
	Time   *int64  `json:"time"`
}

type expect struct {
	Result json.RawMessage `json:"result"`
	Error  *string         `json:"error"`
}

// Transcript is what a scenario did, in the form docs/testing.md specifies: the same
// scenario must give the same transcript natively and through the engine.
type Transcript struct {
	Accounts  map[string]string `json:"accounts"`
	Contracts map[string]string `json:"contracts"`
	Steps     []map[string]any  `json:"steps"`
	State     TranscriptState   `json:"state"`
	// Unmet lists the steps whose result or error differs from their "expect".
	Unmet []string `json:"-"`
}

// TranscriptState is the final state: every deployed contract's objects and the balance of
// every account and contract, by scenario name.
type TranscriptState struct {
	Objects  map[string][]map[string]any `json:"objects"`
	Balances map[string]json.Number      `json:"balances"`
}

// JSON is the transcript as indented JSON.
func (t *Transcript) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

type runner struct {
	chain     *Chain
	contracts map[string]Contract
	accounts  map[string]vm.Address
	deployed  map[string]vm.Address
	order     []string
	saved     map[string]any
	tr        *Transcript
}

// RunScenarioFile runs the parity scenario in a file: see RunScenario.
func RunScenarioFile(path string, contracts map[string]Contract) (*Transcript, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tr, err := RunScenario(data, contracts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tr, nil
}

// RunScenario runs a parity scenario (docs/testing.md) on a fresh chain. contracts maps the
// contract names the scenario deploys (the folders of testdata/contracts) to their Contract;
// its Source must be the file the engine deploys, for addresses to match the engine's. The
// error is for a scenario that cannot run (bad JSON, an unknown name, arguments that do not
// fit); a step whose outcome differs from its "expect" is listed in the transcript's Unmet.
func RunScenario(data []byte, contracts map[string]Contract) (*Transcript, error) {
	var s scenario
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("reading the scenario: %w", err)
	}
	r := &runner{
		chain:     New(),
		contracts: contracts,
		accounts:  map[string]vm.Address{},
		deployed:  map[string]vm.Address{},
		saved:     map[string]any{},
		tr: &Transcript{
			Accounts:  map[string]string{},
			Contracts: map[string]string{},
			Steps:     []map[string]any{},
		},
	}
	for _, name := range s.Accounts {
		if name == "" || r.accounts[name] != (vm.Address{}) {
			return nil, fmt.Errorf("account names must be distinct and not empty: %q", name)
		}
		r.accounts[name] = Account(name)
		r.tr.Accounts[name] = Account(name).String()
	}
	for i, st := range s.Steps {
		out, err := r.step(i+1, st)
		if err != nil {
			return nil, fmt.Errorf("step %d (%s): %w", i+1, st.Op, err)
		}
		r.tr.Steps = append(r.tr.Steps, out)
	}
	r.tr.State = r.state()
	return r.tr, nil
}

func (r *runner) step(n int, st step) (map[string]any, error) {
	switch st.Op {
	case "deploy":
		return r.deploy(st)
	case "call":
		return r.call(n, st)
	case "mint":
		if st.Amount == nil {
			return nil, fmt.Errorf("a mint needs an amount")
		}
		to, err := r.address(st.To)
		if err != nil {
			return nil, err
		}
		if err := r.chain.Mint(to, *st.Amount); err != nil {
			return nil, err
		}
		return map[string]any{"op": "mint", "to": to.String(), "balance": number(r.chain.Balance(to))}, nil
	case "block":
		if st.Height == nil && st.Time == nil {
			return nil, fmt.Errorf("a block step needs a height or a time")
		}
		height, time := r.chain.Block()
		if st.Height != nil {
			height = *st.Height
		}
		if st.Time != nil {
			time = *st.Time
		}
		r.chain.SetBlock(height, time)
		return map[string]any{"op": "block", "height": number(height), "time": json.Number(strconv.FormatInt(time, 10))}, nil
	}
	return nil, fmt.Errorf("unknown op %q: deploy, call, mint or block", st.Op)
}

func number(n uint64) json.Number { return json.Number(strconv.FormatUint(n, 10)) }

func (r *runner) deploy(st step) (map[string]any, error) {
	c, ok := r.contracts[st.Contract]
	if !ok {
		return nil, fmt.Errorf("no Contract is registered for %q", st.Contract)
	}
	name := st.Name
	if name == "" {
		name = st.Contract
	}
	if _, taken := r.deployed[name]; taken {
		return nil, fmt.Errorf("the name %q is deployed already", name)
	}
	if _, taken := r.saved[name]; taken {
		return nil, fmt.Errorf("the name %q names a saved result", name)
	}
	sender, err := r.address(st.Sender)
	if err != nil {
		return nil, err
	}
	addr, err := r.chain.Deploy(sender, c)
	if err != nil {
		return nil, err
	}
	r.deployed[name] = addr
	r.order = append(r.order, name)
	r.tr.Contracts[name] = addr.String()
	return map[string]any{"op": "deploy", "name": name, "address": addr.String()}, nil
}

func (r *runner) call(n int, st step) (map[string]any, error) {
	if st.Function == "" {
		return nil, fmt.Errorf("a call needs a function")
	}
	sender, err := r.address(st.Sender)
	if err != nil {
		return nil, err
	}
	contract, ok := r.deployed[st.Contract]
	if !ok {
		contract, err = vm.ParseAddress(st.Contract)
		if err != nil {
			return nil, fmt.Errorf("contract %q is neither a deployed name nor an address", st.Contract)
		}
	}
	var receipt *Receipt
	var results []reflect.Type
	code := r.chain.codes[contract]
	switch {
	case code == nil:
		receipt = &Receipt{Err: &Failure{Kind: UnknownContract, Message: contract.String()}}
	case code.entries[st.Function] == nil:
		receipt = &Receipt{Err: &Failure{Kind: UnknownFunction, Message: st.Function}}
	default:
		e := code.entries[st.Function]
		if len(st.Args) != len(e.params) {
			return nil, fmt.Errorf("%s takes %d arguments, the step gives %d", st.Function, len(e.params), len(st.Args))
		}
		args := make([]reflect.Value, len(st.Args))
		for i, raw := range st.Args {
			j, err := r.substituted(raw)
			if err != nil {
				return nil, fmt.Errorf("argument %d: %w", i+1, err)
			}
			if args[i], err = fromJSON(e.params[i], j, fmt.Sprintf("argument %d", i+1)); err != nil {
				return nil, err
			}
		}
		receipt = r.chain.executeValues(r.chain.store.begin(), sender, st.Value, contract, e, args, true)
		results = e.results
	}
	out := map[string]any{
		"op":       "call",
		"contract": st.Contract,
		"function": st.Function,
		"result":   nil,
		"error":    nil,
		"events":   eventsJSON(receipt.Events),
	}
	if receipt.Err != nil {
		if _, ok := receipt.Err.(*Failure); !ok {
			return nil, receipt.Err
		}
		out["error"] = receipt.Err.Error()
	} else {
		out["result"] = resultsJSON(receipt.Results, results)
	}
	if err := r.check(n, st, out); err != nil {
		return nil, err
	}
	if st.Save != "" {
		if receipt.Err != nil {
			return nil, fmt.Errorf("cannot save the result of a failed call (%v)", receipt.Err)
		}
		if _, taken := r.saved[st.Save]; taken {
			return nil, fmt.Errorf("%q is saved already", st.Save)
		}
		if _, taken := r.deployed[st.Save]; taken {
			return nil, fmt.Errorf("%q names a deployed contract", st.Save)
		}
		r.saved[st.Save] = out["result"]
	}
	return out, nil
}

// resultsJSON is the JSON form of results: none is null, one is the value, several an array.
func resultsJSON(values []any, types []reflect.Type) any {
	switch len(types) {
	case 0:
		return nil
	case 1:
		return toJSON(reflect.ValueOf(values[0]))
	}
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = toJSON(reflect.ValueOf(v))
	}
	return out
}

func eventsJSON(events []Event) []any {
	out := make([]any, len(events))
	for i, e := range events {
		fields := make([]any, len(e.Fields))
		for j, f := range e.Fields {
			fields[j] = []any{f.Key, toJSON(reflect.ValueOf(f.Value))}
		}
		out[i] = map[string]any{"contract": e.Contract.String(), "name": e.Name, "fields": fields}
	}
	return out
}

// check compares a call's outcome with the step's expectation.
func (r *runner) check(n int, st step, out map[string]any) error {
	if st.Expect == nil {
		return nil
	}
	unmet := func(format string, args ...any) {
		r.tr.Unmet = append(r.tr.Unmet, fmt.Sprintf("step %d (%s.%s): ", n, st.Contract, st.Function)+fmt.Sprintf(format, args...))
	}
	got, _ := out["error"].(string)
	switch {
	case st.Expect.Error != nil && st.Expect.Result != nil:
		return fmt.Errorf("expect either a result or an error")
	case st.Expect.Error != nil:
		if out["error"] == nil || got != *st.Expect.Error {
			unmet("expected the error %q, got %s", *st.Expect.Error, canonical(out["error"]))
		}
	case st.Expect.Result != nil:
		want, err := r.substituted(st.Expect.Result)
		if err != nil {
			return fmt.Errorf("expect: %w", err)
		}
		if out["error"] != nil {
			unmet("expected the result %s, got the error %q", canonical(want), got)
		} else if canonical(want) != canonical(out["result"]) {
			unmet("expected the result %s, got %s", canonical(want), canonical(out["result"]))
		}
	default:
		return fmt.Errorf("expect a result or an error")
	}
	return nil
}

// canonical is JSON with sorted keys, for comparing values.
func canonical(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	var tree any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	b, _ = json.Marshal(tree)
	return string(b)
}

// substituted decodes a JSON value and replaces its references (docs/testing.md): "@name"
// is an account's address, "$name" a deployed contract's address or a saved result; "@@"
// and "$$" stand for a literal "@" and "$".
func (r *runner) substituted(raw json.RawMessage) (any, error) {
	var j any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&j); err != nil {
		return nil, err
	}
	return r.subst(j)
}

func (r *runner) subst(j any) (any, error) {
	switch v := j.(type) {
	case string:
		return r.reference(v)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			y, err := r.subst(x)
			if err != nil {
				return nil, err
			}
			out[i] = y
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			key, err := r.reference(k)
			if err != nil {
				return nil, err
			}
			text, ok := key.(string)
			if !ok {
				return nil, fmt.Errorf("object key %q is not a string", k)
			}
			if out[text], err = r.subst(x); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return j, nil
}

func (r *runner) reference(s string) (any, error) {
	switch {
	case strings.HasPrefix(s, "@@"), strings.HasPrefix(s, "$$"):
		return s[1:], nil
	case strings.HasPrefix(s, "@"):
		a, ok := r.accounts[s[1:]]
		if !ok {
			return nil, fmt.Errorf("%s: no such account (declare it in \"accounts\")", s)
		}
		return a.String(), nil
	case strings.HasPrefix(s, "$"):
		if a, ok := r.deployed[s[1:]]; ok {
			return a.String(), nil
		}
		if v, ok := r.saved[s[1:]]; ok {
			return v, nil
		}
		return nil, fmt.Errorf("%s: no contract deployed or result saved under that name", s)
	}
	return s, nil
}

// address reads an address expression: "@account", "$contract" or 0x-hex.
func (r *runner) address(s string) (vm.Address, error) {
	v, err := r.reference(s)
	if err != nil {
		return vm.Address{}, err
	}
	text, _ := v.(string)
	a, err := vm.ParseAddress(text)
	if err != nil {
		return vm.Address{}, fmt.Errorf("%q is not an address: %w", s, err)
	}
	return a, nil
}

func (r *runner) state() TranscriptState {
	st := TranscriptState{Objects: map[string][]map[string]any{}, Balances: map[string]json.Number{}}
	for name, a := range r.accounts {
		st.Balances[name] = number(r.chain.Balance(a))
	}
	for _, name := range r.order {
		addr := r.deployed[name]
		st.Balances[name] = number(r.chain.Balance(addr))
		objects := []map[string]any{}
		for _, obj := range r.chain.Objects(addr) {
			fields := map[string]any{}
			for k, v := range obj.Fields {
				fields[k] = toJSON(reflect.ValueOf(v))
			}
			objects = append(objects, map[string]any{
				"id":     obj.ID.String(),
				"owner":  obj.Owner.String(),
				"fields": fields,
			})
		}
		st.Objects[name] = objects
	}
	return st
}

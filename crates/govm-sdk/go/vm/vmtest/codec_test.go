//go:build !wasip1

package vmtest

// The reflective codec and the JSON forms against the conformance vectors the Rust codec and
// the SDK check (testdata/abi-vectors): JSON to Go value to bytes, bytes to Go value to JSON,
// and every malformed encoding refused.

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/govm-net/vm"
)

// The vectors' structs, as a contract would declare them.
type Point struct {
	X int64
	Y int64
}

type Shape struct {
	Name   string
	Points []Point
	Tags   map[string]bool
	Owner  vm.Address
}

type Wrapper struct {
	Inner Shape
	Flags [2]bool
	Blob  []byte
}

type Holding struct {
	Owner  vm.Address
	Amount vm.Uint256
}

func vectorTypes() *types {
	ts := &types{pkgs: map[string]bool{"github.com/govm-net/vm/vmtest": true}, structs: map[string]reflect.Type{}}
	ts.learn(reflect.TypeOf(Wrapper{}))
	ts.learn(reflect.TypeOf(Holding{}))
	return ts
}

func TestConformanceVectors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "..", "testdata", "abi-vectors", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []struct {
			Name  string
			Type  string
			JSON  json.RawMessage `json:"json"`
			Hex   string
			Error bool
		}
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	ts := vectorTypes()
	for _, v := range file.Vectors {
		typ, err := ts.parse(v.Type)
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		if err := checkType(typ, ts.pkgs); err != nil {
			t.Errorf("%s: %v", v.Name, err)
		}
		if typeName(typ) != v.Type {
			t.Errorf("%s: type name %q, expected %q", v.Name, typeName(typ), v.Type)
		}
		data, err := hex.DecodeString(v.Hex)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		d := vm.NewDecoder(data)
		got := decode(d, typ)
		err = d.Finish()
		if v.Error {
			if err == nil {
				t.Errorf("%s: decoded to %s, but must be refused", v.Name, canonical(toJSON(got)))
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(v.JSON))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		if canonical(toJSON(got)) != canonical(want) {
			t.Errorf("%s: decoded to %s, expected %s", v.Name, canonical(toJSON(got)), canonical(want))
		}
		value, err := fromJSON(typ, want, "value")
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		var e vm.Encoder
		encode(&e, value)
		if hex.EncodeToString(e.Bytes()) != v.Hex {
			t.Errorf("%s: encoded to %x, expected %s", v.Name, e.Bytes(), v.Hex)
		}
	}
}

func TestJSONFormsAndErrors(t *testing.T) {
	ts := vectorTypes()
	parse := func(name string) reflect.Type {
		typ, err := ts.parse(name)
		if err != nil {
			t.Fatal(err)
		}
		return typ
	}
	ok := []struct {
		typ, json string
	}{
		{"uint64", `"18446744073709551615"`},
		{"int", `"-5"`},
		{"[4]uint8", `"0x0102abCD"`},
		{"[4]uint8", `[1, 2, 171, 205]`},
		{"map[int8]bool", `{"-1": true, "3": false}`},
		{"map[bool]int8", `{"true": 1, "false": -1}`},
		{"map[vm.Address][]uint16", `{"0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1": [1]}`},
	}
	for _, c := range ok {
		if _, err := fromJSON(parse(c.typ), decodeJSON(t, c.json), "value"); err != nil {
			t.Errorf("%s from %s: %v", c.typ, c.json, err)
		}
	}
	bad := []struct {
		typ, json, message string
	}{
		{"uint32", `"5"`, `value: expected uint32, got string "5"`},
		{"uint64", `"+5"`, `value: expected uint64, got string "+5"`},
		{"uint8", `256`, `value: expected uint8, got 256, out of range`},
		{"int8", `1.5`, `value: expected int8, got number 1.5`},
		{"string", `null`, `value: expected string, got null`},
		{"[]byte", `"0102"`, `value: expected []byte, got "0102" (no 0x prefix)`},
		{"vm.Address", `"0x01"`, `value: expected vm.Address, got invalid vm.Address: expected 40 hex digits, got 2`},
		{"[2]bool", `[true]`, `value: expected [2]bool, got an array of 1 elements`},
		{"Point", `{"X": 1}`, `value.Y: expected int64, got nothing (the field is missing)`},
		{"Point", `{"X": 1, "Y": 2, "Z": 3}`, `value: expected Point, which has no field "Z", got object`},
		{"[]Point", `[{"X": "a", "Y": 2}]`, `value[0].X: expected int64, got string "a"`},
	}
	for _, c := range bad {
		_, err := fromJSON(parse(c.typ), decodeJSON(t, c.json), "value")
		if err == nil || err.Error() != c.message {
			t.Errorf("%s from %s: got %v, expected %q", c.typ, c.json, err, c.message)
		}
	}
}

func decodeJSON(t *testing.T, text string) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.UseNumber()
	var j any
	if err := dec.Decode(&j); err != nil {
		t.Fatal(err)
	}
	return j
}

func TestOnlyTypesThatCrossTheBoundaryAreAccepted(t *testing.T) {
	pkgs := map[string]bool{"github.com/govm-net/vm/vmtest": true}
	type named uint64
	type anonymousOwner struct{ A struct{ X int } }
	type self struct{ Next []self }
	type empty struct{}
	for _, v := range []any{
		named(1), []named{}, map[float64]bool{}, anonymousOwner{}, self{}, empty{}, 1.5,
		map[Point]bool{}, struct{ X int }{}, &Point{}, bytes.Buffer{},
	} {
		if checkType(reflect.TypeOf(v), pkgs) == nil {
			t.Errorf("%T was accepted", v)
		}
	}
	for _, v := range []any{Wrapper{}, [3][]map[int32]string{}, map[vm.Hash][]Point{}} {
		if err := checkType(reflect.TypeOf(v), pkgs); err != nil {
			t.Errorf("%T: %v", v, err)
		}
	}
}

func TestCompositeTypeNamesMustBeCanonical(t *testing.T) {
	ts := vectorTypes()
	encodeTagged := func(name string, value []byte) []byte {
		var e vm.Encoder
		e.Uint8(compositeTag)
		e.Str(name)
		return append(e.Bytes(), value...)
	}
	if _, err := ts.decodeTagged(encodeTagged("[]bool", []byte{4, 1})); err != nil {
		t.Error(err)
	}
	for _, name := range []string{"[]uint8", "uint64", "[]Nope", "map[[]byte]bool"} {
		if _, err := ts.decodeTagged(encodeTagged(name, []byte{0})); err == nil {
			t.Errorf("composite %q was accepted", name)
		}
	}
}

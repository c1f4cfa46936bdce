package vm

// The conformance vectors under testdata/abi-vectors, which the Rust codec checks too. The
// test drives the SDK's Encoder and Decoder through a small interpreter of type strings; the
// wrapper govm generates makes the same calls for the same types.

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

type vectorFile struct {
	Structs []struct {
		Name   string
		Fields []struct {
			Name string
			Type string
		}
	}
	Vectors []struct {
		Name  string
		Type  string
		JSON  json.RawMessage `json:"json"`
		Hex   string
		Error bool
	}
}

type field struct{ name, typ string }

type interp struct{ structs map[string][]field }

var intSizes = map[string]int{
	"uint8": 1, "uint16": 2, "uint32": 4, "uint64": 8, "uint": 8,
	"int8": 1, "int16": 2, "int32": 4, "int64": 8, "int": 8,
}

var fixedSizes = map[string]int{"vm.Address": 20, "vm.ObjectID": 32, "vm.Hash": 32, "vm.Uint256": 32}

func splitMap(t string) (string, string) {
	depth := 0
	for i := 4; i < len(t); i++ {
		switch t[i] {
		case '[':
			depth++
		case ']':
			if depth == 0 {
				return t[4:i], t[i+1:]
			}
			depth--
		}
	}
	panic("bad map type " + t)
}

func splitArray(t string) (int, string) {
	end := strings.IndexByte(t, ']')
	n, err := strconv.Atoi(t[1:end])
	if err != nil {
		panic(err)
	}
	return n, t[end+1:]
}

func (in *interp) minSize(t string) int {
	switch {
	case t == "bool":
		return 1
	case intSizes[t] > 0:
		return intSizes[t]
	case fixedSizes[t] > 0:
		return fixedSizes[t]
	case t == "string" || strings.HasPrefix(t, "[]") || strings.HasPrefix(t, "map["):
		return 1
	case strings.HasPrefix(t, "["):
		n, elem := splitArray(t)
		return n * in.minSize(elem)
	}
	total := 0
	for _, f := range in.structs[t] {
		total += in.minSize(f.typ)
	}
	return total
}

func num(s string) json.Number { return json.Number(s) }

// decode reads a value of type t into its JSON form.
func (in *interp) decode(t string, d *Decoder) any {
	switch t {
	case "bool":
		return d.Bool()
	case "uint8":
		return num(strconv.FormatUint(uint64(d.Uint8()), 10))
	case "uint16":
		return num(strconv.FormatUint(uint64(d.Uint16()), 10))
	case "uint32":
		return num(strconv.FormatUint(uint64(d.Uint32()), 10))
	case "uint64", "uint":
		return num(strconv.FormatUint(d.Uint64(), 10))
	case "int8":
		return num(strconv.FormatInt(int64(d.Int8()), 10))
	case "int16":
		return num(strconv.FormatInt(int64(d.Int16()), 10))
	case "int32":
		return num(strconv.FormatInt(int64(d.Int32()), 10))
	case "int64", "int":
		return num(strconv.FormatInt(d.Int64(), 10))
	case "string":
		return d.Str()
	case "[]byte":
		return "0x" + hex.EncodeToString(d.ByteSlice())
	case "vm.Address":
		return d.Address().String()
	case "vm.ObjectID":
		return d.ObjectID().String()
	case "vm.Hash":
		return d.Hash().String()
	case "vm.Uint256":
		return d.Uint256().String()
	}
	switch {
	case strings.HasPrefix(t, "[]"):
		out := make([]any, d.Length(in.minSize(t[2:])))
		for i := range out {
			out[i] = in.decode(t[2:], d)
		}
		return out
	case strings.HasPrefix(t, "map["):
		kt, vt := splitMap(t)
		n := d.Length(in.minSize(kt) + in.minSize(vt))
		out := map[string]any{}
		var prev any
		for i := 0; i < n; i++ {
			k := in.decode(kt, d)
			if i > 0 && !keyLess(kt, prev, k) {
				d.Fail("map keys are not in strictly increasing order")
				return out
			}
			prev = k
			out[keyText(k)] = in.decode(vt, d)
		}
		return out
	case strings.HasPrefix(t, "["):
		n, elem := splitArray(t)
		out := make([]any, n)
		for i := range out {
			out[i] = in.decode(elem, d)
		}
		return out
	}
	out := map[string]any{}
	for _, f := range in.structs[t] {
		out[f.name] = in.decode(f.typ, d)
	}
	return out
}

func keyText(k any) string {
	switch v := k.(type) {
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return string(v)
	}
	return k.(string)
}

// keyLess is the natural order of map keys, on their JSON forms.
func keyLess(kt string, a, b any) bool {
	switch {
	case kt == "bool":
		return !a.(bool) && b.(bool)
	case strings.HasPrefix(kt, "uint"):
		x, _ := strconv.ParseUint(string(a.(json.Number)), 10, 64)
		y, _ := strconv.ParseUint(string(b.(json.Number)), 10, 64)
		return x < y
	case strings.HasPrefix(kt, "int"):
		x, _ := strconv.ParseInt(string(a.(json.Number)), 10, 64)
		y, _ := strconv.ParseInt(string(b.(json.Number)), 10, 64)
		return x < y
	case kt == "string":
		return a.(string) < b.(string)
	case kt == "vm.Uint256":
		return MustParseUint256(a.(string)).Lt(MustParseUint256(b.(string)))
	}
	x, _ := hex.DecodeString(a.(string)[2:])
	y, _ := hex.DecodeString(b.(string)[2:])
	return LessBytes(x, y)
}

// keyFromText turns a JSON object key back into the JSON form of its type.
func keyFromText(kt, text string) any {
	switch {
	case kt == "bool":
		return text == "true"
	case intSizes[kt] > 0:
		return json.Number(text)
	}
	return text
}

// encode writes the JSON form v as a value of type t.
func (in *interp) encode(t string, v any, e *Encoder, tb testing.TB) {
	parseU := func(bits int) uint64 {
		n, err := strconv.ParseUint(string(v.(json.Number)), 10, bits)
		if err != nil {
			tb.Fatalf("%s %v: %v", t, v, err)
		}
		return n
	}
	parseI := func(bits int) int64 {
		n, err := strconv.ParseInt(string(v.(json.Number)), 10, bits)
		if err != nil {
			tb.Fatalf("%s %v: %v", t, v, err)
		}
		return n
	}
	switch t {
	case "bool":
		e.Bool(v.(bool))
		return
	case "uint8":
		e.Uint8(uint8(parseU(8)))
		return
	case "uint16":
		e.Uint16(uint16(parseU(16)))
		return
	case "uint32":
		e.Uint32(uint32(parseU(32)))
		return
	case "uint64", "uint":
		e.Uint64(parseU(64))
		return
	case "int8":
		e.Int8(int8(parseI(8)))
		return
	case "int16":
		e.Int16(int16(parseI(16)))
		return
	case "int32":
		e.Int32(int32(parseI(32)))
		return
	case "int64", "int":
		e.Int64(parseI(64))
		return
	case "string":
		e.Str(v.(string))
		return
	case "[]byte":
		b, err := hex.DecodeString(strings.TrimPrefix(v.(string), "0x"))
		if err != nil {
			tb.Fatal(err)
		}
		e.ByteSlice(b)
		return
	case "vm.Address":
		a, err := ParseAddress(v.(string))
		if err != nil {
			tb.Fatal(err)
		}
		e.Address(a)
		return
	case "vm.ObjectID":
		id, err := ParseObjectID(v.(string))
		if err != nil {
			tb.Fatal(err)
		}
		e.ObjectID(id)
		return
	case "vm.Hash":
		h, err := ParseHash(v.(string))
		if err != nil {
			tb.Fatal(err)
		}
		e.Hash(h)
		return
	case "vm.Uint256":
		u, err := ParseUint256(v.(string))
		if err != nil {
			tb.Fatal(err)
		}
		e.Uint256(u)
		return
	}
	switch {
	case strings.HasPrefix(t, "[]"):
		items := v.([]any)
		e.Compact(uint64(len(items)))
		for _, x := range items {
			in.encode(t[2:], x, e, tb)
		}
	case strings.HasPrefix(t, "map["):
		kt, vt := splitMap(t)
		m := v.(map[string]any)
		keys := make([]any, 0, len(m))
		for text := range m {
			keys = append(keys, keyFromText(kt, text))
		}
		sort.Slice(keys, func(i, j int) bool { return keyLess(kt, keys[i], keys[j]) })
		e.Compact(uint64(len(keys)))
		for _, k := range keys {
			in.encode(kt, k, e, tb)
			in.encode(vt, m[keyText(k)], e, tb)
		}
	case strings.HasPrefix(t, "["):
		_, elem := splitArray(t)
		for _, x := range v.([]any) {
			in.encode(elem, x, e, tb)
		}
	default:
		m := v.(map[string]any)
		for _, f := range in.structs[t] {
			in.encode(f.typ, m[f.name], e, tb)
		}
	}
}

func canonical(tb testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestConformanceVectors(t *testing.T) {
	path := os.Getenv("GOVM_ABI_VECTORS")
	if path == "" {
		path = filepath.Join("..", "..", "..", "..", "testdata", "abi-vectors", "vectors.json")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the vectors: %v (set GOVM_ABI_VECTORS)", err)
	}
	var file vectorFile
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Vectors) < 200 {
		t.Fatalf("only %d vectors", len(file.Vectors))
	}
	in := &interp{structs: map[string][]field{}}
	for _, s := range file.Structs {
		for _, f := range s.Fields {
			in.structs[s.Name] = append(in.structs[s.Name], field{f.Name, f.Type})
		}
	}
	for _, v := range file.Vectors {
		want, err := hex.DecodeString(v.Hex)
		if err != nil {
			t.Fatal(err)
		}
		d := NewDecoder(want)
		got := in.decode(v.Type, d)
		err = d.Finish()
		if v.Error {
			if err == nil {
				t.Errorf("%s: decoded to %s, but must be refused", v.Name, canonical(t, got))
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(v.JSON))
		dec.UseNumber()
		var expected any
		if err := dec.Decode(&expected); err != nil {
			t.Fatal(err)
		}
		if canonical(t, got) != canonical(t, expected) {
			t.Errorf("%s: decoded to %s, expected %s", v.Name, canonical(t, got), canonical(t, expected))
		}
		var e Encoder
		in.encode(v.Type, expected, &e, t)
		if !bytes.Equal(e.Bytes(), want) {
			t.Errorf("%s: encoded to %x, expected %s", v.Name, e.Bytes(), v.Hex)
		}
	}
}

func TestParseRejectsWrongLengthsAndDigits(t *testing.T) {
	good := "0x" + strings.Repeat("ab", 20)
	a, err := ParseAddress(good)
	if err != nil || a.String() != good {
		t.Fatalf("ParseAddress(%s) = %v, %v", good, a, err)
	}
	for _, bad := range []string{"", "0x", "ab" + strings.Repeat("ab", 19), "0x" + strings.Repeat("ab", 19), "0x" + strings.Repeat("zz", 20), good + "00"} {
		if _, err := ParseAddress(bad); err == nil {
			t.Errorf("ParseAddress(%q) accepted", bad)
		}
	}
	if _, err := ParseObjectID("0x" + strings.Repeat("00", 31)); err == nil {
		t.Error("ParseObjectID accepted 31 bytes")
	}
	if _, err := ParseHash("0x" + strings.Repeat("0g", 32)); err == nil {
		t.Error("ParseHash accepted a bad digit")
	}
}

//go:build !wasip1

package vmtest

// The JSON form of values (docs/abi.md, "Values"), as govm-abi's json.rs reads it
// (Codec::from_json) and writes it (Value::to_json).

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/govm-net/vm"
)

// toJSON is a value's JSON form: integers as numbers, []byte and identifiers as 0x-hex,
// arrays (fixed byte arrays too) and slices as arrays, maps as objects keyed by the keys'
// text, structs as objects keyed by field names.
func toJSON(v reflect.Value) any {
	t := v.Type()
	switch t {
	case bytesType:
		return "0x" + hex.EncodeToString(v.Bytes())
	case addressType, objectIDType, hashType:
		return "0x" + hex.EncodeToString(arrayBytes(v))
	case uint256Type:
		return v.Interface().(vm.Uint256).String()
	}
	switch t.Kind() {
	case reflect.Bool:
		return v.Bool()
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
		return json.Number(strconv.FormatUint(v.Uint(), 10))
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		return json.Number(strconv.FormatInt(v.Int(), 10))
	case reflect.String:
		return v.String()
	case reflect.Array, reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = toJSON(v.Index(i))
		}
		return out
	case reflect.Map:
		out := make(map[string]any, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			out[keyText(iter.Key())] = toJSON(iter.Value())
		}
		return out
	case reflect.Struct:
		out := make(map[string]any, t.NumField())
		for i := 0; i < t.NumField(); i++ {
			out[t.Field(i).Name] = toJSON(v.Field(i))
		}
		return out
	}
	panic("vmtest: no JSON form for " + t.String())
}

// keyText is a map key's text: decimal for integers, true/false, the string itself, 0x-hex.
func keyText(k reflect.Value) string {
	switch j := toJSON(k).(type) {
	case string:
		return j
	case json.Number:
		return string(j)
	case bool:
		return strconv.FormatBool(j)
	}
	return ""
}

func jsonKind(j any) string {
	switch j.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", j)
}

func describe(j any) string {
	switch v := j.(type) {
	case json.Number:
		return "number " + string(v)
	case string:
		return fmt.Sprintf("string %q", v)
	}
	return jsonKind(j)
}

func is64(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Uint64, reflect.Uint, reflect.Int64, reflect.Int:
		return true
	}
	return false
}

// fromJSON reads a value of type t from its JSON form (decoded with UseNumber); errors name
// path: `argument 2: expected uint64, got string "x"`. 64-bit integers may also be decimal
// strings; [N]uint8 may also be 0x-hex of exactly N bytes.
func fromJSON(t reflect.Type, j any, path string) (reflect.Value, error) {
	mismatch := func(got string) error {
		return fmt.Errorf("%s: expected %s, got %s", path, typeName(t), got)
	}
	out := reflect.New(t).Elem()
	str, isStr := j.(string)
	switch t {
	case bytesType:
		if !isStr {
			return out, mismatch(jsonKind(j))
		}
		b, err := hexBytes(str, -1)
		if err != nil {
			return out, mismatch(err.Error())
		}
		out.SetBytes(b)
		return out, nil
	case uint256Type:
		v, err := uint256JSON(j)
		if err != nil {
			return out, mismatch(err.Error())
		}
		out.Set(reflect.ValueOf(v))
		return out, nil
	case addressType, objectIDType, hashType:
		if !isStr {
			return out, mismatch(jsonKind(j))
		}
		var v any
		var err error
		switch t {
		case addressType:
			v, err = vm.ParseAddress(str)
		case objectIDType:
			v, err = vm.ParseObjectID(str)
		default:
			v, err = vm.ParseHash(str)
		}
		if err != nil {
			return out, mismatch(err.Error())
		}
		out.Set(reflect.ValueOf(v))
		return out, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		b, ok := j.(bool)
		if !ok {
			return out, mismatch(jsonKind(j))
		}
		out.SetBool(b)
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
		text, ok := integerText(t, j)
		n, err := strconv.ParseUint(text, 10, 64)
		if !ok || err != nil {
			return out, mismatch(describe(j))
		}
		if out.OverflowUint(n) {
			return out, mismatch(fmt.Sprintf("%d, out of range", n))
		}
		out.SetUint(n)
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		text, ok := integerText(t, j)
		n, err := strconv.ParseInt(text, 10, 64)
		if !ok || err != nil {
			return out, mismatch(describe(j))
		}
		if out.OverflowInt(n) {
			return out, mismatch(fmt.Sprintf("%d, out of range", n))
		}
		out.SetInt(n)
	case reflect.String:
		if !isStr {
			return out, mismatch(jsonKind(j))
		}
		out.SetString(str)
	case reflect.Array:
		if isStr && t.Elem().Kind() == reflect.Uint8 {
			b, err := hexBytes(str, t.Len())
			if err != nil {
				return out, mismatch(err.Error())
			}
			for i, x := range b {
				out.Index(i).SetUint(uint64(x))
			}
			return out, nil
		}
		items, ok := j.([]any)
		if !ok {
			return out, mismatch(jsonKind(j))
		}
		if len(items) != t.Len() {
			return out, mismatch(fmt.Sprintf("an array of %d elements", len(items)))
		}
		for i, item := range items {
			v, err := fromJSON(t.Elem(), item, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return out, err
			}
			out.Index(i).Set(v)
		}
	case reflect.Slice:
		items, ok := j.([]any)
		if !ok {
			return out, mismatch(jsonKind(j))
		}
		s := reflect.MakeSlice(t, len(items), len(items))
		for i, item := range items {
			v, err := fromJSON(t.Elem(), item, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return out, err
			}
			s.Index(i).Set(v)
		}
		out.Set(s)
	case reflect.Map:
		object, ok := j.(map[string]any)
		if !ok {
			return out, mismatch(jsonKind(j))
		}
		m := reflect.MakeMapWithSize(t, len(object))
		for text, item := range object {
			keyPath := fmt.Sprintf("%s[%s]", path, text)
			k, err := fromJSON(t.Key(), keyJSON(t.Key(), text), keyPath+" key")
			if err != nil {
				return out, err
			}
			if m.MapIndex(k).IsValid() {
				return out, fmt.Errorf("%s: the key is given twice", keyPath)
			}
			v, err := fromJSON(t.Elem(), item, keyPath)
			if err != nil {
				return out, err
			}
			m.SetMapIndex(k, v)
		}
		out.Set(m)
	case reflect.Struct:
		object, ok := j.(map[string]any)
		if !ok {
			return out, mismatch(jsonKind(j))
		}
		for name := range object {
			if f, ok := t.FieldByName(name); !ok || len(f.Index) != 1 {
				return out, fmt.Errorf("%s: expected %s, which has no field %q, got object", path, t.Name(), name)
			}
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			fieldPath := path + "." + f.Name
			item, ok := object[f.Name]
			if !ok {
				return out, fmt.Errorf("%s: expected %s, got nothing (the field is missing)", fieldPath, typeName(f.Type))
			}
			v, err := fromJSON(f.Type, item, fieldPath)
			if err != nil {
				return out, err
			}
			field(out, i).Set(v)
		}
	default:
		return out, fmt.Errorf("%s: %s has no JSON form", path, t)
	}
	return out, nil
}

// integerText is the text of an integer: a JSON number, or for 64-bit types a decimal string
// without a plus sign.
func integerText(t reflect.Type, j any) (string, bool) {
	switch v := j.(type) {
	case json.Number:
		return string(v), true
	case string:
		return v, is64(t) && !strings.HasPrefix(v, "+")
	}
	return "", false
}

// keyJSON reads a map key from an object key's text: booleans and integers from their text.
func keyJSON(t reflect.Type, text string) any {
	if t == uint256Type {
		return text
	}
	switch t.Kind() {
	case reflect.Bool:
		if b, err := strconv.ParseBool(text); err == nil && (text == "true" || text == "false") {
			return b
		}
		return text
	case reflect.String, reflect.Array:
		return text
	}
	if text != "" && (text[0] == '-' || '0' <= text[0] && text[0] <= '9') && json.Valid([]byte(text)) {
		return json.Number(text)
	}
	return text
}

// uint256JSON reads a vm.Uint256 from its decimal string, or from a JSON number that is a
// whole number that fits in 64 bits (as govm-abi's json.rs does).
func uint256JSON(j any) (vm.Uint256, error) {
	switch v := j.(type) {
	case json.Number:
		n, err := strconv.ParseUint(string(v), 10, 64)
		if err != nil {
			return vm.Uint256{}, fmt.Errorf("number %s (not a whole number that fits in 64 bits: write it as a decimal string)", v)
		}
		return vm.NewUint256(n), nil
	case string:
		if v == "" || strings.TrimLeft(v, "0123456789") != "" {
			return vm.Uint256{}, fmt.Errorf("string %q (not a decimal number)", v)
		}
		u, err := vm.ParseUint256(v)
		if err != nil {
			return vm.Uint256{}, fmt.Errorf("string %q, out of range", v)
		}
		return u, nil
	}
	return vm.Uint256{}, fmt.Errorf("%s", jsonKind(j))
}

// hexBytes reads 0x-hex (either case); exact is the required length in bytes, or -1.
func hexBytes(text string, exact int) ([]byte, error) {
	digits, ok := strings.CutPrefix(text, "0x")
	if !ok {
		return nil, fmt.Errorf("%q (no 0x prefix)", text)
	}
	b, err := hex.DecodeString(digits)
	if err != nil {
		return nil, fmt.Errorf("%q (%v)", text, err)
	}
	if exact >= 0 && len(b) != exact {
		return nil, fmt.Errorf("%d bytes of hex", len(b))
	}
	return b, nil
}

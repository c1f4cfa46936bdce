//go:build !wasip1

package vmtest

// The wire format of docs/abi.md driven by reflection: what govm's generated wrapper does for
// one contract with generated code, done here for any contract at run time. Decoding makes
// the same vm.Decoder calls in the same order as the wrapper, so a bad argument gets the same
// message natively and on chain.

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/govm-net/vm"
)

var (
	addressType  = reflect.TypeOf(vm.Address{})
	objectIDType = reflect.TypeOf(vm.ObjectID{})
	hashType     = reflect.TypeOf(vm.Hash{})
	uint256Type  = reflect.TypeOf(vm.Uint256{})
	bytesType    = reflect.TypeOf([]byte(nil))
	contextType  = reflect.TypeOf((*vm.Context)(nil)).Elem()
	errorType    = reflect.TypeOf((*error)(nil)).Elem()
)

// basicTypes are the types with their own tag (docs/abi.md, "Tagged values"), by ABI name.
var basicTypes = map[string]reflect.Type{
	"bool":        reflect.TypeOf(false),
	"uint8":       reflect.TypeOf(uint8(0)),
	"uint16":      reflect.TypeOf(uint16(0)),
	"uint32":      reflect.TypeOf(uint32(0)),
	"uint64":      reflect.TypeOf(uint64(0)),
	"uint":        reflect.TypeOf(uint(0)),
	"int8":        reflect.TypeOf(int8(0)),
	"int16":       reflect.TypeOf(int16(0)),
	"int32":       reflect.TypeOf(int32(0)),
	"int64":       reflect.TypeOf(int64(0)),
	"int":         reflect.TypeOf(int(0)),
	"string":      reflect.TypeOf(""),
	"[]byte":      bytesType,
	"vm.Address":  addressType,
	"vm.ObjectID": objectIDType,
	"vm.Hash":     hashType,
	"vm.Uint256":  uint256Type,
}

// basicNames is basicTypes inverted.
var basicNames = func() map[reflect.Type]string {
	m := make(map[reflect.Type]string, len(basicTypes))
	for name, t := range basicTypes {
		m[t] = name
	}
	return m
}()

// tagTypes are the types of the basic tags: uint and int share uint64's and int64's.
var tagTypes = map[byte]reflect.Type{
	0x01: basicTypes["bool"], 0x02: basicTypes["uint8"], 0x03: basicTypes["uint16"],
	0x04: basicTypes["uint32"], 0x05: basicTypes["uint64"], 0x06: basicTypes["int8"],
	0x07: basicTypes["int16"], 0x08: basicTypes["int32"], 0x09: basicTypes["int64"],
	0x0a: basicTypes["string"], 0x0b: bytesType, 0x0c: addressType, 0x0d: objectIDType,
	0x0e: hashType, 0x10: uint256Type,
}

const (
	compositeTag = 0x0f
	maxTypeDepth = 16
	maxArrayLen  = 1 << 16
)

// typeName is a type's ABI spelling (docs/abi.md, "Values"): Go's, with the SDK named vm and
// byte written uint8 except in []byte. The type must have passed checkType.
func typeName(t reflect.Type) string {
	if name, ok := basicNames[t]; ok {
		return name
	}
	switch t.Kind() {
	case reflect.Array:
		return "[" + strconv.Itoa(t.Len()) + "]" + typeName(t.Elem())
	case reflect.Slice:
		return "[]" + typeName(t.Elem())
	case reflect.Map:
		return "map[" + typeName(t.Key()) + "]" + typeName(t.Elem())
	}
	return t.Name()
}

// checkType reports why t cannot cross the boundary, or nil. Structs must be named, declared
// in one of pkgs, and have named fields only.
func checkType(t reflect.Type, pkgs map[string]bool) error {
	return checkTypeAt(t, pkgs, 0, nil)
}

func checkTypeAt(t reflect.Type, pkgs map[string]bool, depth int, stack []reflect.Type) error {
	if depth > maxTypeDepth {
		return fmt.Errorf("types nest more than %d deep", maxTypeDepth)
	}
	if _, ok := basicNames[t]; ok {
		return nil
	}
	switch t.Kind() {
	case reflect.Array, reflect.Slice, reflect.Map:
		if t.Name() != "" {
			return fmt.Errorf("%s is a named %s type: only structs may be named", t, t.Kind())
		}
		if t.Kind() == reflect.Array && (t.Len() < 1 || t.Len() > maxArrayLen) {
			return fmt.Errorf("%s: arrays have 1 to %d elements", t, maxArrayLen)
		}
		if t.Kind() == reflect.Map {
			if !isKeyType(t.Key()) {
				return fmt.Errorf("%s: map keys must be bool, an integer, string, vm.Address, vm.ObjectID, vm.Hash or vm.Uint256", t)
			}
		}
		return checkTypeAt(t.Elem(), pkgs, depth+1, stack)
	case reflect.Struct:
		if t.Name() == "" {
			return fmt.Errorf("%s: anonymous structs cannot cross the boundary", t)
		}
		if !pkgs[t.PkgPath()] {
			return fmt.Errorf("%s: only structs the contract declares cross the boundary", t)
		}
		for _, s := range stack {
			if s == t {
				return fmt.Errorf("%s refers to itself", t.Name())
			}
		}
		if t.NumField() == 0 {
			return fmt.Errorf("%s has no fields", t.Name())
		}
		stack = append(stack, t)
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous || f.Name == "_" {
				return fmt.Errorf("%s: embedded and blank fields cannot cross the boundary", t.Name())
			}
			if err := checkTypeAt(f.Type, pkgs, depth+1, stack); err != nil {
				return fmt.Errorf("%s.%s: %w", t.Name(), f.Name, err)
			}
		}
		return nil
	}
	return fmt.Errorf("%s cannot cross the boundary", t)
}

func isKeyType(t reflect.Type) bool {
	if _, ok := basicNames[t]; !ok {
		return false
	}
	return t != bytesType
}

// minSize is the smallest encoding of a value of t, as the length rule counts it.
func minSize(t reflect.Type) int {
	switch t {
	case addressType:
		return 20
	case objectIDType, hashType, uint256Type:
		return 32
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Uint8, reflect.Int8, reflect.String, reflect.Slice, reflect.Map:
		return 1
	case reflect.Uint16, reflect.Int16:
		return 2
	case reflect.Uint32, reflect.Int32:
		return 4
	case reflect.Uint64, reflect.Int64, reflect.Uint, reflect.Int:
		return 8
	case reflect.Array:
		return satMul(t.Len(), minSize(t.Elem()))
	case reflect.Struct:
		total := 0
		for i := 0; i < t.NumField(); i++ {
			total = satAdd(total, minSize(t.Field(i).Type))
		}
		return total
	}
	return 1
}

const maxInt = int(^uint(0) >> 1)

func satAdd(a, b int) int {
	if a > maxInt-b {
		return maxInt
	}
	return a + b
}

func satMul(a, b int) int {
	if a != 0 && b > maxInt/a {
		return maxInt
	}
	return a * b
}

// encode appends v's SCALE encoding, as the wrapper's encode helpers do.
func encode(e *vm.Encoder, v reflect.Value) {
	t := v.Type()
	if t == uint256Type {
		e.Uint256(v.Interface().(vm.Uint256))
		return
	}
	switch t.Kind() {
	case reflect.Bool:
		e.Bool(v.Bool())
	case reflect.Uint8:
		e.Uint8(uint8(v.Uint()))
	case reflect.Uint16:
		e.Uint16(uint16(v.Uint()))
	case reflect.Uint32:
		e.Uint32(uint32(v.Uint()))
	case reflect.Uint64, reflect.Uint:
		e.Uint64(v.Uint())
	case reflect.Int8:
		e.Int8(int8(v.Int()))
	case reflect.Int16:
		e.Int16(int16(v.Int()))
	case reflect.Int32:
		e.Int32(int32(v.Int()))
	case reflect.Int64, reflect.Int:
		e.Int64(v.Int())
	case reflect.String:
		e.Str(v.String())
	case reflect.Array:
		// vm.Address, vm.ObjectID and vm.Hash are their raw bytes: the same as [N]uint8.
		for i := 0; i < v.Len(); i++ {
			encode(e, v.Index(i))
		}
	case reflect.Slice:
		if t == bytesType {
			e.ByteSlice(v.Bytes())
			return
		}
		e.Compact(uint64(v.Len()))
		for i := 0; i < v.Len(); i++ {
			encode(e, v.Index(i))
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keyLess(keys[i], keys[j]) })
		e.Compact(uint64(len(keys)))
		for _, k := range keys {
			encode(e, k)
			encode(e, v.MapIndex(k))
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			encode(e, v.Field(i))
		}
	default:
		panic("vmtest: cannot encode " + t.String())
	}
}

// keyLess is the natural order of map keys: numbers by value, false before true, strings and
// identifiers byte-wise.
func keyLess(a, b reflect.Value) bool {
	if a.Type() == uint256Type {
		return a.Interface().(vm.Uint256).Lt(b.Interface().(vm.Uint256))
	}
	switch a.Kind() {
	case reflect.Bool:
		return !a.Bool() && b.Bool()
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
		return a.Uint() < b.Uint()
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		return a.Int() < b.Int()
	case reflect.String:
		return a.String() < b.String()
	case reflect.Array:
		return vm.LessBytes(arrayBytes(a), arrayBytes(b))
	}
	return false
}

func arrayBytes(v reflect.Value) []byte {
	out := make([]byte, v.Len())
	for i := range out {
		out[i] = byte(v.Index(i).Uint())
	}
	return out
}

// decode reads a value of type t, as the wrapper's decode helpers do: errors stick in d.
func decode(d *vm.Decoder, t reflect.Type) reflect.Value {
	out := reflect.New(t).Elem()
	switch t {
	case addressType:
		out.Set(reflect.ValueOf(d.Address()))
		return out
	case objectIDType:
		out.Set(reflect.ValueOf(d.ObjectID()))
		return out
	case hashType:
		out.Set(reflect.ValueOf(d.Hash()))
		return out
	case uint256Type:
		out.Set(reflect.ValueOf(d.Uint256()))
		return out
	case bytesType:
		out.SetBytes(d.ByteSlice())
		return out
	}
	switch t.Kind() {
	case reflect.Bool:
		out.SetBool(d.Bool())
	case reflect.Uint8:
		out.SetUint(uint64(d.Uint8()))
	case reflect.Uint16:
		out.SetUint(uint64(d.Uint16()))
	case reflect.Uint32:
		out.SetUint(uint64(d.Uint32()))
	case reflect.Uint64, reflect.Uint:
		out.SetUint(d.Uint64())
	case reflect.Int8:
		out.SetInt(int64(d.Int8()))
	case reflect.Int16:
		out.SetInt(int64(d.Int16()))
	case reflect.Int32:
		out.SetInt(int64(d.Int32()))
	case reflect.Int64, reflect.Int:
		out.SetInt(d.Int64())
	case reflect.String:
		out.SetString(d.Str())
	case reflect.Array:
		for i := 0; i < t.Len(); i++ {
			out.Index(i).Set(decode(d, t.Elem()))
		}
	case reflect.Slice:
		n := d.Length(minSize(t.Elem()))
		s := reflect.MakeSlice(t, n, n)
		for i := 0; i < n; i++ {
			s.Index(i).Set(decode(d, t.Elem()))
		}
		out.Set(s)
	case reflect.Map:
		n := d.Length(satAdd(minSize(t.Key()), minSize(t.Elem())))
		m := reflect.MakeMapWithSize(t, n)
		out.Set(m)
		var prev reflect.Value
		for i := 0; i < n; i++ {
			k := decode(d, t.Key())
			if i > 0 && !keyLess(prev, k) {
				d.Fail("map keys are not in strictly increasing order")
				return out
			}
			prev = k
			m.SetMapIndex(k, decode(d, t.Elem()))
		}
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			field(out, i).Set(decode(d, t.Field(i).Type))
		}
	default:
		panic("vmtest: cannot decode " + t.String())
	}
	return out
}

// field is a settable struct field, exported or not (the wrapper, being in the contract's
// package, sets unexported fields too). v must be addressable.
func field(v reflect.Value, i int) reflect.Value {
	f := v.Field(i)
	if f.CanSet() {
		return f
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

// types knows the structs a contract declared, by name: what the ABI's struct list is to the
// real host.
type types struct {
	pkgs    map[string]bool
	structs map[string]reflect.Type
}

// learn records the structs t refers to.
func (ts *types) learn(t reflect.Type) {
	switch t.Kind() {
	case reflect.Array, reflect.Slice:
		if _, basic := basicNames[t]; !basic {
			ts.learn(t.Elem())
		}
	case reflect.Map:
		ts.learn(t.Key())
		ts.learn(t.Elem())
	case reflect.Struct:
		if ts.structs[t.Name()] == t {
			return
		}
		ts.structs[t.Name()] = t
		for i := 0; i < t.NumField(); i++ {
			ts.learn(t.Field(i).Type)
		}
	}
}

// parse reads an ABI type name.
func (ts *types) parse(name string) (reflect.Type, error) {
	return ts.parseAt(name, 0)
}

func (ts *types) parseAt(name string, depth int) (reflect.Type, error) {
	if depth > maxTypeDepth {
		return nil, fmt.Errorf("type %s nests too deep", name)
	}
	if t, ok := basicTypes[name]; ok {
		return t, nil
	}
	switch {
	case strings.HasPrefix(name, "[]"):
		elem, err := ts.parseAt(name[2:], depth+1)
		if err != nil {
			return nil, err
		}
		return reflect.SliceOf(elem), nil
	case strings.HasPrefix(name, "["):
		end := strings.IndexByte(name, ']')
		n, err := strconv.Atoi(name[1:max(end, 1)])
		if end < 0 || err != nil || n < 1 || n > maxArrayLen {
			return nil, fmt.Errorf("bad array type %s", name)
		}
		elem, err := ts.parseAt(name[end+1:], depth+1)
		if err != nil {
			return nil, err
		}
		return reflect.ArrayOf(n, elem), nil
	case strings.HasPrefix(name, "map["):
		level := 0
		for i := 4; i < len(name); i++ {
			switch name[i] {
			case '[':
				level++
			case ']':
				if level > 0 {
					level--
					continue
				}
				key, err := ts.parseAt(name[4:i], depth+1)
				if err != nil {
					return nil, err
				}
				if !isKeyType(key) {
					return nil, fmt.Errorf("bad map key type in %s", name)
				}
				elem, err := ts.parseAt(name[i+1:], depth+1)
				if err != nil {
					return nil, err
				}
				return reflect.MapOf(key, elem), nil
			}
		}
		return nil, fmt.Errorf("bad map type %s", name)
	}
	if t, ok := ts.structs[name]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("unknown type %s", name)
}

// decodeTagged reads a whole tagged value (docs/abi.md, "Tagged values"), as the host checks
// every field value and event field before storing it.
func (ts *types) decodeTagged(data []byte) (reflect.Value, error) {
	d := vm.NewDecoder(data)
	v, err := ts.decodeTaggedFrom(d)
	if err != nil {
		return reflect.Value{}, err
	}
	if err := d.Finish(); err != nil {
		return reflect.Value{}, err
	}
	return v, nil
}

func (ts *types) decodeTaggedFrom(d *vm.Decoder) (reflect.Value, error) {
	if d.Remaining() == 0 {
		return reflect.Value{}, errors.New("missing type tag")
	}
	tag := d.Uint8()
	t, ok := tagTypes[tag]
	if tag == compositeTag {
		name := d.Str()
		if err := d.Err(); err != nil {
			return reflect.Value{}, fmt.Errorf("type name: %w", err)
		}
		parsed, err := ts.parse(name)
		if err != nil {
			return reflect.Value{}, err
		}
		if _, basic := basicNames[parsed]; basic || typeName(parsed) != name {
			return reflect.Value{}, fmt.Errorf("`%s` is not the canonical name of a composite type", name)
		}
		t, ok = parsed, true
	}
	if !ok {
		return reflect.Value{}, fmt.Errorf("unknown type tag 0x%02x", tag)
	}
	v := decode(d, t)
	if err := d.Err(); err != nil {
		return reflect.Value{}, fmt.Errorf("%s: %w", typeName(t), err)
	}
	return v, nil
}

// eventField is one key and value of an event.
type eventField struct {
	key   string
	value reflect.Value
}

// decodeEvent splits the SDK's event encoding into its name and checked fields.
func (ts *types) decodeEvent(data []byte) (string, []eventField, error) {
	d := vm.NewDecoder(data)
	name := d.Str()
	if err := d.Err(); err != nil {
		return "", nil, err
	}
	// Each field takes at least two bytes (an empty key and a tag).
	n := d.Length(2)
	if err := d.Err(); err != nil {
		return "", nil, err
	}
	fields := make([]eventField, 0, n)
	for i := 0; i < n; i++ {
		key := d.Str()
		if err := d.Err(); err != nil {
			return "", nil, err
		}
		v, err := ts.decodeTaggedFrom(d)
		if err != nil {
			return "", nil, fmt.Errorf("field %q: %w", key, err)
		}
		fields = append(fields, eventField{key, v})
	}
	if err := d.Finish(); err != nil {
		return "", nil, err
	}
	return name, fields, nil
}

// composite is a contract's struct value standing in for the methods govm generates.
type composite struct {
	v reflect.Value
}

func (c composite) GovmType() string { return c.v.Type().Name() }

func (c composite) GovmEncode(e *vm.Encoder) { encode(e, c.v) }

// nilDereference panics as the generated methods do on a nil pointer.
func nilDereference() {
	var p *struct{ x int }
	_ = p.x
}

// compositePtr is a pointer to a contract's struct.
type compositePtr struct {
	p reflect.Value
}

func (c compositePtr) GovmType() string { return c.p.Type().Elem().Name() }

func (c compositePtr) GovmEncode(e *vm.Encoder) {
	if c.p.IsNil() {
		nilDereference()
	}
	encode(e, c.p.Elem())
}

func (c compositePtr) GovmDecode(d *vm.Decoder) {
	if c.p.IsNil() {
		nilDereference()
	}
	c.p.Elem().Set(decode(d, c.p.Type().Elem()))
}

// composite wraps a struct the contract declared, or a pointer to one, in the methods the
// generated wrapper would give it; other values are returned unchanged.
func (ts *types) composite(v any) any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return v
	}
	t := rv.Type()
	switch {
	case t.Kind() == reflect.Struct && ts.declared(t):
		return composite{rv}
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct && ts.declared(t.Elem()):
		return compositePtr{rv}
	}
	return v
}

func (ts *types) declared(t reflect.Type) bool {
	// vm.Uint256 is a struct, but a basic type with a tag of its own.
	if _, basic := basicNames[t]; basic {
		return false
	}
	if checkType(t, ts.pkgs) != nil {
		return false
	}
	ts.learn(t)
	return true
}

// Decoded sizes (docs/abi.md §1), as govm-abi's Value::decoded_size counts them: 40 per value,
// plus the length of a string or []byte, plus 24 and the name's length per struct field.
const (
	valueSize = 40
	nameSize  = 24
)

// eventSize is an event's decoded size: its name, and per field 24, the key and the value.
func eventSize(name string, fields []eventField) uint64 {
	size := uint64(len(name))
	for _, f := range fields {
		size += nameSize + uint64(len(f.key)) + decodedSize(f.value)
	}
	return size
}

// decodedSize is a decoded value's size: Address, ObjectID, Hash and Uint256 are single values.
func decodedSize(v reflect.Value) uint64 {
	size := uint64(valueSize)
	switch t := v.Type(); {
	case t == addressType || t == objectIDType || t == hashType || t == uint256Type:
	case t == bytesType:
		size += uint64(v.Len())
	case t.Kind() == reflect.String:
		size += uint64(v.Len())
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		for i := 0; i < v.Len(); i++ {
			size += decodedSize(v.Index(i))
		}
	case t.Kind() == reflect.Map:
		it := v.MapRange()
		for it.Next() {
			size += decodedSize(it.Key()) + decodedSize(it.Value())
		}
	case t.Kind() == reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			size += nameSize + uint64(len(t.Field(i).Name)) + decodedSize(v.Field(i))
		}
	}
	return size
}

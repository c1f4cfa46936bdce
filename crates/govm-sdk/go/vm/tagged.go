package vm

import "errors"

// Type tags of the tagged form used by object fields and event fields. They must match
// govm-abi's Type::tag (docs/abi.md).
const (
	tagBool     = 0x01
	tagUint8    = 0x02
	tagUint16   = 0x03
	tagUint32   = 0x04
	tagUint64   = 0x05 // also uint
	tagInt8     = 0x06
	tagInt16    = 0x07
	tagInt32    = 0x08
	tagInt64    = 0x09 // also int
	tagString   = 0x0a
	tagBytes    = 0x0b
	tagAddress  = 0x0c
	tagObjectID = 0x0d
	tagHash     = 0x0e
	tagUint256  = 0x10
	// tagComposite is followed by the type's Go spelling (a SCALE string) and its encoding.
	tagComposite = 0x0f
)

var tagNames = [...]string{
	tagBool: "bool", tagUint8: "uint8", tagUint16: "uint16", tagUint32: "uint32",
	tagUint64: "uint64", tagInt8: "int8", tagInt16: "int16", tagInt32: "int32",
	tagInt64: "int64", tagString: "string", tagBytes: "[]byte", tagAddress: "vm.Address",
	tagObjectID: "vm.ObjectID", tagHash: "vm.Hash", tagUint256: "vm.Uint256",
}

func tagName(tag byte) string {
	if int(tag) < len(tagNames) && tagNames[tag] != "" {
		return tagNames[tag]
	}
	if tag == tagComposite {
		return "a composite value"
	}
	return "an unknown type"
}

// encodeTagged appends a value's tag and SCALE encoding; false for unsupported types.
func encodeTagged(e *Encoder, v any) bool {
	return encodeAny(e, v, true)
}

// encodeValue appends a value's SCALE encoding alone (as an argument); false for unsupported
// types.
func encodeValue(e *Encoder, v any) bool {
	return encodeAny(e, v, false)
}

func encodeAny(e *Encoder, v any, tagged bool) bool {
	// t writes the tag of a basic type when the form is tagged.
	t := func(tag byte) {
		if tagged {
			e.Uint8(tag)
		}
	}
	composite := func(typeName string) {
		if tagged {
			e.Uint8(tagComposite)
			e.Str(typeName)
		}
	}
	switch x := v.(type) {
	case bool:
		t(tagBool)
		e.Bool(x)
	case uint8:
		t(tagUint8)
		e.Uint8(x)
	case uint16:
		t(tagUint16)
		e.Uint16(x)
	case uint32:
		t(tagUint32)
		e.Uint32(x)
	case uint64:
		t(tagUint64)
		e.Uint64(x)
	case uint:
		t(tagUint64)
		e.Uint64(uint64(x))
	case int8:
		t(tagInt8)
		e.Int8(x)
	case int16:
		t(tagInt16)
		e.Int16(x)
	case int32:
		t(tagInt32)
		e.Int32(x)
	case int64:
		t(tagInt64)
		e.Int64(x)
	case int:
		t(tagInt64)
		e.Int64(int64(x))
	case string:
		t(tagString)
		e.Str(x)
	case []byte:
		t(tagBytes)
		e.ByteSlice(x)
	case Address:
		t(tagAddress)
		e.Address(x)
	case ObjectID:
		t(tagObjectID)
		e.ObjectID(x)
	case Hash:
		t(tagHash)
		e.Hash(x)
	case Uint256:
		t(tagUint256)
		e.Uint256(x)
	case []string:
		composite("[]string")
		e.Compact(uint64(len(x)))
		for _, v := range x {
			e.Str(v)
		}
	case []uint64:
		composite("[]uint64")
		e.Compact(uint64(len(x)))
		for _, v := range x {
			e.Uint64(v)
		}
	case []int64:
		composite("[]int64")
		e.Compact(uint64(len(x)))
		for _, v := range x {
			e.Int64(v)
		}
	case []Address:
		composite("[]vm.Address")
		e.Compact(uint64(len(x)))
		for _, v := range x {
			e.Address(v)
		}
	case []ObjectID:
		composite("[]vm.ObjectID")
		e.Compact(uint64(len(x)))
		for _, v := range x {
			e.ObjectID(v)
		}
	case Marshaler:
		composite(x.GovmType())
		x.GovmEncode(e)
	default:
		return false
	}
	return true
}

// decodeTagged reads a whole tagged value into out, which must point to the stored type.
func decodeTagged(field string, data []byte, out any) error {
	if len(data) == 0 {
		return errors.New("field " + quote(field) + ": empty value")
	}
	tag := data[0]
	d := NewDecoder(data[1:])
	want := byte(0)
	switch p := out.(type) {
	case *bool:
		want = tagBool
		if tag == want {
			*p = d.Bool()
		}
	case *uint8:
		want = tagUint8
		if tag == want {
			*p = d.Uint8()
		}
	case *uint16:
		want = tagUint16
		if tag == want {
			*p = d.Uint16()
		}
	case *uint32:
		want = tagUint32
		if tag == want {
			*p = d.Uint32()
		}
	case *uint64:
		want = tagUint64
		if tag == want {
			*p = d.Uint64()
		}
	case *uint:
		want = tagUint64
		if tag == want {
			*p = uint(d.Uint64())
		}
	case *int8:
		want = tagInt8
		if tag == want {
			*p = d.Int8()
		}
	case *int16:
		want = tagInt16
		if tag == want {
			*p = d.Int16()
		}
	case *int32:
		want = tagInt32
		if tag == want {
			*p = d.Int32()
		}
	case *int64:
		want = tagInt64
		if tag == want {
			*p = d.Int64()
		}
	case *int:
		want = tagInt64
		if tag == want {
			*p = int(d.Int64())
		}
	case *string:
		want = tagString
		if tag == want {
			*p = d.Str()
		}
	case *[]byte:
		want = tagBytes
		if tag == want {
			*p = d.ByteSlice()
		}
	case *Address:
		want = tagAddress
		if tag == want {
			*p = d.Address()
		}
	case *ObjectID:
		want = tagObjectID
		if tag == want {
			*p = d.ObjectID()
		}
	case *Hash:
		want = tagHash
		if tag == want {
			*p = d.Hash()
		}
	case *Uint256:
		want = tagUint256
		if tag == want {
			*p = d.Uint256()
		}
	case *[]string:
		if err := expectComposite(field, tag, d, "[]string"); err != nil {
			return err
		}
		v := make([]string, d.Length(1))
		for i := range v {
			v[i] = d.Str()
		}
		*p = v
		return finishField(field, d)
	case *[]uint64:
		if err := expectComposite(field, tag, d, "[]uint64"); err != nil {
			return err
		}
		v := make([]uint64, d.Length(8))
		for i := range v {
			v[i] = d.Uint64()
		}
		*p = v
		return finishField(field, d)
	case *[]int64:
		if err := expectComposite(field, tag, d, "[]int64"); err != nil {
			return err
		}
		v := make([]int64, d.Length(8))
		for i := range v {
			v[i] = d.Int64()
		}
		*p = v
		return finishField(field, d)
	case *[]Address:
		if err := expectComposite(field, tag, d, "[]vm.Address"); err != nil {
			return err
		}
		v := make([]Address, d.Length(20))
		for i := range v {
			v[i] = d.Address()
		}
		*p = v
		return finishField(field, d)
	case *[]ObjectID:
		if err := expectComposite(field, tag, d, "[]vm.ObjectID"); err != nil {
			return err
		}
		v := make([]ObjectID, d.Length(32))
		for i := range v {
			v[i] = d.ObjectID()
		}
		*p = v
		return finishField(field, d)
	case Unmarshaler:
		if err := expectComposite(field, tag, d, p.GovmType()); err != nil {
			return err
		}
		p.GovmDecode(d)
		return finishField(field, d)
	default:
		return errors.New("field " + quote(field) + ": cannot read into this type: use a pointer to a supported type")
	}
	if tag != want {
		return errors.New("field " + quote(field) + " holds " + tagName(tag) + ", not " + tagName(want))
	}
	return finishField(field, d)
}

func finishField(field string, d *Decoder) error {
	if err := d.Finish(); err != nil {
		return errors.New("field " + quote(field) + ": " + err.Error())
	}
	return nil
}

// expectComposite checks that a value is composite and of the named type, reading the name.
func expectComposite(field string, tag byte, d *Decoder, typeName string) error {
	if tag != tagComposite {
		return errors.New("field " + quote(field) + " holds " + tagName(tag) + ", not " + typeName)
	}
	stored := d.Str()
	if d.Err() != nil {
		return errors.New("field " + quote(field) + ": " + d.Err().Error())
	}
	if stored != typeName {
		return errors.New("field " + quote(field) + " holds " + stored + ", not " + typeName)
	}
	return nil
}

func quote(s string) string { return "\"" + s + "\"" }

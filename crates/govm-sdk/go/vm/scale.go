package vm

import (
	"encoding/binary"
	"errors"
	"strconv"
	"unicode/utf8"
)

// Encoder appends SCALE encodings to a buffer.
type Encoder struct {
	buf []byte
}

// Bytes returns the encoded bytes.
func (e *Encoder) Bytes() []byte { return e.buf }

// Bool encodes a bool as one byte.
func (e *Encoder) Bool(v bool) {
	if v {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}

// Uint8 encodes one byte.
func (e *Encoder) Uint8(v uint8) { e.buf = append(e.buf, v) }

// Uint16 encodes little-endian.
func (e *Encoder) Uint16(v uint16) { e.buf = binary.LittleEndian.AppendUint16(e.buf, v) }

// Uint32 encodes little-endian.
func (e *Encoder) Uint32(v uint32) { e.buf = binary.LittleEndian.AppendUint32(e.buf, v) }

// Uint64 encodes little-endian.
func (e *Encoder) Uint64(v uint64) { e.buf = binary.LittleEndian.AppendUint64(e.buf, v) }

// Int8 encodes two's complement.
func (e *Encoder) Int8(v int8) { e.Uint8(uint8(v)) }

// Int16 encodes two's complement, little-endian.
func (e *Encoder) Int16(v int16) { e.Uint16(uint16(v)) }

// Int32 encodes two's complement, little-endian.
func (e *Encoder) Int32(v int32) { e.Uint32(uint32(v)) }

// Int64 encodes two's complement, little-endian.
func (e *Encoder) Int64(v int64) { e.Uint64(uint64(v)) }

// Compact encodes SCALE's variable-length unsigned integer.
func (e *Encoder) Compact(v uint64) {
	switch {
	case v < 1<<6:
		e.buf = append(e.buf, byte(v<<2))
	case v < 1<<14:
		e.buf = binary.LittleEndian.AppendUint16(e.buf, uint16(v<<2|1))
	case v < 1<<30:
		e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(v<<2|2))
	default:
		n := 8
		for n > 4 && v>>(8*(n-1)) == 0 {
			n--
		}
		e.buf = append(e.buf, byte((n-4)<<2|3))
		for i := 0; i < n; i++ {
			e.buf = append(e.buf, byte(v>>(8*i)))
		}
	}
}

// Str encodes a compact length and the bytes.
func (e *Encoder) Str(v string) {
	e.Compact(uint64(len(v)))
	e.buf = append(e.buf, v...)
}

// ByteSlice encodes a compact length and the bytes.
func (e *Encoder) ByteSlice(v []byte) {
	e.Compact(uint64(len(v)))
	e.buf = append(e.buf, v...)
}

// Address encodes 20 raw bytes.
func (e *Encoder) Address(v Address) { e.buf = append(e.buf, v[:]...) }

// ObjectID encodes 32 raw bytes.
func (e *Encoder) ObjectID(v ObjectID) { e.buf = append(e.buf, v[:]...) }

// Hash encodes 32 raw bytes.
func (e *Encoder) Hash(v Hash) { e.buf = append(e.buf, v[:]...) }

// Uint256 encodes 32 bytes, little endian.
func (e *Encoder) Uint256(v Uint256) {
	b := v.Bytes()
	e.buf = append(e.buf, b[:]...)
}

// Decoder reads SCALE encodings. The first error sticks: later reads return zero values and
// Finish reports it.
type Decoder struct {
	buf []byte
	off int
	err error
}

// NewDecoder decodes buf.
func NewDecoder(buf []byte) *Decoder { return &Decoder{buf: buf} }

func (d *Decoder) take(n int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || len(d.buf)-d.off < n {
		d.err = errors.New("unexpected end of input reading " + what)
		return nil
	}
	b := d.buf[d.off : d.off+n]
	d.off += n
	return b
}

// Err returns the first error, if any.
func (d *Decoder) Err() error { return d.err }

// Finish returns the first error, or an error if bytes are left over.
func (d *Decoder) Finish() error {
	if d.err != nil {
		return d.err
	}
	if d.off != len(d.buf) {
		return errors.New(strconv.Itoa(len(d.buf)-d.off) + " trailing bytes")
	}
	return nil
}

// Bool decodes one byte that must be 0 or 1.
func (d *Decoder) Bool() bool {
	b := d.take(1, "bool")
	if b == nil {
		return false
	}
	if b[0] > 1 {
		d.err = errors.New("invalid bool byte " + strconv.Itoa(int(b[0])))
		return false
	}
	return b[0] == 1
}

// Uint8 decodes one byte.
func (d *Decoder) Uint8() uint8 {
	if b := d.take(1, "uint8"); b != nil {
		return b[0]
	}
	return 0
}

// Uint16 decodes little-endian.
func (d *Decoder) Uint16() uint16 {
	if b := d.take(2, "uint16"); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

// Uint32 decodes little-endian.
func (d *Decoder) Uint32() uint32 {
	if b := d.take(4, "uint32"); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

// Uint64 decodes little-endian.
func (d *Decoder) Uint64() uint64 {
	if b := d.take(8, "uint64"); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// Int8 decodes two's complement.
func (d *Decoder) Int8() int8 { return int8(d.Uint8()) }

// Int16 decodes two's complement.
func (d *Decoder) Int16() int16 { return int16(d.Uint16()) }

// Int32 decodes two's complement.
func (d *Decoder) Int32() int32 { return int32(d.Uint32()) }

// Int64 decodes two's complement.
func (d *Decoder) Int64() int64 { return int64(d.Uint64()) }

// Compact decodes SCALE's variable-length unsigned integer, rejecting non-canonical forms.
func (d *Decoder) Compact() uint64 {
	b := d.take(1, "compact")
	if b == nil {
		return 0
	}
	switch b[0] & 3 {
	case 0:
		return uint64(b[0] >> 2)
	case 1:
		rest := d.take(1, "compact")
		if rest == nil {
			return 0
		}
		v := uint64(binary.LittleEndian.Uint16([]byte{b[0], rest[0]}) >> 2)
		if v < 1<<6 {
			d.err = errors.New("non-canonical compact integer")
		}
		return v
	case 2:
		rest := d.take(3, "compact")
		if rest == nil {
			return 0
		}
		v := uint64(binary.LittleEndian.Uint32([]byte{b[0], rest[0], rest[1], rest[2]}) >> 2)
		if v < 1<<14 {
			d.err = errors.New("non-canonical compact integer")
		}
		return v
	default:
		n := int(b[0]>>2) + 4
		if n > 8 {
			d.err = errors.New("compact integer wider than 64 bits")
			return 0
		}
		rest := d.take(n, "compact")
		if rest == nil {
			return 0
		}
		var v uint64
		for i := n - 1; i >= 0; i-- {
			v = v<<8 | uint64(rest[i])
		}
		if v < 1<<30 || (n > 4 && v>>(8*(n-1)) == 0) {
			d.err = errors.New("non-canonical compact integer")
		}
		return v
	}
}

// Remaining is the number of bytes not yet read.
func (d *Decoder) Remaining() int { return len(d.buf) - d.off }

// Fail records an error (if none is recorded yet); later reads return zero values.
func (d *Decoder) Fail(message string) {
	if d.err == nil {
		d.err = errors.New(message)
	}
}

// Length reads the compact length of a sequence whose elements encode to at least minSize
// bytes each, and refuses a length the rest of the input cannot hold: a length prefix never
// makes the decoder allocate more than the input justifies.
func (d *Decoder) Length(minSize int) int {
	n := d.Compact()
	if minSize < 1 {
		minSize = 1
	}
	if d.err == nil && n > uint64(d.Remaining()/minSize) {
		d.err = errors.New("length " + strconv.FormatUint(n, 10) + " exceeds the remaining " + strconv.Itoa(d.Remaining()) + " bytes")
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}

// Str decodes a compact length and UTF-8 bytes.
func (d *Decoder) Str() string {
	b := d.take(d.Length(1), "string")
	if b == nil {
		return ""
	}
	if !utf8.Valid(b) {
		d.err = errors.New("string is not valid UTF-8")
		return ""
	}
	return string(b)
}

// ByteSlice decodes a compact length and the bytes (a copy).
func (d *Decoder) ByteSlice() []byte {
	b := d.take(d.Length(1), "[]byte")
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// Address decodes 20 raw bytes.
func (d *Decoder) Address() (v Address) {
	copy(v[:], d.take(20, "vm.Address"))
	return
}

// ObjectID decodes 32 raw bytes.
func (d *Decoder) ObjectID() (v ObjectID) {
	copy(v[:], d.take(32, "vm.ObjectID"))
	return
}

// Hash decodes 32 raw bytes.
func (d *Decoder) Hash() (v Hash) {
	copy(v[:], d.take(32, "vm.Hash"))
	return
}

// Uint256 decodes 32 bytes, little endian.
func (d *Decoder) Uint256() Uint256 {
	var b [32]byte
	copy(b[:], d.take(32, "vm.Uint256"))
	return Uint256FromBytes(b)
}

package vm

import (
	"errors"
	"math/bits"
)

// Uint256 is an unsigned 256-bit integer: token amounts that do not fit in 64 bits. It is a
// value type (copy it, compare it with ==, use it as a map key); the zero value is 0. On the
// wire it is 32 bytes, little endian (docs/abi.md); in JSON a decimal string.
//
// Arithmetic is checked: Add, Sub, Mul, Div, Mod and Lsh panic with ErrOverflow or
// ErrDivisionByZero (the call fails with that message), and their Safe variants return the
// error instead. Nothing ever wraps around silently.
type Uint256 struct {
	w [4]uint64 // little-endian 64-bit words
}

var (
	// ErrOverflow: a Uint256 result does not fit in 256 bits (or a conversion does not fit).
	ErrOverflow = errors.New("vm.Uint256: overflow")
	// ErrDivisionByZero: a Uint256 division or remainder by zero.
	ErrDivisionByZero = errors.New("vm.Uint256: division by zero")
)

// MaxUint256 is 2^256 - 1.
var MaxUint256 = Uint256{[4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}}

// NewUint256 converts a uint64.
func NewUint256(x uint64) Uint256 { return Uint256{[4]uint64{x}} }

// Uint256FromBytes reads 32 bytes, little endian (the wire format).
func Uint256FromBytes(b [32]byte) (u Uint256) {
	for i := range u.w {
		for j := 7; j >= 0; j-- {
			u.w[i] = u.w[i]<<8 | uint64(b[8*i+j])
		}
	}
	return
}

// Bytes returns the 32 bytes, little endian (the wire format).
func (u Uint256) Bytes() (b [32]byte) {
	for i, w := range u.w {
		for j := 0; j < 8; j++ {
			b[8*i+j] = byte(w >> (8 * j))
		}
	}
	return
}

// Uint64 returns the value as a uint64, and whether it fits.
func (u Uint256) Uint64() (uint64, bool) {
	return u.w[0], u.w[1]|u.w[2]|u.w[3] == 0
}

// IsZero reports whether the value is 0.
func (u Uint256) IsZero() bool { return u.w == [4]uint64{} }

// Cmp returns -1, 0 or +1 as u is less than, equal to or greater than v.
func (u Uint256) Cmp(v Uint256) int {
	for i := 3; i >= 0; i-- {
		if u.w[i] != v.w[i] {
			if u.w[i] < v.w[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// Lt reports u < v.
func (u Uint256) Lt(v Uint256) bool { return u.Cmp(v) < 0 }

// Lte reports u <= v.
func (u Uint256) Lte(v Uint256) bool { return u.Cmp(v) <= 0 }

// Gt reports u > v.
func (u Uint256) Gt(v Uint256) bool { return u.Cmp(v) > 0 }

// Gte reports u >= v.
func (u Uint256) Gte(v Uint256) bool { return u.Cmp(v) >= 0 }

// BitLen is the number of bits needed to represent u (0 for 0).
func (u Uint256) BitLen() int {
	for i := 3; i >= 0; i-- {
		if u.w[i] != 0 {
			return 64*i + bits.Len64(u.w[i])
		}
	}
	return 0
}

// SafeAdd returns u + v, or ErrOverflow.
func (u Uint256) SafeAdd(v Uint256) (out Uint256, err error) {
	var carry uint64
	for i := range out.w {
		out.w[i], carry = bits.Add64(u.w[i], v.w[i], carry)
	}
	if carry != 0 {
		return Uint256{}, ErrOverflow
	}
	return out, nil
}

// SafeSub returns u - v, or ErrOverflow when v > u.
func (u Uint256) SafeSub(v Uint256) (out Uint256, err error) {
	var borrow uint64
	for i := range out.w {
		out.w[i], borrow = bits.Sub64(u.w[i], v.w[i], borrow)
	}
	if borrow != 0 {
		return Uint256{}, ErrOverflow
	}
	return out, nil
}

// SafeMul returns u * v, or ErrOverflow.
func (u Uint256) SafeMul(v Uint256) (out Uint256, err error) {
	var wide [8]uint64
	for i := 0; i < 4; i++ {
		if u.w[i] == 0 {
			continue
		}
		var carry uint64
		for j := 0; j < 4; j++ {
			hi, lo := bits.Mul64(u.w[i], v.w[j])
			var c uint64
			lo, c = bits.Add64(lo, wide[i+j], 0)
			hi += c
			lo, c = bits.Add64(lo, carry, 0)
			hi += c
			wide[i+j] = lo
			carry = hi
		}
		wide[i+4] = carry
	}
	if wide[4]|wide[5]|wide[6]|wide[7] != 0 {
		return Uint256{}, ErrOverflow
	}
	copy(out.w[:], wide[:4])
	return out, nil
}

// SafeDiv returns u / v (rounded down), or ErrDivisionByZero.
func (u Uint256) SafeDiv(v Uint256) (Uint256, error) {
	q, _, err := u.divMod(v)
	return q, err
}

// SafeMod returns u % v, or ErrDivisionByZero.
func (u Uint256) SafeMod(v Uint256) (Uint256, error) {
	_, r, err := u.divMod(v)
	return r, err
}

// SafeLsh returns u << n, or ErrOverflow when a set bit would be shifted out.
func (u Uint256) SafeLsh(n uint) (Uint256, error) {
	if u.IsZero() {
		return u, nil
	}
	if n >= 256 || uint(u.BitLen())+n > 256 {
		return Uint256{}, ErrOverflow
	}
	return u.shl(n), nil
}

// Rsh returns u >> n (0 once n >= 256); it never fails.
func (u Uint256) Rsh(n uint) (out Uint256) {
	if n >= 256 {
		return
	}
	words, shift := int(n/64), n%64
	for i := 0; i+words < 4; i++ {
		out.w[i] = u.w[i+words] >> shift
		if shift != 0 && i+words+1 < 4 {
			out.w[i] |= u.w[i+words+1] << (64 - shift)
		}
	}
	return
}

// Add returns u + v; it panics with ErrOverflow.
func (u Uint256) Add(v Uint256) Uint256 { return must(u.SafeAdd(v)) }

// Sub returns u - v; it panics with ErrOverflow when v > u.
func (u Uint256) Sub(v Uint256) Uint256 { return must(u.SafeSub(v)) }

// Mul returns u * v; it panics with ErrOverflow.
func (u Uint256) Mul(v Uint256) Uint256 { return must(u.SafeMul(v)) }

// Div returns u / v (rounded down); it panics with ErrDivisionByZero.
func (u Uint256) Div(v Uint256) Uint256 { return must(u.SafeDiv(v)) }

// Mod returns u % v; it panics with ErrDivisionByZero.
func (u Uint256) Mod(v Uint256) Uint256 { return must(u.SafeMod(v)) }

// Lsh returns u << n; it panics with ErrOverflow when a set bit would be shifted out.
func (u Uint256) Lsh(n uint) Uint256 { return must(u.SafeLsh(n)) }

func must(u Uint256, err error) Uint256 {
	if err != nil {
		panic(err)
	}
	return u
}

// shl shifts left, dropping what leaves the top (callers check first).
func (u Uint256) shl(n uint) (out Uint256) {
	words, shift := int(n/64), n%64
	for i := 3; i-words >= 0; i-- {
		out.w[i] = u.w[i-words] << shift
		if shift != 0 && i-words-1 >= 0 {
			out.w[i] |= u.w[i-words-1] >> (64 - shift)
		}
	}
	return
}

// divMod divides by a one-word divisor with bits.Div64, otherwise by shift and subtract.
func (u Uint256) divMod(v Uint256) (q, r Uint256, err error) {
	if v.IsZero() {
		return q, r, ErrDivisionByZero
	}
	if u.Lt(v) {
		return Uint256{}, u, nil
	}
	if v.w[1]|v.w[2]|v.w[3] == 0 {
		var rem uint64
		for i := 3; i >= 0; i-- {
			q.w[i], rem = bits.Div64(rem, u.w[i], v.w[0])
		}
		return q, NewUint256(rem), nil
	}
	for i := u.BitLen() - 1; i >= 0; i-- {
		r = r.shl(1)
		r.w[0] |= (u.w[i/64] >> (uint(i) % 64)) & 1
		if r.Gte(v) {
			r, _ = r.SafeSub(v)
			q.w[i/64] |= 1 << (uint(i) % 64)
		}
	}
	return q, r, nil
}

// String returns the decimal form.
func (u Uint256) String() string {
	if u.IsZero() {
		return "0"
	}
	const chunk = 10_000_000_000_000_000_000 // 10^19, the largest power of ten in a word
	var buf [78]byte                         // 2^256 has 78 decimal digits
	i := len(buf)
	for !u.IsZero() {
		var rem uint64
		for j := 3; j >= 0; j-- {
			u.w[j], rem = bits.Div64(rem, u.w[j], chunk)
		}
		for k := 0; k < 19 && (rem != 0 || !u.IsZero()); k++ {
			i--
			buf[i] = byte('0' + rem%10)
			rem /= 10
		}
	}
	return string(buf[i:])
}

// ParseUint256 parses a decimal number: digits only, no sign, at most 2^256 - 1.
func ParseUint256(s string) (u Uint256, err error) {
	if s == "" {
		return u, errors.New("invalid vm.Uint256: empty string")
	}
	ten := NewUint256(10)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return Uint256{}, errors.New("invalid vm.Uint256: " + quote(s) + " is not a decimal number")
		}
		if u, err = u.SafeMul(ten); err == nil {
			u, err = u.SafeAdd(NewUint256(uint64(c - '0')))
		}
		if err != nil {
			return Uint256{}, errors.New("invalid vm.Uint256: " + quote(s) + " is larger than 2^256-1")
		}
	}
	return u, nil
}

// MustParseUint256 is ParseUint256 for constants: it panics on a bad string.
func MustParseUint256(s string) Uint256 {
	u, err := ParseUint256(s)
	if err != nil {
		panic(err)
	}
	return u
}

// MarshalJSON writes the decimal string, as govm's JSON forms do.
func (u Uint256) MarshalJSON() ([]byte, error) {
	return []byte("\"" + u.String() + "\""), nil
}

// UnmarshalJSON reads a decimal string, or a JSON number that is a whole number.
func (u *Uint256) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := ParseUint256(s)
	if err != nil {
		return err
	}
	*u = v
	return nil
}

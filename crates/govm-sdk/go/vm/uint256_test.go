package vm

import (
	"errors"
	"math/big"
	"math/rand"
	"testing"
)

var two256 = new(big.Int).Lsh(big.NewInt(1), 256)

func toBig(u Uint256) *big.Int {
	b := u.Bytes()
	for i, j := 0, 31; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return new(big.Int).SetBytes(b[:])
}

func fromBig(t *testing.T, x *big.Int) Uint256 {
	u, err := ParseUint256(x.String())
	if err != nil {
		t.Fatalf("ParseUint256(%s): %v", x, err)
	}
	return u
}

// samples are edge values and random values of every width.
func samples() []*big.Int {
	rng := rand.New(rand.NewSource(20261129))
	out := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(2), big.NewInt(10)}
	for _, bits := range []uint{63, 64, 65, 127, 128, 129, 191, 192, 255, 256} {
		p := new(big.Int).Lsh(big.NewInt(1), bits)
		out = append(out, new(big.Int).Sub(p, big.NewInt(1)))
		if bits < 256 {
			out = append(out, p)
		}
	}
	for i := 0; i < 40; i++ {
		bits := 1 + rng.Intn(256)
		out = append(out, new(big.Int).Rand(rng, new(big.Int).Lsh(big.NewInt(1), uint(bits))))
	}
	return out
}

// Every operation agrees with math/big, and fails exactly when the exact result does not
// fit in 256 bits (or the divisor is zero).
func TestUint256AgreesWithBig(t *testing.T) {
	xs := samples()
	type op struct {
		name  string
		safe  func(a, b Uint256) (Uint256, error)
		exact func(a, b *big.Int) *big.Int
	}
	ops := []op{
		{"add", Uint256.SafeAdd, func(a, b *big.Int) *big.Int { return new(big.Int).Add(a, b) }},
		{"sub", Uint256.SafeSub, func(a, b *big.Int) *big.Int { return new(big.Int).Sub(a, b) }},
		{"mul", Uint256.SafeMul, func(a, b *big.Int) *big.Int { return new(big.Int).Mul(a, b) }},
		{"div", Uint256.SafeDiv, func(a, b *big.Int) *big.Int {
			if b.Sign() == 0 {
				return nil
			}
			return new(big.Int).Quo(a, b)
		}},
		{"mod", Uint256.SafeMod, func(a, b *big.Int) *big.Int {
			if b.Sign() == 0 {
				return nil
			}
			return new(big.Int).Rem(a, b)
		}},
	}
	for _, a := range xs {
		for _, b := range xs {
			ua, ub := fromBig(t, a), fromBig(t, b)
			if got, want := ua.Cmp(ub), a.Cmp(b); got != want {
				t.Fatalf("cmp %s %s = %d, want %d", a, b, got, want)
			}
			for _, o := range ops {
				got, err := o.safe(ua, ub)
				want := o.exact(a, b)
				switch {
				case want == nil:
					if !errors.Is(err, ErrDivisionByZero) {
						t.Fatalf("%s %s %s: err %v, want division by zero", o.name, a, b, err)
					}
				case want.Sign() < 0 || want.Cmp(two256) >= 0:
					if !errors.Is(err, ErrOverflow) {
						t.Fatalf("%s %s %s: got %s, %v; want overflow", o.name, a, b, got, err)
					}
				case err != nil || toBig(got).Cmp(want) != 0:
					t.Fatalf("%s %s %s = %s, %v; want %s", o.name, a, b, got, err, want)
				}
			}
		}
		for _, n := range []uint{0, 1, 63, 64, 65, 128, 200, 255, 256, 300} {
			ua := fromBig(t, a)
			want := new(big.Int).Lsh(a, n)
			got, err := ua.SafeLsh(n)
			if want.Cmp(two256) >= 0 {
				if !errors.Is(err, ErrOverflow) {
					t.Fatalf("lsh %s %d: got %s, %v; want overflow", a, n, got, err)
				}
			} else if err != nil || toBig(got).Cmp(want) != 0 {
				t.Fatalf("lsh %s %d = %s, %v; want %s", a, n, got, err, want)
			}
			if got, want := toBig(ua.Rsh(n)), new(big.Int).Rsh(a, n); got.Cmp(want) != 0 {
				t.Fatalf("rsh %s %d = %s, want %s", a, n, got, want)
			}
		}
	}
}

func TestUint256TextAndBytes(t *testing.T) {
	for _, x := range samples() {
		u := fromBig(t, x)
		if u.String() != x.String() {
			t.Fatalf("String = %s, want %s", u, x)
		}
		if Uint256FromBytes(u.Bytes()) != u {
			t.Fatalf("bytes round trip of %s", x)
		}
		v, fits := u.Uint64()
		if fits != x.IsUint64() || fits && v != x.Uint64() {
			t.Fatalf("Uint64 of %s = %d, %v", x, v, fits)
		}
		j, _ := u.MarshalJSON()
		var back Uint256
		if err := back.UnmarshalJSON(j); err != nil || back != u {
			t.Fatalf("JSON round trip of %s: %s, %v", x, j, err)
		}
	}
	max := new(big.Int).Sub(two256, big.NewInt(1))
	if MaxUint256.String() != max.String() {
		t.Fatalf("MaxUint256 = %s", MaxUint256)
	}
	for _, bad := range []string{"", "-1", "+1", "1.5", "0x10", " 1", new(big.Int).Add(max, big.NewInt(1)).String()} {
		if _, err := ParseUint256(bad); err == nil {
			t.Errorf("ParseUint256(%q) accepted", bad)
		}
	}
	if NewUint256(7).Bytes()[0] != 7 {
		t.Fatal("the wire form is not little endian")
	}
}

// The panicking forms panic with the same errors the Safe forms return.
func TestUint256Panics(t *testing.T) {
	check := func(name string, want error, f func()) {
		t.Helper()
		defer func() {
			if r := recover(); r != want {
				t.Errorf("%s: recovered %v, want %v", name, r, want)
			}
		}()
		f()
	}
	one := NewUint256(1)
	check("add", ErrOverflow, func() { MaxUint256.Add(one) })
	check("sub", ErrOverflow, func() { Uint256{}.Sub(one) })
	check("mul", ErrOverflow, func() { MaxUint256.Mul(NewUint256(2)) })
	check("div", ErrDivisionByZero, func() { one.Div(Uint256{}) })
	check("mod", ErrDivisionByZero, func() { one.Mod(Uint256{}) })
	check("lsh", ErrOverflow, func() { one.Lsh(256) })
	check("parse", nil, func() { MustParseUint256("12") })
}

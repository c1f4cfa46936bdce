//go:build !wasip1

package vm

import "math/big"

// secp256k1 ECDSA for native builds (the host checks it on chain with the k256 crate): plain
// affine arithmetic over math/big, slow and not constant time, which test support can afford.
// The rules are the host's: r and s in [1, n-1], a low S, a 32-byte digest taken mod n.

var (
	secpP  = hexInt("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
	secpN  = hexInt("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
	secpGx = hexInt("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
	secpGy = hexInt("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")
)

func hexInt(s string) *big.Int {
	n, _ := new(big.Int).SetString(s, 16)
	return n
}

// secpPoint is an affine point; a nil x is the point at infinity.
type secpPoint struct{ x, y *big.Int }

func (a secpPoint) infinity() bool { return a.x == nil }

func secpAdd(a, b secpPoint) secpPoint {
	if a.infinity() {
		return b
	}
	if b.infinity() {
		return a
	}
	p := secpP
	var slope *big.Int
	if a.x.Cmp(b.x) == 0 {
		if new(big.Int).Add(a.y, b.y).Mod(new(big.Int).Add(a.y, b.y), p).Sign() == 0 {
			return secpPoint{}
		}
		// (3x² / 2y)
		num := new(big.Int).Mul(a.x, a.x)
		num.Mul(num, big.NewInt(3))
		den := new(big.Int).Lsh(a.y, 1)
		slope = num.Mul(num, den.ModInverse(den.Mod(den, p), p))
	} else {
		num := new(big.Int).Sub(b.y, a.y)
		den := new(big.Int).Sub(b.x, a.x)
		den.Mod(den, p)
		slope = num.Mul(num, den.ModInverse(den, p))
	}
	slope.Mod(slope, p)
	x := new(big.Int).Mul(slope, slope)
	x.Sub(x, a.x).Sub(x, b.x).Mod(x, p)
	y := new(big.Int).Sub(a.x, x)
	y.Mul(y, slope).Sub(y, a.y).Mod(y, p)
	return secpPoint{x, y}
}

func secpMul(k *big.Int, a secpPoint) secpPoint {
	var r secpPoint
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = secpAdd(r, r)
		if k.Bit(i) == 1 {
			r = secpAdd(r, a)
		}
	}
	return r
}

// secpLift is the point with this x and the parity of y, if x is on the curve.
func secpLift(x *big.Int, odd bool) (secpPoint, bool) {
	if x.Cmp(secpP) >= 0 {
		return secpPoint{}, false
	}
	rhs := new(big.Int).Exp(x, big.NewInt(3), secpP)
	rhs.Add(rhs, big.NewInt(7)).Mod(rhs, secpP)
	y := new(big.Int).Exp(rhs, new(big.Int).Rsh(new(big.Int).Add(secpP, big.NewInt(1)), 2), secpP)
	if new(big.Int).Exp(y, big.NewInt(2), secpP).Cmp(rhs) != 0 {
		return secpPoint{}, false
	}
	if (y.Bit(0) == 1) != odd {
		y.Sub(secpP, y)
	}
	return secpPoint{new(big.Int).Set(x), y}, true
}

func secpParseKey(pub []byte) (secpPoint, bool) {
	switch {
	case len(pub) == 33 && (pub[0] == 2 || pub[0] == 3):
		return secpLift(new(big.Int).SetBytes(pub[1:]), pub[0] == 3)
	case len(pub) == 65 && pub[0] == 4:
		x, y := new(big.Int).SetBytes(pub[1:33]), new(big.Int).SetBytes(pub[33:])
		lifted, ok := secpLift(x, y.Bit(0) == 1)
		return lifted, ok && lifted.y.Cmp(y) == 0
	}
	return secpPoint{}, false
}

// secpScalars reads r ‖ s: both in [1, n-1], s at most n/2.
func secpScalars(sig []byte) (r, s *big.Int, ok bool) {
	r, s = new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	inRange := func(v *big.Int) bool { return v.Sign() > 0 && v.Cmp(secpN) < 0 }
	half := new(big.Int).Rsh(secpN, 1)
	return r, s, inRange(r) && inRange(s) && s.Cmp(half) <= 0
}

func secpVerify(digest []byte, r, s *big.Int, q secpPoint) bool {
	e := new(big.Int).SetBytes(digest)
	e.Mod(e, secpN)
	w := new(big.Int).ModInverse(s, secpN)
	u1 := new(big.Int).Mul(e, w)
	u1.Mod(u1, secpN)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, secpN)
	x := secpAdd(secpMul(u1, secpPoint{secpGx, secpGy}), secpMul(u2, q))
	if x.infinity() {
		return false
	}
	return new(big.Int).Mod(x.x, secpN).Cmp(r) == 0
}

func secp256k1Check(digest []byte, sig []byte, pub []byte) bool {
	q, ok := secpParseKey(pub)
	if !ok {
		return false
	}
	r, s, ok := secpScalars(sig)
	return ok && secpVerify(digest, r, s, q)
}

func secp256k1RecoverKey(digest []byte, sig []byte, recoveryID byte) ([]byte, error) {
	r, s, ok := secpScalars(sig)
	if !ok {
		return nil, ErrInvalidInput
	}
	x := new(big.Int).Set(r)
	if recoveryID&2 != 0 {
		x.Add(x, secpN)
	}
	big1, ok := secpLift(x, recoveryID&1 == 1)
	if !ok {
		return nil, ErrInvalidInput
	}
	e := new(big.Int).SetBytes(digest)
	e.Mod(e, secpN)
	rInv := new(big.Int).ModInverse(r, secpN)
	u1 := new(big.Int).Neg(e)
	u1.Mul(u1, rInv).Mod(u1, secpN)
	u2 := new(big.Int).Mul(s, rInv)
	u2.Mod(u2, secpN)
	q := secpAdd(secpMul(u1, secpPoint{secpGx, secpGy}), secpMul(u2, big1))
	if q.infinity() || !secpVerify(digest, r, s, q) {
		return nil, ErrInvalidInput
	}
	out := make([]byte, 65)
	out[0] = 4
	q.x.FillBytes(out[1:33])
	q.y.FillBytes(out[33:])
	return out, nil
}

package vm

import (
	"encoding/hex"
	"testing"
)

// Published vectors: Keccak-256 as Ethereum uses it, SHA-256 (FIPS 180-2), RFC 8032 test 1
// and 2.
func TestHostCryptographyVectors(t *testing.T) {
	hexOf := func(h Hash) string { return hex.EncodeToString(h[:]) }
	cases := []struct{ got, want string }{
		{hexOf(Keccak256(nil)), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
		{hexOf(Keccak256([]byte("abc"))), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"},
		{hexOf(Sha256([]byte("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: %s, want %s", i, c.got, c.want)
		}
	}
	unhex := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	pub := unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
	sig := unhex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
	if !Ed25519Verify(pub, nil, sig) {
		t.Error("RFC 8032 test 1 does not verify")
	}
	if Ed25519Verify(pub, []byte{1}, sig) || Ed25519Verify(pub[:31], nil, sig) || Ed25519Verify(pub, nil, sig[:63]) {
		t.Error("a wrong message, a short key or a short signature verified")
	}
}

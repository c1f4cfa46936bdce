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

// A secp256k1 vector made with the Python cryptography package (a fixed key, the SHA-256 of
// "govm", S made low), and its recovery id found by an independent Python implementation.
func TestSecp256k1Vector(t *testing.T) {
	unhex := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	digest := unhex("b4c1f26996e330cb5534988020c484f0b39dbc59d27d30d7832bd2cdc1d40052")
	sig := unhex("ed3450c76e70f3ebba4c3b8f9f0b9c934b3be9e083f6c9f6462e6d48b4e0d8364f58d5e7495b27ca1964550c3de800bdad95bf2a6361e681e1fbff932a28ff0c")
	high := unhex("ed3450c76e70f3ebba4c3b8f9f0b9c934b3be9e083f6c9f6462e6d48b4e0d836b0a72a18b6a4d835e69baaf3c217ff410d191dbc4be6b9b9ddd65ef9a60d4235")
	pub := unhex("04878978a5c86d1547310e925d1ed45a90e605e57601bce2e96bb5277814223ea1e1ea8b01cde7862bb9010ac5e0af50da65129e50bad769e8dfa8ecdd1616db66")
	compressed := unhex("02878978a5c86d1547310e925d1ed45a90e605e57601bce2e96bb5277814223ea1")
	if !Secp256k1Verify(digest, sig, pub) || !Secp256k1Verify(digest, sig, compressed) {
		t.Error("the vector does not verify")
	}
	if Secp256k1Verify(digest, high, pub) {
		t.Error("a high S verified")
	}
	got, err := Secp256k1Recover(digest, sig, 1)
	if err != nil || hex.EncodeToString(got) != hex.EncodeToString(pub) {
		t.Errorf("recovered %x, %v", got, err)
	}
	if _, err := Secp256k1Recover(digest, high, 1); err != ErrInvalidInput {
		t.Errorf("a high S recovered: %v", err)
	}
}

package vm

// Cryptography the host computes natively: far cheaper in gas and time than the same work
// written in Go inside a contract (docs/gas.md). Natively (vmtest) the same functions run in
// Go.

// Sha256 is the SHA-256 digest of data.
func Sha256(data []byte) Hash { return sha256Of(data) }

// Keccak256 is Ethereum's Keccak-256 digest of data (the original Keccak padding, not
// SHA3-256).
func Keccak256(data []byte) Hash { return keccak256Of(data) }

// Ed25519Verify reports whether sig is a valid ed25519 signature (RFC 8032) of msg by the
// public key pub. A key that is not 32 bytes or a signature that is not 64 gives false. On
// chain the check is strict: a non-canonical S, or a small-order key or R, gives false.
func Ed25519Verify(pub []byte, msg []byte, sig []byte) bool {
	if len(pub) != 32 || len(sig) != 64 {
		return false
	}
	return ed25519Check(pub, msg, sig)
}

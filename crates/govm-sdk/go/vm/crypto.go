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

// Secp256k1Verify reports whether sig (64 bytes: r ‖ s, big endian) is a valid ECDSA
// signature of the 32-byte digest by the SEC1 public key pub (33 bytes compressed or 65
// uncompressed). As Bitcoin and Ethereum require, a high S gives false; so does any malformed
// input.
func Secp256k1Verify(digest []byte, sig []byte, pub []byte) bool {
	if len(digest) != 32 || len(sig) != 64 || (len(pub) != 33 && len(pub) != 65) {
		return false
	}
	return secp256k1Check(digest, sig, pub)
}

// Secp256k1Recover returns the public key (65 bytes, SEC1 uncompressed) whose low-S ECDSA
// signature of the 32-byte digest is sig (r ‖ s), given the recovery id (0 to 3; Ethereum's v
// minus 27). It returns ErrInvalidInput when no key recovers.
func Secp256k1Recover(digest []byte, sig []byte, recoveryID byte) ([]byte, error) {
	if len(digest) != 32 || len(sig) != 64 || recoveryID > 3 {
		return nil, ErrInvalidInput
	}
	return secp256k1RecoverKey(digest, sig, recoveryID)
}

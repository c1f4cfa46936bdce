// Package crypto uses the host's cryptography: hashes and an ed25519 check done by the host,
// beside the same SHA-256 written in Go inside the contract.
package crypto

import (
	"crypto/ed25519"
	"crypto/sha256"

	"github.com/govm-net/vm"
)

// Hashes is data's SHA-256 and Keccak-256, computed by the host.
func Hashes(data []byte) (vm.Hash, vm.Hash) {
	return vm.Sha256(data), vm.Keccak256(data)
}

// GoSha256 is data's SHA-256 computed in Go inside the contract.
func GoSha256(data []byte) vm.Hash {
	return vm.Hash(sha256.Sum256(data))
}

// Verify checks an ed25519 signature with the host.
func Verify(pub []byte, msg []byte, sig []byte) bool {
	return vm.Ed25519Verify(pub, msg, sig)
}

// VerifySecp checks a secp256k1 ECDSA signature with the host.
func VerifySecp(digest []byte, sig []byte, pub []byte) bool {
	return vm.Secp256k1Verify(digest, sig, pub)
}

// Recover recovers a secp256k1 public key with the host.
func Recover(digest []byte, sig []byte, recoveryID uint8) ([]byte, error) {
	return vm.Secp256k1Recover(digest, sig, recoveryID)
}

// HostSha256 is data's SHA-256 computed by the host alone (beside GoSha256, for the bench).
func HostSha256(data []byte) vm.Hash {
	return vm.Sha256(data)
}

// GoVerify checks an ed25519 signature in Go inside the contract (crypto/ed25519).
func GoVerify(pub []byte, msg []byte, sig []byte) bool {
	return len(pub) == ed25519.PublicKeySize && ed25519.Verify(ed25519.PublicKey(pub), msg, sig)
}

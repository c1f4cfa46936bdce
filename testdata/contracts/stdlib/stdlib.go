// Package stdlib uses each standard package the allow-list adds beyond the first fifteen, one
// entry point per package, so that the tests compile it and check a result of each.
package stdlib

import (
	"cmp"
	"container/heap"
	"container/list"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash/crc32"
	"hash/fnv"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"unicode/utf16"
)

// BigMul multiplies two decimal integers of any size (math/big).
func BigMul(a string, b string) (string, error) {
	x, ok := new(big.Int).SetString(a, 10)
	if !ok {
		return "", errors.New("not a decimal integer: " + a)
	}
	y, ok := new(big.Int).SetString(b, 10)
	if !ok {
		return "", errors.New("not a decimal integer: " + b)
	}
	return new(big.Int).Mul(x, y).String(), nil
}

// Ed25519 signs msg with the key of a 32-byte seed and verifies the signature
// (crypto/ed25519): the public key, the signature and whether it verifies.
func Ed25519(seed []byte, msg string) ([]byte, []byte, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, nil, errors.New("a seed has 32 bytes")
	}
	key := ed25519.NewKeyFromSeed(seed)
	signature := ed25519.Sign(key, []byte(msg))
	public := key.Public().(ed25519.PublicKey)
	if !ed25519.Verify(public, []byte(msg), signature) {
		return nil, nil, errors.New("the signature does not verify")
	}
	return public, signature, nil
}

// Sha512 is the SHA-512 digest of data (crypto/sha512).
func Sha512(data string) []byte {
	sum := sha512.Sum512([]byte(data))
	return sum[:]
}

// Sha3 is the SHA3-256 digest of data (crypto/sha3).
func Sha3(data string) []byte {
	sum := sha3.Sum256([]byte(data))
	return sum[:]
}

// Hmac is HMAC-SHA256 of msg under key (crypto/hmac).
func Hmac(key string, msg string) []byte {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(msg))
	return mac.Sum(nil)
}

// Crc32 is the IEEE CRC-32 of data (hash/crc32).
func Crc32(data string) uint32 {
	return crc32.ChecksumIEEE([]byte(data))
}

// Fnv is the 64-bit FNV-1a hash of data (hash/fnv).
func Fnv(data string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(data))
	return h.Sum64()
}

// Keys lists a map's keys in order (maps, slices).
func Keys(m map[string]uint64) []string {
	return slices.Sorted(maps.Keys(m))
}

// Compare orders two strings: -1, 0 or 1 (cmp).
func Compare(a string, b string) int64 {
	return int64(cmp.Compare(a, b))
}

type minHeap []uint64

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(uint64)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// HeapSort sorts numbers through a heap (container/heap).
func HeapSort(xs []uint64) []uint64 {
	h := minHeap(slices.Clone(xs))
	heap.Init(&h)
	out := make([]uint64, 0, len(xs))
	for h.Len() > 0 {
		out = append(out, heap.Pop(&h).(uint64))
	}
	return out
}

// Reverse reverses a list through a linked list (container/list).
func Reverse(xs []string) []string {
	l := list.New()
	for _, x := range xs {
		l.PushFront(x)
	}
	out := make([]string, 0, len(xs))
	for e := l.Front(); e != nil; e = e.Next() {
		out = append(out, e.Value.(string))
	}
	return out
}

// Base64 encodes data, standard alphabet with padding (encoding/base64).
func Base64(data string) string {
	return base64.StdEncoding.EncodeToString([]byte(data))
}

type record struct {
	Name  string            `json:"name"`
	Count uint64            `json:"count"`
	Tags  map[string]string `json:"tags"`
}

// Json marshals a record and reads it back (encoding/json): its text and its count.
func Json(name string, count uint64) (string, uint64, error) {
	text, err := json.Marshal(record{Name: name, Count: count, Tags: map[string]string{"z": "last", "a": "first"}})
	if err != nil {
		return "", 0, err
	}
	var back record
	if err := json.Unmarshal(text, &back); err != nil {
		return "", 0, err
	}
	return string(text), back.Count, nil
}

// Utf16Units counts the UTF-16 code units of s (unicode/utf16).
func Utf16Units(s string) uint64 {
	return uint64(len(utf16.Encode([]rune(s))))
}

// Match reports whether s matches a regular expression, and its first match (regexp).
func Match(pattern string, s string) (bool, string, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return false, "", err
	}
	return re.MatchString(s), re.FindString(s), nil
}

// Hex is here so that the encoding/hex import of the first fifteen is used alongside.
func Hex(data []byte) string {
	return hex.EncodeToString(data)
}

#!/usr/bin/env python3
"""Generates the ABI conformance vectors with an independent SCALE encoder.

The vectors are a third opinion: neither the Rust codec nor the Go SDK produced them. Both
must decode every valid vector's hex to its JSON and encode it back to the same hex, and
must refuse every invalid vector. Run from anywhere: python3 generate.py (rewrites
vectors.json next to this file).
"""
import json
import os
import random

rng = random.Random(20261125)


def compact(n):
    if n < 1 << 6:
        return bytes([n << 2])
    if n < 1 << 14:
        return ((n << 2) | 1).to_bytes(2, "little")
    if n < 1 << 30:
        return ((n << 2) | 2).to_bytes(4, "little")
    size = max(4, (n.bit_length() + 7) // 8)
    return bytes([((size - 4) << 2) | 3]) + n.to_bytes(size, "little")


INTS = {
    "uint8": (1, False), "uint16": (2, False), "uint32": (4, False), "uint64": (8, False),
    "uint": (8, False), "int8": (1, True), "int16": (2, True), "int32": (4, True),
    "int64": (8, True), "int": (8, True),
}
FIXED = {"vm.Address": 20, "vm.ObjectID": 32, "vm.Hash": 32}
STRUCTS = {
    "Point": [("X", "int64"), ("Y", "int64")],
    "Shape": [("Name", "string"), ("Points", "[]Point"), ("Tags", "map[string]bool"), ("Owner", "vm.Address")],
    "Wrapper": [("Inner", "Shape"), ("Flags", "[2]bool"), ("Blob", "[]byte")],
    "Holding": [("Owner", "vm.Address"), ("Amount", "vm.Uint256")],
}


def split_map(t):
    # "map[K]V" -> (K, V), with brackets in K balanced.
    depth, i = 0, 4
    while True:
        c = t[i]
        if c == "[":
            depth += 1
        elif c == "]":
            if depth == 0:
                return t[4:i], t[i + 1:]
            depth -= 1
        i += 1


def key_order(t, k):
    if t in INTS or t == "bool":
        return k
    if t == "vm.Uint256":
        return int(k)
    if t == "string":
        return k.encode()
    return bytes.fromhex(k[2:])


def encode(t, v):
    """Encodes JSON-form value v of type t."""
    if t == "bool":
        return bytes([1 if v else 0])
    if t in INTS:
        size, signed = INTS[t]
        return int(v).to_bytes(size, "little", signed=signed)
    if t == "string":
        b = v.encode()
        return compact(len(b)) + b
    if t == "[]byte":
        b = bytes.fromhex(v[2:])
        return compact(len(b)) + b
    if t in FIXED:
        return bytes.fromhex(v[2:])
    if t == "vm.Uint256":
        # JSON: a decimal string. Wire: 32 bytes, little endian.
        return int(v, 10).to_bytes(32, "little")
    if t.startswith("[]"):
        return compact(len(v)) + b"".join(encode(t[2:], x) for x in v)
    if t.startswith("map["):
        kt, vt = split_map(t)
        items = sorted(v.items(), key=lambda kv: key_order(kt, json_key(kt, kv[0])))
        return compact(len(items)) + b"".join(encode(kt, json_key(kt, k)) + encode(vt, x) for k, x in items)
    if t.startswith("["):
        n, elem = t[1:].split("]", 1)
        assert len(v) == int(n)
        return b"".join(encode(elem, x) for x in v)
    return b"".join(encode(ft, v[fn]) for fn, ft in STRUCTS[t])


def json_key(kt, text):
    """A map key as the JSON form of its type (JSON object keys are strings)."""
    if kt in INTS:
        return int(text)
    if kt == "bool":
        return text == "true"
    return text


vectors = []


def valid(name, t, v):
    vectors.append({"name": name, "type": t, "json": v, "hex": encode(t, v).hex()})


def invalid(name, t, hexstr):
    vectors.append({"name": name, "type": t, "hex": hexstr, "error": True})


def hexof(b):
    return "0x" + b.hex()


# Integers: every type at its edges, and random values.
for t, (size, signed) in INTS.items():
    lo, hi = (-(1 << (8 * size - 1)), (1 << (8 * size - 1)) - 1) if signed else (0, (1 << (8 * size)) - 1)
    for label, v in [("min", lo), ("max", hi), ("zero", 0), ("one", 1)] + ([("minus one", -1)] if signed else []):
        valid(f"{t} {label}", t, v)
    for i in range(5):
        valid(f"{t} random {i}", t, rng.randint(lo, hi))
    invalid(f"{t} truncated", t, "00" * (size - 1))
    invalid(f"{t} trailing byte", t, "00" * (size + 1))

valid("bool false", "bool", False)
valid("bool true", "bool", True)
invalid("bool 2", "bool", "02")
invalid("bool ff", "bool", "ff")
invalid("bool empty", "bool", "")

# Strings, at each compact-length boundary.
for label, s in [("empty", ""), ("ascii", "hello, govm"), ("unicode", "héllo wörld ✓ 漢字 🚀"),
                 ("63 bytes", "a" * 63), ("64 bytes", "b" * 64), ("16383 bytes", "c" * 16383),
                 ("16384 bytes", "d" * 16384), ("nul", "a\u0000b"), ("quotes", "\"'\\")]:
    valid(f"string {label}", "string", s)
invalid("string invalid utf-8", "string", "08ff00")
invalid("string overlong utf-8", "string", "08c0af")
invalid("string surrogate", "string", "0ceda080")
invalid("string length beyond input", "string", "0c6162")
invalid("string non-canonical length", "string", "050061")
invalid("string non-canonical 4-byte length", "string", "02000000")
invalid("string big-mode length", "string", "0300000040")

for label, b in [("empty", b""), ("one", b"\x00"), ("64", bytes(range(64))), ("300", bytes(rng.randrange(256) for _ in range(300)))]:
    valid(f"[]byte {label}", "[]byte", hexof(b))
invalid("[]byte length beyond input", "[]byte", "10ab")

for t, n in FIXED.items():
    valid(f"{t} zero", t, "0x" + "00" * n)
    valid(f"{t} max", t, "0x" + "ff" * n)
    valid(f"{t} pattern", t, hexof(bytes(range(n))))
    invalid(f"{t} truncated", t, "00" * (n - 1))

# Fixed arrays.
valid("[3]uint16", "[3]uint16", [1, 65535, 0])
valid("[4]uint8", "[4]uint8", [0, 1, 254, 255])
valid("[2][2]int8", "[2][2]int8", [[-128, 127], [0, -1]])
valid("[2]string", "[2]string", ["", "x"])
valid("[1]vm.Address", "[1]vm.Address", ["0x" + "ab" * 20])
invalid("[3]uint16 truncated", "[3]uint16", "01000200")

# Slices, nested.
valid("[]uint64 empty", "[]uint64", [])
valid("[]uint64 three", "[]uint64", [0, 1, (1 << 64) - 1])
valid("[]uint64 seventy", "[]uint64", list(range(70)))
valid("[]bool", "[]bool", [True, False, True])
valid("[][]string", "[][]string", [["a", "b"], [], ["c"]])
valid("[][][]int32", "[][][]int32", [[[1, -1], []], [], [[2147483647]]])
valid("[]vm.Hash", "[]vm.Hash", ["0x" + "11" * 32, "0x" + "22" * 32])
valid("[][]byte", "[][]byte", ["0x", "0x00ff"])
valid("[][2]uint8", "[][2]uint8", [[1, 2], [3, 4]])
invalid("[]uint64 length beyond input", "[]uint64", "0c" + "00" * 16)
invalid("[]uint64 huge length", "[]uint64", "03ffffffff")
invalid("[][]string inner truncated", "[][]string", "040861")

# Maps, in natural key order.
valid("map[string]uint64", "map[string]uint64", {"b": 2, "a": 1, "ab": 3, "": 0})
valid("map[string]uint64 empty", "map[string]uint64", {})
valid("map[int32]bool negative keys", "map[int32]bool", {"-5": True, "3": False, "-100": True, "0": False})
valid("map[uint8]string", "map[uint8]string", {"255": "max", "0": "zero", "16": "x"})
valid("map[vm.Address][]uint16", "map[vm.Address][]uint16", {"0x" + "02" * 20: [1], "0x" + "01" * 20: [], "0x" + "ff" * 20: [2, 3]})
valid("map[bool]int8", "map[bool]int8", {"true": 1, "false": -1})
valid("map[string]map[string]bool", "map[string]map[string]bool", {"x": {"b": True, "a": False}, "w": {}})
invalid("map unsorted keys", "map[uint8]bool", "08020101" + "00")
invalid("map duplicate keys", "map[uint8]bool", "0801010100")
invalid("map signed keys in byte order", "map[int8]bool", "080101ff01")
invalid("map length beyond input", "map[uint8]bool", "100101")

# Structs, nested.
valid("Point", "Point", {"X": 1, "Y": -1})
valid("Point extremes", "Point", {"X": -(1 << 63), "Y": (1 << 63) - 1})
shape = {"Name": "square", "Points": [{"X": 0, "Y": 0}, {"X": 1, "Y": 1}], "Tags": {"closed": True, "filled": False}, "Owner": "0x" + "0a" * 20}
valid("Shape", "Shape", shape)
valid("Shape empty", "Shape", {"Name": "", "Points": [], "Tags": {}, "Owner": "0x" + "00" * 20})
valid("Wrapper", "Wrapper", {"Inner": shape, "Flags": [True, False], "Blob": "0xdeadbeef"})
valid("[]Point", "[]Point", [{"X": i, "Y": -i} for i in range(5)])
valid("map[string]Point", "map[string]Point", {"origin": {"X": 0, "Y": 0}, "far": {"X": 9, "Y": 9}})
invalid("Point truncated", "Point", "00" * 15)
invalid("[]Point length beyond input", "[]Point", "08" + "00" * 16)

# Random composites.
for i in range(20):
    v = [rng.randint(-(1 << 31), (1 << 31) - 1) for _ in range(rng.randint(0, 6))]
    valid(f"random []int32 {i}", "[]int32", v)
for i in range(10):
    m = {str(rng.randint(0, 1 << 32)): "".join(rng.choice("abcxyz") for _ in range(rng.randint(0, 5))) for _ in range(rng.randint(0, 5))}
    valid(f"random map[uint64]string {i}", "map[uint64]string", m)

# vm.Uint256 (added with issue 17): edges, powers of two, random widths; a map orders its
# keys by value, which is not the byte order of their little-endian encodings.
rng256 = random.Random(20261129)
U256_MAX = (1 << 256) - 1
for label, v in [("zero", 0), ("one", 1), ("max", U256_MAX), ("2^64-1", (1 << 64) - 1), ("2^64", 1 << 64),
                 ("2^128", 1 << 128), ("2^255", 1 << 255), ("10^77", 10 ** 77)]:
    valid(f"vm.Uint256 {label}", "vm.Uint256", str(v))
for i in range(10):
    valid(f"vm.Uint256 random {i}", "vm.Uint256", str(rng256.getrandbits(rng256.randint(1, 256))))
invalid("vm.Uint256 truncated", "vm.Uint256", "00" * 31)
invalid("vm.Uint256 trailing byte", "vm.Uint256", "00" * 33)
invalid("vm.Uint256 empty", "vm.Uint256", "")
valid("[]vm.Uint256", "[]vm.Uint256", [str(1 << 200), "0", str(U256_MAX)])
valid("[2]vm.Uint256", "[2]vm.Uint256", ["7", str(1 << 100)])
valid("map[vm.Uint256]string", "map[vm.Uint256]string", {"256": "b", "1": "a", str(1 << 255): "c"})
invalid("map[vm.Uint256]string keys in byte order, not value order", "map[vm.Uint256]string",
        (compact(2) + (256).to_bytes(32, "little") + encode("string", "b")
         + (1).to_bytes(32, "little") + encode("string", "a")).hex())
valid("Holding", "Holding", {"Owner": "0x" + "0b" * 20, "Amount": str(10 ** 30)})

doc = {
    "about": "govm ABI conformance vectors, generated by generate.py with an independent SCALE encoder. "
             "Valid vectors: hex decodes to json and json encodes to hex. Vectors with \"error\": true must not decode.",
    "structs": [{"name": n, "fields": [{"name": fn, "type": ft} for fn, ft in fs]} for n, fs in STRUCTS.items()],
    "vectors": vectors,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json")
with open(path, "w") as f:
    json.dump(doc, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"{len(vectors)} vectors -> {path}")

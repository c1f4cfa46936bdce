// The codec's behaviour beyond the vectors: what it refuses, and how it names the value.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Abi, Codec, parseJson, parseType, stringifyJson, toHex, typeName } from '../index.js';

const token = new Abi({
  abi_version: 1,
  package: 'token',
  functions: [
    { name: 'Transfer', context: true, params: [{ name: 'to', type: 'vm.Address' }, { name: 'amount', type: 'uint64' }], results: [], error: true },
  ],
});

test('a bad argument is refused with its position and name', () => {
  assert.throws(() => token.encodeArgs('Transfer', ['0x' + 'a1'.repeat(20), 'x']), /argument 2 "amount": expected uint64, got string/);
  assert.throws(() => token.encodeArgs('Transfer', ['0x' + 'a1'.repeat(19), 1n]), /argument 1 "to": expected vm.Address/);
  assert.throws(() => token.encodeArgs('Transfer', ['0x' + 'a1'.repeat(20)]), /expected 2 values, got 1/);
  assert.throws(() => token.encodeArgs('Transfer', ['0x' + 'a1'.repeat(20), -1n]), /out of range/);
  assert.throws(() => token.encodeArgs('Transfer', ['0x' + 'a1'.repeat(20), 2 ** 60]), /pass a bigint/);
  assert.throws(() => token.encodeArgs('Nope', []), /has no function Nope/);
  const bytes = token.encodeArgs('Transfer', ['0x' + 'A1'.repeat(20), 1000]);
  assert.equal(toHex(bytes), '0x' + 'a1'.repeat(20) + 'e803000000000000');
});

test('an ABI that uses an undefined struct or another version is refused', () => {
  assert.throws(() => new Abi({ abi_version: 2, package: 'x', functions: [] }), /abi_version 2/);
  const fn = { name: 'F', context: false, params: [{ name: 'p', type: '[]Missing' }], results: [], error: false };
  assert.throws(() => new Abi({ abi_version: 1, package: 'x', functions: [fn] }), /Missing/);
});

test('types parse and print as the ABI spells them', () => {
  for (const [text, canonical] of [
    ['[]uint8', '[]byte'],
    ['byte', 'uint8'],
    ['rune', 'int32'],
    ['map[string][]map[int8]bool', 'map[string][]map[int8]bool'],
    ['[65536]bool', '[65536]bool'],
  ]) {
    assert.equal(typeName(parseType(text)), canonical);
  }
  for (const bad of ['[0]bool', '[65537]bool', 'map[[]byte]bool', 'map[string', '', '[]' .repeat(17) + 'bool']) {
    assert.throws(() => parseType(bad), /unsupported type/, bad);
  }
});

test('maps encode in natural key order whatever order they are given in', () => {
  const codec = new Codec();
  const a = codec.encode('map[int8]bool', new Map([[3, true], [-5, false]]));
  const b = codec.encode('map[int8]bool', { '-5': false, 3: true });
  assert.equal(toHex(a), '0x08fb000301');
  assert.equal(toHex(b), toHex(a));
  // Strings by their UTF-8 bytes: U+FF61 (ef bd a1) sorts before U+1F600 (f0 9f 98 80),
  // though JavaScript's UTF-16 order puts the emoji's surrogate first.
  const m = codec.decode('map[string]bool', codec.encode('map[string]bool', { '😀': true, '｡': false }));
  assert.deepEqual([...m.keys()], ['｡', '😀']);
  assert.throws(() => codec.encode('map[uint8]bool', new Map([[1, true], [1n, false]])), /distinct keys/);
});

test('a lone surrogate is not UTF-8 and is refused', () => {
  assert.throws(() => new Codec().encode('string', 'a\ud800'), /lone surrogate/);
});

test('64-bit integers stay exact through JSON', () => {
  const v = parseJson('{"a": 18446744073709551615, "b": -9223372036854775808, "c": 1.5, "d": [1, "x"]}');
  assert.equal(v.a, 18446744073709551615n);
  assert.equal(v.b, -9223372036854775808n);
  assert.equal(v.c, 1.5);
  assert.equal(stringifyJson(v), '{"a":18446744073709551615,"b":-9223372036854775808,"c":1.5,"d":[1,"x"]}');
  assert.throws(() => parseJson('{"a": 1,}'));
  assert.throws(() => parseJson('[1] 2'));
});

test('vm.Uint256 is a bigint, 32 bytes little endian; JSON a decimal string', () => {
  const codec = new Codec();
  assert.equal(toHex(codec.encode('vm.Uint256', 258n)), '0x0201' + '00'.repeat(30));
  assert.equal(codec.decode('vm.Uint256', codec.encode('vm.Uint256', (1n << 256n) - 1n)), (1n << 256n) - 1n);
  assert.throws(() => codec.encode('vm.Uint256', 1n << 256n), /out of range/);
  assert.equal(codec.toJson('vm.Uint256', 7n), '7');
  assert.equal(codec.fromJson('vm.Uint256', '12345678901234567890123'), 12345678901234567890123n);
  assert.throws(() => codec.fromJson('vm.Uint256', '0x10'), /not a decimal number/);
  assert.throws(() => codec.fromJson('vm.Uint256', -1), /not a whole number/);
});

test('struct values need exactly their fields', () => {
  const codec = new Codec([{ name: 'P', fields: [{ name: 'X', type: 'int64' }, { name: 'Y', type: 'int64' }] }]);
  assert.throws(() => codec.encode('P', { X: 1n }), /expected P \{X, Y\}/);
  assert.throws(() => codec.encode('P', { X: 1n, Y: 2n, Z: 3n }), /expected P \{X, Y\}/);
  assert.throws(() => codec.fromJson('P', { X: 1 }, 'argument 1 "p"'), /argument 1 "p".Y: expected int64, got nothing/);
  assert.deepEqual(codec.decode('P', codec.encode('P', { X: -1n, Y: 2 })), { X: -1n, Y: 2n });
});

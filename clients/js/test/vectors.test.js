// Every vector of test/vectors.json, made by the Rust code (`cargo xtask vectors`).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  Abi,
  Codec,
  Key,
  addressOf,
  decodeOptions,
  decodeTx,
  encodeCompact,
  encodeOptions,
  encodeUnsigned,
  fromHex,
  parseJson,
  signTx,
  signingDigest,
  stringifyJson,
  toHex,
  Reader,
} from '../index.js';

const vectors = parseJson(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8'));
const abi = new Abi(vectors.abi);

/** JSON text with object keys sorted, so that two JSON forms compare regardless of key order. */
function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  }
  return v;
}
const same = (a, b, message) => assert.equal(stringifyJson(canonical(a)), stringifyJson(canonical(b)), message);

test('keys: every seed gives its public key and address', async () => {
  assert.ok(vectors.keys.length >= 5);
  for (const v of vectors.keys) {
    const key = await Key.fromSeed(v.seed);
    assert.equal(toHex(key.publicKey), v.public_key);
    assert.equal(key.address, v.address);
    assert.equal(await addressOf(v.public_key), v.address);
    assert.equal(toHex(key.seed()), v.seed);
    const back = await Key.fromJson(key.toJson('alice'));
    assert.equal(back.address, v.address);
  }
});

test('contract options encode as govm-runtime encodes them', () => {
  for (const v of vectors.options) {
    const o = v.options;
    const options = {
      memoryLimit: BigInt(o.memory_limit),
      tableSize: o.table_size,
      timeoutMs: BigInt(o.timeout_ms),
      fuelLimit: BigInt(o.fuel_limit),
      stackSize: o.stack_size,
      enableSimd: o.enable_simd,
      enableThreads: o.enable_threads,
      enableBulkMemory: o.enable_bulk_memory,
    };
    assert.equal(toHex(encodeOptions(options)), v.encoding);
    assert.deepEqual(decodeOptions(fromHex(v.encoding)), options);
  }
});

function unsignedOf(v) {
  const u = v.unsigned;
  const b = u.body;
  const big = (n) => BigInt(n);
  const body =
    b.kind === 'call'
      ? { kind: 'call', contract: b.contract, function: b.function, args: fromHex(b.args), value: big(b.value) }
      : b.kind === 'deploy'
        ? { kind: 'deploy', source: fromHex(b.source), wasm: fromHex(b.wasm), options: fromHex(b.options) }
        : { kind: 'transfer', to: b.to, amount: big(b.amount) };
  return { chainId: u.chain_id, nonce: big(u.nonce), fuelLimit: big(u.fuel_limit), gasPrice: big(u.gas_price), body };
}

test('transactions: encodings, digests, signatures and hashes byte for byte', async () => {
  const kinds = new Set();
  for (const v of vectors.transactions) {
    kinds.add(v.unsigned.body.kind);
    const tx = unsignedOf(v);
    const unsigned = encodeUnsigned(tx);
    assert.equal(toHex(unsigned), v.unsigned_encoding, v.name);
    assert.equal(toHex(await signingDigest(unsigned)), v.digest, v.name);
    const signed = await signTx(tx, await Key.fromSeed(v.seed));
    assert.equal(toHex(signed.signature), v.signature, v.name);
    assert.equal(toHex(signed.bytes), v.encoding, v.name);
    assert.equal(signed.hash, v.hash, v.name);
    assert.equal(signed.sender, v.sender, v.name);
    const back = await decodeTx(fromHex(v.encoding));
    assert.equal(toHex(encodeUnsigned(back.tx)), v.unsigned_encoding, v.name);
    assert.equal(back.sender, v.sender);
    assert.equal(back.hash, v.hash);
  }
  assert.deepEqual([...kinds].sort(), ['call', 'deploy', 'transfer']);
});

test('a deploy takes its options as an object too', async () => {
  const v = vectors.transactions.find((t) => t.name === 'deploy with options');
  const tx = unsignedOf(v);
  const o = vectors.options[1].options;
  tx.body.options = {
    memoryLimit: BigInt(o.memory_limit),
    tableSize: o.table_size,
    timeoutMs: BigInt(o.timeout_ms),
    fuelLimit: BigInt(o.fuel_limit),
    stackSize: o.stack_size,
    enableSimd: o.enable_simd,
  };
  assert.equal(toHex(encodeUnsigned(tx)), v.unsigned_encoding);
});

test('compacts encode and decode canonically', () => {
  for (const v of vectors.compacts) {
    assert.equal(toHex(encodeCompact(BigInt(v.value))), v.encoding, `${v.value}`);
    const r = new Reader(fromHex(v.encoding));
    assert.equal(r.compact(), BigInt(v.value));
    assert.equal(r.remaining, 0);
  }
});

test('values of every type: encoding, tagged form, decoding and JSON form', () => {
  const codec = abi.codec;
  const types = new Set();
  for (const v of vectors.values) {
    types.add(v.type);
    const value = codec.fromJson(v.type, v.json);
    assert.equal(toHex(codec.encode(v.type, value)), v.encoding, `${v.type} ${stringifyJson(v.json)}`);
    assert.equal(toHex(codec.encodeTagged(v.type, value)), v.tagged, `${v.type} tagged`);
    const decoded = codec.decode(v.type, fromHex(v.encoding));
    same(codec.toJson(v.type, decoded), v.json, `${v.type} decoded`);
    assert.equal(toHex(codec.encode(v.type, decoded)), v.encoding, `${v.type} re-encoded`);
    const tagged = codec.decodeTagged(fromHex(v.tagged));
    const canonicalType = v.type === 'uint' ? 'uint64' : v.type === 'int' ? 'int64' : v.type;
    assert.equal(tagged.type, canonicalType);
    same(codec.toJson(tagged.type, tagged.value), v.json, `${v.type} tagged decoded`);
  }
  for (const basic of ['bool', 'uint8', 'uint16', 'uint32', 'uint64', 'uint', 'int8', 'int16', 'int32', 'int64', 'int', 'string', '[]byte', 'vm.Address', 'vm.ObjectID', 'vm.Hash', 'vm.Uint256']) {
    assert.ok(types.has(basic), `no vector of ${basic}`);
  }
});

test('argument and result tuples of the ABI functions', () => {
  for (const v of vectors.tuples) {
    const args = abi.argsFromJson(v.function, v.args);
    assert.equal(toHex(abi.encodeArgs(v.function, args)), v.args_encoding, v.function);
    same(abi.argsToJson(v.function, args), v.args, v.function);
    const results = abi.decodeResults(v.function, fromHex(v.results_encoding));
    const fn = abi.function(v.function);
    const json = results.map((r, i) => abi.codec.toJson(fn.results[i], r));
    same(json.length === 0 ? null : json.length === 1 ? json[0] : json, v.results, `${v.function} results`);
    assert.equal(toHex(abi.encodeResults(v.function, abi.resultsFromJson(v.function, v.results))), v.results_encoding);
  }
});

test('event fields', () => {
  const codec = abi.codec;
  for (const v of vectors.events) {
    const fields = v.fields.map((f) => ({ key: f.key, type: f.type, value: codec.fromJson(f.type, f.json) }));
    assert.equal(toHex(codec.encodeEventFields(fields)), v.encoding, v.name);
    const decoded = codec.decodeEventFields(fromHex(v.encoding));
    assert.deepEqual(decoded.map((f) => f.key), v.fields.map((f) => f.key));
    decoded.forEach((f, i) => {
      const want = v.fields[i].type === 'int' ? 'int64' : v.fields[i].type;
      assert.equal(f.type, want);
      same(codec.toJson(f.type, f.value), v.fields[i].json, `${v.name}.${f.key}`);
    });
  }
});

test('every encoding govm refuses is refused', () => {
  const codec = new Codec(vectors.abi.structs);
  for (const v of vectors.invalid) {
    assert.throws(() => codec.decodeValues('value', [v.type], fromHex(v.encoding)), undefined, `${v.type} ${v.encoding} (${v.error})`);
  }
});

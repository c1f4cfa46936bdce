// The SCALE codec of contract values, driven by a contract's ABI (docs/abi.md §1-5), and
// their JSON form.
//
// JavaScript values: `bool` a boolean; 8-, 16- and 32-bit integers numbers; 64-bit integers
// (`uint64`, `uint`, `int64`, `int`) and `vm.Uint256` bigints; `string` a string; `[]byte` a
// Uint8Array; `vm.Address`, `vm.ObjectID` and `vm.Hash` lowercase `0x`-hex strings; arrays and
// slices arrays; maps `Map`s; structs plain objects keyed by Go field name. Encoding also takes
// safe-integer numbers for 64-bit integers and `vm.Uint256`, `0x`-hex for `[]byte` and `[N]uint8`,
// Uint8Arrays for the identifiers, and plain objects keyed by the keys' text for maps.

import { compareBytes, describe, fromHex, toBytes, toHex, utf8 } from './bytes.js';
import { DecodeError, Reader, Writer } from './scale.js';
import { COMPOSITE_TAG, INTEGERS, MAX_TYPE_DEPTH, parseType, tagOf, typeName, typeOfTag } from './types.js';

const ID_LENGTHS = { address: 20, objectid: 32, hash: 32 };
const U256_MAX = (1n << 256n) - 1n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A value that does not fit its type, or arguments that do not fit a function. */
export class AbiError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AbiError';
  }
}

function mismatch(path, t, got) {
  return new AbiError(`${path}: expected ${typeName(t)}, got ${got}`);
}

function intRange(kind) {
  const [width, signed] = INTEGERS[kind];
  const bits = BigInt(width * 8);
  return signed ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
}

/** Encodes and decodes values of one contract's types (its structs resolved by name). */
export class Codec {
  /** @param {{name: string, fields: {name: string, type: string}[]}[]} [structs] */
  constructor(structs = []) {
    /** @type {Map<string, {name: string, type: import('./types.js').Type}[]>} */
    this.structs = new Map();
    for (const s of structs) {
      this.structs.set(
        s.name,
        s.fields.map((f) => ({ name: f.name, type: parseType(f.type) })),
      );
    }
    /** @type {Map<string, number>} */
    this.minSizes = new Map();
  }

  /** @param {string} name */
  struct(name, path) {
    const def = this.structs.get(name);
    if (!def) throw new AbiError(`${path}: unknown struct \`${name}\``);
    return def;
  }

  /** The SCALE bytes of `value` as a `type` (a Type or its spelling). */
  encode(type, value, path = 'value') {
    const w = new Writer();
    this.encodeTo(w, asType(type), value, path);
    return w.finish();
  }

  /** @param {Writer} w @param {import('./types.js').Type} t */
  encodeTo(w, t, value, path) {
    const k = t.kind;
    if (k === 'bool') {
      if (typeof value !== 'boolean') throw mismatch(path, t, describe(value));
      w.byte(value ? 1 : 0);
    } else if (Object.hasOwn(INTEGERS, k)) {
      w.uint(this.integer(t, value, path), INTEGERS[k][0]);
    } else if (k === 'string') {
      if (typeof value !== 'string') throw mismatch(path, t, describe(value));
      if (typeof value.isWellFormed === 'function' && !value.isWellFormed()) {
        throw mismatch(path, t, 'a string with a lone surrogate (not UTF-8)');
      }
      w.string(value);
    } else if (k === 'bytes') {
      w.bytes(this.byteString(t, value, path));
    } else if (Object.hasOwn(ID_LENGTHS, k)) {
      w.raw(this.byteString(t, value, path, ID_LENGTHS[k]));
    } else if (k === 'array') {
      if (t.elem.kind === 'uint8' && (value instanceof Uint8Array || typeof value === 'string')) {
        w.raw(this.byteString(t, value, path, t.length));
        return;
      }
      if (!Array.isArray(value)) throw mismatch(path, t, describe(value));
      if (value.length !== t.length) throw mismatch(path, t, `a list of ${value.length} elements`);
      value.forEach((v, i) => this.encodeTo(w, t.elem, v, `${path}[${i}]`));
    } else if (k === 'slice') {
      if (!Array.isArray(value)) throw mismatch(path, t, describe(value));
      w.compact(value.length);
      value.forEach((v, i) => this.encodeTo(w, t.elem, v, `${path}[${i}]`));
    } else if (k === 'map') {
      const pairs = this.mapPairs(t, value, path);
      pairs.sort((a, b) => a.order(b));
      for (let i = 1; i < pairs.length; i++) {
        if (pairs[i - 1].order(pairs[i]) === 0) {
          throw new AbiError(`${path}: expected distinct keys, got key ${keyText(t.key, pairs[i].key)} twice`);
        }
      }
      w.compact(pairs.length);
      for (const p of pairs) {
        w.raw(p.keyBytes);
        this.encodeTo(w, t.value, p.value, `${path}[${keyText(t.key, p.key)}]`);
      }
    } else if (k === 'struct') {
      const def = this.struct(t.name, path);
      if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Map || value instanceof Uint8Array) {
        throw mismatch(path, t, describe(value));
      }
      const names = Object.keys(value);
      const extra = names.find((n) => !def.some((f) => f.name === n));
      const missing = def.find((f) => !Object.hasOwn(value, f.name));
      if (extra !== undefined || missing) {
        throw new AbiError(
          `${path}: expected ${t.name} {${def.map((f) => f.name).join(', ')}}, got fields {${names.join(', ')}}`,
        );
      }
      for (const f of def) this.encodeTo(w, f.type, value[f.name], `${path}.${f.name}`);
    } else {
      throw new AbiError(`${path}: unknown type ${JSON.stringify(t)}`);
    }
  }

  integer(t, value, path) {
    let v;
    if (typeof value === 'bigint') v = value;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value);
    else if (typeof value === 'number' && Number.isInteger(value)) {
      throw mismatch(path, t, `number ${value}, beyond 2^53 (pass a bigint)`);
    } else throw mismatch(path, t, describe(value));
    const [lo, hi] = t.kind === 'uint256' ? [0n, U256_MAX] : intRange(t.kind);
    if (v < lo || v > hi) throw mismatch(path, t, `${v}, out of range`);
    return v;
  }

  byteString(t, value, path, length) {
    try {
      return toBytes(value, length);
    } catch (e) {
      throw mismatch(path, t, value instanceof Uint8Array || typeof value === 'string' ? e.message : describe(value));
    }
  }

  /** A map's entries with their keys encoded, from a Map, a plain object or [key, value] pairs. */
  mapPairs(t, value, path) {
    let entries;
    if (value instanceof Map) entries = [...value.entries()];
    else if (Array.isArray(value)) entries = value;
    else if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
      entries = Object.entries(value).map(([text, v]) => [
        this.fromJson(t.key, keyJson(t.key, text), `${path}[${text}] key`),
        v,
      ]);
    } else throw mismatch(path, t, describe(value));
    return entries.map(([key, v]) => {
      const keyBytes = this.encode(t.key, key, `${path}[${String(key)}] key`);
      const norm = this.decode(t.key, keyBytes);
      return {
        key: norm,
        keyBytes,
        value: v,
        order(other) {
          return compareKeys(t.key, norm, other.key);
        },
      };
    });
  }

  /**
   * Decodes one whole value of `type` from `bytes` (trailing bytes refused).
   * @param {import('./types.js').Type|string} type
   * @param {Uint8Array} bytes
   */
  decode(type, bytes) {
    const r = new Reader(bytes);
    const v = this.decodeFrom(r, asType(type), 0);
    r.finish('value');
    return v;
  }

  /** @param {Reader} r @param {import('./types.js').Type} t */
  decodeFrom(r, t, depth) {
    if (depth > MAX_TYPE_DEPTH) throw new DecodeError('types nest too deeply');
    const k = t.kind;
    if (k === 'bool') {
      const b = r.byte();
      if (b > 1) throw new DecodeError('invalid boolean representation');
      return b === 1;
    }
    if (Object.hasOwn(INTEGERS, k)) {
      const [width, signed] = INTEGERS[k];
      let v = r.uint(width);
      if (signed) v = BigInt.asIntN(width * 8, v);
      return width <= 4 ? Number(v) : v;
    }
    if (k === 'string') return r.string();
    if (k === 'bytes') return r.bytesValue();
    if (Object.hasOwn(ID_LENGTHS, k)) return toHex(r.take(ID_LENGTHS[k]));
    if (k === 'array') {
      if (t.length * this.minSize(t.elem) > r.remaining) {
        throw new DecodeError(`${typeName(t)} needs more than the remaining ${r.remaining} bytes`);
      }
      return Array.from({ length: t.length }, () => this.decodeFrom(r, t.elem, depth + 1));
    }
    if (k === 'slice') {
      const n = r.length(this.minSize(t.elem));
      return Array.from({ length: n }, () => this.decodeFrom(r, t.elem, depth + 1));
    }
    if (k === 'map') {
      const n = r.length(this.minSize(t.key) + this.minSize(t.value));
      const out = new Map();
      let last;
      for (let i = 0; i < n; i++) {
        const key = this.decodeFrom(r, t.key, depth + 1);
        if (i > 0 && compareKeys(t.key, last, key) >= 0) {
          throw new DecodeError('map keys are not in strictly increasing order');
        }
        last = key;
        out.set(key, this.decodeFrom(r, t.value, depth + 1));
      }
      return out;
    }
    if (k === 'struct') {
      const def = this.structs.get(t.name);
      if (!def) throw new DecodeError(`unknown struct \`${t.name}\``);
      const out = {};
      for (const f of def) out[f.name] = this.decodeFrom(r, f.type, depth + 1);
      return out;
    }
    throw new DecodeError(`unknown type ${JSON.stringify(t)}`);
  }

  /** The fewest bytes a value of `t` takes (docs/abi.md §1), what lengths are checked against. */
  minSize(t, depth = 0) {
    const k = t.kind;
    if (Object.hasOwn(INTEGERS, k)) return INTEGERS[k][0];
    if (Object.hasOwn(ID_LENGTHS, k)) return ID_LENGTHS[k];
    if (k === 'array') return Math.min(t.length * this.minSize(t.elem, depth + 1), Number.MAX_SAFE_INTEGER);
    if (k === 'struct' && depth < MAX_TYPE_DEPTH) {
      const cached = this.minSizes.get(t.name);
      if (cached !== undefined) return cached;
      const def = this.structs.get(t.name);
      if (!def) return 1;
      const size = Math.min(def.reduce((n, f) => n + this.minSize(f.type, depth + 1), 0), Number.MAX_SAFE_INTEGER);
      this.minSizes.set(t.name, size);
      return size;
    }
    return 1;
  }

  /** Encodes values against a list of types (an argument or result tuple, docs/abi.md §2). */
  encodeValues(what, types, values) {
    if (!Array.isArray(values) || values.length !== types.length) {
      throw new AbiError(`${what}: expected ${types.length} values, got ${Array.isArray(values) ? values.length : describe(values)}`);
    }
    const w = new Writer();
    types.forEach((t, i) => this.encodeTo(w, asType(t), values[i], `${what} ${i + 1}`));
    return w.finish();
  }

  /** Decodes a tuple of `types` that must fill `bytes` exactly. */
  decodeValues(what, types, bytes) {
    const r = new Reader(bytes);
    const out = types.map((t, i) => {
      try {
        return this.decodeFrom(r, asType(t), 0);
      } catch (e) {
        throw new DecodeError(`cannot decode ${what} ${i + 1} (${typeName(asType(t))}): ${e.message}`);
      }
    });
    r.finish(`cannot decode ${what}`);
    return out;
  }

  /** The tagged form (docs/abi.md §3): the type's tag (and a composite type's spelling), then the value. */
  encodeTagged(type, value, path = 'value') {
    const t = asType(type);
    const w = new Writer();
    w.byte(tagOf(t));
    if (tagOf(t) === COMPOSITE_TAG) w.string(typeName(t));
    this.encodeTo(w, t, value, path);
    return w.finish();
  }

  /** A whole tagged value: `{type, value}`, `type` its canonical spelling. */
  decodeTagged(bytes) {
    const r = new Reader(bytes);
    const out = this.taggedFrom(r);
    r.finish('tagged value');
    return out;
  }

  /** @param {Reader} r */
  taggedFrom(r) {
    const tag = r.byte();
    let t;
    if (tag === COMPOSITE_TAG) {
      const name = r.string();
      try {
        t = parseType(name);
      } catch (e) {
        throw new DecodeError(e.message);
      }
      if (tagOf(t) !== COMPOSITE_TAG || typeName(t) !== name) {
        throw new DecodeError(`\`${name}\` is not the canonical name of a composite type`);
      }
    } else {
      t = typeOfTag(tag);
      if (!t) throw new DecodeError(`unknown type tag 0x${tag.toString(16).padStart(2, '0')}`);
    }
    return { type: typeName(t), value: this.decodeFrom(r, t, 0) };
  }

  /**
   * An event's fields as the SDK encodes them (docs/abi.md §4): a compact count, then each
   * key and tagged value.
   * @param {{key: string, type: string, value: any}[]} fields
   */
  encodeEventFields(fields) {
    const w = new Writer();
    w.compact(fields.length);
    for (const f of fields) {
      w.string(f.key);
      w.raw(this.encodeTagged(f.type, f.value, `field ${JSON.stringify(f.key)}`));
    }
    return w.finish();
  }

  /** @returns {{key: string, type: string, value: any}[]} */
  decodeEventFields(bytes) {
    const r = new Reader(bytes);
    const n = r.length(2);
    const out = [];
    for (let i = 0; i < n; i++) {
      const key = r.string();
      out.push({ key, ...this.taggedFrom(r) });
    }
    r.finish('event fields');
    return out;
  }

  /**
   * A value of `type` from its JSON form (docs/abi.md §1, "The JSON form"): integers as numbers
   * (bigints from `parseJson` past 2^53; 64-bit ones also as decimal strings), `vm.Uint256` as a
   * decimal string, `[]byte` and the identifiers as `0x`-hex, maps as objects keyed by text.
   */
  fromJson(type, json, path = 'value') {
    const t = asType(type);
    const k = t.kind;
    const got = () => mismatch(path, t, jsonKind(json));
    if (k === 'bool') {
      if (typeof json !== 'boolean') throw got();
      return json;
    }
    if (k === 'uint256') {
      let v;
      if (typeof json === 'string') {
        if (!/^[0-9]+$/.test(json)) throw mismatch(path, t, `string ${JSON.stringify(json)} (not a decimal number)`);
        v = BigInt(json);
        if (v > U256_MAX) throw mismatch(path, t, `string ${JSON.stringify(json)}, out of range`);
      } else if ((typeof json === 'number' && Number.isInteger(json) && json >= 0) || (typeof json === 'bigint' && json >= 0n && json < 1n << 64n)) {
        v = BigInt(json);
      } else if (typeof json === 'number' || typeof json === 'bigint') {
        throw mismatch(path, t, `number ${json} (not a whole number that fits in 64 bits: write it as a decimal string)`);
      } else throw got();
      return v;
    }
    if (Object.hasOwn(INTEGERS, k)) {
      const [width] = INTEGERS[k];
      let v;
      if (typeof json === 'bigint') v = json;
      else if (typeof json === 'number' && Number.isSafeInteger(json)) v = BigInt(json);
      else if (typeof json === 'string' && width === 8 && /^-?[0-9]+$/.test(json)) v = BigInt(json);
      else throw mismatch(path, t, typeof json === 'number' || typeof json === 'string' ? `${jsonKind(json)} ${JSON.stringify(json)}` : jsonKind(json));
      const [lo, hi] = intRange(k);
      if (v < lo || v > hi) throw mismatch(path, t, `${v}, out of range`);
      return width <= 4 ? Number(v) : v;
    }
    if (k === 'string') {
      if (typeof json !== 'string') throw got();
      return json;
    }
    if (k === 'bytes' || Object.hasOwn(ID_LENGTHS, k) || (k === 'array' && t.elem.kind === 'uint8' && typeof json === 'string')) {
      if (typeof json !== 'string') throw got();
      let bytes;
      try {
        bytes = fromHex(json, k === 'bytes' ? undefined : (ID_LENGTHS[k] ?? t.length));
      } catch (e) {
        throw mismatch(path, t, e.message);
      }
      if (k === 'bytes') return bytes;
      return k === 'array' ? [...bytes] : toHex(bytes);
    }
    if (k === 'array' || k === 'slice') {
      if (!Array.isArray(json)) throw got();
      if (k === 'array' && json.length !== t.length) throw mismatch(path, t, `an array of ${json.length} elements`);
      return json.map((j, i) => this.fromJson(t.elem, j, `${path}[${i}]`));
    }
    if (k === 'map') {
      if (json === null || typeof json !== 'object' || Array.isArray(json)) throw got();
      const pairs = Object.entries(json).map(([text, v]) => [
        this.fromJson(t.key, keyJson(t.key, text), `${path}[${text}] key`),
        this.fromJson(t.value, v, `${path}[${text}]`),
      ]);
      pairs.sort((a, b) => compareKeys(t.key, a[0], b[0]));
      return new Map(pairs);
    }
    if (k === 'struct') {
      const def = this.structs.get(t.name);
      if (!def) throw mismatch(path, t, `a struct this ABI does not define (${t.name})`);
      if (json === null || typeof json !== 'object' || Array.isArray(json)) throw got();
      const extra = Object.keys(json).find((n) => !def.some((f) => f.name === n));
      if (extra !== undefined) throw new AbiError(`${path}: expected ${t.name}, which has no field ${JSON.stringify(extra)}, got object`);
      const out = {};
      for (const f of def) {
        if (!Object.hasOwn(json, f.name)) {
          throw new AbiError(`${path}.${f.name}: expected ${typeName(f.type)}, got nothing (the field is missing)`);
        }
        out[f.name] = this.fromJson(f.type, json[f.name], `${path}.${f.name}`);
      }
      return out;
    }
    throw new AbiError(`${path}: unknown type ${JSON.stringify(t)}`);
  }

  /**
   * The JSON form of a value of `type`, as govm writes it (`Value::to_json`): 64-bit integers
   * as numbers (bigints past 2^53: write with `stringifyJson`), `vm.Uint256` as a decimal
   * string, bytes and identifiers as `0x`-hex, maps as objects keyed by the keys' text.
   */
  toJson(type, value, path = 'value') {
    const t = asType(type);
    const k = t.kind;
    // Normalise through the encoder: the same checks, the same accepted inputs.
    if (k !== 'struct' && k !== 'array' && k !== 'slice' && k !== 'map') {
      const v = this.decode(t, this.encode(t, value, path));
      if (k === 'uint256') return v.toString();
      if (typeof v === 'bigint') return v >= -SAFE && v <= SAFE ? Number(v) : v;
      if (v instanceof Uint8Array) return toHex(v);
      return v;
    }
    if (k === 'array' && t.elem.kind === 'uint8' && (value instanceof Uint8Array || typeof value === 'string')) {
      return [...this.byteString(t, value, path, t.length)];
    }
    if (k === 'array' || k === 'slice') {
      if (!Array.isArray(value)) throw mismatch(path, t, describe(value));
      if (k === 'array' && value.length !== t.length) throw mismatch(path, t, `a list of ${value.length} elements`);
      return value.map((v, i) => this.toJson(t.elem, v, `${path}[${i}]`));
    }
    if (k === 'map') {
      const pairs = this.mapPairs(t, value, path).sort((a, b) => a.order(b));
      const out = {};
      for (const p of pairs) {
        const text = keyText(t.key, p.key);
        if (Object.hasOwn(out, text)) throw new AbiError(`${path}: expected distinct keys, got key ${text} twice`);
        out[text] = this.toJson(t.value, p.value, `${path}[${text}]`);
      }
      return out;
    }
    const def = this.struct(t.name, path);
    this.encode(t, value, path);
    const out = {};
    for (const f of def) out[f.name] = this.toJson(f.type, value[f.name], `${path}.${f.name}`);
    return out;
  }
}

/** A Type from a Type or its spelling. */
function asType(type) {
  return typeof type === 'string' ? parseType(type) : type;
}

function jsonKind(j) {
  if (j === null) return 'null';
  if (Array.isArray(j)) return 'array';
  if (typeof j === 'bigint') return 'number';
  return { boolean: 'boolean', number: 'number', string: 'string', object: 'object' }[typeof j] ?? typeof j;
}

/** A map key's JSON value from its text (JSON object keys are strings). */
function keyJson(t, text) {
  if (t.kind === 'bool') return text === 'true' ? true : text === 'false' ? false : text;
  if (Object.hasOwn(INTEGERS, t.kind) && t.kind !== 'uint256') {
    return /^-?(0|[1-9][0-9]*)$/.test(text) ? BigInt(text) : text;
  }
  return text;
}

/** The text of a decoded map key, as JSON objects key it. */
function keyText(t, key) {
  if (typeof key === 'string') return key;
  return String(key);
}

/** The natural order of two decoded keys of type `t` (docs/abi.md §1). */
function compareKeys(t, a, b) {
  if (t.kind === 'string') return compareBytes(utf8(a), utf8(b));
  if (typeof a === 'string') return a < b ? -1 : a > b ? 1 : 0; // 0x-hex identifiers
  if (typeof a === 'boolean') return Number(a) - Number(b);
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * A contract's ABI (docs/abi.md §5) with its codec: arguments encoded and results decoded by
 * function name.
 */
export class Abi {
  /** @param {any} json the ABI JSON (an object, or its text) */
  constructor(json) {
    const abi = typeof json === 'string' ? JSON.parse(json) : json;
    if (abi?.abi_version !== 1) {
      throw new AbiError(`abi_version ${abi?.abi_version} is not supported (this client reads 1)`);
    }
    this.json = abi;
    this.package = abi.package;
    this.structs = abi.structs ?? [];
    this.events = abi.events ?? [];
    this.functions = abi.functions;
    this.codec = new Codec(this.structs);
    const check = (t) => {
      if (t.kind === 'struct' && !this.codec.structs.has(t.name)) {
        throw new AbiError(`struct \`${t.name}\` is used but not defined`);
      }
      if (t.kind === 'array' || t.kind === 'slice') check(t.elem);
      if (t.kind === 'map') {
        check(t.key);
        check(t.value);
      }
    };
    for (const f of this.functions) {
      f.params.forEach((p) => check(parseType(p.type)));
      f.results.forEach((r) => check(parseType(r)));
    }
    for (const fields of this.codec.structs.values()) fields.forEach((f) => check(f.type));
  }

  /** @param {string} name */
  function(name) {
    const f = this.functions.find((f) => f.name === name);
    if (!f) throw new AbiError(`the contract ${this.package} has no function ${name}`);
    return f;
  }

  /** The argument tuple of `name` (docs/abi.md §2). Errors name the argument: `argument 2 "amount": …`. */
  encodeArgs(name, args) {
    const f = this.function(name);
    if (!Array.isArray(args) || args.length !== f.params.length) {
      throw new AbiError(`${name} arguments: expected ${f.params.length} values, got ${Array.isArray(args) ? args.length : describe(args)}`);
    }
    const w = new Writer();
    f.params.forEach((p, i) =>
      this.codec.encodeTo(w, parseType(p.type), args[i], `argument ${i + 1} ${JSON.stringify(p.name)}`),
    );
    return w.finish();
  }

  /** The arguments of `name` from their JSON forms (one JSON array). */
  argsFromJson(name, json) {
    const f = this.function(name);
    if (!Array.isArray(json) || json.length !== f.params.length) {
      throw new AbiError(`${name} arguments: expected ${f.params.length} values, got ${Array.isArray(json) ? json.length : jsonKind(json)}`);
    }
    return f.params.map((p, i) => this.codec.fromJson(p.type, json[i], `argument ${i + 1} ${JSON.stringify(p.name)}`));
  }

  /** The JSON forms of arguments of `name` (what the node's `/call` takes). */
  argsToJson(name, args) {
    const f = this.function(name);
    if (!Array.isArray(args) || args.length !== f.params.length) {
      throw new AbiError(`${name} arguments: expected ${f.params.length} values, got ${Array.isArray(args) ? args.length : describe(args)}`);
    }
    return f.params.map((p, i) => this.codec.toJson(p.type, args[i], `argument ${i + 1} ${JSON.stringify(p.name)}`));
  }

  /** The results of `name` from their SCALE tuple: an array, one value per result. */
  decodeResults(name, bytes) {
    return this.codec.decodeValues('result', this.function(name).results, bytes);
  }

  /** The result tuple of `name` from its values. */
  encodeResults(name, values) {
    return this.codec.encodeValues('result', this.function(name).results, values);
  }

  /** The results of `name` from their JSON form (none `null`, one the value, several an array). */
  resultsFromJson(name, json) {
    const types = this.function(name).results;
    if (types.length === 0) return [];
    if (types.length === 1) return [this.codec.fromJson(types[0], json, 'result')];
    if (!Array.isArray(json) || json.length !== types.length) {
      throw new AbiError(`result: expected an array of ${types.length} values, got ${jsonKind(json)}`);
    }
    return types.map((t, i) => this.codec.fromJson(t, json[i], `result ${i + 1}`));
  }
}

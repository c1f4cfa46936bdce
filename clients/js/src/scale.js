// SCALE primitives (docs/abi.md §1): little-endian integers and compact lengths, written and
// read canonically.

import { concat, fromUtf8, utf8 } from './bytes.js';

const U64_MAX = (1n << 64n) - 1n;

/** Appends SCALE bytes. */
export class Writer {
  constructor() {
    /** @type {Uint8Array[]} */
    this.parts = [];
  }
  /** @param {Uint8Array} bytes */
  raw(bytes) {
    this.parts.push(bytes);
  }
  byte(b) {
    this.parts.push(Uint8Array.of(b));
  }
  /** An unsigned integer of `width` bytes, little endian (`value` already range-checked). */
  uint(value, width) {
    let v = BigInt.asUintN(width * 8, BigInt(value));
    const out = new Uint8Array(width);
    for (let i = 0; i < width; i++) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    this.parts.push(out);
  }
  /** @param {number|bigint} value */
  compact(value) {
    this.parts.push(encodeCompact(value));
  }
  /** A compact length, then the bytes. @param {Uint8Array} bytes */
  bytes(bytes) {
    this.compact(bytes.length);
    this.parts.push(bytes);
  }
  /** @param {string} text */
  string(text) {
    this.bytes(utf8(text));
  }
  finish() {
    return concat(...this.parts);
  }
}

/**
 * SCALE's compact encoding of an unsigned integer below 2^64.
 * @param {number|bigint} value
 */
export function encodeCompact(value) {
  const v = BigInt(value);
  if (v < 0n || v > U64_MAX) throw new RangeError(`compact ${v} is outside 0..2^64-1`);
  if (v < 64n) return Uint8Array.of(Number(v) << 2);
  if (v < 1n << 14n) {
    const x = (Number(v) << 2) | 1;
    return Uint8Array.of(x & 0xff, x >> 8);
  }
  if (v < 1n << 30n) {
    const x = (v << 2n) | 2n;
    return Uint8Array.from([0, 1, 2, 3], (i) => Number((x >> BigInt(8 * i)) & 0xffn));
  }
  let n = 4;
  while (v >> BigInt(8 * n) > 0n) n++;
  const out = new Uint8Array(1 + n);
  out[0] = ((n - 4) << 2) | 3;
  for (let i = 0; i < n; i++) out[1 + i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Reads SCALE bytes from the front; every failure throws a `DecodeError`. */
export class Reader {
  /** @param {Uint8Array} bytes */
  constructor(bytes) {
    this.bytes = bytes;
    this.at = 0;
  }
  get remaining() {
    return this.bytes.length - this.at;
  }
  /** @param {number} n */
  take(n) {
    if (n > this.remaining) throw new DecodeError('not enough data to fill buffer');
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  byte() {
    return this.take(1)[0];
  }
  /** An unsigned integer of `width` bytes as a bigint. */
  uint(width) {
    const b = this.take(width);
    let v = 0n;
    for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    return v;
  }
  /** A canonical compact (a value in a longer form than it needs is refused), as a bigint. */
  compact() {
    const first = this.byte();
    const mode = first & 3;
    let v;
    if (mode === 0) return BigInt(first >> 2);
    if (mode === 1) {
      v = BigInt(first | (this.byte() << 8)) >> 2n;
      if (v < 64n) throw new DecodeError('out of range decoding Compact<u64>');
      return v;
    }
    if (mode === 2) {
      const rest = this.take(3);
      v = BigInt((first | (rest[0] << 8) | (rest[1] << 16)) >>> 0) | (BigInt(rest[2]) << 24n);
      v >>= 2n;
      if (v < 1n << 14n) throw new DecodeError('out of range decoding Compact<u64>');
      return v;
    }
    const n = (first >> 2) + 4;
    if (n > 8) throw new DecodeError('out of range decoding Compact<u64>');
    v = this.uint(n);
    const least = n === 4 ? 1n << 30n : 1n << BigInt(8 * (n - 1));
    if (v < least) throw new DecodeError('out of range decoding Compact<u64>');
    return v;
  }
  /**
   * A compact length of items each at least `min` bytes long: refused when the rest of the
   * input cannot hold them.
   */
  length(min) {
    const n = this.compact();
    if (n * BigInt(Math.max(min, 1)) > BigInt(this.remaining)) {
      throw new DecodeError(`length ${n} exceeds the remaining ${this.remaining} bytes`);
    }
    return Number(n);
  }
  bytesValue() {
    return new Uint8Array(this.take(this.length(1)));
  }
  string() {
    const raw = this.take(this.length(1));
    try {
      return fromUtf8(raw);
    } catch {
      throw new DecodeError('string is not valid UTF-8');
    }
  }
  /** Refuses bytes left over. @param {string} what */
  finish(what) {
    if (this.remaining !== 0) throw new DecodeError(`${what}: ${this.remaining} trailing bytes`);
  }
}

/** Bytes that do not decode. */
export class DecodeError extends Error {
  constructor(message) {
    super(message);
    this.name = 'DecodeError';
  }
}

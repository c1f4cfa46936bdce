// Bytes: hex, UTF-8, base64 and SHA-256, on what Node 20+ and browsers both have.

const HEX = /^0x([0-9a-fA-F]{2})*$/;

/**
 * `0x`-hex to bytes; `length`, when given, is the exact number of bytes required.
 * @param {string} text
 * @param {number} [length]
 * @returns {Uint8Array}
 */
export function fromHex(text, length) {
  if (typeof text !== 'string' || !HEX.test(text)) {
    throw new TypeError(`expected 0x-hex, got ${describe(text)}`);
  }
  const out = new Uint8Array((text.length - 2) / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 + 2 * i, 2), 16);
  if (length !== undefined && out.length !== length) {
    throw new TypeError(`expected ${length} bytes of hex, got ${out.length}`);
  }
  return out;
}

/**
 * Bytes to lowercase `0x`-hex.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function toHex(bytes) {
  let s = '0x';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * Bytes from a `Uint8Array` (copied) or `0x`-hex.
 * @param {Uint8Array|string} input
 * @param {number} [length]
 * @returns {Uint8Array}
 */
export function toBytes(input, length) {
  if (input instanceof Uint8Array) {
    if (length !== undefined && input.length !== length) {
      throw new TypeError(`expected ${length} bytes, got ${input.length}`);
    }
    return new Uint8Array(input);
  }
  return fromHex(input, length);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** @param {string} text */
export function utf8(text) {
  return encoder.encode(text);
}

/**
 * Strict UTF-8 decoding: invalid bytes are an error, never replaced.
 * @param {Uint8Array} bytes
 */
export function fromUtf8(bytes) {
  return decoder.decode(bytes);
}

/** @param {Uint8Array[]} parts */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** @param {Uint8Array} a @param {Uint8Array} b */
export function equal(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Byte-wise order of two byte strings: negative, 0 or positive. */
export function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** @param {Uint8Array} bytes */
export function toBase64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** @param {string} text */
export function fromBase64(text) {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * SHA-256 (WebCrypto).
 * @param {Uint8Array} bytes
 * @returns {Promise<Uint8Array>}
 */
export async function sha256(bytes) {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
}

/** What a value is, for error messages. */
export function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Uint8Array) return 'Uint8Array';
  if (v instanceof Map) return 'Map';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 80 ? v.slice(0, 80) + '…' : v)}`;
  if (typeof v === 'number' || typeof v === 'bigint') return `${typeof v} ${v}`;
  return typeof v;
}

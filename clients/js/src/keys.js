// ed25519 keys (WebCrypto) and govm addresses: the first 20 bytes of the public key's
// SHA-256 (docs/chain.md §1), as CometBFT derives validator addresses.

import { concat, fromBase64, sha256, toBytes, toHex } from './bytes.js';

const ED25519 = { name: 'Ed25519' };
// PKCS#8 of an ed25519 private key, before its 32-byte seed (RFC 8410).
const PKCS8_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20);

function subtle() {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('WebCrypto (crypto.subtle) is not available: use Node 20+ or a browser in a secure context');
  return s;
}

function fromBase64Url(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return fromBase64(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
}

/**
 * The govm address of an ed25519 public key: `0x`-hex of the first 20 bytes of its SHA-256.
 * @param {Uint8Array|string} publicKey
 * @returns {Promise<string>}
 */
export async function addressOf(publicKey) {
  return toHex((await sha256(toBytes(publicKey, 32))).subarray(0, 20));
}

/** An ed25519 signing key with its public key and govm address. */
export class Key {
  /** Use `Key.generate()` or `Key.fromSeed()`. */
  constructor(privateKey, seed, publicKey, address) {
    /** @private */
    this.privateKey = privateKey;
    /** @private */
    this.secret = seed;
    /** The 32-byte public key. @type {Uint8Array} */
    this.publicKey = publicKey;
    /** The govm address, `0x`-hex. @type {string} */
    this.address = address;
  }

  /** A key from its 32-byte seed (`0x`-hex or bytes), as `govm keys add --seed` takes it. */
  static async fromSeed(seed) {
    const bytes = toBytes(seed, 32);
    const privateKey = await subtle().importKey('pkcs8', concat(PKCS8_PREFIX, bytes), ED25519, true, ['sign']);
    const jwk = await subtle().exportKey('jwk', privateKey);
    const publicKey = fromBase64Url(jwk.x);
    return new Key(privateKey, bytes, publicKey, await addressOf(publicKey));
  }

  /** A new random key. */
  static async generate() {
    const seed = globalThis.crypto.getRandomValues(new Uint8Array(32));
    return Key.fromSeed(seed);
  }

  /** A key from a `govm keys` file record (`{"seed": "0x…"}`; its address is checked if given). */
  static async fromJson(record) {
    const key = await Key.fromSeed(record.seed);
    if (record.address !== undefined && record.address.toLowerCase() !== key.address) {
      throw new Error(`the key record's address ${record.address} is not its seed's (${key.address})`);
    }
    return key;
  }

  /** The 32-byte seed (secret). */
  seed() {
    return new Uint8Array(this.secret);
  }

  /** The record `govm keys add` writes (`<home>/keys/<name>.json`): it holds the seed. */
  toJson(name) {
    return {
      ...(name === undefined ? {} : { name }),
      address: this.address,
      public_key: toHex(this.publicKey),
      seed: toHex(this.secret),
    };
  }

  /**
   * The 64-byte ed25519 signature of `message`.
   * @param {Uint8Array} message
   */
  async sign(message) {
    return new Uint8Array(await subtle().sign(ED25519, this.privateKey, message));
  }
}

/**
 * Verifies an ed25519 signature (WebCrypto's check; the chain's is stricter, `verify_strict`).
 * @param {Uint8Array|string} publicKey @param {Uint8Array} message @param {Uint8Array} signature
 */
export async function verify(publicKey, message, signature) {
  const key = await subtle().importKey('raw', toBytes(publicKey, 32), ED25519, false, ['verify']);
  return subtle().verify(ED25519, key, signature, message);
}

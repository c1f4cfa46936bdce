// Transactions as govm-chain encodes them (docs/chain.md §1): version 1, the SCALE unsigned
// transaction, the signer's key and the signature of sha256("govm/tx/v1" ‖ version ‖ unsigned).

import { concat, sha256, toBytes, toHex, utf8 } from './bytes.js';
import { addressOf } from './keys.js';
import { DecodeError, Reader, Writer } from './scale.js';

export const TX_VERSION = 1;
export const SIGNING_DOMAIN = 'govm/tx/v1';
/** Gas every transaction pays before its body: 10,000 + 10 per byte (docs/chain.md §3). */
export const TX_BASE_GAS = 10_000n;
export const TX_GAS_PER_BYTE = 10n;
/** A transfer's body gas. */
export const TRANSFER_GAS = 10_000n;
/** The bytes a signature adds after the unsigned encoding: the key and the signature. */
export const SIGNATURE_BYTES = 96;

const U64_MAX = (1n << 64n) - 1n;

function u64(value, what) {
  let v;
  if (typeof value === 'bigint') v = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value);
  else throw new TypeError(`${what}: expected a bigint or a safe integer, got ${typeof value} ${value}`);
  if (v < 0n || v > U64_MAX) throw new RangeError(`${what}: ${v} is outside 0..2^64-1`);
  return v;
}

/** The intrinsic gas of a transaction of `length` bytes. */
export function intrinsicGas(length) {
  return TX_BASE_GAS + BigInt(length) * TX_GAS_PER_BYTE;
}

/** govm's default contract options (crates/govm-runtime `ContractOptions::default`). */
export const DEFAULT_OPTIONS = Object.freeze({
  memoryLimit: 64n << 20n,
  tableSize: 65_536,
  timeoutMs: 5_000n,
  fuelLimit: 1_000_000_000n,
  stackSize: 512 << 10,
  enableSimd: false,
  enableThreads: false,
  enableBulkMemory: true,
});

/**
 * The options a chain gives a contract deployed without any (`ChainParams::contract_defaults`),
 * from `/info`'s `params`.
 */
export function contractDefaults(params) {
  const memory = BigInt(params.max_contract_memory);
  const timeout = BigInt(params.min_timeout_ms);
  return {
    ...DEFAULT_OPTIONS,
    fuelLimit: BigInt(params.max_call_fuel),
    memoryLimit: DEFAULT_OPTIONS.memoryLimit < memory ? DEFAULT_OPTIONS.memoryLimit : memory,
    timeoutMs: DEFAULT_OPTIONS.timeoutMs > timeout ? DEFAULT_OPTIONS.timeoutMs : timeout,
  };
}

/**
 * The 34-byte options record (docs/abi.md §11): version 1, memory limit u64, table size u32,
 * timeout ms u64, fuel limit u64, stack size u32, flags (SIMD, threads, bulk memory).
 */
export function encodeOptions(options) {
  const o = { ...DEFAULT_OPTIONS, ...options };
  const w = new Writer();
  w.byte(1);
  w.uint(u64(o.memoryLimit, 'memoryLimit'), 8);
  w.uint(BigInt(o.tableSize), 4);
  w.uint(u64(o.timeoutMs, 'timeoutMs'), 8);
  w.uint(u64(o.fuelLimit, 'fuelLimit'), 8);
  w.uint(BigInt(o.stackSize), 4);
  w.byte((o.enableSimd ? 1 : 0) | (o.enableThreads ? 2 : 0) | (o.enableBulkMemory ? 4 : 0));
  return w.finish();
}

/** Reads a 34-byte options record back. */
export function decodeOptions(bytes) {
  if (bytes.length !== 34 || bytes[0] !== 1) throw new DecodeError(`contract options of ${bytes.length} bytes`);
  const r = new Reader(bytes.subarray(1));
  const out = {
    memoryLimit: r.uint(8),
    tableSize: Number(r.uint(4)),
    timeoutMs: r.uint(8),
    fuelLimit: r.uint(8),
    stackSize: Number(r.uint(4)),
  };
  const flags = r.byte();
  return { ...out, enableSimd: (flags & 1) !== 0, enableThreads: (flags & 2) !== 0, enableBulkMemory: (flags & 4) !== 0 };
}

/**
 * The canonical encoding of an unsigned transaction: the version byte, then SCALE.
 * @param {import('../index.js').UnsignedTx} tx
 */
export function encodeUnsigned(tx) {
  const w = new Writer();
  w.byte(TX_VERSION);
  if (typeof tx.chainId !== 'string') throw new TypeError('chainId: expected a string');
  w.string(tx.chainId);
  w.uint(u64(tx.nonce, 'nonce'), 8);
  w.uint(u64(tx.fuelLimit, 'fuelLimit'), 8);
  w.uint(u64(tx.gasPrice, 'gasPrice'), 8);
  const b = tx.body;
  switch (b?.kind) {
    case 'call':
      w.byte(0);
      w.raw(toBytes(b.contract, 20));
      if (typeof b.function !== 'string') throw new TypeError('function: expected a string');
      w.string(b.function);
      w.bytes(toBytes(b.args ?? new Uint8Array()));
      w.uint(u64(b.value ?? 0n, 'value'), 8);
      break;
    case 'deploy':
      w.byte(1);
      // Source text as UTF-8; bytes (plain or gzip) as they are.
      w.bytes(typeof b.source === 'string' ? utf8(b.source) : toBytes(b.source));
      w.bytes(toBytes(b.wasm));
      w.bytes(
        b.options === undefined || b.options === null
          ? new Uint8Array()
          : b.options instanceof Uint8Array
            ? b.options
            : encodeOptions(b.options),
      );
      break;
    case 'transfer':
      w.byte(2);
      w.raw(toBytes(b.to, 20));
      w.uint(u64(b.amount, 'amount'), 8);
      break;
    default:
      throw new TypeError(`body: expected kind call, deploy or transfer, got ${b?.kind}`);
  }
  return w.finish();
}

/** `sha256("govm/tx/v1" ‖ unsigned)`: what the signature signs. @param {Uint8Array} unsigned */
export async function signingDigest(unsigned) {
  return sha256(concat(utf8(SIGNING_DOMAIN), unsigned));
}

/** A transaction's hash: sha256 of its bytes. @param {Uint8Array} bytes */
export async function txHash(bytes) {
  return sha256(bytes);
}

/**
 * Signs an unsigned transaction with `key`.
 * @param {import('../index.js').UnsignedTx} tx
 * @param {import('./keys.js').Key} key
 */
export async function signTx(tx, key) {
  const unsigned = encodeUnsigned(tx);
  const signature = await key.sign(await signingDigest(unsigned));
  const bytes = concat(unsigned, key.publicKey, signature);
  return {
    tx,
    bytes,
    hash: toHex(await txHash(bytes)),
    signer: new Uint8Array(key.publicKey),
    signature,
    sender: key.address,
  };
}

/**
 * Reads a transaction's bytes, refusing another version, a truncated one and trailing bytes
 * (the signature is not checked).
 * @param {Uint8Array} bytes
 */
export async function decodeTx(bytes) {
  if (bytes.length === 0) throw new DecodeError('an empty transaction');
  if (bytes[0] !== TX_VERSION) throw new DecodeError(`transaction version ${bytes[0]}, this client reads ${TX_VERSION}`);
  const r = new Reader(bytes.subarray(1));
  const chainId = r.string();
  const nonce = r.uint(8);
  const fuelLimit = r.uint(8);
  const gasPrice = r.uint(8);
  const index = r.byte();
  let body;
  if (index === 0) {
    body = { kind: 'call', contract: toHex(r.take(20)), function: r.string(), args: r.bytesValue(), value: r.uint(8) };
  } else if (index === 1) {
    body = { kind: 'deploy', source: r.bytesValue(), wasm: r.bytesValue(), options: r.bytesValue() };
  } else if (index === 2) {
    body = { kind: 'transfer', to: toHex(r.take(20)), amount: r.uint(8) };
  } else {
    throw new DecodeError(`unknown transaction body ${index}`);
  }
  if (r.remaining !== 96) {
    throw new DecodeError(`expected a 32-byte public key and a 64-byte signature after the body, found ${r.remaining} bytes`);
  }
  const signer = new Uint8Array(r.take(32));
  const signature = new Uint8Array(r.take(64));
  return {
    tx: { chainId, nonce, fuelLimit, gasPrice, body },
    signer,
    signature,
    sender: await addressOf(signer),
    hash: toHex(await txHash(bytes)),
  };
}

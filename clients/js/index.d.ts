// Types of @govm/client (hand-written: the package is plain ES modules, no build step).

/** An ABI type (docs/abi.md §1), parsed. */
export type Type =
  | { kind: 'bool' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'uint' | 'int8' | 'int16' | 'int32' | 'int64' | 'int' | 'string' | 'bytes' | 'address' | 'objectid' | 'hash' | 'uint256' }
  | { kind: 'array'; length: number; elem: Type }
  | { kind: 'slice'; elem: Type }
  | { kind: 'map'; key: Type; value: Type }
  | { kind: 'struct'; name: string };

/** `0x`-hex, lowercase when this package writes it. */
export type Hex = string;
/** Bytes, as a Uint8Array or `0x`-hex. */
export type BytesLike = Uint8Array | Hex;
/**
 * A contract value: boolean; number (8-32-bit integers); bigint (64-bit integers, vm.Uint256;
 * safe-integer numbers accepted); string; Uint8Array ([]byte); `0x`-hex (identifiers); arrays;
 * Map (maps; plain objects keyed by text accepted); plain objects (structs).
 */
export type Value = any;

export function fromHex(text: string, length?: number): Uint8Array;
export function toHex(bytes: Uint8Array): Hex;
export function toBytes(input: BytesLike, length?: number): Uint8Array;
export function utf8(text: string): Uint8Array;
export function fromUtf8(bytes: Uint8Array): string;
export function concat(...parts: Uint8Array[]): Uint8Array;
export function equal(a: Uint8Array, b: Uint8Array): boolean;
export function toBase64(bytes: Uint8Array): string;
export function fromBase64(text: string): Uint8Array;
export function sha256(bytes: Uint8Array): Promise<Uint8Array>;

/** JSON with integers past 2^53 as bigints. */
export function parseJson(text: string): any;
/** JSON text with bigints as plain numbers. */
export function stringifyJson(value: any): string;

export class DecodeError extends Error {}
export class Writer {
  raw(bytes: Uint8Array): void;
  byte(b: number): void;
  uint(value: number | bigint, width: number): void;
  compact(value: number | bigint): void;
  bytes(bytes: Uint8Array): void;
  string(text: string): void;
  finish(): Uint8Array;
}
export class Reader {
  constructor(bytes: Uint8Array);
  readonly remaining: number;
  take(n: number): Uint8Array;
  byte(): number;
  uint(width: number): bigint;
  compact(): bigint;
  length(min: number): number;
  bytesValue(): Uint8Array;
  string(): string;
  finish(what: string): void;
}
export function encodeCompact(value: number | bigint): Uint8Array;

export const MAX_TYPE_DEPTH: number;
export const MAX_ARRAY_LEN: number;
export const COMPOSITE_TAG: number;
export function parseType(text: string): Type;
export function typeName(t: Type): string;
export function isMapKey(t: Type): boolean;
export function tagOf(t: Type): number;

export interface AbiParam { name: string; type: string }
export interface AbiFunction { name: string; context: boolean; params: AbiParam[]; results: string[]; error: boolean }
export interface AbiStruct { name: string; fields: AbiParam[] }
export interface AbiEvent { name: string; keys: string[] }
export interface AbiJson {
  abi_version: 1;
  package: string;
  imports?: string[];
  functions: AbiFunction[];
  structs?: AbiStruct[];
  events?: AbiEvent[];
}

export class AbiError extends Error {}

export interface EventField { key: string; type: string; value: Value }

export class Codec {
  constructor(structs?: AbiStruct[]);
  encode(type: Type | string, value: Value, path?: string): Uint8Array;
  decode(type: Type | string, bytes: Uint8Array): Value;
  encodeValues(what: string, types: (Type | string)[], values: Value[]): Uint8Array;
  decodeValues(what: string, types: (Type | string)[], bytes: Uint8Array): Value[];
  encodeTagged(type: Type | string, value: Value, path?: string): Uint8Array;
  decodeTagged(bytes: Uint8Array): { type: string; value: Value };
  encodeEventFields(fields: EventField[]): Uint8Array;
  decodeEventFields(bytes: Uint8Array): EventField[];
  fromJson(type: Type | string, json: any, path?: string): Value;
  toJson(type: Type | string, value: Value, path?: string): any;
  minSize(t: Type): number;
}

export class Abi {
  constructor(json: AbiJson | string);
  readonly json: AbiJson;
  readonly package: string;
  readonly functions: AbiFunction[];
  readonly structs: AbiStruct[];
  readonly events: AbiEvent[];
  readonly codec: Codec;
  function(name: string): AbiFunction;
  encodeArgs(name: string, args: Value[]): Uint8Array;
  argsFromJson(name: string, json: any[]): Value[];
  argsToJson(name: string, args: Value[]): any[];
  decodeResults(name: string, bytes: Uint8Array): Value[];
  encodeResults(name: string, values: Value[]): Uint8Array;
  resultsFromJson(name: string, json: any): Value[];
}

export function addressOf(publicKey: BytesLike): Promise<Hex>;
export function verify(publicKey: BytesLike, message: Uint8Array, signature: Uint8Array): Promise<boolean>;

export interface KeyRecord { name?: string; address: Hex; public_key: Hex; seed: Hex }

export class Key {
  static fromSeed(seed: BytesLike): Promise<Key>;
  static generate(): Promise<Key>;
  static fromJson(record: { seed: Hex; address?: Hex }): Promise<Key>;
  readonly publicKey: Uint8Array;
  readonly address: Hex;
  seed(): Uint8Array;
  toJson(name?: string): KeyRecord;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export interface ContractOptions {
  memoryLimit?: bigint;
  tableSize?: number;
  timeoutMs?: bigint;
  fuelLimit?: bigint;
  stackSize?: number;
  enableSimd?: boolean;
  enableThreads?: boolean;
  enableBulkMemory?: boolean;
}

export type Body =
  | { kind: 'call'; contract: BytesLike; function: string; args?: Uint8Array; value?: bigint | number }
  | { kind: 'deploy'; source: string | BytesLike; wasm: BytesLike; options?: Uint8Array | ContractOptions | null }
  | { kind: 'transfer'; to: BytesLike; amount: bigint | number };

export interface UnsignedTx {
  chainId: string;
  nonce: bigint | number;
  fuelLimit: bigint | number;
  gasPrice: bigint | number;
  body: Body;
}

export interface SignedTx {
  tx: UnsignedTx;
  bytes: Uint8Array;
  hash: Hex;
  signer: Uint8Array;
  signature: Uint8Array;
  sender: Hex;
}

export const TX_VERSION: number;
export const SIGNING_DOMAIN: string;
export const TX_BASE_GAS: bigint;
export const TX_GAS_PER_BYTE: bigint;
export const TRANSFER_GAS: bigint;
export const SIGNATURE_BYTES: number;
export const DEFAULT_OPTIONS: Readonly<Required<ContractOptions>>;
export function intrinsicGas(length: number): bigint;
export function contractDefaults(params: ChainParams): Required<ContractOptions>;
export function encodeOptions(options: ContractOptions): Uint8Array;
export function decodeOptions(bytes: Uint8Array): Required<ContractOptions>;
export function encodeUnsigned(tx: UnsignedTx): Uint8Array;
export function signingDigest(unsigned: Uint8Array): Promise<Uint8Array>;
export function signTx(tx: UnsignedTx, key: Key): Promise<SignedTx>;
export function decodeTx(bytes: Uint8Array): Promise<{ tx: UnsignedTx; signer: Uint8Array; signature: Uint8Array; sender: Hex; hash: Hex }>;
export function txHash(bytes: Uint8Array): Promise<Uint8Array>;

export interface ChainParams {
  min_gas_price: number | bigint;
  max_tx_fuel: number | bigint;
  max_block_fuel: number | bigint;
  max_tx_bytes: number | bigint;
  min_timeout_ms: number | bigint;
  max_call_fuel: number | bigint;
  max_contract_memory: number | bigint;
}

export class RpcError extends Error { method?: string; data?: unknown }
export class QueryError extends Error { path: string; code: number; log: string; value: any }
export class TxError extends Error { code: number | null; log: string; hash: Hex; height: bigint | null; result: Included | null }

export interface Included {
  hash: Hex;
  height: bigint;
  index: number;
  code: number;
  data: Uint8Array;
  log: string;
  info: string;
  gasWanted: bigint;
  gasUsed: bigint;
  /** CometBFT's ABCI events (`govm_tx`, `govm_event`). */
  events: any[];
  /** The contract events from `info`: `{contract, name, fields}` in JSON form. */
  contractEvents: { contract: Hex; name: string; fields: Record<string, any> }[];
  tx: Uint8Array | null;
}

export interface Submitted extends Included {
  nonce: bigint;
  fuelLimit: bigint;
  gasPrice: bigint;
  fee: bigint;
}

export interface SubmitOptions {
  fuelLimit?: bigint | number;
  fuel?: (length: number, params: ChainParams) => bigint | Promise<bigint>;
  gasPrice?: bigint;
  nonce?: bigint;
  waitMs?: number;
}

export interface Page<T> { items: T[]; next: any }

export const CALL_MARGIN_PERCENT: bigint;
export const CALL_MARGIN_GAS: bigint;
export function callFuel(measured: bigint, length: number, maxTxFuel?: bigint): bigint;

export class Client {
  constructor(url: string, options?: { fetch?: typeof fetch; timeoutMs?: number });
  readonly url: string;
  rpc(method: string, params?: object): Promise<any>;
  status(): Promise<{ chainId: string; height: bigint; appHash: string; latestBlockTime: string; catchingUp: boolean }>;
  queryRaw(path: string, data?: string | Uint8Array): Promise<{ code: number; log: string; value: any; height: bigint }>;
  query(path: string, data?: string | Uint8Array): Promise<any>;
  info(): Promise<{ chain_id: string; height: number | bigint; state_hash: Hex; params: ChainParams; fee_rules: number; protocol_version: number; runtime: object }>;
  account(address: Hex): Promise<{ nonce: bigint; balance: bigint }>;
  contractInfo(address: Hex): Promise<any>;
  abi(address: Hex): Promise<Abi>;
  object(id: Hex): Promise<any>;
  objects(address: Hex, page?: { limit?: number; after?: Hex }): Promise<Page<any>>;
  events(page?: { contract?: Hex; limit?: number; after?: number | bigint }): Promise<Page<any>>;
  allEvents(page?: { contract?: Hex; limit?: number; after?: number | bigint }): AsyncGenerator<any>;
  allObjects(address: Hex, page?: { limit?: number }): AsyncGenerator<any>;
  txRecord(hash: BytesLike): Promise<any | null>;
  tx(hash: BytesLike): Promise<Included | null>;
  waitForTx(hash: BytesLike, options?: { timeoutMs?: number; intervalMs?: number }): Promise<Included | null>;
  readOnlyCall(contract: Hex, fn: string, args?: any[], options?: { sender?: Hex }): Promise<{ status: string; result: any; error: string | null; events: any[]; gas_used: number | bigint }>;
  broadcast(bytes: Uint8Array): Promise<{ code: number; log: string; hash: string }>;
  gasPrice(): Promise<bigint>;
  estimateCallFuel(call: { contract: Hex; function: string; args?: any[]; sender?: Hex; length: number; maxTxFuel?: bigint }): Promise<bigint>;
  submit(key: Key, body: Body, options?: SubmitOptions): Promise<Submitted>;
  transfer(key: Key, to: BytesLike, amount: bigint | number, options?: SubmitOptions): Promise<Submitted>;
  deploy(key: Key, deploy: { source: string | BytesLike; wasm: BytesLike; options?: Uint8Array | ContractOptions | null; fuelLimit: bigint | number; gasPrice?: bigint; waitMs?: number }): Promise<Submitted & { address: Hex }>;
  call(key: Key, contract: Hex, fn: string, args: Uint8Array, options?: SubmitOptions & { value?: bigint | number; jsonArgs?: any[] }): Promise<Submitted>;
  contract(address: Hex): Promise<Contract>;
}

export interface CallOptions extends SubmitOptions { from: Key; value?: bigint | number }

export class Contract {
  readonly client: Client;
  readonly address: Hex;
  readonly abi: Abi;
  /** `call.F(...args, {from})`: signs, sends, waits; `result` is the decoded result (none undefined, one the value, several an array). */
  readonly call: Record<string, (...args: any[]) => Promise<Submitted & { results: Value[]; result: Value }>>;
  /** `query.F(...args, {sender}?)`: a read-only call; the decoded result. */
  readonly query: Record<string, (...args: any[]) => Promise<Value>>;
}

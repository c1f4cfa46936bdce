// A client of a govm node: CometBFT's JSON-RPC (POST, JSON-RPC 2.0) and the node's ABCI query
// paths (docs/node.md §5); transactions signed here, sent, and followed to their block.

import { fromBase64, fromHex, fromUtf8, toBase64, toHex, utf8 } from './bytes.js';
import { Abi, AbiError } from './codec.js';
import { parseJson, stringifyJson } from './json.js';
import { SIGNATURE_BYTES, TRANSFER_GAS, encodeUnsigned, intrinsicGas, signTx } from './tx.js';

/** A call's fuel margin over its read-only run: 20% and 20,000 (as `govm call --node`). */
export const CALL_MARGIN_PERCENT = 20n;
export const CALL_MARGIN_GAS = 20_000n;

/** The node could not be reached, or refused a JSON-RPC request. */
export class RpcError extends Error {
  constructor(message, { method, data } = {}) {
    super(message);
    this.name = 'RpcError';
    this.method = method;
    this.data = data;
  }
}

/** An ABCI query that did not answer with code 0 (docs/node.md §5 lists the codes). */
export class QueryError extends Error {
  constructor(path, code, log, value) {
    super(`${path}: ${log || `code ${code}`}`);
    this.name = 'QueryError';
    this.path = path;
    this.code = code;
    this.log = log;
    /** A failed read-only call's JSON (`status`, `error`, `gas_used`), else null. */
    this.value = value;
  }
}

/** A transaction the node refused (`CheckTx`) or that ran and failed in its block. */
export class TxError extends Error {
  constructor(message, { code, log, hash, height = null, result = null }) {
    super(message);
    this.name = 'TxError';
    this.code = code;
    this.log = log;
    this.hash = hash;
    this.height = height;
    this.result = result;
  }
}

const number = (v) => (v === undefined || v === null ? null : BigInt(v));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function hashBytes(hash) {
  return typeof hash === 'string' ? fromHex(hash, 32) : hash;
}

/** A connection to one node's JSON-RPC. */
export class Client {
  /**
   * @param {string} url the node's JSON-RPC address, like `http://127.0.0.1:26657`
   * @param {{fetch?: typeof fetch, timeoutMs?: number}} [options]
   */
  constructor(url, options = {}) {
    this.url = url.replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.id = 0;
  }

  /** Calls a CometBFT JSON-RPC method; its `result`. */
  async rpc(method, params = {}) {
    let response;
    try {
      response = await this.fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new RpcError(`cannot reach the node at ${this.url}: ${e.message}`, { method });
    }
    let answer;
    try {
      answer = parseJson(await response.text());
    } catch (e) {
      throw new RpcError(`the node at ${this.url} is not a CometBFT JSON-RPC endpoint (${e.message})`, { method });
    }
    if (answer.error) {
      const message = [answer.error.message, answer.error.data].filter((s) => typeof s === 'string').join(': ');
      throw new RpcError(`the node refused ${method}: ${message}`, { method, data: answer.error.data });
    }
    if (answer.result === undefined) throw new RpcError(`unexpected answer to ${method}: no result`, { method });
    return answer.result;
  }

  /** CometBFT's `/status`: chain id, latest height and app hash, catching up. */
  async status() {
    const r = await this.rpc('status');
    const sync = r.sync_info;
    return {
      chainId: r.node_info.network,
      height: BigInt(sync.latest_block_height),
      appHash: sync.latest_app_hash,
      latestBlockTime: sync.latest_block_time,
      catchingUp: Boolean(sync.catching_up),
    };
  }

  /**
   * An ABCI query's answer: `{code, log, value, height}`, the value parsed with exact integers
   * (null when empty).
   */
  async queryRaw(path, data) {
    const bytes = data === undefined ? new Uint8Array() : typeof data === 'string' ? utf8(data) : data;
    const r = await this.rpc('abci_query', { path, data: toHex(bytes).slice(2), prove: false });
    const response = r.response;
    const raw = response.value ? fromBase64(response.value) : new Uint8Array();
    return {
      code: Number(response.code ?? 0),
      log: response.log ?? '',
      value: raw.length === 0 ? null : parseJson(fromUtf8(raw)),
      height: number(response.height) ?? 0n,
    };
  }

  /** An ABCI query's value; a code other than 0 throws a `QueryError`. */
  async query(path, data) {
    const a = await this.queryRaw(path, data);
    if (a.code !== 0) throw new QueryError(path, a.code, a.log, a.value);
    return a.value;
  }

  /** `/info`: chain id, height, state hash, parameters, fee rules, protocol version. */
  info() {
    return this.query('/info');
  }

  /** An account's nonce and balance, as bigints. */
  async account(address) {
    const a = await this.query(`/account/${address}`);
    return { nonce: BigInt(a.nonce), balance: BigInt(a.balance) };
  }

  /** A deployed contract (`/contract/…`: code and module hashes, deployer, options, ABI, …). */
  contractInfo(address) {
    return this.query(`/contract/${address}`);
  }

  /** A deployed contract's ABI. */
  async abi(address) {
    return new Abi(await this.query(`/abi/${address}`));
  }

  /** One object by ID. */
  object(id) {
    return this.query(`/object/${id}`);
  }

  /**
   * One page of a contract's objects: `{items, next}`; `next` is the `after` of the next page,
   * null after the last.
   */
  async objects(address, { limit, after } = {}) {
    const items = await this.query(`/objects/${address}`, page(limit, after));
    const full = items.length === (limit ?? 100);
    return { items, next: full && items.length > 0 ? items[items.length - 1].cursor : null };
  }

  /** One page of committed events, oldest first (of one contract when `contract` is given). */
  async events({ contract, limit, after } = {}) {
    const path = contract ? `/events/${contract}` : '/events';
    const items = await this.query(path, page(limit, after));
    const full = items.length === (limit ?? 100);
    return { items, next: full && items.length > 0 ? items[items.length - 1].seq : null };
  }

  /** Every event from `after` on, page by page. */
  async *allEvents({ contract, limit = 1000, after } = {}) {
    let next = after;
    for (;;) {
      const p = await this.events({ contract, limit, after: next });
      yield* p.items;
      if (p.next === null) return;
      next = p.next;
    }
  }

  /** Every object of a contract, page by page. */
  async *allObjects(address, { limit = 1000 } = {}) {
    let next;
    for (;;) {
      const p = await this.objects(address, { limit, after: next });
      yield* p.items;
      if (p.next === null) return;
      next = p.next;
    }
  }

  /** The record the state keeps of a delivered transaction (`/tx/…`), null when there is none. */
  async txRecord(hash) {
    const a = await this.queryRaw(`/tx/${toHex(hashBytes(hash))}`);
    if (a.code === 2) return null;
    if (a.code !== 0) throw new QueryError('/tx', a.code, a.log, a.value);
    return a.value;
  }

  /**
   * A committed transaction from CometBFT's `tx` RPC, with its whole result: `{hash, height,
   * index, code, data, log, info, gasWanted, gasUsed, events, contractEvents}`; null while it
   * is in no block.
   */
  async tx(hash) {
    let r;
    try {
      r = await this.rpc('tx', { hash: toBase64(hashBytes(hash)), prove: false });
    } catch (e) {
      if (e instanceof RpcError && /not found/.test(e.message)) return null;
      throw e;
    }
    const result = r.tx_result;
    let contractEvents = [];
    if (result.info) {
      try {
        contractEvents = parseJson(result.info).events ?? [];
      } catch {
        contractEvents = [];
      }
    }
    return {
      hash: toHex(hashBytes(hash)),
      height: BigInt(r.height),
      index: Number(r.index ?? 0),
      code: Number(result.code ?? 0),
      data: result.data ? fromBase64(result.data) : new Uint8Array(),
      log: result.log ?? '',
      info: result.info ?? '',
      gasWanted: number(result.gas_wanted) ?? 0n,
      gasUsed: number(result.gas_used) ?? 0n,
      events: result.events ?? [],
      contractEvents,
      tx: r.tx ? fromBase64(r.tx) : null,
    };
  }

  /** Waits until the transaction is in a block (polling `tx`); null after `timeoutMs`. */
  async waitForTx(hash, { timeoutMs = 60_000, intervalMs = 100 } = {}) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const included = await this.tx(hash);
      if (included) return included;
      if (Date.now() >= until) return null;
      await sleep(intervalMs);
    }
  }

  /**
   * A read-only call at the committed height (`/call`): `{status, result, error, events,
   * gas_used}` in JSON form. `args` are the arguments' JSON forms; a failed call throws a
   * `QueryError` whose `value` holds the call's JSON.
   */
  readOnlyCall(contract, fn, args = [], { sender } = {}) {
    const data = stringifyJson({ ...(sender ? { sender } : {}), args });
    return this.query(`/call/${contract}/${fn}`, data);
  }

  /** Sends signed bytes to the mempool (`broadcast_tx_sync`: after `CheckTx`). */
  async broadcast(bytes) {
    const r = await this.rpc('broadcast_tx_sync', { tx: toBase64(bytes) });
    return { code: Number(r.code ?? 0), log: r.log ?? '', hash: r.hash ?? '' };
  }

  /** The chain's minimum gas price (`/info` params), what transactions offer by default. */
  async gasPrice() {
    return BigInt((await this.info()).params.min_gas_price);
  }

  /**
   * The fuel limit a call needs, as `govm call --node` sizes it: the gas of a read-only run as
   * `sender` + 20% + 20,000, plus the intrinsic gas of the transaction's `length` bytes; at most
   * `maxTxFuel` (the margin gives way; a need beyond it is an error).
   */
  async estimateCallFuel({ contract, function: fn, args = [], sender, length, maxTxFuel }) {
    const outcome = await this.readOnlyCall(contract, fn, args, { sender });
    return callFuel(BigInt(outcome.gas_used), length, maxTxFuel);
  }

  /**
   * Signs `body` with `key` at the sender's next nonce and the chain's minimum gas price (or
   * `gasPrice`), with `fuelLimit` or the fuel `fuel(length, params)` gives, sends it and waits
   * for its block. Resolves to the included transaction (as `tx()`) with `fuelLimit`,
   * `gasPrice`, `nonce` and `fee`; a refusal or a failure in the block throws a `TxError`.
   */
  async submit(key, body, { fuelLimit, fuel, gasPrice, nonce, waitMs = 60_000 } = {}) {
    const info = await this.info();
    const params = info.params;
    const tx = {
      chainId: info.chain_id,
      nonce: nonce ?? (await this.account(key.address)).nonce,
      fuelLimit: 0n,
      gasPrice: gasPrice ?? BigInt(params.min_gas_price),
      body,
    };
    // The fuel limit is a fixed-width field: the length does not depend on it.
    const length = encodeUnsigned(tx).length + SIGNATURE_BYTES;
    tx.fuelLimit = fuelLimit !== undefined ? BigInt(fuelLimit) : await fuel(length, params);
    const signed = await signTx(tx, key);
    const sent = await this.broadcast(signed.bytes);
    if (sent.code !== 0) {
      throw new TxError(`the node refused the transaction (code ${sent.code}): ${sent.log}`, {
        code: sent.code,
        log: sent.log,
        hash: signed.hash,
      });
    }
    const included = await this.waitForTx(signed.hash, { timeoutMs: waitMs });
    if (!included) {
      throw new TxError(`transaction ${signed.hash} was accepted but is not in a block after ${waitMs} ms`, {
        code: null,
        log: '',
        hash: signed.hash,
      });
    }
    const ran = included.code === 0 || included.code >= 20;
    const result = {
      ...included,
      nonce: tx.nonce,
      fuelLimit: tx.fuelLimit,
      gasPrice: tx.gasPrice,
      fee: ran ? tx.fuelLimit * tx.gasPrice : 0n,
    };
    if (included.code !== 0) {
      throw new TxError(`transaction ${signed.hash} failed in block ${included.height} (code ${included.code}): ${included.log}`, {
        code: included.code,
        log: included.log,
        hash: signed.hash,
        height: included.height,
        result,
      });
    }
    return result;
  }

  /** Pays `amount` to `to`, with exactly the fuel a transfer uses. */
  transfer(key, to, amount, options = {}) {
    return this.submit(key, { kind: 'transfer', to, amount: BigInt(amount) }, {
      fuel: (length) => intrinsicGas(length) + TRANSFER_GAS,
      ...options,
    });
  }

  /**
   * Deploys prebuilt wasm with its Go source and options (null: the chain's defaults). The fuel
   * limit must be given: the deploy gas (docs/gas.md) depends on the module's shape and its
   * package initialisation, which this client does not measure. Resolves with `address`.
   */
  async deploy(key, { source, wasm, options = null, fuelLimit, gasPrice, waitMs }) {
    if (fuelLimit === undefined) {
      throw new TypeError('deploy: give fuelLimit (govm build reports the module; `govm deploy` measures its deploy gas)');
    }
    const included = await this.submit(key, { kind: 'deploy', source, wasm, options }, { fuelLimit, gasPrice, waitMs });
    return { ...included, address: toHex(included.data) };
  }

  /**
   * Calls `fn` of `contract` with its encoded argument tuple, carrying `value`. Without
   * `fuelLimit`, `jsonArgs` (the arguments' JSON forms) size it by a read-only run.
   */
  call(key, contract, fn, args, { value = 0n, jsonArgs, fuelLimit, ...options } = {}) {
    return this.submit(key, { kind: 'call', contract, function: fn, args, value: BigInt(value) }, {
      fuelLimit,
      fuel: async (length, params) => {
        if (jsonArgs === undefined) throw new TypeError('call: give fuelLimit, or jsonArgs to estimate it');
        return this.estimateCallFuel({
          contract,
          function: fn,
          args: jsonArgs,
          sender: key.address,
          length,
          maxTxFuel: BigInt(params.max_tx_fuel),
        });
      },
      ...options,
    });
  }

  /**
   * A contract with its ABI: `c.call.Transfer(to, 100n, {from: key})` signs, sends and resolves
   * to the results; `c.query.GetBalance(id)` runs read-only. Results: none `undefined`, one the
   * value, several an array.
   */
  async contract(address) {
    return new Contract(this, address.toLowerCase(), await this.abi(address));
  }
}

function page(limit, after) {
  const data = {};
  if (limit !== undefined) data.limit = limit;
  if (after !== undefined && after !== null) data.after = after;
  return stringifyJson(data);
}

/** The fuel limit of a call whose read-only run used `measured` gas (see `estimateCallFuel`). */
export function callFuel(measured, length, maxTxFuel) {
  const margin = (measured * CALL_MARGIN_PERCENT) / 100n + CALL_MARGIN_GAS;
  const needed = intrinsicGas(length) + measured;
  if (maxTxFuel !== undefined && needed > maxTxFuel) {
    throw new RangeError(
      `the transaction needs ${needed} gas (${length} bytes), more than the chain's max_tx_fuel of ${maxTxFuel}: nothing was sent`,
    );
  }
  const limit = needed + margin;
  return maxTxFuel !== undefined && limit > maxTxFuel ? maxTxFuel : limit;
}

function shape(values) {
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
}

/** A deployed contract bound to a client and its ABI. */
export class Contract {
  constructor(client, address, abi) {
    this.client = client;
    this.address = address;
    this.abi = abi;
    /** Writing calls by function name: `(...args, {from, value?, fuelLimit?, gasPrice?})`. */
    this.call = {};
    /** Read-only calls by function name: `(...args, {sender?}?)`. */
    this.query = {};
    for (const f of abi.functions) {
      this.call[f.name] = (...rest) => this.send(f.name, rest);
      this.query[f.name] = (...rest) => this.read(f.name, rest);
    }
  }

  /** Splits the trailing options object off the arguments. */
  split(name, rest, required) {
    const n = this.abi.function(name).params.length;
    if (rest.length === n + 1) return [rest.slice(0, n), rest[n]];
    if (rest.length === n && !required) return [rest, {}];
    throw new AbiError(
      `${name} takes ${n} argument${n === 1 ? '' : 's'}${required ? ' and then {from: key}' : ''}, got ${rest.length} values`,
    );
  }

  async send(name, rest) {
    const [args, options] = this.split(name, rest, true);
    const { from, ...more } = options ?? {};
    if (!from) throw new TypeError(`${name}: give {from: key}`);
    // Encoded before anything is sent: a bad argument never reaches the node.
    const encoded = this.abi.encodeArgs(name, args);
    const jsonArgs = this.abi.argsToJson(name, args);
    const included = await this.client.call(from, this.address, name, encoded, { jsonArgs, ...more });
    const results = this.abi.decodeResults(name, included.data);
    return Object.assign(included, { results, result: shape(results) });
  }

  async read(name, rest) {
    const [args, options] = this.split(name, rest, false);
    const jsonArgs = this.abi.argsToJson(name, args);
    const outcome = await this.client.readOnlyCall(this.address, name, jsonArgs, { sender: options.sender });
    return shape(this.abi.resultsFromJson(name, outcome.result));
  }
}

// The RPC client against a scripted node (an injected `fetch`): what it sends, how it reads
// the answers, how it sizes fuel. No network is started here.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Client, Key, QueryError, TxError, callFuel, decodeTx, fromBase64, fromHex, intrinsicGas, toBase64, toHex, utf8 } from '../index.js';

const TOKEN = '0x' + 'e0'.repeat(20);
const ABI = {
  abi_version: 1,
  package: 'token',
  functions: [
    { name: 'Transfer', context: true, params: [{ name: 'to', type: 'vm.Address' }, { name: 'amount', type: 'uint64' }], results: [], error: true },
    { name: 'GetBalance', context: true, params: [{ name: 'id', type: 'vm.ObjectID' }], results: ['uint64'], error: true },
  ],
};
const PARAMS = { min_gas_price: 2, max_tx_fuel: 2000000000, max_block_fuel: 10000000000, max_tx_bytes: 8388608, min_timeout_ms: 5000, max_call_fuel: 10000000, max_contract_memory: 67108864 };

/** A scripted node: answers each JSON-RPC request from `handlers`, recording what was asked. */
function node(handlers) {
  const calls = [];
  const fetch = async (url, init) => {
    const request = JSON.parse(init.body);
    calls.push(request);
    const handler = handlers[request.method];
    const answer = handler ? handler(request.params, calls) : { error: { message: 'Method not found' } };
    const body = answer.error ? { jsonrpc: '2.0', id: request.id, error: answer.error } : { jsonrpc: '2.0', id: request.id, result: answer };
    return { text: async () => (typeof answer.raw === 'string' ? answer.raw : JSON.stringify(body)) };
  };
  return { fetch, calls };
}

/** An `abci_query` answer whose value is `json` (text, so that big integers stay exact). */
function answer(text, code = 0, log = '') {
  return { response: { code, log, value: text === null ? null : toBase64(utf8(text)), height: '7' } };
}

function queries(routes) {
  return (params) => {
    const data = new TextDecoder().decode(fromHex('0x' + params.data));
    for (const [prefix, reply] of Object.entries(routes)) {
      if (params.path.startsWith(prefix)) return reply(params.path, data);
    }
    return answer(null, 1, `unknown query path ${params.path}`);
  };
}

test('reads: account balances stay exact, queries fail with their code', async () => {
  const { fetch } = node({
    abci_query: queries({
      '/account/': () => answer('{"nonce": 3, "balance": 18446744073709551615}'),
      '/abi/': () => answer(null, 2, 'no contract'),
    }),
  });
  const client = new Client('http://node/', { fetch });
  assert.deepEqual(await client.account('0x' + '11'.repeat(20)), { nonce: 3n, balance: 18446744073709551615n });
  await assert.rejects(client.abi(TOKEN), (e) => e instanceof QueryError && e.code === 2);
});

test('events and objects are paged with after and limit', async () => {
  const { fetch, calls } = node({
    abci_query: queries({
      '/events/': (path, data) => {
        const { after } = data ? JSON.parse(data) : {};
        const from = after === undefined ? 1 : after + 1;
        const seqs = [from, from + 1].filter((s) => s <= 3);
        return answer(JSON.stringify(seqs.map((seq) => ({ contract: TOKEN, name: 'Transfer', fields: {}, seq }))));
      },
    }),
  });
  const client = new Client('http://node', { fetch });
  const seen = [];
  for await (const e of client.allEvents({ contract: TOKEN, limit: 2 })) seen.push(e.seq);
  assert.deepEqual(seen, [1, 2, 3]);
  const paths = calls.map((c) => [c.params.path, new TextDecoder().decode(fromHex('0x' + c.params.data))]);
  assert.deepEqual(paths, [
    [`/events/${TOKEN}`, '{"limit":2}'],
    [`/events/${TOKEN}`, '{"limit":2,"after":2}'],
  ]);
});

test('a call is sized by its read-only run, signed, sent, followed to its block and decoded', async () => {
  const key = await Key.fromSeed('0x' + '01'.repeat(32));
  let sent;
  const { fetch, calls } = node({
    abci_query: queries({
      '/info': () => answer(JSON.stringify({ chain_id: 'test', height: 5, params: PARAMS, fee_rules: 2 })),
      '/account/': () => answer('{"nonce": 4, "balance": 1000000000}'),
      '/abi/': () => answer(JSON.stringify(ABI)),
      '/call/': (path, data) => {
        assert.equal(path, `/call/${TOKEN}/GetBalance`);
        assert.deepEqual(JSON.parse(data).args, ['0x' + '22'.repeat(32)]);
        return answer('{"status":"ok","result":18446744073709551615,"error":null,"events":[],"gas_used":100000}');
      },
    }),
    broadcast_tx_sync: (params) => {
      sent = fromBase64(params.tx);
      return { code: 0, log: '', hash: 'AB' };
    },
    tx: (params, all) => {
      // Not in a block the first time it is asked.
      if (all.filter((c) => c.method === 'tx').length === 1) return { error: { message: 'Internal error', data: 'tx (AB) not found' } };
      const result = new Uint8Array(8).fill(0xff);
      return { height: '9', index: 0, tx_result: { code: 0, data: toBase64(result), log: '', info: '{"events":[]}', gas_wanted: '1', gas_used: '90000', events: [] } };
    },
  });
  const client = new Client('http://node', { fetch });
  const token = await client.contract(TOKEN);
  assert.equal(await token.query.GetBalance('0x' + '22'.repeat(32)), 18446744073709551615n);

  const out = await token.call.GetBalance('0x' + '22'.repeat(32), { from: key });
  assert.equal(out.result, 18446744073709551615n);
  assert.equal(out.height, 9n);
  const tx = await decodeTx(sent);
  assert.equal(tx.sender, key.address);
  assert.equal(tx.tx.nonce, 4n);
  assert.equal(tx.tx.gasPrice, 2n);
  assert.equal(tx.tx.body.function, 'GetBalance');
  assert.equal(tx.tx.fuelLimit, intrinsicGas(sent.length) + 100_000n + 20_000n + 20_000n);
  assert.equal(out.fee, tx.tx.fuelLimit * 2n);
  // The read-only run was made as the signer.
  const estimate = calls.filter((c) => c.params?.path?.startsWith('/call/')).pop();
  assert.equal(JSON.parse(new TextDecoder().decode(fromHex('0x' + estimate.params.data))).sender, key.address);
});

test('a bad argument is refused before anything is sent, a refusal has its code', async () => {
  const key = await Key.fromSeed('0x' + '02'.repeat(32));
  const { fetch, calls } = node({
    abci_query: queries({
      '/info': () => answer(JSON.stringify({ chain_id: 'test', height: 5, params: PARAMS })),
      '/account/': () => answer('{"nonce": 0, "balance": 0}'),
      '/abi/': () => answer(JSON.stringify(ABI)),
    }),
    broadcast_tx_sync: () => ({ code: 7, log: 'cannot pay', hash: '' }),
  });
  const client = new Client('http://node', { fetch });
  const token = await client.contract(TOKEN);
  const before = calls.length;
  await assert.rejects(token.call.Transfer('0xnope', 1n, { from: key }), /argument 1 "to"/);
  await assert.rejects(token.call.Transfer('0x' + '33'.repeat(20), 1n), /takes 2 arguments and then \{from: key\}/);
  assert.equal(calls.length, before);
  await assert.rejects(client.transfer(key, '0x' + '33'.repeat(20), 5n), (e) => e instanceof TxError && e.code === 7 && /cannot pay/.test(e.message));
  const sent = calls.find((c) => c.method === 'broadcast_tx_sync');
  const tx = await decodeTx(fromBase64(sent.params.tx));
  assert.equal(tx.tx.fuelLimit, intrinsicGas(fromBase64(sent.params.tx).length) + 10_000n);
  assert.equal(toHex(fromHex(tx.tx.body.to)), '0x' + '33'.repeat(20));
});

test('the call margin gives way to max_tx_fuel, the need does not', () => {
  const need = intrinsicGas(100) + 1_000_000n;
  assert.equal(callFuel(1_000_000n, 100, need + 10n), need + 10n);
  assert.throws(() => callFuel(1_000_000n, 100, need - 1n), /max_tx_fuel/);
  assert.equal(callFuel(100_000n, 150), intrinsicGas(150) + 100_000n + 20_000n + 20_000n);
});

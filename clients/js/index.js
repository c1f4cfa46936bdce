// @govm/client: keys, transactions, the ABI codec and an RPC client for govm chains.
// Plain ES modules for Node 20+ and browsers; types in index.d.ts.

export { fromHex, toHex, toBytes, utf8, fromUtf8, concat, equal, toBase64, fromBase64, sha256 } from './src/bytes.js';
export { parseJson, stringifyJson } from './src/json.js';
export { Writer, Reader, DecodeError, encodeCompact } from './src/scale.js';
export { parseType, typeName, isMapKey, tagOf, MAX_TYPE_DEPTH, MAX_ARRAY_LEN, COMPOSITE_TAG } from './src/types.js';
export { Abi, AbiError, Codec } from './src/codec.js';
export { Key, addressOf, verify } from './src/keys.js';
export {
  TX_VERSION,
  SIGNING_DOMAIN,
  TX_BASE_GAS,
  TX_GAS_PER_BYTE,
  TRANSFER_GAS,
  SIGNATURE_BYTES,
  DEFAULT_OPTIONS,
  intrinsicGas,
  contractDefaults,
  encodeOptions,
  decodeOptions,
  encodeUnsigned,
  signingDigest,
  signTx,
  decodeTx,
  txHash,
} from './src/tx.js';
export { Client, Contract, RpcError, QueryError, TxError, callFuel, CALL_MARGIN_PERCENT, CALL_MARGIN_GAS } from './src/client.js';

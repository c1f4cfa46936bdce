// ABI types as the ABI spells them (docs/abi.md §1), parsed into plain objects.

/**
 * @typedef {{kind: 'bool'|'uint8'|'uint16'|'uint32'|'uint64'|'uint'|'int8'|'int16'|'int32'|'int64'|'int'|'string'|'bytes'|'address'|'objectid'|'hash'|'uint256'}
 *   | {kind: 'array', length: number, elem: Type}
 *   | {kind: 'slice', elem: Type}
 *   | {kind: 'map', key: Type, value: Type}
 *   | {kind: 'struct', name: string}} Type
 */

export const MAX_TYPE_DEPTH = 16;
export const MAX_ARRAY_LEN = 1 << 16;
export const COMPOSITE_TAG = 0x0f;

const BASIC = {
  bool: 'bool',
  uint8: 'uint8',
  byte: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  uint64: 'uint64',
  uint: 'uint',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  rune: 'int32',
  int64: 'int64',
  int: 'int',
  string: 'string',
  'vm.Address': 'address',
  'vm.ObjectID': 'objectid',
  'vm.Hash': 'hash',
  'vm.Uint256': 'uint256',
};

const NAMES = {
  bool: 'bool',
  uint8: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  uint64: 'uint64',
  uint: 'uint',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  int: 'int',
  string: 'string',
  bytes: '[]byte',
  address: 'vm.Address',
  objectid: 'vm.ObjectID',
  hash: 'vm.Hash',
  uint256: 'vm.Uint256',
};

/** The one-byte tags of basic types (docs/abi.md §3); composite types use 0x0f. */
export const TAGS = {
  bool: 0x01,
  uint8: 0x02,
  uint16: 0x03,
  uint32: 0x04,
  uint64: 0x05,
  uint: 0x05,
  int8: 0x06,
  int16: 0x07,
  int32: 0x08,
  int64: 0x09,
  int: 0x09,
  string: 0x0a,
  bytes: 0x0b,
  address: 0x0c,
  objectid: 0x0d,
  hash: 0x0e,
  uint256: 0x10,
};

/** Integer kinds: their width in bytes and whether they are signed. */
export const INTEGERS = {
  uint8: [1, false],
  uint16: [2, false],
  uint32: [4, false],
  uint64: [8, false],
  uint: [8, false],
  int8: [1, true],
  int16: [2, true],
  int32: [4, true],
  int64: [8, true],
  int: [8, true],
  uint256: [32, false],
};

/**
 * Parses a Go type expression as the ABI spells it (Go's aliases `byte`, `rune`, `[]uint8`
 * accepted); any other identifier is a struct name.
 * @param {string} text
 * @returns {Type}
 */
export function parseType(text) {
  const t = parseAt(text, 0);
  if (!t) throw new TypeError(`unsupported type \`${text}\``);
  return t;
}

function parseAt(text, depth) {
  if (depth > MAX_TYPE_DEPTH) return null;
  if (Object.hasOwn(BASIC, text)) return { kind: BASIC[text] };
  if (text.startsWith('[]')) {
    const elem = parseAt(text.slice(2), depth + 1);
    if (!elem) return null;
    return elem.kind === 'uint8' ? { kind: 'bytes' } : { kind: 'slice', elem };
  }
  if (text.startsWith('map[')) {
    const rest = text.slice(4);
    let level = 0;
    let close = -1;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '[') level++;
      else if (rest[i] === ']') {
        if (level === 0) {
          close = i;
          break;
        }
        level--;
      }
    }
    if (close < 0) return null;
    const key = parseAt(rest.slice(0, close), depth + 1);
    const value = parseAt(rest.slice(close + 1), depth + 1);
    if (!key || !value || !isMapKey(key)) return null;
    return { kind: 'map', key, value };
  }
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    const digits = text.slice(1, close);
    if (close < 0 || !/^[0-9]{1,6}$/.test(digits)) return null;
    const length = Number(digits);
    if (length === 0 || length > MAX_ARRAY_LEN) return null;
    const elem = parseAt(text.slice(close + 1), depth + 1);
    return elem ? { kind: 'array', length, elem } : null;
  }
  return /^[\p{L}_][\p{L}\p{N}_]*$/u.test(text) ? { kind: 'struct', name: text } : null;
}

/** Whether values of `t` may be map keys. @param {Type} t */
export function isMapKey(t) {
  return !['bytes', 'array', 'slice', 'map', 'struct'].includes(t.kind);
}

/** The ABI spelling of a type (canonical: `[]byte`, `uint8`, `vm.…`). @param {Type} t */
export function typeName(t) {
  switch (t.kind) {
    case 'array':
      return `[${t.length}]${typeName(t.elem)}`;
    case 'slice':
      return `[]${typeName(t.elem)}`;
    case 'map':
      return `map[${typeName(t.key)}]${typeName(t.value)}`;
    case 'struct':
      return t.name;
    default:
      return NAMES[t.kind];
  }
}

/** The tag of a type: its own for basic types, 0x0f for composite ones. @param {Type} t */
export function tagOf(t) {
  return TAGS[t.kind] ?? COMPOSITE_TAG;
}

/** The basic type a tag names (the 64-bit forms for the shared tags). @param {number} tag */
export function typeOfTag(tag) {
  for (const [kind, t] of Object.entries(TAGS)) {
    if (t === tag && kind !== 'uint' && kind !== 'int') return { kind };
  }
  return null;
}

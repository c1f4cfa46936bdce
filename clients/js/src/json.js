// JSON whose integers stay exact: govm writes 64-bit integers as JSON numbers, which
// `JSON.parse` would round past 2^53.

/**
 * Parses JSON text; integers outside the safe range become `bigint`, every other number a
 * `number`.
 * @param {string} text
 * @returns {any}
 */
export function parseJson(text) {
  let at = 0;
  const fail = (why) => {
    throw new SyntaxError(`JSON at offset ${at}: ${why}`);
  };
  const ws = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at])) at++;
  };
  const value = () => {
    ws();
    const c = text[at];
    if (c === '{') {
      at++;
      const out = {};
      ws();
      if (text[at] === '}') {
        at++;
        return out;
      }
      for (;;) {
        ws();
        if (text[at] !== '"') fail('expected a key');
        const key = string();
        ws();
        if (text[at++] !== ':') fail('expected :');
        Object.defineProperty(out, key, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        const next = text[at++];
        if (next === '}') return out;
        if (next !== ',') fail('expected , or }');
      }
    }
    if (c === '[') {
      at++;
      const out = [];
      ws();
      if (text[at] === ']') {
        at++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        const next = text[at++];
        if (next === ']') return out;
        if (next !== ',') fail('expected , or ]');
      }
    }
    if (c === '"') return string();
    if (text.startsWith('true', at)) {
      at += 4;
      return true;
    }
    if (text.startsWith('false', at)) {
      at += 5;
      return false;
    }
    if (text.startsWith('null', at)) {
      at += 4;
      return null;
    }
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(at, at + 400));
    if (!m) fail('unexpected character');
    at += m[0].length;
    if (m[2] === undefined && m[3] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  };
  const string = () => {
    const start = at;
    at++;
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    if (at >= text.length) fail('unterminated string');
    at++;
    return JSON.parse(text.slice(start, at));
  };
  const out = value();
  ws();
  if (at !== text.length) fail('trailing characters');
  return out;
}

/**
 * JSON text of a value whose `bigint`s are written as plain JSON numbers.
 * @param {any} value
 * @returns {string}
 */
export function stringifyJson(value) {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(stringifyJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${stringifyJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

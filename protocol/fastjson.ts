// Tolerant JSON for bodies written by Java's fastjson, and an encoder for the one fastjson form
// Java peers need from us.
//
// RocketMQ: remoting/.../protocol/RemotingSerializable.java (JSON.toJSONString with fastjson's
// defaults). Those defaults write a map's non-string keys as they are, which is not JSON:
//
//   Map<Long,String>          {0:"10.0.0.1:10911",1:"10.0.0.2:10911"}        (BrokerData)
//   Map<Integer,Long>         {"t@g":{0:12,1:5}}                             (consumer offsets)
//   Map<MessageQueue,Long>    {{"brokerName":"b","queueId":0,"topic":"t"}:12} (ResetOffsetBody,
//                                                   TopicStatsTable, ConsumeStats)
//
// (apache/rocketmq#1506, #3389). ali-ons parses bodies with JSON2, which accepts the numeric
// keys. This parser accepts all three: numeric and bare-identifier keys become string keys of a
// plain object (as JSON2 does), and an object whose keys include an object or array becomes a
// JavaMap holding [key, value] entries. Standard JSON takes the JSON.parse fast path.
//
// stringifyFastjson writes JavaMap keys the way fastjson does (so Java peers can read a
// Map<MessageQueue, ...> back) and everything else as standard JSON. Object properties keep
// insertion order (body encoders insert in fastjson's alphabetical order); null and undefined
// properties are left out, as fastjson leaves out nulls by default.
//
// Bounds: nesting deeper than maxDepth (64 by default) is refused, so hostile input cannot
// exhaust the stack. Numbers are JS numbers: longs beyond 2^53 lose precision (Java's
// Long.MAX_VALUE appears in some admin bodies; callers treat such values as "unbounded").

import { assert } from '../common/assert.js';
import { ErrorCode, MqError } from '../common/errors.js';

/** A map with non-string keys (fastjson `{{...}:v}`), in wire order. */
export class JavaMap {
  readonly entries: ReadonlyArray<readonly [unknown, unknown]>;

  constructor(entries: ReadonlyArray<readonly [unknown, unknown]>) {
    this.entries = entries;
  }
}

export interface FastjsonParseOptions {
  maxDepth?: number;
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const IDENTIFIER = /[A-Za-z_$][\w$]*/y;
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

class Parser {
  readonly #text: string;
  readonly #maxDepth: number;
  #pos = 0;

  constructor(text: string, maxDepth: number) {
    this.#text = text;
    this.#maxDepth = maxDepth;
  }

  parseDocument(): unknown {
    const value = this.#value(1);
    this.#skipSpace();
    if (this.#pos !== this.#text.length) this.#fail('unexpected text after the value');
    return value;
  }

  #fail(what: string): never {
    throw new MqError(ErrorCode.BODY_MALFORMED, `Cannot parse JSON at ${this.#pos}: ${what}`);
  }

  #skipSpace(): void {
    const text = this.#text;
    while (this.#pos < text.length) {
      const c = text.charCodeAt(this.#pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.#pos++;
    }
  }

  #value(depth: number): unknown {
    if (depth > this.#maxDepth) this.#fail(`nesting deeper than ${this.#maxDepth}`);
    this.#skipSpace();
    const c = this.#text[this.#pos];
    if (c === '{') return this.#object(depth);
    if (c === '[') return this.#array(depth);
    if (c === '"') return this.#string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return Number(this.#number());
    const word = this.#identifier();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    return this.#fail(word === null ? 'expected a value' : `unexpected word "${word}"`);
  }

  #number(): string {
    NUMBER.lastIndex = this.#pos;
    const match = NUMBER.exec(this.#text);
    if (match === null) this.#fail('malformed number');
    this.#pos += match[0].length;
    return match[0];
  }

  #identifier(): string | null {
    IDENTIFIER.lastIndex = this.#pos;
    const match = IDENTIFIER.exec(this.#text);
    if (match === null) return null;
    this.#pos += match[0].length;
    return match[0];
  }

  #string(): string {
    const text = this.#text;
    let out = '';
    let start = ++this.#pos;
    while (this.#pos < text.length) {
      const c = text[this.#pos];
      if (c === '"') {
        out += text.slice(start, this.#pos++);
        return out;
      }
      if (c !== '\\') {
        this.#pos++;
        continue;
      }
      out += text.slice(start, this.#pos);
      const escaped = text[this.#pos + 1] ?? '';
      if (escaped === 'u') {
        const hex = text.slice(this.#pos + 2, this.#pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.#fail('malformed \\u escape');
        out += String.fromCharCode(Number.parseInt(hex, 16));
        this.#pos += 6;
      } else {
        const decoded = ESCAPES[escaped];
        if (decoded === undefined) this.#fail(`unknown escape "\\${escaped}"`);
        out += decoded;
        this.#pos += 2;
      }
      start = this.#pos;
    }
    return this.#fail('unterminated string');
  }

  #array(depth: number): unknown[] {
    const items: unknown[] = [];
    this.#pos++;
    for (;;) {
      this.#skipSpace();
      if (this.#text[this.#pos] === ']') {
        this.#pos++;
        return items;
      }
      items.push(this.#value(depth + 1));
      this.#skipSpace();
      const c = this.#text[this.#pos];
      if (c === ',') this.#pos++;
      else if (c !== ']') this.#fail('expected "," or "]"');
    }
  }

  /** A key: a string, a number or bare word (kept as text), or an object/array key. */
  #key(depth: number): { key: unknown; text: string | null } {
    const c = this.#text[this.#pos];
    if (c === '"') return { key: null, text: this.#string() };
    if (c === '{' || c === '[') return { key: this.#value(depth + 1), text: null };
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      const text = this.#number();
      return { key: Number(text), text };
    }
    const word = this.#identifier();
    if (word === null) return this.#fail('expected an object key');
    return { key: null, text: word };
  }

  #object(depth: number): Record<string, unknown> | JavaMap {
    const entries: [unknown, unknown][] = [];
    const plain: Record<string, unknown> = {};
    let hasCompositeKey = false;
    this.#pos++;
    for (;;) {
      this.#skipSpace();
      if (this.#text[this.#pos] === '}') {
        this.#pos++;
        return hasCompositeKey ? new JavaMap(entries) : plain;
      }
      const { key, text } = this.#key(depth);
      this.#skipSpace();
      if (this.#text[this.#pos] !== ':') this.#fail('expected ":"');
      this.#pos++;
      const value = this.#value(depth + 1);
      if (text === null) hasCompositeKey = true;
      else setOwn(plain, text, value);
      entries.push([text === null || typeof key === 'number' ? key : text, value]);
      this.#skipSpace();
      const c = this.#text[this.#pos];
      if (c === ',') this.#pos++;
      else if (c !== '}') this.#fail('expected "," or "}"');
    }
  }
}

/** True if `text` nests objects/arrays deeper than `maxDepth` (strings are skipped). */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * Parses JSON as fastjson writes it. Throws MqError E_BODY_MALFORMED on anything else.
 * @example parseFastjson('{0:"a"}') // { "0": "a" }
 */
export function parseFastjson(text: string, options: FastjsonParseOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? 64;
  assert(maxDepth >= 1, 'maxDepth is at least 1');
  if (jsonDepthExceeds(text, maxDepth)) {
    throw new MqError(
      ErrorCode.BODY_MALFORMED,
      `Cannot parse JSON: nesting deeper than ${maxDepth}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  return new Parser(text, maxDepth).parseDocument();
}

function writeKey(key: unknown, depth: number): string {
  if (typeof key === 'string') return JSON.stringify(key);
  if (typeof key === 'number' || typeof key === 'bigint') return String(key);
  return writeValue(key, depth + 1);
}

function writeValue(value: unknown, depth: number): string {
  assert(depth <= 64, 'fastjson value nested too deeply (cycle?)');
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value))
    return `[${value.map((item) => writeValue(item, depth + 1)).join(',')}]`;
  if (value instanceof JavaMap) {
    const parts = value.entries.map(
      ([k, v]) => `${writeKey(k, depth)}:${writeValue(v, depth + 1)}`,
    );
    return `{${parts.join(',')}}`;
  }
  assert(typeof value === 'object', 'fastjson writes JSON values only');
  const parts: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${writeValue(item, depth + 1)}`);
  }
  return `{${parts.join(',')}}`;
}

/** fastjson's output for `value`; JavaMap keys are written unquoted as fastjson does. */
export function stringifyFastjson(value: unknown): string {
  return writeValue(value, 0);
}

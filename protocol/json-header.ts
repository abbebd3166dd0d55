// JSON header codec (serialize type 0): the header of most RocketMQ traffic and the only one
// ali-ons reads or writes.
//
// RocketMQ: remoting/.../protocol/RemotingSerializable.java (fastjson of the RemotingCommand
// bean); ali-ons: lib/protocol/command/remoting_command.js (buildHeader, decode).
//
// What we write is what Java writes: the bean's properties in fastjson's alphabetical order,
// null remark and empty extFields left out, serializeTypeCurrentRPC included:
//
//   {"code":310,"extFields":{"a":"PG",...},"flag":0,"language":"JAVA","opaque":7,
//    "remark":"...","serializeTypeCurrentRPC":"JSON","version":407}
//
// What we read is permissive in the ways real senders differ and strict about size:
// - keys in any order, unknown keys ignored, serializeTypeCurrentRPC ignored;
// - integer fields as JSON numbers or decimal strings (fastjson accepts both);
// - extFields values as strings, numbers or booleans (ali-ons sends its JS header object as is),
//   stringified like Java's toString(); null values are dropped;
// - invalid UTF-8, nesting deeper than HeaderLimits.maxJsonDepth, more than maxExtFields entries,
//   or a string longer than maxValueBytes is HEADER_MALFORMED. When the request id was readable
//   the error carries it, so a server can answer SYSTEM_ERROR before closing.

import { isUtf8 } from 'node:buffer';
import { assert } from '../common/assert.js';
import { jsonDepthExceeds } from './fastjson.js';
import { FrameErrorReason, type HeaderLimits } from './frame-format.js';
import type { CommandDecodeResult, ExtFields, RemotingCommand } from './remoting-command.js';

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const DECIMAL_INT = /^-?\d{1,10}$/;

export function encodeJsonHeader(command: RemotingCommand): Buffer {
  const header: Record<string, unknown> = { code: command.code };
  for (const _key in command.extFields) {
    header['extFields'] = command.extFields;
    break;
  }
  header['flag'] = command.flag;
  header['language'] = command.language;
  header['opaque'] = command.opaque;
  if (command.remark !== null) header['remark'] = command.remark;
  header['serializeTypeCurrentRPC'] = 'JSON';
  header['version'] = command.version;
  return Buffer.from(JSON.stringify(header), 'utf8');
}

/** UTF-8 length of `text` is above `maxBytes` (cheap when the UTF-16 length already tells). */
export function utf8LongerThan(text: string, maxBytes: number): boolean {
  if (text.length * 3 <= maxBytes) return false;
  if (text.length > maxBytes) return true;
  return Buffer.byteLength(text, 'utf8') > maxBytes;
}

/** A Java int from a JSON number or a decimal string; null if it is neither or out of range. */
export function readJsonInt32(value: unknown): number | null {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && DECIMAL_INT.test(value)) n = Number(value);
  else return null;
  return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX ? n : null;
}

interface Malformed {
  message: string;
  opaque: number | null;
  flag: number | null;
}

function malformed(failure: Malformed): CommandDecodeResult {
  return {
    ok: false,
    error: {
      reason: FrameErrorReason.HEADER_MALFORMED,
      message: failure.message,
      opaque: failure.opaque,
      flag: failure.opaque === null ? null : (failure.flag ?? 0),
      serializeType: 'JSON',
    },
  };
}

/**
 * True when the bytes hold at most `max` of '{' and '[' together, so no nesting can be deeper:
 * a native search that spares the character scan for every ordinary header (2 levels). Both are
 * ASCII, so no byte of a multi-byte UTF-8 character matches them.
 */
function hasAtMostOpenBrackets(header: Buffer, max: number): boolean {
  let count = 0;
  for (const bracket of OPEN_BRACKETS) {
    for (let at = header.indexOf(bracket); at !== -1; at = header.indexOf(bracket, at + 1)) {
      if (++count > max) return false;
    }
  }
  return true;
}

const OPEN_BRACKETS = [0x7b, 0x5b] as const;

function parseHeaderObject(
  header: Buffer,
  limits: Readonly<HeaderLimits>,
): Record<string, unknown> | string {
  if (!isUtf8(header)) return 'JSON header is not valid UTF-8';
  const text = header.toString('utf8');
  if (
    !hasAtMostOpenBrackets(header, limits.maxJsonDepth) &&
    jsonDepthExceeds(text, limits.maxJsonDepth)
  ) {
    return `JSON header nests deeper than ${limits.maxJsonDepth} levels`;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `JSON header does not parse: ${(error as Error).message}`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return 'JSON header is not an object';
  }
  return parsed as Record<string, unknown>;
}

/** Converts extFields to strings; returns an error message instead when a limit is broken. */
function readExtFields(raw: unknown, limits: Readonly<HeaderLimits>): ExtFields | string {
  const fields: ExtFields = Object.create(null);
  if (raw === undefined || raw === null) return fields;
  if (typeof raw !== 'object' || Array.isArray(raw)) return 'extFields is not an object';
  const keys = Object.keys(raw);
  if (keys.length > limits.maxExtFields) {
    return `extFields has ${keys.length} entries, more than ${limits.maxExtFields}`;
  }
  const source = raw as Record<string, unknown>;
  for (const key of keys) {
    const value = source[key];
    if (utf8LongerThan(key, limits.maxValueBytes)) return 'an extFields key is too long';
    if (value === null) continue;
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
    else return `extFields "${key.slice(0, 64)}" is not a string, number or boolean`;
    if (utf8LongerThan(text, limits.maxValueBytes)) {
      return `extFields "${key.slice(0, 64)}" is longer than ${limits.maxValueBytes} bytes`;
    }
    fields[key] = text;
  }
  return fields;
}

function readOptionalInt(raw: Record<string, unknown>, key: string): number | null {
  const value = raw[key];
  return value === undefined || value === null ? 0 : readJsonInt32(value);
}

export function decodeJsonHeader(
  header: Buffer,
  limits: Readonly<HeaderLimits>,
): CommandDecodeResult {
  const raw = parseHeaderObject(header, limits);
  if (typeof raw === 'string') return malformed({ message: raw, opaque: null, flag: null });
  const opaque = readJsonInt32(raw['opaque']);
  const flag = readOptionalInt(raw, 'flag');
  const code = readJsonInt32(raw['code']);
  const fail = (message: string) => malformed({ message, opaque, flag });
  if (opaque === null) return fail('JSON header has no integer opaque');
  if (flag === null) return fail('JSON header flag is not an integer');
  if (code === null) return fail('JSON header has no integer code');
  const version = readOptionalInt(raw, 'version');
  if (version === null) return fail('JSON header version is not an integer');
  const language = raw['language'] ?? 'JAVA';
  if (typeof language !== 'string' || language.length > 32) {
    return fail('JSON header language is not a short string');
  }
  const remark = raw['remark'] ?? null;
  if (remark !== null && typeof remark !== 'string')
    return fail('JSON header remark is not a string');
  if (remark !== null && utf8LongerThan(remark, limits.maxValueBytes)) {
    return fail(`JSON header remark is longer than ${limits.maxValueBytes} bytes`);
  }
  const extFields = readExtFields(raw['extFields'], limits);
  if (typeof extFields === 'string') return fail(extFields);
  assert(Number.isInteger(opaque), 'opaque is an integer');
  return {
    ok: true,
    command: {
      code,
      language,
      version,
      opaque,
      flag,
      remark,
      extFields,
      body: null,
      serializeTypeCurrentRPC: 'JSON',
    },
  };
}

// Shared decoding and encoding for JSON bodies: bytes <-> fastjson text (fastjson.ts) and typed
// readers that turn a parsed value into a body type or fail with E_BODY_MALFORMED naming the
// offending path ("HeartbeatData.consumerDataSet[0].groupName is not a string").
//
// RocketMQ: remoting/.../protocol/RemotingSerializable.java (encode/decode of every body class).
//
// Readers are tolerant where Java senders differ: integers may arrive as JSON numbers or
// decimal strings, absent optional values and nulls read as their default, unknown properties
// are ignored. Integers must be safe integers.

import { isUtf8 } from 'node:buffer';
import { ErrorCode, MqError } from '../../common/errors.js';
import { type FastjsonParseOptions, parseFastjson, stringifyFastjson } from '../fastjson.js';

export type JsonObject = Record<string, unknown>;

export function bodyError(path: string, problem: string): MqError {
  return new MqError(ErrorCode.BODY_MALFORMED, `${path} ${problem}`, { path });
}

/** Parses a JSON body; a missing body, invalid UTF-8 or bad JSON is E_BODY_MALFORMED. */
export function decodeJsonBody(
  body: Uint8Array | null,
  what: string,
  options: FastjsonParseOptions = {},
): unknown {
  if (body === null || body.length === 0) throw bodyError(what, 'body is missing');
  const bytes = Buffer.isBuffer(body)
    ? body
    : Buffer.from(body.buffer, body.byteOffset, body.length);
  if (!isUtf8(bytes)) throw bodyError(what, 'body is not valid UTF-8');
  try {
    return parseFastjson(bytes.toString('utf8'), options);
  } catch (error) {
    if (!(error instanceof MqError)) throw error;
    throw new MqError(ErrorCode.BODY_MALFORMED, `${what}: ${error.message}`, {}, { cause: error });
  }
}

export function encodeJsonBody(value: unknown): Buffer {
  return Buffer.from(stringifyFastjson(value), 'utf8');
}

export function asObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bodyError(path, 'is not an object');
  }
  return value as JsonObject;
}

function own(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

export function readString(object: JsonObject, key: string, path: string): string {
  const value = own(object, key);
  if (typeof value !== 'string') throw bodyError(`${path}.${key}`, 'is not a string');
  return value;
}

export function readOptionalString(
  object: JsonObject,
  key: string,
  path: string,
): string | undefined {
  const value = own(object, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw bodyError(`${path}.${key}`, 'is not a string');
  return value;
}

/** A safe integer from a JSON number or decimal string; `fallback` when absent or null. */
export function readInteger(
  object: JsonObject,
  key: string,
  path: string,
  fallback?: number,
): number {
  const value = own(object, key);
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw bodyError(`${path}.${key}`, 'is not an integer');
  }
  return n;
}

/** A finite number (Java double), `fallback` when absent or null. */
export function readNumber(
  object: JsonObject,
  key: string,
  path: string,
  fallback: number,
): number {
  const value = own(object, key);
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw bodyError(`${path}.${key}`, 'is not a number');
  }
  return value;
}

export function readBoolean(
  object: JsonObject,
  key: string,
  path: string,
  fallback: boolean,
): boolean {
  const value = own(object, key);
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw bodyError(`${path}.${key}`, 'is not a boolean');
  return value;
}

/** An item reader for arrays of `item` (null reads as empty), e.g. for map values. */
export function arrayOf<T>(
  item: (value: unknown, itemPath: string) => T,
): (value: unknown, path: string) => T[] {
  return (value, path) => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw bodyError(path, 'is not an array');
    return value.map((entry, index) => item(entry, `${path}[${index}]`));
  };
}

/** An array (absent or null reads as empty), each item converted by `item`. */
export function readArray<T>(
  object: JsonObject,
  key: string,
  path: string,
  item: (value: unknown, itemPath: string) => T,
): T[] {
  return arrayOf(item)(own(object, key), `${path}.${key}`);
}

export function stringItem(value: unknown, path: string): string {
  if (typeof value !== 'string') throw bodyError(path, 'is not a string');
  return value;
}

export function integerItem(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw bodyError(path, 'is not an integer');
  }
  return value;
}

/** An item reader for string-keyed maps of `item` (null reads as empty). */
export function recordOf<T>(
  item: (value: unknown, itemPath: string) => T,
): (value: unknown, path: string) => Record<string, T> {
  return (value, path) => {
    const out: Record<string, T> = {};
    if (value === undefined || value === null) return out;
    const source = asObject(value, path);
    for (const entryKey of Object.keys(source)) {
      const converted = item(source[entryKey], `${path}["${entryKey}"]`);
      Object.defineProperty(out, entryKey, {
        value: converted,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
}

/** A string-keyed map (absent or null reads as empty), each value converted by `item`. */
export function readRecord<T>(
  object: JsonObject,
  key: string,
  path: string,
  item: (value: unknown, itemPath: string) => T,
): Record<string, T> {
  return recordOf(item)(own(object, key), `${path}.${key}`);
}

/** A record with each value of `record` converted by `convert` (keys kept, "__proto__" too). */
export function mapRecord<T, U>(
  record: Readonly<Record<string, T>>,
  convert: (value: T, key: string) => U,
): Record<string, U> {
  const out: Record<string, U> = {};
  for (const [key, value] of Object.entries(record)) {
    Object.defineProperty(out, key, {
      value: convert(value, key),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** A copy of `record` with keys in sorted order (fastjson MapSortField). */
export function sortedRecord<T>(
  record: Readonly<Record<string, T>>,
  compare?: (a: string, b: string) => number,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort(compare)) {
    Object.defineProperty(out, key, {
      value: record[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

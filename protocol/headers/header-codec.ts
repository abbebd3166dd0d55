// The machinery behind every typed custom header: a header is declared once as a TS interface
// plus a field table, and gets encode (object -> extFields strings) and decode (extFields ->
// object, validated) from it.
//
// RocketMQ: remoting/.../protocol/RemotingCommand.java (makeCustomHeaderToNet,
// decodeCommandCustomHeader), remoting/.../annotation/CFNotNull.java.
//
// Conversions follow Java: ints and longs as decimal text (Integer.parseInt / Long.parseLong:
// optional sign, digits only), booleans as Boolean.parseBoolean ("true" in any case is true,
// anything else false). Where Java logs a bad value and carries on with null, we refuse it:
// decode returns an error naming the field, which the caller answers with its response code
// (SYSTEM_ERROR as Java does, or MESSAGE_ILLEGAL for sends). Longs must be safe integers
// (|n| < 2^53); a larger one is OUT_OF_RANGE, never silently rounded.

import { assert } from '../../common/assert.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import {
  createExtFields,
  createResponse,
  type ExtFields,
  type RemotingCommand,
} from '../remoting-command.js';
import { ResponseCode } from '../response-code.js';

export type FieldKind = 'string' | 'int' | 'long' | 'bool';

export interface FieldSpec<K extends FieldKind = FieldKind, O extends boolean = boolean> {
  readonly kind: K;
  readonly optional: O;
}

/** Field constructors for header tables: `field.int` is required, `field.optionalInt` is not. */
export const field = {
  string: { kind: 'string', optional: false },
  int: { kind: 'int', optional: false },
  long: { kind: 'long', optional: false },
  bool: { kind: 'bool', optional: false },
  optionalString: { kind: 'string', optional: true },
  optionalInt: { kind: 'int', optional: true },
  optionalLong: { kind: 'long', optional: true },
  optionalBool: { kind: 'bool', optional: true },
} as const;

type SpecFor<V, O extends boolean> = [V] extends [string]
  ? FieldSpec<'string', O>
  : [V] extends [boolean]
    ? FieldSpec<'bool', O>
    : [V] extends [number]
      ? FieldSpec<'int' | 'long', O>
      : never;

/** One FieldSpec per property of T, optional exactly where T's property is optional. */
export type HeaderSpec<T> = {
  readonly [K in keyof T]-?: SpecFor<
    Exclude<T[K], undefined>,
    undefined extends T[K] ? true : false
  >;
};

export const HeaderProblem = {
  MISSING: 'MISSING',
  NOT_INTEGER: 'NOT_INTEGER',
  OUT_OF_RANGE: 'OUT_OF_RANGE',
} as const;
export type HeaderProblem = (typeof HeaderProblem)[keyof typeof HeaderProblem];

export interface HeaderFieldError {
  header: string;
  field: string;
  problem: HeaderProblem;
  /** The offending text (truncated to 64 characters), null when missing. */
  value: string | null;
  message: string;
}

export type HeaderDecodeResult<T> =
  | { ok: true; header: T }
  | { ok: false; error: HeaderFieldError };

export interface HeaderCodec<T> {
  /** The RocketMQ class name, for messages. */
  readonly name: string;
  readonly fields: HeaderSpec<T>;
  encode(header: T): ExtFields;
  decode(fields: Readonly<ExtFields>): HeaderDecodeResult<T>;
  /** decode, throwing MqError E_FRAME_MALFORMED (for clients reading a server's response). */
  decodeOrThrow(fields: Readonly<ExtFields>): T;
}

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const JAVA_INTEGER = /^[+-]?\d+$/;

/** Java Integer.parseInt / Long.parseLong on `text`, or the problem with it. */
export function parseJavaInteger(text: string, kind: 'int' | 'long'): number | HeaderProblem {
  if (!JAVA_INTEGER.test(text)) return HeaderProblem.NOT_INTEGER;
  const value = Number(text);
  if (kind === 'int') {
    return value >= INT32_MIN && value <= INT32_MAX ? value : HeaderProblem.OUT_OF_RANGE;
  }
  return Number.isSafeInteger(value) ? value : HeaderProblem.OUT_OF_RANGE;
}

function describe(problem: HeaderProblem, kind: FieldKind): string {
  if (problem === HeaderProblem.MISSING) return 'is missing';
  if (problem === HeaderProblem.NOT_INTEGER)
    return `is not ${kind === 'int' ? 'an int' : 'a long'}`;
  return kind === 'int' ? 'is outside the int32 range' : 'is outside the safe integer range';
}

function fieldError(
  header: string,
  name: string,
  spec: FieldSpec,
  problem: HeaderProblem,
  raw: string | undefined,
): HeaderDecodeResult<never> {
  const value = raw === undefined ? null : raw.slice(0, 64);
  const shown = value === null ? '' : ` ("${value}")`;
  const message = `Header ${header} field "${name}"${shown} ${describe(problem, spec.kind)}`;
  return { ok: false, error: { header, field: name, problem, value, message } };
}

/** A header table's entries, listed once per header (decode runs for every request). */
type SpecEntries = readonly (readonly [string, FieldSpec])[];

function decodeWith<T>(
  name: string,
  entries: SpecEntries,
  fields: Readonly<ExtFields>,
): HeaderDecodeResult<T> {
  const header: Record<string, string | number | boolean> = {};
  for (const [fieldName, fieldSpec] of entries) {
    const raw = Object.hasOwn(fields, fieldName) ? fields[fieldName] : undefined;
    if (raw === undefined) {
      if (fieldSpec.optional) continue;
      return fieldError(name, fieldName, fieldSpec, HeaderProblem.MISSING, raw);
    }
    if (fieldSpec.kind === 'string') {
      header[fieldName] = raw;
    } else if (fieldSpec.kind === 'bool') {
      header[fieldName] = raw.toLowerCase() === 'true';
    } else {
      const value = parseJavaInteger(raw, fieldSpec.kind);
      if (typeof value !== 'number') return fieldError(name, fieldName, fieldSpec, value, raw);
      header[fieldName] = value;
    }
  }
  return { ok: true, header: header as T };
}

function encodeWith<T>(name: string, entries: SpecEntries, header: T): ExtFields {
  const fields = createExtFields();
  const source = header as Record<string, unknown>;
  for (const [fieldName, fieldSpec] of entries) {
    const value = source[fieldName];
    if (value === undefined) {
      assert(fieldSpec.optional, `${name}.${fieldName} is required`);
      continue;
    }
    if (fieldSpec.kind === 'string')
      assert(typeof value === 'string', `${name}.${fieldName} is a string`);
    if (fieldSpec.kind === 'bool')
      assert(typeof value === 'boolean', `${name}.${fieldName} is a boolean`);
    if (fieldSpec.kind === 'int') {
      assert(
        Number.isInteger(value) && (value as number) >= INT32_MIN,
        `${name}.${fieldName} is an int`,
      );
      assert((value as number) <= INT32_MAX, `${name}.${fieldName} fits an int32`);
    }
    if (fieldSpec.kind === 'long')
      assert(Number.isSafeInteger(value), `${name}.${fieldName} is a long`);
    fields[fieldName] = String(value);
  }
  return fields;
}

/** Declares a header codec from its RocketMQ class name and field table. */
export function defineHeader<T>(name: string, spec: HeaderSpec<T>): HeaderCodec<T> {
  Object.freeze(spec);
  const entries = Object.freeze(Object.entries(spec) as [string, FieldSpec][]);
  return Object.freeze({
    name,
    fields: spec,
    encode: (header: T) => encodeWith(name, entries, header),
    decode: (fields: Readonly<ExtFields>) => decodeWith<T>(name, entries, fields),
    decodeOrThrow: (fields: Readonly<ExtFields>) => {
      const result = decodeWith<T>(name, entries, fields);
      if (result.ok) return result.header;
      throw new MqError(ErrorCode.FRAME_MALFORMED, result.error.message, { ...result.error });
    },
  });
}

/** The response a server sends for a header that did not decode (Java answers SYSTEM_ERROR). */
export function createHeaderErrorResponse(
  request: RemotingCommand,
  error: HeaderFieldError,
  code: number = ResponseCode.SYSTEM_ERROR,
): RemotingCommand {
  return createResponse(request, code, error.message);
}

// The values an SQL92 filter computes with, and RocketMQ's rules for comparing them
// (ComparisonExpression.__compare with string conversion on, as SelectorParser compiles): message
// properties are strings, converted to the type of the other side (Integer.valueOf, Long.valueOf,
// Double.valueOf, Boolean.valueOf); numbers widen int -> long -> double; unrelated types compare
// as "less" (-1). A string that does not convert is an evaluation error: the message does not match.

export interface SqlInt {
  readonly t: 'int';
  readonly v: number;
}
export interface SqlLong {
  readonly t: 'long';
  readonly v: bigint;
}
export interface SqlDouble {
  readonly t: 'double';
  readonly v: number;
}
export type SqlNumber = SqlInt | SqlLong | SqlDouble;
export type SqlValue = null | string | boolean | SqlNumber;

/** Thrown while evaluating one message; the filter answers "no match" for it. */
export class SqlEvalError extends Error {
  override name = 'SqlEvalError';
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const JAVA_INTEGER = /^[+-]?[0-9]+$/;
// Double.valueOf: surrounding blanks trimmed, optional sign, NaN / Infinity, a decimal with an
// optional exponent and an optional f/F/d/D suffix (hexadecimal floats are not accepted here).
const JAVA_DOUBLE =
  /^[+-]?(?:NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?)$/;

export function sqlInt(v: number): SqlInt {
  return { t: 'int', v };
}

export function sqlLong(v: bigint): SqlLong {
  return { t: 'long', v };
}

export function sqlDouble(v: number): SqlDouble {
  return { t: 'double', v };
}

function kindOf(value: Exclude<SqlValue, null>): 'string' | 'boolean' | SqlNumber['t'] {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  return value.t;
}

export function parseJavaInt(text: string): SqlInt {
  if (!JAVA_INTEGER.test(text)) throw new SqlEvalError(`For input string: "${text}"`);
  const v = Number(text);
  if (v < INT_MIN || v > INT_MAX) throw new SqlEvalError(`For input string: "${text}"`);
  return sqlInt(v);
}

export function parseJavaLong(text: string): SqlLong {
  if (!JAVA_INTEGER.test(text)) throw new SqlEvalError(`For input string: "${text}"`);
  const v = BigInt(text);
  if (v < LONG_MIN || v > LONG_MAX) throw new SqlEvalError(`For input string: "${text}"`);
  return sqlLong(v);
}

export function parseJavaDouble(text: string): SqlDouble {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: String.trim() in Java drops chars <= ' '
  const trimmed = text.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '');
  if (!JAVA_DOUBLE.test(trimmed)) throw new SqlEvalError(`For input string: "${text}"`);
  return sqlDouble(Number(trimmed.replace(/[fFdD]$/, '')));
}

function toDouble(n: SqlNumber): SqlDouble {
  return sqlDouble(Number(n.v));
}

/** Double.compare: NaN is greater than everything and equal to itself; -0.0 < 0.0. */
function compareDoubles(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  if (a === 0 && b === 0) return Object.is(a, b) ? 0 : Object.is(a, -0) ? -1 : 1;
  return 0;
}

function compareSameKind(lv: Exclude<SqlValue, null>, rv: Exclude<SqlValue, null>): number {
  if (typeof lv === 'string' || typeof lv === 'boolean') {
    return lv < (rv as typeof lv) ? -1 : lv > (rv as typeof lv) ? 1 : 0;
  }
  const r = rv as SqlNumber;
  if (lv.t === 'long') return lv.v < (r.v as bigint) ? -1 : lv.v > (r.v as bigint) ? 1 : 0;
  return compareDoubles(lv.v, r.v as number);
}

/**
 * __compare(lv, rv, convertStringExpressions=true). Returns <0, 0, >0; throws SqlEvalError where
 * RocketMQ's conversion throws.
 */
export function compareValues(lv: Exclude<SqlValue, null>, rv: Exclude<SqlValue, null>): number {
  const lk = kindOf(lv);
  const rk = kindOf(rv);
  if (lk === rk) return compareSameKind(lv, rv);
  switch (lk) {
    case 'boolean':
      // RocketMQ casts the Boolean to String here and fails.
      if (rk === 'string') throw new SqlEvalError('a boolean cannot be compared with a string');
      return -1;
    case 'int':
    case 'long':
    case 'double':
      return compareNumberWith(lv as SqlNumber, rv, rk);
    case 'string': {
      const text = lv as string;
      if (rk === 'boolean') return compareSameKind(text.toLowerCase() === 'true', rv);
      if (rk === 'int') return compareSameKind(parseJavaInt(text), rv);
      if (rk === 'long') return compareSameKind(parseJavaLong(text), rv);
      return compareSameKind(parseJavaDouble(text), rv);
    }
  }
}

function compareNumberWith(
  lv: SqlNumber,
  rv: Exclude<SqlValue, null>,
  rk: ReturnType<typeof kindOf>,
): number {
  if (rk === 'boolean') return -1;
  if (rk === 'string') {
    const text = rv as string;
    const converted =
      lv.t === 'int'
        ? parseJavaInt(text)
        : lv.t === 'long'
          ? parseJavaLong(text)
          : parseJavaDouble(text);
    return compareSameKind(lv, converted);
  }
  const r = rv as SqlNumber;
  if (lv.t === 'int' && r.t === 'long') return compareSameKind(sqlLong(BigInt(lv.v)), r);
  if (lv.t === 'long' && r.t === 'int') return compareSameKind(lv, sqlLong(BigInt(r.v)));
  return compareSameKind(toDouble(lv), toDouble(r));
}

export function formatValue(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  return String(value.v);
}

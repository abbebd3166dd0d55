// A recursive-descent parser for RocketMQ's SQL92 filter grammar (SelectorParser.jj), with its
// compile-time checks (ComparisonExpression.checkLessThanOperand / checkEqualOperand, BETWEEN
// bounds, IN on a property, asBooleanExpression), so an expression RocketMQ refuses is refused
// here with a clear reason when the subscription is made, never when a message is delivered.
// Bounded: expression length and nesting depth.
//
// Precedence, loosest first: OR, AND, = <> IS [NOT] NULL, > >= < <= [NOT] BETWEEN/IN/CONTAINS/
// STARTSWITH/ENDSWITH, unary + - NOT. As in RocketMQ, NOT binds tighter than comparisons:
// `NOT a = 'x'` is `(NOT a) = 'x'`.

import { filterError, type Keyword, type Token, tokenize } from './sql92-lexer.js';
import {
  compareValues,
  formatValue,
  parseJavaLong,
  type SqlValue,
  sqlDouble,
  sqlInt,
} from './sql92-values.js';

export const MAX_FILTER_EXPRESSION_CHARS = 8192;
export const MAX_FILTER_NESTING = 64;

type Binary<O extends string> = { op: O; left: SqlExpr; right: SqlExpr };
export type SqlExpr =
  | { op: 'const'; value: SqlValue }
  | { op: 'prop'; name: string }
  | { op: 'neg' | 'not' | 'cast' | 'isNull'; arg: SqlExpr }
  | Binary<'and' | 'or' | 'eq' | 'gt' | 'ge' | 'lt' | 'le'>
  | { op: 'in'; name: string; values: ReadonlySet<string>; negated: boolean }
  | { op: 'text'; test: TextTest; negated: boolean; arg: SqlExpr; search: string };
export type TextTest = 'CONTAINS' | 'STARTSWITH' | 'ENDSWITH';

const TEXT_TESTS: readonly Keyword[] = ['CONTAINS', 'STARTSWITH', 'ENDSWITH'];
const NEGATABLE: readonly Keyword[] = [...TEXT_TESTS, 'BETWEEN', 'IN'];
const ORDER_OPS = { '>': 'gt', '>=': 'ge', '<': 'lt', '<=': 'le' } as const;
const DOUBLE_MIN_VALUE = 4.9e-324;

/** Parses and checks `expression`; throws MqError E_FILTER_EXPRESSION_INVALID. */
export function parseSql92(expression: string): SqlExpr {
  if (expression.length > MAX_FILTER_EXPRESSION_CHARS) {
    throw filterError(expression, 0, `longer than ${MAX_FILTER_EXPRESSION_CHARS} characters`);
  }
  return new Parser(expression).parseSelector();
}

export function describe(e: SqlExpr): string {
  switch (e.op) {
    case 'const':
      return formatValue(e.value);
    case 'prop':
      return e.name;
    case 'neg':
      return `(- ${describe(e.arg)})`;
    case 'not':
      return `(NOT ${describe(e.arg)})`;
    case 'cast':
      return describe(e.arg);
    case 'isNull':
      return `(${describe(e.arg)} IS NULL)`;
    case 'in':
      return `${e.name} ${e.negated ? 'NOT IN' : 'IN'} (${[...e.values].map(formatValue).join(', ')})`;
    case 'text':
      return `${describe(e.arg)} ${e.negated ? 'NOT ' : ''}${e.test} ${formatValue(e.search)}`;
    default: {
      const symbol = { and: 'AND', or: 'OR', eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' }[e.op];
      return `(${describe(e.left)} ${symbol} ${describe(e.right)})`;
    }
  }
}

function isBoolean(e: SqlExpr): boolean {
  if (e.op === 'const') return e.value === null || typeof e.value === 'boolean';
  return e.op !== 'prop' && e.op !== 'neg';
}

class Parser {
  readonly #text: string;
  readonly #tokens: Token[];
  #at = 0;
  #depth = 0;

  constructor(text: string) {
    this.#text = text;
    this.#tokens = tokenize(text);
  }

  parseSelector(): SqlExpr {
    const e = this.#asBoolean(this.#or());
    const next = this.#peek();
    if (next.kind !== 'eof') throw this.#error(next, `unexpected ${this.#show(next)}`);
    return e;
  }

  #or(): SqlExpr {
    let left = this.#and();
    while (this.#takeKeyword('OR')) {
      left = { op: 'or', left: this.#asBoolean(left), right: this.#asBoolean(this.#and()) };
    }
    return left;
  }

  #and(): SqlExpr {
    let left = this.#equality();
    while (this.#takeKeyword('AND')) {
      left = { op: 'and', left: this.#asBoolean(left), right: this.#asBoolean(this.#equality()) };
    }
    return left;
  }

  #equality(): SqlExpr {
    let left = this.#comparison();
    for (;;) {
      if (this.#takeOp('=')) left = this.#equal(left, this.#comparison());
      else if (this.#takeOp('<>')) left = { op: 'not', arg: this.#equal(left, this.#comparison()) };
      else if (this.#takeKeyword('IS')) {
        const negated = this.#takeKeyword('NOT');
        this.#expectKeyword('NULL');
        const isNull: SqlExpr = { op: 'isNull', arg: left };
        left = negated ? { op: 'not', arg: isNull } : isNull;
      } else return left;
    }
  }

  #comparison(): SqlExpr {
    let left = this.#unary();
    for (;;) {
      const t = this.#peek();
      if (t.kind === 'op' && t.text in ORDER_OPS) {
        this.#at++;
        left = this.#order(ORDER_OPS[t.text as keyof typeof ORDER_OPS], left, this.#unary());
        continue;
      }
      const after = this.#tokens[this.#at + 1];
      const negated =
        t.kind === 'keyword' &&
        t.keyword === 'NOT' &&
        after?.kind === 'keyword' &&
        NEGATABLE.includes(after.keyword);
      if (negated) this.#at++;
      const k = this.#peek();
      if (k.kind !== 'keyword' || !NEGATABLE.includes(k.keyword)) return left;
      this.#at++;
      left = this.#predicate(k, left, negated);
    }
  }

  #predicate(k: Token & { kind: 'keyword' }, left: SqlExpr, negated: boolean): SqlExpr {
    if (k.keyword === 'BETWEEN') {
      const low = this.#unary();
      this.#expectKeyword('AND');
      const high = this.#unary();
      return negated
        ? { op: 'or', left: this.#order('lt', left, low), right: this.#order('gt', left, high) }
        : this.#between(k, left, low, high);
    }
    if (k.keyword === 'IN') {
      if (left.op !== 'prop') {
        throw this.#error(k, `expected a property for IN, got ${describe(left)}`);
      }
      this.#expectOp('(');
      const values = [this.#string()];
      while (this.#takeOp(',')) values.push(this.#string());
      this.#expectOp(')');
      return { op: 'in', name: left.name, values: new Set(values), negated };
    }
    return { op: 'text', test: k.keyword as TextTest, negated, arg: left, search: this.#string() };
  }

  #between(at: Token, value: SqlExpr, low: SqlExpr, high: SqlExpr): SqlExpr {
    if (low.op === 'const' && high.op === 'const') {
      if (low.value === null || high.value === null) {
        throw this.#error(at, 'the values of BETWEEN cannot be NULL');
      }
      let order: number;
      try {
        order = compareValues(high.value, low.value);
      } catch (error) {
        throw this.#error(at, `the values of BETWEEN cannot be compared: ${String(error)}`);
      }
      if (order < 0) {
        const bounds = `${formatValue(low.value)} must be less than or equal to ${formatValue(high.value)}`;
        throw this.#error(at, `illegal values of BETWEEN: ${bounds}`);
      }
    }
    return {
      op: 'and',
      left: this.#order('ge', value, low),
      right: this.#order('le', value, high),
    };
  }

  #unary(): SqlExpr {
    if (++this.#depth > MAX_FILTER_NESTING) {
      throw this.#error(this.#peek(), `nested deeper than ${MAX_FILTER_NESTING} levels`);
    }
    try {
      if (this.#takeOp('+')) return this.#unary();
      if (this.#takeOp('-')) return { op: 'neg', arg: this.#unary() };
      if (this.#takeKeyword('NOT')) return { op: 'not', arg: this.#asBoolean(this.#unary()) };
      return this.#primary();
    } finally {
      this.#depth--;
    }
  }

  #primary(): SqlExpr {
    const t = this.#peek();
    this.#at++;
    switch (t.kind) {
      case 'string':
        return { op: 'const', value: t.value };
      case 'decimal':
        return { op: 'const', value: this.#decimal(t) };
      case 'float':
        return { op: 'const', value: this.#float(t) };
      case 'id':
        return { op: 'prop', name: t.text };
      case 'keyword':
        if (t.keyword === 'TRUE') return { op: 'const', value: true };
        if (t.keyword === 'FALSE') return { op: 'const', value: false };
        if (t.keyword === 'NULL') return { op: 'const', value: null };
        break;
      case 'op':
        if (t.text === '(') {
          const inner = this.#or();
          this.#expectOp(')');
          return inner;
        }
        break;
    }
    throw this.#error(t, `unexpected ${this.#show(t)}`);
  }

  #decimal(t: Token & { kind: 'decimal' }): SqlValue {
    const digits = t.text.replace(/[lL]$/, '');
    try {
      const long = parseJavaLong(digits);
      return long.v >= -(2n ** 31n) && long.v < 2n ** 31n ? sqlInt(Number(long.v)) : long;
    } catch {
      throw this.#error(t, `${t.text} is out of the range of a long`);
    }
  }

  #float(t: Token & { kind: 'float' }): SqlValue {
    const value = Number(t.text);
    // RocketMQ refuses values above Double.MAX_VALUE and below Double.MIN_VALUE (so also 0.0).
    if (!Number.isFinite(value)) throw this.#error(t, `${t.text} is greater than Double.MAX_VALUE`);
    if (value < DOUBLE_MIN_VALUE) throw this.#error(t, `${t.text} is less than Double.MIN_VALUE`);
    return sqlDouble(value);
  }

  #equal(left: SqlExpr, right: SqlExpr): SqlExpr {
    for (const side of [left, right]) {
      if (side.op === 'const' && side.value === null) {
        throw this.#error(this.#previous(), "'NULL' cannot be compared, use IS NULL");
      }
    }
    if (left.op === 'const' && right.op === 'const' && isBoolean(left) && !isBoolean(right)) {
      const what = `'${describe(left)}' cannot be compared with '${describe(right)}'`;
      throw this.#error(this.#previous(), what);
    }
    return { op: 'eq', left, right };
  }

  #order(op: 'gt' | 'ge' | 'lt' | 'le', left: SqlExpr, right: SqlExpr): SqlExpr {
    for (const side of [left, right]) {
      const constantNotNumber =
        side.op === 'const' && (side.value === null || typeof side.value !== 'object');
      if (constantNotNumber || isBoolean(side)) {
        throw this.#error(this.#previous(), `value '${describe(side)}' cannot be compared`);
      }
    }
    return { op, left, right };
  }

  #asBoolean(e: SqlExpr): SqlExpr {
    if (isBoolean(e)) return e;
    if (e.op === 'prop') return { op: 'cast', arg: e };
    throw this.#error(
      this.#previous(),
      `expression will not result in a boolean value: ${describe(e)}`,
    );
  }

  #string(): string {
    const t = this.#peek();
    if (t.kind !== 'string')
      throw this.#error(t, `expected a string literal, got ${this.#show(t)}`);
    this.#at++;
    return t.value;
  }

  #peek(): Token {
    return this.#tokens[this.#at] as Token;
  }

  #previous(): Token {
    return this.#tokens[Math.max(0, this.#at - 1)] as Token;
  }

  #takeKeyword(keyword: Keyword): boolean {
    const t = this.#peek();
    if (t.kind !== 'keyword' || t.keyword !== keyword) return false;
    this.#at++;
    return true;
  }

  #takeOp(op: string): boolean {
    const t = this.#peek();
    if (t.kind !== 'op' || t.text !== op) return false;
    this.#at++;
    return true;
  }

  #expectKeyword(keyword: Keyword): void {
    const t = this.#peek();
    if (!this.#takeKeyword(keyword))
      throw this.#error(t, `expected ${keyword}, got ${this.#show(t)}`);
  }

  #expectOp(op: string): void {
    const t = this.#peek();
    if (!this.#takeOp(op)) throw this.#error(t, `expected "${op}", got ${this.#show(t)}`);
  }

  #show(t: Token): string {
    switch (t.kind) {
      case 'eof':
        return 'the end of the expression';
      case 'keyword':
        return t.keyword;
      case 'string':
        return formatValue(t.value);
      default:
        return `"${t.text}"`;
    }
  }

  #error(t: Token, reason: string): Error {
    return filterError(this.#text, t.pos, reason);
  }
}

// Evaluates a parsed SQL92 filter against a message's properties with RocketMQ's three-valued
// logic (SQL NULL for a missing property): a message matches only when the expression is TRUE.
// An evaluation error (a property that does not convert to the number it is compared with) makes
// that message not match, as RocketMQ's ExpressionMessageFilter does.

import { assert, unreachable } from './assert.js';
import { parseSql92, type SqlExpr } from './sql92-parser.js';
import { compareValues, parseJavaDouble, SqlEvalError, type SqlValue } from './sql92-values.js';

export type PropertyLookup = (name: string) => string | undefined;

export interface Sql92Filter {
  readonly expression: string;
  matches(property: PropertyLookup): boolean;
}

/** Parses and checks `expression` (throws E_FILTER_EXPRESSION_INVALID) into a filter. */
export function compileSql92(expression: string): Sql92Filter {
  const root = parseSql92(expression);
  return {
    expression,
    matches(property) {
      try {
        return evaluate(root, property) === true;
      } catch (error) {
        if (error instanceof SqlEvalError) return false;
        throw error;
      }
    },
  };
}

function bool(value: SqlValue): boolean | null {
  assert(value === null || typeof value === 'boolean', 'sql92: a boolean operand');
  return value;
}

export function evaluate(e: SqlExpr, property: PropertyLookup): SqlValue {
  switch (e.op) {
    case 'const':
      return e.value;
    case 'prop':
      return property(e.name) ?? null;
    case 'neg': {
      const v = evaluate(e.arg, property);
      if (v === null || typeof v !== 'object') return null;
      if (v.t === 'long') return { t: 'long', v: -v.v };
      return { t: v.t, v: v.t === 'int' ? -v.v | 0 : -v.v };
    }
    case 'not': {
      const v = bool(evaluate(e.arg, property));
      return v === null ? null : !v;
    }
    case 'cast': {
      const v = evaluate(e.arg, property);
      return v === null ? null : v === true;
    }
    case 'isNull':
      return evaluate(e.arg, property) === null;
    case 'and':
    case 'or':
      return logic(e.op, e.left, e.right, property);
    case 'eq': {
      const lv = evaluate(e.left, property);
      const rv = evaluate(e.right, property);
      if ((lv === null) !== (rv === null)) return lv === null ? null : false;
      if (lv === null || rv === null) return true;
      return compareValues(lv, rv) === 0;
    }
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le':
      return order(e.op, evaluate(e.left, property), evaluate(e.right, property));
    case 'in': {
      const v = property(e.name);
      if (v === undefined) return null;
      return e.values.has(v) !== e.negated;
    }
    case 'text': {
      const v = evaluate(e.arg, property);
      if (e.search === '' || typeof v !== 'string') return false;
      const found =
        e.test === 'CONTAINS'
          ? v.includes(e.search)
          : e.test === 'STARTSWITH'
            ? v.startsWith(e.search)
            : v.endsWith(e.search);
      return found !== e.negated;
    }
    default:
      return unreachable(e, 'sql92 expression');
  }
}

function logic(
  op: 'and' | 'or',
  left: SqlExpr,
  right: SqlExpr,
  property: PropertyLookup,
): SqlValue {
  const decisive = op === 'or';
  const lv = bool(evaluate(left, property));
  if (lv === decisive) return decisive;
  const rv = bool(evaluate(right, property));
  if (rv === decisive) return decisive;
  return lv === null || rv === null ? null : !decisive;
}

function order(op: 'gt' | 'ge' | 'lt' | 'le', lv: SqlValue, rv: SqlValue): SqlValue {
  if (lv === null || rv === null) return null;
  // Two strings compare as numbers (Double.valueOf both), or the evaluation fails.
  const bothText = typeof lv === 'string' && typeof rv === 'string';
  const c = bothText
    ? compareValues(parseJavaDouble(lv), parseJavaDouble(rv))
    : compareValues(lv, rv);
  if (op === 'gt') return c > 0;
  if (op === 'ge') return c >= 0;
  if (op === 'lt') return c < 0;
  return c <= 0;
}

// Tokens of RocketMQ's SQL92 message filter (filter/.../SelectorParser.jj): case-insensitive
// keywords, identifiers [a-z_$][a-z0-9_$]*, decimal (with an optional L), floating point and
// single-quoted string literals ('' is a quote), the operators = <> > >= < <= + - ( ) , and the
// comments `-- ...` and `/* ... */`. Anything else is a lexical error naming its position.

import { ErrorCode, MqError } from './errors.js';

export const KEYWORDS = [
  'NOT',
  'AND',
  'OR',
  'BETWEEN',
  'IN',
  'TRUE',
  'FALSE',
  'NULL',
  'IS',
  'CONTAINS',
  'STARTSWITH',
  'ENDSWITH',
] as const;
export type Keyword = (typeof KEYWORDS)[number];

export type Token =
  | { kind: 'keyword'; keyword: Keyword; pos: number }
  | { kind: 'id'; text: string; pos: number }
  | { kind: 'decimal'; text: string; pos: number }
  | { kind: 'float'; text: string; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'op'; text: string; pos: number }
  | { kind: 'eof'; pos: number };

const keywordSet = new Set<string>(KEYWORDS);
const OPERATORS = ['<>', '>=', '<=', '=', '>', '<', '(', ')', ',', '+', '-'] as const;
const ID_START = /[a-zA-Z_$]/;
const ID_PART = /[a-zA-Z0-9_$]/;
const DIGIT = /[0-9]/;
// Floating point first (5.5, 5., .5, 5E10, each with an optional exponent), then decimal.
const FLOAT =
  /^(?:[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)/;
const DECIMAL = /^(?:0|[1-9][0-9]*[lL]?)/;

export function filterError(expression: string, pos: number, reason: string): MqError {
  return new MqError(
    ErrorCode.FILTER_EXPRESSION_INVALID,
    `Invalid SQL92 filter at column ${pos + 1}: ${reason} in "${expression}"`,
    { expression, column: pos + 1 },
  );
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const c = text.charAt(pos);
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      pos++;
    } else if (text.startsWith('--', pos)) {
      const end = text.slice(pos).search(/[\r\n]/);
      pos = end === -1 ? text.length : pos + end + 1;
    } else if (text.startsWith('/*', pos)) {
      const end = text.indexOf('*/', pos + 2);
      if (end === -1) throw filterError(text, pos, 'unterminated comment');
      pos = end + 2;
    } else if (c === "'") {
      pos = readString(text, pos, tokens);
    } else if (DIGIT.test(c) || (c === '.' && DIGIT.test(text.charAt(pos + 1)))) {
      pos = readNumber(text, pos, tokens);
    } else if (ID_START.test(c)) {
      let end = pos + 1;
      while (end < text.length && ID_PART.test(text.charAt(end))) end++;
      const word = text.slice(pos, end);
      const upper = word.toUpperCase();
      if (keywordSet.has(upper)) tokens.push({ kind: 'keyword', keyword: upper as Keyword, pos });
      else tokens.push({ kind: 'id', text: word, pos });
      pos = end;
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, pos));
      if (op === undefined) throw filterError(text, pos, `unexpected character "${c}"`);
      tokens.push({ kind: 'op', text: op, pos });
      pos += op.length;
    }
  }
  tokens.push({ kind: 'eof', pos: text.length });
  return tokens;
}

function readString(text: string, start: number, tokens: Token[]): number {
  let value = '';
  let pos = start + 1;
  for (;;) {
    if (pos >= text.length) throw filterError(text, start, 'unterminated string literal');
    const c = text.charAt(pos);
    if (c === "'") {
      if (text.charAt(pos + 1) !== "'") break;
      pos++;
    }
    value += c;
    pos++;
  }
  tokens.push({ kind: 'string', value, pos: start });
  return pos + 1;
}

function readNumber(text: string, start: number, tokens: Token[]): number {
  const rest = text.slice(start);
  const float = FLOAT.exec(rest);
  const decimal = DECIMAL.exec(rest);
  // The longest match wins, as in the generated token manager.
  if (float !== null && (decimal === null || float[0].length >= decimal[0].length)) {
    tokens.push({ kind: 'float', text: float[0], pos: start });
    return start + float[0].length;
  }
  if (decimal === null) throw filterError(text, start, 'malformed number');
  tokens.push({ kind: 'decimal', text: decimal[0], pos: start });
  return start + decimal[0].length;
}

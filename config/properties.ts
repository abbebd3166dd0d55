// Java .properties parser with line numbers (RocketMQ: java.util.Properties#load, as used by
// BrokerStartup and NamesrvStartup).
//
// Java semantics kept exactly: `#` and `!` comment lines; `=`, `:` or whitespace (space, tab, form
// feed) between key and value, with whitespace around the separator dropped; a line ending in an
// odd number of backslashes continues on the next line, whose leading whitespace is dropped;
// escapes `\t \n \r \f \uXXXX`, and `\x` for any other x stands for x; a repeated key keeps its
// last value.
//
// Petrel's two departures, both on by default, both reported as warnings so an operator sees where
// the file would behave differently under RocketMQ:
// - inline comments: unescaped whitespace followed by `#` inside a value starts a comment, so
//   `brokerId=0 # 0 is the master` means 0 (Java keeps `0 # 0 is the master`, and RocketMQ then
//   silently ignores the key because the number does not parse);
// - trailing unescaped whitespace is removed from values (Java keeps it; `\ ` keeps a space).
// Input is UTF-8 text; decodePropertiesBytes falls back to ISO-8859-1 (Java's own encoding).

export interface PropertyEntry {
  readonly key: string;
  readonly value: string;
  /** 1-based line where the entry's logical line starts. */
  readonly line: number;
}

export interface PropertiesIssue {
  /** 1-based line the issue is about. */
  readonly line: number;
  readonly key: string | undefined;
  readonly message: string;
}

export interface ParsedProperties {
  /** Every entry in file order, repeated keys included. */
  readonly entries: readonly PropertyEntry[];
  /** The effective entry of each key: the last one, as java.util.Properties keeps. */
  readonly byKey: ReadonlyMap<string, PropertyEntry>;
  readonly warnings: readonly PropertiesIssue[];
  /** Lines that cannot be read (a malformed \uXXXX escape); they produce no entry. */
  readonly errors: readonly PropertiesIssue[];
}

export interface PropertiesParseOptions {
  /** Treat whitespace + `#` inside a value as a comment (Petrel extension). Default true. */
  readonly inlineComments?: boolean;
  /** Remove unescaped trailing whitespace from values (Petrel extension). Default true. */
  readonly trimTrailingWhitespace?: boolean;
}

interface LogicalLine {
  readonly line: number;
  readonly text: string;
}

function isWhitespace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\f';
}

function skipLeadingWhitespace(s: string): string {
  let i = 0;
  while (i < s.length && isWhitespace(s[i])) i++;
  return s.slice(i);
}

/** True when the line ends in an odd number of backslashes, i.e. continues on the next line. */
function continues(s: string): boolean {
  let count = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

/** Joins natural lines into logical lines, dropping blank and comment lines (Java LineReader). */
function readLogicalLines(text: string): LogicalLine[] {
  const lines = text.split(/\r\n|\r|\n/);
  const out: LogicalLine[] = [];
  let i = 0;
  while (i < lines.length) {
    const start = i + 1;
    let current = skipLeadingWhitespace(lines[i] ?? '');
    i++;
    // A comment line never continues, even when it ends in a backslash.
    if (current === '' || current[0] === '#' || current[0] === '!') continue;
    let logical = '';
    while (continues(current)) {
      logical += current.slice(0, -1);
      if (i >= lines.length) {
        current = '';
        break;
      }
      current = skipLeadingWhitespace(lines[i] ?? '');
      i++;
    }
    logical += current;
    if (logical !== '') out.push({ line: start, text: logical });
  }
  return out;
}

/** Splits a raw logical line at its separator (Java Properties#load0). */
function splitKeyValue(s: string): { rawKey: string; rawValue: string } {
  let keyEnd = 0;
  let valueStart = s.length;
  let hasSeparator = false;
  let escaped = false;
  for (; keyEnd < s.length; keyEnd++) {
    const c = s[keyEnd];
    if (!escaped && (c === '=' || c === ':')) {
      valueStart = keyEnd + 1;
      hasSeparator = true;
      break;
    }
    if (!escaped && isWhitespace(c)) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === '\\' ? !escaped : false;
  }
  while (valueStart < s.length) {
    const c = s[valueStart];
    if (!isWhitespace(c)) {
      if (hasSeparator || (c !== '=' && c !== ':')) break;
      hasSeparator = true;
    }
    valueStart++;
  }
  return { rawKey: s.slice(0, keyEnd), rawValue: s.slice(valueStart) };
}

interface RawValueScan {
  readonly raw: string;
  readonly hadInlineComment: boolean;
  readonly hadTrailingWhitespace: boolean;
}

/**
 * Finds an inline comment and trailing whitespace in a raw (still escaped) value. Only unescaped
 * characters count: `\#` and `\ ` stay literal.
 */
function scanRawValue(raw: string, options: Required<PropertiesParseOptions>): RawValueScan {
  let escaped = false;
  let wsRunStart = -1;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (escaped) {
      escaped = false;
      wsRunStart = -1;
      continue;
    }
    if (c === '\\') {
      escaped = true;
      wsRunStart = -1;
      continue;
    }
    if (isWhitespace(c)) {
      if (wsRunStart < 0) wsRunStart = i;
      continue;
    }
    if (c === '#' && wsRunStart >= 0 && options.inlineComments) {
      return {
        raw: raw.slice(0, wsRunStart),
        hadInlineComment: true,
        hadTrailingWhitespace: false,
      };
    }
    wsRunStart = -1;
  }
  if (wsRunStart >= 0 && options.trimTrailingWhitespace) {
    return { raw: raw.slice(0, wsRunStart), hadInlineComment: false, hadTrailingWhitespace: true };
  }
  return { raw, hadInlineComment: false, hadTrailingWhitespace: false };
}

const simpleEscapes: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/** Resolves escapes (Java Properties#loadConvert); returns an error text on a bad \uXXXX. */
function resolveEscapes(s: string): { ok: true; value: string } | { ok: false; reason: string } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    i++;
    // A lone backslash at the very end stands for nothing (the line reader consumed it).
    if (i >= s.length) break;
    const e = s[i] as string;
    if (e === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        return { ok: false, reason: `malformed \\uXXXX escape "\\u${hex}"` };
      }
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
      continue;
    }
    out += simpleEscapes[e] ?? e;
  }
  return { ok: true, value: out };
}

function listLines(lines: readonly number[]): string {
  return `${lines.length === 1 ? 'line' : 'lines'} ${lines.join(', ')}`;
}

/**
 * Parses .properties text. Never throws on content: unreadable lines are returned in `errors`.
 * @example parseProperties('brokerId=0 # master').byKey.get('brokerId')?.value === '0'
 */
export function parseProperties(
  text: string,
  options: PropertiesParseOptions = {},
): ParsedProperties {
  const opts: Required<PropertiesParseOptions> = {
    inlineComments: options.inlineComments ?? true,
    trimTrailingWhitespace: options.trimTrailingWhitespace ?? true,
  };
  const entries: PropertyEntry[] = [];
  const byKey = new Map<string, PropertyEntry>();
  const warnings: PropertiesIssue[] = [];
  const errors: PropertiesIssue[] = [];
  const commentLines: number[] = [];
  const trailingLines: number[] = [];
  for (const logical of readLogicalLines(text)) {
    const { rawKey, rawValue } = splitKeyValue(logical.text);
    const scan = scanRawValue(rawValue, opts);
    if (scan.hadInlineComment) commentLines.push(logical.line);
    if (scan.hadTrailingWhitespace) trailingLines.push(logical.line);
    const key = resolveEscapes(rawKey);
    const value = resolveEscapes(scan.raw);
    const keyText = key.ok ? key.value : rawKey;
    if (!key.ok || !value.ok) {
      const reason = !key.ok ? key.reason : value.ok ? '' : value.reason;
      errors.push({ line: logical.line, key: keyText, message: reason });
      continue;
    }
    const entry: PropertyEntry = { key: key.value, value: value.value, line: logical.line };
    const previous = byKey.get(entry.key);
    if (previous !== undefined) {
      warnings.push({
        line: entry.line,
        key: entry.key,
        message: `repeated key: line ${entry.line} overrides line ${previous.line} (the last value wins, as in Java)`,
      });
    }
    entries.push(entry);
    byKey.set(entry.key, entry);
  }
  addExtensionWarnings(warnings, commentLines, trailingLines);
  return { entries, byKey, warnings, errors };
}

function addExtensionWarnings(
  warnings: PropertiesIssue[],
  commentLines: readonly number[],
  trailingLines: readonly number[],
): void {
  const [firstComment] = commentLines;
  if (firstComment !== undefined) {
    warnings.push({
      line: firstComment,
      key: undefined,
      message:
        `inline comments (whitespace then "#" inside a value) removed on ${listLines(commentLines)}; ` +
        'this is a Petrel extension: Java Properties and RocketMQ keep them as part of the value',
    });
  }
  const [firstTrailing] = trailingLines;
  if (firstTrailing !== undefined) {
    warnings.push({
      line: firstTrailing,
      key: undefined,
      message:
        `trailing whitespace removed from values on ${listLines(trailingLines)}; ` +
        'Java Properties keeps it (RocketMQ then fails to parse such numbers and ignores the key)',
    });
  }
}

/**
 * Decodes file bytes: UTF-8 (a leading byte order mark is dropped); bytes that are not UTF-8 are
 * read as ISO-8859-1, the encoding java.util.Properties uses, and reported.
 */
export function decodePropertiesBytes(bytes: Uint8Array): {
  text: string;
  warning: string | undefined;
} {
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = hasBom ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), warning: undefined };
  } catch (error) {
    // Not UTF-8: fall back to Java's encoding rather than fail; the warning names the reason.
    const reason = error instanceof Error ? error.message : String(error);
    return {
      text: new TextDecoder('latin1').decode(body),
      warning: `file is not valid UTF-8 (${reason}); read as ISO-8859-1 as Java does`,
    };
  }
}

function escapeChar(c: string): string {
  switch (c) {
    case '\\':
      return '\\\\';
    case '\t':
      return '\\t';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\f':
      return '\\f';
    default: {
      const code = c.charCodeAt(0);
      return code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : c;
    }
  }
}

/** Escapes a key so that parseProperties reads it back unchanged. */
export function escapePropertiesKey(key: string): string {
  return Array.from(key, (c) => ('=: #!'.includes(c) ? `\\${c}` : escapeChar(c))).join('');
}

/** Escapes a value so that parseProperties (in either mode) reads it back unchanged. */
export function escapePropertiesValue(value: string): string {
  const chars = Array.from(value, (c) => (c === '#' || c === '!' ? `\\${c}` : escapeChar(c)));
  // Leading and trailing spaces would be dropped by the reader: escape them.
  const first = chars[0];
  if (first !== undefined && isWhitespace(first)) chars[0] = `\\${first}`;
  const lastIndex = chars.length - 1;
  const last = chars[lastIndex];
  if (lastIndex > 0 && last !== undefined && isWhitespace(last)) chars[lastIndex] = `\\${last}`;
  return chars.join('');
}

// Key combinators for config schemas: each key is declared once with its type, default, range,
// unit and doc; the loader parses raw .properties strings through it and docs/config.md is
// rendered from it. No dependency: a schema is a plain object of KeySpec values, and
// InferConfig<typeof schema> is the typed config it yields.
//
// Parsing is strict where RocketMQ is lax: booleans are only true/false (any case), integers are
// plain decimal within range (RocketMQ's Boolean.parseBoolean reads any other word as false, and
// it ignores a key whose number fails to parse), enums are exact.

import { assert } from '../common/assert.js';
import { type DledgerPeer, formatDledgerPeers, parseDledgerPeers } from './dledger-peers.js';

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T; readonly warning?: string }
  | { readonly ok: false; readonly reason: string };

export type Unit = 'ms' | 's' | 'hours' | 'bytes' | 'percent' | 'pages';

/** Facts about the host that some RocketMQ defaults depend on (host name, home, local address). */
export interface HostInfo {
  readonly hostName: string;
  readonly homeDir: string;
  /** First non-loopback IPv4 address, as RocketMQ's RemotingUtil.getLocalAddress picks. */
  readonly localAddress: string;
}

/** A default computed from the host, with the sentence the docs show instead of a value. */
export interface HostDefault<T> {
  readonly describe: string;
  resolve(host: HostInfo): T;
}

export interface KeySpec<T> {
  /** Type name for docs: "integer", "boolean", "string", "enum", "address list", ... */
  readonly type: string;
  /** Accepted values for docs and error messages: "1..65535", "ASYNC_FLUSH | SYNC_FLUSH". */
  readonly accepts: string;
  readonly unit: Unit | undefined;
  /** Static default; undefined for optional keys and for keys with a host default. */
  readonly default: T;
  readonly hostDefault: HostDefault<T> | undefined;
  /** The default as the docs show it, when a rule or the host decides it. */
  readonly defaultDoc: string | undefined;
  readonly doc: string;
  /** The key is Petrel's own; RocketMQ 4.x does not know it. */
  readonly petrelOnly: boolean;
  parse(raw: string): ParseResult<T>;
  format(value: T): string;
}

export type Schema = Readonly<Record<string, KeySpec<unknown>>>;

/** The typed config a schema yields: one readonly field per key. */
export type InferConfig<S extends Schema> = {
  readonly [K in keyof S]: S[K] extends KeySpec<infer T> ? T : never;
};

interface CommonOptions<T> {
  readonly doc: string;
  readonly default?: T;
  /** The key may stay unset; its value is then undefined. An empty value also leaves it unset. */
  readonly optional?: true;
  readonly hostDefault?: HostDefault<T>;
  /** What the docs show as the default when a rule replaces it (e.g. "listenPort+1"). */
  readonly defaultDoc?: string;
  readonly petrelOnly?: boolean;
}

type ValueOf<O, T> = O extends { readonly optional: true } ? T | undefined : T;

const JAVA_INT_MIN = -(2 ** 31);
const JAVA_INT_MAX = 2 ** 31 - 1;

function ok<T>(value: T, warning?: string): ParseResult<T> {
  return warning === undefined ? { ok: true, value } : { ok: true, value, warning };
}

function fail<T>(reason: string): ParseResult<T> {
  return { ok: false, reason };
}

function quote(raw: string): string {
  return JSON.stringify(raw);
}

/** Builds a KeySpec; checks that a key has exactly one of default, optional or hostDefault. */
function makeSpec<T, O extends CommonOptions<T>>(
  options: O,
  base: Pick<KeySpec<T>, 'type' | 'accepts' | 'unit' | 'parse' | 'format'>,
): KeySpec<ValueOf<O, T>> {
  const ways = [options.default !== undefined, options.optional === true, !!options.hostDefault];
  assert(ways.filter(Boolean).length === 1, `config key needs one default: ${options.doc}`);
  assert(options.doc.length > 0, 'config key needs a doc');
  if (options.default !== undefined) {
    const check = base.parse(base.format(options.default));
    assert(check.ok, `config key default does not parse: ${options.doc}`);
  }
  const optional = options.optional === true;
  const spec: KeySpec<T | undefined> = {
    type: base.type,
    accepts: base.accepts,
    unit: base.unit,
    default: options.default,
    hostDefault: options.hostDefault,
    defaultDoc: options.defaultDoc ?? options.hostDefault?.describe,
    doc: options.doc,
    petrelOnly: options.petrelOnly ?? false,
    parse: (raw) => (optional && raw === '' ? ok(undefined) : base.parse(raw)),
    format: (value) => (value === undefined ? '' : base.format(value)),
  };
  return spec as KeySpec<ValueOf<O, T>>;
}

export interface IntOptions extends CommonOptions<number> {
  /** Inclusive bounds; default to Java int's range. */
  readonly min?: number;
  readonly max?: number;
  readonly unit?: Unit;
  /** Clamp an out-of-range value with a warning instead of failing, where RocketMQ clamps too. */
  readonly clamp?: true;
}

/** A decimal integer (optional leading minus, no sign, spaces, separators or suffixes). */
export function int<const O extends IntOptions>(options: O): KeySpec<ValueOf<O, number>> {
  const min = options.min ?? JAVA_INT_MIN;
  const max = options.max ?? JAVA_INT_MAX;
  assert(Number.isSafeInteger(min) && Number.isSafeInteger(max) && min <= max, 'int range');
  return makeSpec(options, {
    type: 'integer',
    accepts: `${min}..${max}${options.clamp === true ? ' (clamped)' : ''}`,
    unit: options.unit,
    parse: (raw) => {
      if (!/^-?\d+$/.test(raw)) return fail(`expected a decimal integer, got ${quote(raw)}`);
      const value = Number(raw);
      if (!Number.isSafeInteger(value)) return fail(`${raw} is not a safe integer`);
      if (value >= min && value <= max) return ok(value);
      const bound = value < min ? min : max;
      if (options.clamp === true) {
        return ok(bound, `${value} is outside ${min}..${max}; ${bound} is used, as RocketMQ does`);
      }
      return fail(`must be ${value < min ? 'at least' : 'at most'} ${bound}, got ${value}`);
    },
    format: (value) => String(value),
  });
}

/** An integer number of hours (RocketMQ fileReservedTime). */
export function hours<const O extends Omit<IntOptions, 'unit'>>(
  options: O,
): KeySpec<ValueOf<O, number>> {
  return int({ ...options, unit: 'hours' });
}

/**
 * A size in plain bytes, as RocketMQ writes them (no k/m/g suffixes: a RocketMQ broker would
 * ignore such a value, so accepting it here would make the same file mean two things).
 */
export function size<const O extends Omit<IntOptions, 'unit'>>(
  options: O,
): KeySpec<ValueOf<O, number>> {
  return int({ min: 1, ...options, unit: 'bytes' });
}

/** true or false, in any case; anything else is an error (Java reads any other word as false). */
export function bool<const O extends CommonOptions<boolean>>(
  options: O,
): KeySpec<ValueOf<O, boolean>> {
  return makeSpec(options, {
    type: 'boolean',
    accepts: 'true | false',
    unit: undefined,
    parse: (raw) => {
      const lower = raw.toLowerCase();
      if (lower === 'true') return ok(true);
      if (lower === 'false') return ok(false);
      return fail(`expected true or false, got ${quote(raw)}`);
    },
    format: (value) => String(value),
  });
}

export interface StrOptions extends CommonOptions<string> {
  /** Reject the empty string (default true). */
  readonly nonEmpty?: boolean;
  readonly pattern?: RegExp;
  /** What accepted values look like, for docs and error messages (required with a pattern). */
  readonly accepts?: string;
  /** Extra check after the pattern; returns a reason or undefined. */
  readonly check?: (value: string) => string | undefined;
}

export function str<const O extends StrOptions>(options: O): KeySpec<ValueOf<O, string>> {
  const nonEmpty = options.nonEmpty ?? true;
  assert(options.pattern === undefined || options.accepts !== undefined, 'pattern needs a doc');
  return makeSpec(options, {
    type: 'string',
    accepts: options.accepts ?? (nonEmpty ? 'non-empty text' : 'any text'),
    unit: undefined,
    parse: (raw) => {
      if (nonEmpty && raw === '') return fail('must not be empty');
      if (options.pattern !== undefined && !options.pattern.test(raw)) {
        return fail(`expected ${options.accepts}, got ${quote(raw)}`);
      }
      const reason = options.check?.(raw);
      return reason === undefined ? ok(raw) : fail(reason);
    },
    format: (value) => value,
  });
}

/** One of a fixed list of words, matched exactly (Java's Enum.valueOf). */
export function oneOf<const V extends string, const O extends CommonOptions<NoInfer<V>>>(
  values: readonly V[],
  options: O,
): KeySpec<ValueOf<O, V>> {
  assert(values.length > 0, 'oneOf needs values');
  const accepts = values.join(' | ');
  return makeSpec<V, O>(options, {
    type: 'enum',
    accepts,
    unit: undefined,
    parse: (raw) => {
      const found = values.find((v) => v === raw);
      if (found !== undefined) return ok(found);
      const caseless = values.find((v) => v.toLowerCase() === raw.toLowerCase());
      const hint = caseless === undefined ? '' : ` (values are case-sensitive: ${caseless})`;
      return fail(`expected one of ${accepts}, got ${quote(raw)}${hint}`);
    },
    format: (value) => value,
  });
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port`; the port follows the last colon, as RocketMQ's string2SocketAddress reads. */
export function parseHostPort(text: string): ParseResult<HostPort> {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return fail(`expected host:port, got ${quote(text)}`);
  const host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (/\s/.test(host)) return fail(`host must not contain whitespace, got ${quote(host)}`);
  if (!/^\d{1,5}$/.test(portText)) return fail(`expected a port number, got ${quote(portText)}`);
  const port = Number(portText);
  if (port < 1 || port > 65535) return fail(`port must be within 1..65535, got ${port}`);
  return ok({ host, port });
}

/** `host:port;host:port` (RocketMQ namesrvAddr). A trailing `;` is allowed, as Java's split drops it. */
export function addressList<const O extends CommonOptions<readonly HostPort[]>>(
  options: O,
): KeySpec<ValueOf<O, readonly HostPort[]>> {
  return makeSpec(options, {
    type: 'address list',
    accepts: 'host:port;host:port;...',
    unit: undefined,
    parse: (raw) => {
      const parts = raw.split(';');
      if (parts.length > 1 && parts.at(-1) === '') parts.pop();
      const out: HostPort[] = [];
      for (const [index, part] of parts.entries()) {
        const parsed = parseHostPort(part);
        if (!parsed.ok) return fail(`address ${index + 1}: ${parsed.reason}`);
        out.push(parsed.value);
      }
      return ok(Object.freeze(out));
    },
    format: (value) => value.map((a) => `${a.host}:${a.port}`).join(';'),
  });
}

/** DLedger peers `n0-host:port;n1-host:port;...` (RocketMQ dLegerPeers). */
export function dledgerPeers<const O extends CommonOptions<readonly DledgerPeer[]>>(
  options: O,
): KeySpec<ValueOf<O, readonly DledgerPeer[]>> {
  return makeSpec(options, {
    type: 'DLedger peers',
    accepts: 'id-host:port;id-host:port;... (ids like n0, n1)',
    unit: undefined,
    parse: (raw) => {
      const parsed = parseDledgerPeers(raw);
      return parsed.ok ? ok(parsed.peers) : fail(parsed.reason);
    },
    format: formatDledgerPeers,
  });
}

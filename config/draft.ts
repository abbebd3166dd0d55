// The mutable state of one config load: values with their sources, plus the problems and warnings
// found so far. Parsing fills it key by key; validate() reads it, derives values (with a `derived`
// source naming the rule) and reports cross-field problems located at the line of the key they
// are about. load.ts freezes the result once no problem is left.

import { assert } from '../common/assert.js';
import {
  type ConfigProblem,
  type ConfigSource,
  type ConfigWarning,
  whereOf,
} from './config-error.js';

interface Location {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly where: string;
}

export class ConfigDraft<T extends object> {
  readonly file: string | undefined;
  readonly problems: ConfigProblem[] = [];
  readonly warnings: ConfigWarning[] = [];
  #values = new Map<string, unknown>();
  #sources = new Map<string, ConfigSource>();

  constructor(file: string | undefined) {
    this.file = file;
  }

  get<K extends keyof T & string>(key: K): T[K] {
    assert(this.#values.has(key), `config draft has no value for ${key}`);
    return this.#values.get(key) as T[K];
  }

  /** Stores a value read from the file, a flag, or a default. */
  put(key: string, value: unknown, source: ConfigSource): void {
    this.#values.set(key, value);
    this.#sources.set(key, source);
  }

  /** Replaces a value by rule (listenPort+1, a master's brokerId 0, ...). */
  derive<K extends keyof T & string>(key: K, value: T[K], rule: string): void {
    this.put(key, value, { kind: 'derived', rule });
  }

  sourceOf(key: string): ConfigSource | undefined {
    return this.#sources.get(key);
  }

  /** The file or the command line gave this key a value. */
  isSet(key: keyof T & string): boolean {
    const kind = this.#sources.get(key)?.kind;
    return kind === 'file' || kind === 'flag';
  }

  /** Reports a problem about `key`, located where `at` (default: the key itself) was set. */
  problem(key: string | undefined, reason: string, at?: string): void {
    this.problems.push({ ...this.#locate(at ?? key), key, reason, unknownKey: false });
  }

  /** A key Petrel refuses because it does not implement it (security keys). */
  unsupported(key: string, reason: string, source?: ConfigSource): void {
    const location = source === undefined ? this.#locate(key) : this.#locateSource(source);
    this.problems.push({ ...location, key, reason, unknownKey: false, unsupported: true });
  }

  unknownKey(key: string, reason: string, source: ConfigSource): void {
    this.problems.push({ ...this.#locateSource(source), key, reason, unknownKey: true });
  }

  /** Reports a warning about `key`, located where `at` (default: the key itself) was set. */
  warn(key: string | undefined, message: string, at?: string): void {
    this.warnings.push({ ...this.#locate(at ?? key), key, message });
  }

  /** Reports a warning at a line of the file (or about the whole file when line is undefined). */
  warnAt(line: number | undefined, key: string | undefined, message: string): void {
    this.warnings.push({ ...this.#locateLine(line), key, message });
  }

  /** Reports a warning where `source` set a value (a file line or the command line). */
  warnFrom(source: ConfigSource | undefined, key: string | undefined, message: string): void {
    this.warnings.push({ ...this.#locateSource(source), key, message });
  }

  problemAt(line: number | undefined, key: string | undefined, reason: string): void {
    this.problems.push({ ...this.#locateLine(line), key, reason, unknownKey: false });
  }

  /** The values and sources of `keys`, in that order. */
  entries(keys: readonly string[]): {
    values: Record<string, unknown>;
    sources: Record<string, ConfigSource>;
  } {
    const values: Record<string, unknown> = {};
    const sources: Record<string, ConfigSource> = {};
    for (const key of keys) {
      const source = this.#sources.get(key);
      assert(source !== undefined, `config draft has no source for ${key}`);
      values[key] = this.#values.get(key);
      sources[key] = source;
    }
    return { values, sources };
  }

  #locate(anchor: string | undefined): Location {
    return this.#locateSource(anchor === undefined ? undefined : this.#sources.get(anchor));
  }

  #locateSource(source: ConfigSource | undefined): Location {
    const line = source?.kind === 'file' ? source.line : undefined;
    return { file: this.file, line, where: whereOf(source, this.file) };
  }

  #locateLine(line: number | undefined): Location {
    const where = line === undefined ? (this.file ?? 'config') : `${this.file ?? '<text>'}:${line}`;
    return { file: this.file, line, where };
  }
}

// Problems, warnings and the one error a config load throws. Every problem found while loading is
// collected first; the load then throws a single ConfigError listing all of them as
// `file:line key: reason`, so an operator fixes a file in one pass (NATS configErr style).
//
// Code choice: E_CONFIG_UNSUPPORTED when any problem is a security key Petrel does not implement;
// else E_CONFIG_UNKNOWN_KEY when every problem is an unknown key (typically a typo, and --lenient
// would have accepted the file); else E_CONFIG_INVALID.

import { ErrorCode, MqError } from '../common/errors.js';

/** Where a value came from: its default, a line of the file, a command-line flag, or a rule. */
export type ConfigSource =
  | { readonly kind: 'default' }
  | { readonly kind: 'file'; readonly file: string; readonly line: number }
  | { readonly kind: 'flag'; readonly flag: string }
  | { readonly kind: 'derived'; readonly rule: string };

export interface ConfigProblem {
  /** The file (or `<text>` label) being loaded; undefined when there is none. */
  readonly file: string | undefined;
  /** 1-based line in the file; undefined for command-line values and defaults. */
  readonly line: number | undefined;
  readonly key: string | undefined;
  readonly reason: string;
  /** `file:line`, `command line`, or the file alone: what the message prints before the key. */
  readonly where: string;
  /** The problem is an unknown key (the only kind --lenient turns into a warning). */
  readonly unknownKey: boolean;
  /** The key is a security key Petrel does not implement (E_CONFIG_UNSUPPORTED). */
  readonly unsupported?: boolean;
}

export interface ConfigWarning {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly key: string | undefined;
  readonly message: string;
  readonly where: string;
}

export function formatSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'file':
      return `${source.file}:${source.line}`;
    case 'flag':
      return `flag ${source.flag}`;
    case 'derived':
      return `derived: ${source.rule}`;
  }
}

/** The location text of a source: `file:line`, `command line`, or the file label. */
export function whereOf(source: ConfigSource | undefined, file: string | undefined): string {
  if (source?.kind === 'file') return `${source.file}:${source.line}`;
  if (source?.kind === 'flag') return 'command line';
  return file ?? 'config';
}

function formatEntry(where: string, key: string | undefined, text: string): string {
  return key === undefined ? `${where}: ${text}` : `${where} ${key}: ${text}`;
}

export function formatProblem(problem: ConfigProblem): string {
  return formatEntry(problem.where, problem.key, problem.reason);
}

export function formatWarning(warning: ConfigWarning): string {
  return formatEntry(warning.where, warning.key, warning.message);
}

/** Every problem of one config load. `details` carries the same data across threads. */
export class ConfigError extends MqError {
  override name = 'ConfigError';
  readonly file: string | undefined;
  readonly problems: readonly ConfigProblem[];

  constructor(what: string, file: string | undefined, problems: readonly ConfigProblem[]) {
    const onlyUnknown = problems.every((p) => p.unknownKey);
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const subject =
      file === undefined ? `Invalid ${what} config` : `Invalid ${what} config "${file}"`;
    const lines = problems.map((p) => `  ${formatProblem(p)}`);
    const anyUnsupported = problems.some((p) => p.unsupported === true);
    const generalCode = onlyUnknown ? ErrorCode.CONFIG_UNKNOWN_KEY : ErrorCode.CONFIG_INVALID;
    // Unsupported security keys name the code on the first line, for operators and scripts.
    const tag = anyUnsupported ? ` (${ErrorCode.CONFIG_UNSUPPORTED})` : '';
    super(
      anyUnsupported ? ErrorCode.CONFIG_UNSUPPORTED : generalCode,
      [`${subject}: ${count}${tag}`, ...lines].join('\n'),
      { file, problems },
    );
    this.file = file;
    this.problems = Object.freeze([...problems]);
  }
}

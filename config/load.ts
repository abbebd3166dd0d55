// Loads a broker or NameServer config: defaults < file (`-c broker.conf`) < command-line overrides
// (`-n`, `--key=value`), each value parsed strictly by its schema, then the cross-field rules of
// validate.ts. Every problem is collected and thrown as one ConfigError; the result is a frozen
// typed config with the source of every value and the warnings.
//
// Keys are handled as RocketMQ's BrokerStartup would see them, except that nothing is silent:
// - a key of our schemas is parsed and checked;
// - a key RocketMQ 4.x knows but Petrel does not use is accepted, and all such keys are named in
//   one warning ("known to RocketMQ, not used by Petrel");
// - any other key is an error with a "did you mean" hint (lenient: a warning);
// - a pre-4.5.2 spelling (mapedFileSizeCommitLog) is read as its current name, with a warning.

import { readFileSync } from 'node:fs';
import { homedir, hostname, networkInterfaces } from 'node:os';
import { assert } from '../common/assert.js';
import { brokerSchema } from './broker-schema.js';
import { ConfigError, type ConfigSource, type ConfigWarning } from './config-error.js';
import { controllerModeSchema } from './controller-mode-schema.js';
import {
  type ControllerProcessConfig,
  controllerProcessSchema,
  controllerTuningKeys,
  unsupportedControllerKeys,
} from './controller-schema.js';
import { dledgerSchema } from './dledger-schema.js';
import { ConfigDraft } from './draft.js';
import { type NamesrvConfig, namesrvSchema } from './namesrv-schema.js';
import { decodePropertiesBytes, parseProperties } from './properties.js';
import { rocketmqBrokerKeys, rocketmqNamesrvKeys } from './rocketmq-known-keys.js';
import type { HostInfo, Schema } from './schema.js';
import { storeRenamedKeys, storeSchema } from './store-schema.js';
import { suggestKey } from './suggest.js';
import { unsupportedControllerModeKeys, unsupportedSecurityKeys } from './unsupported-keys.js';
import { type BrokerConfig, validateBrokerConfig, validateNamesrvConfig } from './validate.js';
import { validateControllerProcess, validateNamesrvController } from './validate-controller.js';

export type { ControllerProcessConfig } from './controller-schema.js';
export type { NamesrvConfig } from './namesrv-schema.js';
export type { BrokerConfig } from './validate.js';

export interface LoadConfigOptions {
  /** Path of the .properties file; read as UTF-8 unless `text` is given, then only its label. */
  readonly file?: string;
  /** The .properties text itself (tests, embedded use). */
  readonly text?: string;
  /** Command-line values by key (`-n` is namesrvAddr); they win over the file. */
  readonly overrides?: Readonly<Record<string, string>>;
  /** Unknown keys become warnings instead of errors (`--lenient`). */
  readonly lenient?: boolean;
  /** Host facts for host-dependent defaults; unset fields are read from the machine. */
  readonly host?: Partial<HostInfo>;
}

export interface LoadedConfig<T> {
  /** The effective values, frozen. */
  readonly config: T;
  /** Where each value came from. */
  readonly sources: Readonly<Record<keyof T & string, ConfigSource>>;
  readonly warnings: readonly ConfigWarning[];
  /** Keys RocketMQ knows that Petrel accepted and ignored. */
  readonly ignoredKeys: readonly string[];
  readonly file: string | undefined;
  /** The schema the config was read with (docs, printing). */
  readonly schema: Schema;
}

/** Every key a broker file may set: broker, store, DLedger and controller-mode keys, each declared once. */
export const brokerConfigSchema: Schema = {
  ...brokerSchema,
  ...storeSchema,
  ...dledgerSchema,
  ...controllerModeSchema,
};

assert(
  Object.keys(brokerConfigSchema).length ===
    Object.keys(brokerSchema).length +
      Object.keys(storeSchema).length +
      Object.keys(dledgerSchema).length +
      Object.keys(controllerModeSchema).length,
  'broker, store, DLedger and controller-mode schemas must not declare the same key',
);

interface LoadPlan<T extends object> {
  readonly what: string;
  readonly schema: Schema;
  readonly rocketmqKeys: ReadonlySet<string>;
  readonly renamedKeys: Readonly<Record<string, string>>;
  /** Keys refused with E_CONFIG_UNSUPPORTED (beside the security keys), with the reason. */
  readonly unsupportedKeys?: Readonly<Record<string, string>>;
  validate(draft: ConfigDraft<T>): void;
}

interface Assignment {
  readonly key: string;
  readonly value: string;
  readonly source: ConfigSource;
}

function firstLocalAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    const found = list?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found !== undefined) return found.address;
  }
  return '127.0.0.1';
}

function resolveHost(given: Partial<HostInfo> | undefined): HostInfo {
  return {
    hostName: given?.hostName ?? hostname(),
    homeDir: given?.homeDir ?? homedir(),
    localAddress: given?.localAddress ?? firstLocalAddress(),
  };
}

/** Reads the file text; an unreadable file is a problem of its own. */
function readText(options: LoadConfigOptions, draft: ConfigDraft<object>): string | undefined {
  if (options.text !== undefined) return options.text;
  if (options.file === undefined) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(options.file);
  } catch (error) {
    // Reported as a config problem so the caller gets one ConfigError with the cause's text.
    const reason = error instanceof Error ? error.message : String(error);
    draft.problemAt(undefined, undefined, `cannot read file: ${reason}`);
    return undefined;
  }
  const decoded = decodePropertiesBytes(bytes);
  if (decoded.warning !== undefined) draft.warnAt(undefined, undefined, decoded.warning);
  return decoded.text;
}

/** File entries (last one per key) then overrides, as a list of assignments in order. */
function collectAssignments(
  text: string | undefined,
  options: LoadConfigOptions,
  draft: ConfigDraft<object>,
): Assignment[] {
  const out: Assignment[] = [];
  if (text !== undefined) {
    const parsed = parseProperties(text);
    for (const w of parsed.warnings) draft.warnAt(w.line, w.key, w.message);
    for (const e of parsed.errors) draft.problemAt(e.line, e.key, e.message);
    const file = draft.file ?? '<text>';
    // In line order, so that an old and a new spelling of one key resolve as the file reads.
    const effective = [...parsed.byKey.values()].sort((x, y) => x.line - y.line);
    for (const entry of effective) {
      out.push({
        key: entry.key,
        value: entry.value,
        source: { kind: 'file', file, line: entry.line },
      });
    }
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    out.push({ key, value, source: { kind: 'flag', flag: `--${key}` } });
  }
  return out;
}

/** Applies one assignment: parse a schema key, remember a RocketMQ key, or report an unknown one. */
function applyAssignment<T extends object>(
  a: Assignment,
  plan: LoadPlan<T>,
  draft: ConfigDraft<T>,
  state: { ignored: Map<string, ConfigSource>; lenient: boolean },
): void {
  if (a.key === '') {
    const at = a.source.kind === 'file' ? a.source.line : undefined;
    draft.problemAt(at, undefined, 'a value without a key');
    return;
  }
  const renamed = Object.hasOwn(plan.renamedKeys, a.key) ? plan.renamedKeys[a.key] : undefined;
  const key = renamed ?? a.key;
  if (renamed !== undefined) {
    draft.warnFrom(a.source, a.key, `is the pre-4.5.2 name of ${renamed}; read as ${renamed}`);
  }
  const spec = Object.hasOwn(plan.schema, key) ? plan.schema[key] : undefined;
  if (spec !== undefined) {
    const parsed = spec.parse(a.value);
    draft.put(key, parsed.ok ? parsed.value : spec.default, a.source);
    if (!parsed.ok) draft.problem(key, parsed.reason);
    else if (parsed.warning !== undefined) draft.warn(key, parsed.warning);
    return;
  }
  const refusals = plan.unsupportedKeys ?? {};
  const unsupported = Object.hasOwn(refusals, key)
    ? refusals[key]
    : Object.hasOwn(unsupportedSecurityKeys, key)
      ? unsupportedSecurityKeys[key]
      : undefined;
  if (unsupported !== undefined) {
    draft.unsupported(key, `not supported by Petrel: ${unsupported}`, a.source);
    return;
  }
  if (plan.rocketmqKeys.has(key)) {
    state.ignored.set(key, a.source);
    return;
  }
  const hint = suggestKey(key, [...Object.keys(plan.schema), ...plan.rocketmqKeys]);
  const reason = `unknown key${hint === undefined ? '' : `; did you mean "${hint}"?`}`;
  if (state.lenient) {
    draft.warnFrom(a.source, key, `${reason} (ignored: lenient)`);
  } else {
    draft.unknownKey(key, reason, a.source);
  }
}

function warnIgnored(ignored: Map<string, ConfigSource>, draft: ConfigDraft<object>): void {
  if (ignored.size === 0) return;
  const listed = [...ignored].map(([key, source]) =>
    source.kind === 'file' ? `${key} (line ${source.line})` : `${key} (command line)`,
  );
  draft.warnFrom(
    [...ignored.values()][0],
    undefined,
    `known to RocketMQ, not used by Petrel (accepted and ignored): ${listed.join(', ')}`,
  );
}

function fillDefaults<T extends object>(
  schema: Schema,
  draft: ConfigDraft<T>,
  host: HostInfo,
): void {
  for (const [key, spec] of Object.entries(schema)) {
    if (draft.sourceOf(key) !== undefined) continue;
    const value = spec.hostDefault === undefined ? spec.default : spec.hostDefault.resolve(host);
    draft.put(key, value, { kind: 'default' });
  }
}

function load<T extends object>(plan: LoadPlan<T>, options: LoadConfigOptions): LoadedConfig<T> {
  const label = options.file ?? (options.text === undefined ? undefined : '<text>');
  const draft = new ConfigDraft<T>(label);
  const text = readText(options, draft);
  const state = { ignored: new Map<string, ConfigSource>(), lenient: options.lenient === true };
  for (const assignment of collectAssignments(text, options, draft)) {
    applyAssignment(assignment, plan, draft, state);
  }
  fillDefaults(plan.schema, draft, resolveHost(options.host));
  // Cross-field rules need every single value to be valid; skip them when some are not.
  if (draft.problems.every((p) => p.unknownKey)) plan.validate(draft);
  if (draft.problems.length > 0) throw new ConfigError(plan.what, label, draft.problems);
  warnIgnored(state.ignored, draft);
  const { values, sources } = draft.entries(Object.keys(plan.schema));
  return Object.freeze({
    config: Object.freeze(values) as T,
    sources: Object.freeze(sources) as Record<keyof T & string, ConfigSource>,
    warnings: Object.freeze([...draft.warnings]),
    ignoredKeys: Object.freeze([...state.ignored.keys()]),
    file: label,
    schema: plan.schema,
  });
}

/**
 * Loads a broker config (mqbroker -c <file>): broker, store and DLedger keys.
 * @throws ConfigError (E_CONFIG_INVALID, or E_CONFIG_UNKNOWN_KEY when unknown keys are the only
 *   problems) listing every problem as `file:line key: reason`.
 * @example loadBrokerConfig({ file: 'conf/2m-2s-sync/broker-a.properties', overrides: { namesrvAddr: '127.0.0.1:9876' } })
 */
export function loadBrokerConfig(options: LoadConfigOptions = {}): LoadedConfig<BrokerConfig> {
  return load<BrokerConfig>(
    {
      what: 'broker',
      schema: brokerConfigSchema,
      rocketmqKeys: rocketmqBrokerKeys,
      renamedKeys: storeRenamedKeys,
      unsupportedKeys: unsupportedControllerModeKeys,
      validate: validateBrokerConfig,
    },
    options,
  );
}

/**
 * Loads a NameServer config (mqnamesrv -c <file>).
 * @throws ConfigError as loadBrokerConfig does.
 */
export function loadNamesrvConfig(options: LoadConfigOptions = {}): LoadedConfig<NamesrvConfig> {
  return load<NamesrvConfig>(
    {
      what: 'NameServer',
      schema: namesrvSchema,
      rocketmqKeys: namesrvFileKeys,
      renamedKeys: {},
      unsupportedKeys: unsupportedControllerKeys,
      validate: (draft) => {
        validateNamesrvConfig(draft);
        validateNamesrvController(draft);
      },
    },
    options,
  );
}

const namesrvFileKeys: ReadonlySet<string> = new Set([
  ...rocketmqNamesrvKeys,
  ...controllerTuningKeys,
]);

/**
 * Loads a standalone controller config (mqcontroller -c <file>).
 * @throws ConfigError as loadBrokerConfig does.
 */
export function loadControllerConfig(
  options: LoadConfigOptions = {},
): LoadedConfig<ControllerProcessConfig> {
  return load<ControllerProcessConfig>(
    {
      what: 'controller',
      schema: controllerProcessSchema,
      rocketmqKeys: namesrvFileKeys,
      renamedKeys: {},
      unsupportedKeys: unsupportedControllerKeys,
      validate: validateControllerProcess,
    },
    options,
  );
}

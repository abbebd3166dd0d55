// What every command-line entry point shares: argument parsing, the console logger, exit codes,
// the process-level error handlers, and running a service until SIGINT/SIGTERM. cli/ is the only
// place that writes to the console for users or exits the process.
//
// Exit codes: 0 clean stop (also after Ctrl-C), 1 failure at run time, 2 usage or config error.

import { MqError } from '../common/errors.js';
import { ConfigError } from '../config/config-error.js';
import type { LogFields, Logger } from '../protocol/index.js';
import { createJsonLogger } from './json-logger.js';

export const ExitCode = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ArgSpec {
  /** Options that take a value: "-c", "-n", "--data-dir", ... */
  readonly withValue: readonly string[];
  /** Options without a value: "-p", "--lenient", ... */
  readonly flags: readonly string[];
}

export interface ParsedArgs {
  readonly values: ReadonlyMap<string, string>;
  readonly flags: ReadonlySet<string>;
  /** `--key=value` pairs that are not options of the command: config overrides. */
  readonly overrides: Readonly<Record<string, string>>;
  readonly positionals: readonly string[];
}

/** Parses argv strictly: unknown options are a UsageError naming them. */
export function parseCliArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const overrides: Record<string, string> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (spec.withValue.includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`Option ${name} needs a value`);
      values.set(name, value);
    } else if (spec.flags.includes(arg)) {
      flags.add(arg);
    } else if (arg.startsWith('--') && eq > 2) {
      overrides[arg.slice(2, eq)] = arg.slice(eq + 1);
    } else if (arg.startsWith('-')) {
      throw new UsageError(`Unknown option "${arg}"`);
    } else {
      positionals.push(arg);
    }
  }
  return { values, flags, overrides, positionals };
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

function formatFields(fields: LogFields | undefined): string {
  if (fields === undefined) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    parts.push(`${key}=${/\s/.test(text ?? '') ? JSON.stringify(text) : text}`);
  }
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`;
}

/**
 * Log lines on stderr (stdout carries the `listening host:port` lines scripts read):
 * `<ISO time> <LEVEL> [<name>] <message> key=value ...`. PETREL_LOG_LEVEL picks the least level;
 * PETREL_LOG_FORMAT=json writes JSON lines instead (json-logger.ts).
 */
export function createConsoleLogger(name: string): Logger {
  const wanted = (process.env['PETREL_LOG_LEVEL'] ?? 'info').toLowerCase();
  const least = Math.max(0, LEVELS.indexOf(wanted as Level));
  const format = process.env['PETREL_LOG_FORMAT'] ?? 'text';
  if (format === 'json') return createJsonLogger(name, LEVELS[least] ?? 'info');
  if (format !== 'text') throw new UsageError(`PETREL_LOG_FORMAT is "${format}": use text or json`);
  const write = (level: Level) => (message: string, fields?: LogFields) => {
    if (LEVELS.indexOf(level) < least) return;
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${name}] ${message}${formatFields(fields)}\n`;
    process.stderr.write(line);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Runs a command's main function: installs the process-level error handlers, and turns the
 * outcome into an exit code (a ConfigError or UsageError is 2, any other error 1).
 */
export function runMain(usage: string, main: () => Promise<number | undefined>): void {
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`Unhandled promise rejection: ${describe(reason)}\n`);
    process.exit(ExitCode.FAILURE);
  });
  process.on('uncaughtException', (error) => {
    process.stderr.write(`Uncaught exception: ${describe(error)}\n`);
    process.exit(ExitCode.FAILURE);
  });
  main().then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(ExitCode.USAGE);
      }
      if (error instanceof UsageError) {
        process.stderr.write(`${error.message}\n\n${usage}\n`);
        process.exit(ExitCode.USAGE);
      }
      if (error instanceof MqError) {
        // An expected operational failure (port in use, store locked, ...): no stack trace.
        process.stderr.write(`${error.code}: ${error.message}\n`);
        process.exit(ExitCode.FAILURE);
      }
      process.stderr.write(`${describe(error)}\n`);
      process.exit(ExitCode.FAILURE);
    },
  );
}

/** A started service: something that can be closed. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Keeps the process up until SIGINT or SIGTERM, then closes the services (last started first)
 * and exits 0; a second signal, or a close taking longer than the deadline, exits 1.
 */
export function stopOnSignals(
  services: readonly Closable[],
  logger: Logger,
  deadlineMs = 20_000,
): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('Second signal: exiting without a clean stop', { signal });
      process.exit(ExitCode.FAILURE);
    }
    stopping = true;
    logger.info('Stopping', { signal });
    const timer = setTimeout(() => {
      logger.error('Clean stop took too long: exiting', { deadlineMs });
      process.exit(ExitCode.FAILURE);
    }, deadlineMs);
    timer.unref();
    closeAll(services).then(
      () => process.exit(ExitCode.OK),
      (error: unknown) => {
        logger.error('Clean stop failed', { error: describe(error) });
        process.exit(ExitCode.FAILURE);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function closeAll(services: readonly Closable[]): Promise<void> {
  for (const service of [...services].reverse()) await service.close();
}

/** Writes a line on stdout (the lines scripts and tests read). */
export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

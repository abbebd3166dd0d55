// The processes `petrel cluster` supervises: each NameServer and broker is its own node process
// started from the compiled CLIs (so killing one is a real failure), its output prefixed with its
// name, its bound address read from the `listening host:port` line it prints.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ClusterProcess {
  name: string;
  child: ChildProcess;
  /** host:port it listens on. */
  address: string;
  /** Resolves with the exit code or signal once it has exited. */
  exited: Promise<string>;
  /** A NameServer's web console, from the `console <url>` line it prints before `listening`. */
  consoleUrl?: string;
}

/** dist/cli/<name>.js next to this compiled file. */
export function cliScript(name: 'mqnamesrv' | 'mqbroker'): string {
  return join(dirname(fileURLToPath(import.meta.url)), `${name}.js`);
}

const READY_TIMEOUT_MS = 60_000;

/** Starts `node <script> <args>` and resolves once it prints `listening host:port`. */
export function startClusterProcess(
  name: string,
  script: string,
  args: readonly string[],
): Promise<ClusterProcess> {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
    // Its own process group: a terminal's Ctrl-C reaches only the supervisor, which then stops
    // each process once (a second signal would make it exit without a clean stop).
    detached: true,
  });
  // The supervisor exiting for any reason other than SIGKILL takes its processes with it.
  process.once('exit', () => child.kill('SIGKILL'));
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`));
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    process.stderr.write(`[${name}] ${line}\n`);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start listening within ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${how}) before it was ready; see its log above`));
    });
    let consoleUrl: string | undefined;
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      consoleUrl ??= /^console (http:\S+)$/.exec(line)?.[1];
      const ready = /^listening (\S+:\d+)$/.exec(line);
      if (ready?.[1] === undefined) return;
      clearTimeout(timer);
      resolve({ name, child, address: ready[1], exited, ...(consoleUrl ? { consoleUrl } : {}) });
    });
  });
}

/** SIGTERM (a clean stop), then SIGKILL for whatever is still running after `deadlineMs`. */
export async function stopClusterProcesses(
  processes: readonly ClusterProcess[],
  deadlineMs: number,
): Promise<void> {
  const running = processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
  for (const p of running) p.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const p of running) p.child.kill('SIGKILL');
  }, deadlineMs);
  await Promise.all(running.map((p) => p.exited));
  clearTimeout(timer);
}

export interface NamesrvPlan {
  host: string;
  namesrvPort: number;
  /** The web console's port (0 picks a free one). */
  consolePort: number;
  dataDir: string;
}

/**
 * The NameServer of `petrel cluster`, with its web console on: the console keys, a fresh admin
 * token among them, go in conf/namesrv.properties (readable by its owner only), not on the command
 * line where `ps` would show the token.
 */
export async function startClusterNamesrv(plan: NamesrvPlan): Promise<ClusterProcess> {
  return startClusterProcess('namesrv', cliScript('mqnamesrv'), [
    '-c',
    writeNamesrvConsoleFile(plan.dataDir, plan.consolePort),
    `--bindAddress=${plan.host}`,
    `--listenPort=${plan.namesrvPort}`,
    `--kvConfigPath=${join(plan.dataDir, 'namesrv', 'kvConfig.json')}`,
  ]);
}

/** conf/namesrv.properties with the console keys and a fresh admin token; returns its path. */
export function writeNamesrvConsoleFile(dataDir: string, consolePort: number): string {
  mkdirSync(join(dataDir, 'conf'), { recursive: true });
  const confFile = namesrvConfFile(dataDir);
  const lines = [
    '# NameServer, written by petrel cluster',
    `consoleListenPort=${consolePort}`,
    `consoleAdminToken=${randomBytes(18).toString('base64url')}`,
  ];
  writeFileSync(confFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  return confFile;
}

function namesrvConfFile(dataDir: string): string {
  return join(dataDir, 'conf', 'namesrv.properties');
}

/** The line `petrel cluster` prints about the console. */
export function consoleLine(consoleUrl: string | undefined, dataDir: string): string {
  return `Console: ${consoleUrl ?? '(not started)'} (cluster map, failover timeline, topics, groups, messages); its admin token is consoleAdminToken in ${namesrvConfFile(dataDir)}`;
}

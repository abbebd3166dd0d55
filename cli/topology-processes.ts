// The processes of a topology started by `petrel cluster --topology`: each NameServer and broker
// is a detached node process whose stdout and stderr go to its own log file, so it outlives the
// command that (re)started it; its address is read from the `listening host:port` line in that
// log. The state file (cluster-state.json in the data directory) lists every process with its
// pid, arguments and log, for `petrel cluster kill|pause|resume|restart` and for the stop.

import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface TopologyProcess {
  /** "namesrv" or the broker file's name without .properties (broker-a-s1). */
  name: string;
  script: string;
  args: string[];
  logFile: string;
  pid: number;
  /** host:port it listens on. */
  address: string;
  metricsUrl?: string;
  /** A NameServer's web console (printed before `listening`). */
  consoleUrl?: string;
}

export interface ClusterState {
  topology: string;
  dataDir: string;
  supervisorPid: number;
  processes: TopologyProcess[];
}

export const STATE_FILE = 'cluster-state.json';
const READY_TIMEOUT_MS = 60_000;
const POLL_MS = 50;

export function readState(dataDir: string): ClusterState {
  const path = join(dataDir, STATE_FILE);
  if (!existsSync(path)) {
    throw new Error(
      `no running cluster in ${dataDir} (no ${STATE_FILE}); start one with petrel cluster --topology`,
    );
  }
  return JSON.parse(readFileSync(path, 'utf8')) as ClusterState;
}

/** Written to a temporary file and renamed, so a reader never sees half of it. */
export function writeState(state: ClusterState): void {
  const path = join(state.dataDir, STATE_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `node <script> <args>` detached, appending its output to `logFile`, and resolves with
 * its pid and address once the log shows a new `listening host:port` line (and a `metrics` URL,
 * when it prints one right after).
 */
export async function spawnLogged(
  name: string,
  script: string,
  args: string[],
  logFile: string,
): Promise<TopologyProcess> {
  const from = existsSync(logFile) ? statSync(logFile).size : 0;
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [script, ...args], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: process.env,
  });
  closeSync(fd);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} could not be started`);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const text = readFileSync(logFile, 'utf8').slice(from);
    const listening = /^listening (\S+:\d+)$/m.exec(text);
    if (listening?.[1] !== undefined) {
      const metrics = /^metrics (http:\/\/\S+)$/m.exec(text);
      const entry: TopologyProcess = { name, script, args, logFile, pid, address: listening[1] };
      if (metrics?.[1] !== undefined) entry.metricsUrl = metrics[1];
      const consoleUrl = /^console (http:\/\/\S+)$/m.exec(text)?.[1];
      if (consoleUrl !== undefined) entry.consoleUrl = consoleUrl;
      return entry;
    }
    if (!isAlive(pid) || Date.now() > deadline) {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      const tail = text.trim().split('\n').slice(-5).join('\n  ');
      throw new Error(`${name} did not start (pid ${pid}); last lines of ${logFile}:\n  ${tail}`);
    }
    await sleep(POLL_MS);
  }
}

/** SIGCONT (a paused process cannot stop), SIGTERM, then SIGKILL after `deadlineMs`. */
export async function stopProcesses(pids: readonly number[], deadlineMs: number): Promise<void> {
  const running = pids.filter(isAlive);
  for (const pid of running) {
    process.kill(pid, 'SIGCONT');
    process.kill(pid, 'SIGTERM');
  }
  const deadline = Date.now() + deadlineMs;
  while (running.some(isAlive)) {
    if (Date.now() > deadline) {
      for (const pid of running.filter(isAlive)) process.kill(pid, 'SIGKILL');
    }
    await sleep(POLL_MS);
  }
}

// Child processes for integration and fault tests: spawned in their own process group so a kill
// reaches everything they started, their stdout read line by line, and always killed in after().
// PETREL_CHILD_LOG=<file> appends every line of every child, prefixed by its pid and script.

import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';

export interface Child {
  process: ChildProcess;
  lines: string[];
  stderr: string[];
  /** Resolves with the first stdout line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** SIGKILL (or another signal) to the child's whole process group. */
  kill(signal?: NodeJS.Signals): void;
  /** SIGSTOP to the process group: the child stops running but keeps its sockets open. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /**
   * True once every thread of the child is stopped (SIGSTOP takes effect a moment after it is
   * sent; a test that counts on the child doing nothing waits for this). Linux /proc.
   */
  isStopped(): boolean;
  exited: Promise<number | null>;
  /**
   * Resolves once every line the child printed on stdout is in `lines`: `exited` may come first
   * (Node: the stdio streams can still be open at 'exit'), so a test that counts what a killed
   * child printed waits for this too.
   */
  stdoutDone: Promise<void>;
}

/** Every thread of `pid` in state T (stopped), read from /proc/<pid>/task/<tid>/stat. */
function allThreadsStopped(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    return readdirSync(`/proc/${pid}/task`).every((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
    });
  } catch {
    return false;
  }
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

export function spawnNode(script: string, args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, ['--enable-source-maps', script, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  live.add(child);
  const lines: string[] = [];
  const stderr: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const logTo = process.env['PETREL_CHILD_LOG'];
  const log = (line: string) =>
    logTo && appendFileSync(logTo, `${child.pid} ${basename(script)} ${line}\n`);
  const stdoutLines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  stdoutLines.on('line', (line) => {
    lines.push(line);
    log(line);
    for (const l of listeners) l(line);
  });
  const stdoutDone = new Promise<void>((resolve) => stdoutLines.once('close', resolve));
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    stderr.push(line);
    log(line);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  return {
    process: child,
    lines,
    stderr,
    exited,
    stdoutDone,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => killGroup(child, signal),
    pause: () => killGroup(child, 'SIGSTOP'),
    resume: () => killGroup(child, 'SIGCONT'),
    isStopped: () => allThreadsStopped(child.pid),
    waitForLine: (pattern, timeoutMs) =>
      new Promise<string>((resolve, reject) => {
        const found = lines.find((l) => pattern.test(l));
        if (found !== undefined) return resolve(found);
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(
            new Error(
              `no line matching ${pattern} within ${timeoutMs} ms; stderr: ${stderr.slice(-5).join(' | ')}`,
            ),
          );
        }, timeoutMs);
        const listener = (line: string) => {
          if (!pattern.test(line)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(line);
        };
        listeners.add(listener);
        void exited.then(() => {
          if (!listeners.has(listener)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          reject(
            new Error(
              `process exited before a line matching ${pattern}; stderr: ${stderr.slice(-5).join(' | ')}`,
            ),
          );
        });
      }),
  };
}

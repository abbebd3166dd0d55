// NameServer and broker child processes for the cluster and HA benchmarks: started from the
// compiled CLIs on loopback with port 0, their address read from the `listening host:port` line.
// Brokers are preloaded with loop-delay-probe.ts and keep an IPC channel, so the benchmark can
// reset and read their main event-loop delay for each measured window.

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const DIST = join(REPO_ROOT, 'dist');
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

export interface BenchProcess {
  child: ChildProcess;
  /** "127.0.0.1:<port>" once it listens. */
  address: Promise<string>;
}

function spawnNode(args: string[], withIpc: boolean): BenchProcess {
  const child = spawn(process.execPath, args, {
    stdio: withIpc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (l) => {
    stderr.push(l);
    if (stderr.length > 20) stderr.shift();
  });
  const address = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "listening" line: ${stderr.join(' | ')}`)),
      START_TIMEOUT_MS,
    );
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const match = /^listening (\S+)$/.exec(line);
      if (match === null) return;
      clearTimeout(timer);
      resolve((match[1] ?? '').replace(/^0\.0\.0\.0:/, '127.0.0.1:'));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}: ${stderr.join(' | ')}`));
    });
  });
  // Only the first wait reports a failed start; later exits are the benchmark's own stop.
  address.catch(() => undefined);
  return { child, address };
}

/** The processes of one benchmark cluster; stop() ends them all (SIGTERM, then SIGKILL). */
export class BenchProcesses {
  #children: ChildProcess[] = [];
  #brokers: ChildProcess[] = [];

  /** The brokers' process ids (for their CPU time). */
  brokerPids(): number[] {
    return this.#brokers.flatMap((b) => (b.pid === undefined ? [] : [b.pid]));
  }

  /** A NameServer (`extra`: more `--key=value` keys); resolves with its address. */
  async startNamesrv(dir: string, extra: readonly string[] = []): Promise<string> {
    const namesrv = spawnNode(
      [
        join(DIST, 'cli', 'mqnamesrv.js'),
        '--listenPort=0',
        '--bindAddress=127.0.0.1',
        `--kvConfigPath=${join(dir, 'kv.json')}`,
        ...extra,
      ],
      false,
    );
    this.#children.push(namesrv.child);
    return namesrv.address;
  }

  /**
   * A broker with the loop-delay probe; `config` are more `--key=value` broker keys and
   * `nodeArgs` more node flags (e.g. --cpu-prof). Resolves once it listens.
   */
  async startBroker(
    namesrvAddr: string,
    storeDir: string,
    config: readonly string[],
    nodeArgs: readonly string[] = [],
  ): Promise<{ child: ChildProcess; address: string }> {
    const probe = pathToFileURL(join(DIST, 'bench', 'e2e', 'loop-delay-probe.js')).href;
    const broker = spawnNode(
      [
        ...nodeArgs,
        '--import',
        probe,
        join(DIST, 'cli', 'mqbroker.js'),
        '-n',
        namesrvAddr,
        '--listenPort=0',
        '--haListenPort=0',
        '--bindAddress=127.0.0.1',
        '--brokerIP1=127.0.0.1',
        `--storePathRootDir=${storeDir}`,
        ...config,
      ],
      true,
    );
    this.#children.push(broker.child);
    this.#brokers.push(broker.child);
    return { child: broker.child, address: await broker.address };
  }

  /** SIGKILL to every child still running, at once (for a process that is exiting anyway). */
  killNow(): void {
    for (const child of this.#children) if (child.exitCode === null) child.kill('SIGKILL');
  }

  /** SIGTERM (a clean stop: CPU profiles are written) and SIGKILL what is left after 10 s. */
  async stop(): Promise<void> {
    const children = this.#children.splice(0);
    await Promise.all(children.map(stopChild));
  }
}

/** SIGTERM, then SIGKILL after 10 s; resolves when the child has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts a new loop-delay window in a probed broker. */
export function resetLoopDelay(broker: ChildProcess): void {
  if (broker.connected) broker.send('reset');
}

/** The broker's main event-loop delay p99 (ms) since the last reset, or null if it did not say. */
export function reportLoopDelay(broker: ChildProcess): Promise<number | null> {
  if (!broker.connected) return Promise.resolve(null);
  return new Promise((resolve) => {
    const onMessage = (reply: { p99Ms?: number }) => {
      clearTimeout(timer);
      resolve(reply.p99Ms ?? null);
    };
    const timer = setTimeout(() => {
      broker.off('message', onMessage);
      resolve(null);
    }, 2000);
    broker.once('message', onMessage);
    broker.send('report');
  });
}

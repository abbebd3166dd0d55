// The peers of the peers benchmark as child processes on 127.0.0.1: nats-server (JetStream, file
// storage) and redis-server (AOF with appendfsync always), each on a free port with its data in
// the run's temp dir. scripts/install-peers.sh installs both from Debian when missing. stop()
// ends what was started (SIGTERM, then SIGKILL after 10 s).

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { stopChild } from './bench-processes.js';

const START_TIMEOUT_MS = 20_000;

export interface PeerServer {
  name: string;
  port: number;
  child: ChildProcess;
}

/** A port that was free a moment ago (the server binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class PeerServers {
  readonly #started: PeerServer[] = [];

  /** nats-server 2.9 with JetStream; its file store syncs on its own schedule, not per publish. */
  async startNats(dir: string): Promise<PeerServer> {
    const storeDir = join(dir, 'nats');
    mkdirSync(storeDir, { recursive: true });
    const port = await freePort();
    return this.#start('nats-server', port, [
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '-js',
      '-sd',
      storeDir,
    ]);
  }

  /** redis-server with the append-only file fsynced before each reply batch (always). */
  async startRedis(dir: string): Promise<PeerServer> {
    const dataDir = join(dir, 'redis');
    mkdirSync(dataDir, { recursive: true });
    const port = await freePort();
    return this.#start('redis-server', port, [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dataDir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
      '--daemonize',
      'no',
      '--protected-mode',
      'no',
    ]);
  }

  async #start(command: string, port: number, args: string[]): Promise<PeerServer> {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const server = { name: command, port, child };
    this.#started.push(server);
    const stderr: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr.push(chunk.toString());
      if (stderr.length > 20) stderr.shift();
    });
    let failure: Error | null = null;
    child.once('error', (error) => {
      failure = error;
    });
    child.once('exit', (code) => {
      failure ??= new Error(`${command} exited with ${code}: ${stderr.join('').slice(-500)}`);
    });
    const deadline = performance.now() + START_TIMEOUT_MS;
    while (!(await canConnect(port))) {
      if (failure !== null) throw failure;
      if (performance.now() > deadline) throw new Error(`${command} did not listen on ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return server;
  }

  /** SIGKILL to every server still running, at once (for a process that is exiting anyway). */
  killNow(): void {
    for (const s of this.#started) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  }

  /** Stops every server started here (SIGTERM, then SIGKILL). */
  async stop(): Promise<void> {
    const servers = this.#started.splice(0);
    await Promise.all(servers.map((s) => stopChild(s.child)));
  }
}

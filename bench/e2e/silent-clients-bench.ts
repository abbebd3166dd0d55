// The broker's memory when clients send requests and never read the replies. Starts a NameServer
// and a broker (child processes, loopback, temp dir), reads the broker's RSS, then opens
// --clients raw connections that each write --requests GET_ALL_TOPIC_CONFIG requests (a few KiB
// of reply each) and read nothing. Reports the broker's RSS once it stops growing (it stopped
// reading them), and --after seconds after the clients have closed.
//
// Usage: node dist/bench/e2e/silent-clients-bench.js [--clients=6] [--requests=100000] [--after=15]

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequest, encodeCommand } from '../../protocol/remoting-command.js';
import { RequestCode } from '../../protocol/request-code.js';
import { BenchProcesses } from './bench-processes.js';

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kib / 1024);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const n = Number(arg?.slice(name.length + 3) ?? fallback);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
}

async function silentClient(address: string, requests: number): Promise<Socket> {
  const [host, port] = address.split(':');
  const socket = connect({ host, port: Number(port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.pause();
  socket.on('error', () => socket.destroy());
  const frames: Buffer[] = [];
  for (let i = 0; i < requests; i++) {
    frames.push(encodeCommand({ ...createRequest(RequestCode.GET_ALL_TOPIC_CONFIG), opaque: i }));
  }
  socket.write(Buffer.concat(frames));
  return socket;
}

async function main(): Promise<void> {
  const clients = option('clients', 6);
  const requests = option('requests', 100_000);
  const afterS = option('after', 15);
  const dir = mkdtempSync(join(tmpdir(), 'petrel-silent-'));
  const processes = new BenchProcesses();
  const sockets: Socket[] = [];
  try {
    const namesrv = await processes.startNamesrv(dir);
    const broker = await processes.startBroker(namesrv, join(dir, 'broker'), [
      '--brokerName=silent',
    ]);
    const pid = broker.child.pid ?? 0;
    await sleep(2000);
    const idle = rssMiB(pid);
    for (let i = 0; i < clients; i++) sockets.push(await silentClient(broker.address, requests));
    let peak = idle;
    let stableFor = 0;
    for (let s = 0; s < 60 && stableFor < 5; s++) {
      await sleep(1000);
      const now = rssMiB(pid);
      stableFor = now > peak + 2 ? 0 : stableFor + 1;
      peak = Math.max(peak, now);
    }
    for (const socket of sockets.splice(0)) socket.destroy();
    await sleep(afterS * 1000);
    const after = rssMiB(pid);
    console.log(
      `broker RSS: idle ${idle} MiB; with ${clients} silent clients ${peak} MiB (+${peak - idle}); ${afterS} s after they closed ${after} MiB`,
    );
  } finally {
    for (const socket of sockets) socket.destroy();
    await processes.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});

// Send throughput of the real ali-ons client (npm ali-ons 3.12.0) against a Petrel NameServer and
// broker started by `petrel cluster` in a temporary directory (ASYNC_FLUSH unless told otherwise).
//
//   npx tsc -p . && node dist/bench/e2e/ali-ons-send.js [--seconds=10] [--size=1024]
//       [--concurrency=32] [--flush=ASYNC_FLUSH|SYNC_FLUSH]
//
// One Producer keeps `concurrency` sends in flight (ali-ons multiplexes them on one connection);
// a 1 s warm-up is not counted. Prints messages/s, MB/s and send latency percentiles.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHistogram } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

interface AliProducer {
  ready(): Promise<void>;
  close(): Promise<void>;
  send(message: unknown): Promise<{ sendStatus: string }>;
}
interface AliOns {
  Producer: new (options: Record<string, unknown>) => AliProducer;
  Message: new (topic: string, tags: string, body: Buffer) => unknown;
}

function option(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

const seconds = Number(option('seconds', '10'));
const size = Number(option('size', '1024'));
const concurrency = Number(option('concurrency', '32'));
const flush = option('flush', 'ASYNC_FLUSH');

async function startCluster(dir: string): Promise<{ nameSrv: string; stop: () => Promise<void> }> {
  const cli = fileURLToPath(new URL('../../cli/petrel.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      cli,
      'cluster',
      '--namesrv-port=0',
      '--broker-port=0',
      `--data-dir=${dir}`,
      `--flushDiskType=${flush}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PETREL_LOG_LEVEL: 'warn' } },
  );
  const lines = createInterface({ input: child.stdout });
  const nameSrv = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('namesrv listening ')) resolve(line.split(' ')[2] ?? '');
    });
    child.once('exit', (code) => reject(new Error(`petrel cluster exited with ${code}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
  return { nameSrv, stop };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'petrel-bench-'));
  const cluster = await startCluster(dir);
  const aliOns = createRequire(import.meta.url)('ali-ons') as AliOns;
  const ignore = () => undefined;
  const silent = {
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: (e: unknown) => console.error(e),
  };
  const producer = new aliOns.Producer({
    nameSrv: cluster.nameSrv,
    httpclient: {},
    logger: silent,
    producerGroup: 'BENCH',
  });
  await producer.ready();
  const body = Buffer.alloc(size, 0x61);
  const histogram = createHistogram();
  let sent = 0;
  let failed = 0;
  let measuring = false;
  const warmupEnd = Date.now() + 1000;
  const end = warmupEnd + seconds * 1000;
  async function worker(): Promise<void> {
    while (Date.now() < end) {
      const started = process.hrtime.bigint();
      const result = await producer.send(new aliOns.Message('BenchTopic', 'bench', body));
      measuring ||= Date.now() >= warmupEnd;
      if (!measuring) continue;
      if (result.sendStatus === 'SEND_OK') sent++;
      else failed++;
      histogram.record(Number(process.hrtime.bigint() - started) || 1);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  const rate = sent / seconds;
  const ms = (p: number) => (histogram.percentile(p) / 1e6).toFixed(2);
  console.log(`ali-ons send, ${size} B bodies, ${concurrency} in flight, ${flush}, ${seconds} s`);
  console.log(
    `  ${rate.toFixed(0)} msg/s, ${((rate * size) / 1e6).toFixed(1)} MB/s, ${failed} not SEND_OK`,
  );
  console.log(
    `  latency ms: p50 ${ms(50)}, p99 ${ms(99)}, p99.9 ${ms(99.9)}, max ${(histogram.max / 1e6).toFixed(2)}`,
  );
  console.log(`  node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`);
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

await main();

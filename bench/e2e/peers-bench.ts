// npm run bench:peers: Petrel's broker beside its peers, the same workload in the same run.
// scripts/install-peers.sh installs nats-server and redis-server from Debian if missing; this
// file starts them on 127.0.0.1 (data in a temp dir), then a Petrel NameServer and broker, and
// drives each with its own npm client: 1 KiB bodies, a window of 256 requests in flight (a
// closed loop of 256 senders), a warm-up, then a fixed measured window.
//
//   produce, no fsync before the ack: NATS JetStream 2.9 (R1, file storage; its store syncs on a
//     timer, not per publish) vs Petrel ASYNC_FLUSH: Petrel client one message per request,
//     Petrel client with automatic batching, ali-ons.
//   produce, fsync before the ack: Redis 7 (appendonly, appendfsync always, XADD pipelined by
//     ioredis) vs Petrel SYNC_FLUSH (group commit), Petrel client plain and batched.
//   consume: drain a backlog of --backlog messages: a NATS JetStream pull consumer (ack none)
//     vs a Petrel PushConsumer (pulls of up to 1024 messages and 256 KiB, as the NATS fetch of
//     1024; listener batches of 32; offsets committed in the background).
// Every process started here is stopped at the end, also on failure or Ctrl-C.
//
// Usage: node dist/bench/e2e/peers-bench.js [--duration=10] [--warmup=2] [--window=256]
//   [--backlog=200000] [--only=drain | sync] [--out=bench/results/peers.md | none]
//   [--profile=DIR]
// --only=drain runs just the two drain rows (NATS and Petrel), --only=sync just the fsync rows
// (Redis and Petrel SYNC_FLUSH); either writes no report. --profile runs Petrel's brokers with
// --cpu-prof into DIR (run this file with --cpu-prof for the clients).

import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Producer } from '../../client/producer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import { machineInfo, machineLine } from '../lib/machine.js';
import { markdownTable, writeSection } from '../lib/markdown-report.js';
import {
  aliOnsProduce,
  BENCH_BATCHING,
  type BenchRow,
  type Cluster,
  createBenchTopic,
  parseBenchArgs,
  petrelProduce,
  startCluster,
  TOPIC,
} from './cluster-bench.js';
import { natsDrain, natsProduce, redisProduce } from './peer-clients.js';
import { PeerServers } from './peer-servers.js';

export interface PeersOptions {
  durationS: number;
  warmupS: number;
  window: number;
  backlog: number;
  queues: number;
  /** Only the drain rows (`drain`) or only the fsync rows (`sync`): shorter loops. */
  only: 'drain' | 'sync' | null;
  /** A directory for the brokers' `--cpu-prof` profiles, or null. */
  profileDir: string | null;
  out: string | null;
}

function parsePeersArgs(args: readonly string[]): PeersOptions {
  const values = new Map<string, string>();
  for (const arg of args) {
    const match = /^--([a-z]+)=(.*)$/.exec(arg);
    if (match === null) throw new MqError(ErrorCode.USAGE, `bench:peers: bad argument "${arg}"`);
    values.set(match[1] ?? '', match[2] ?? '');
  }
  for (const key of values.keys()) {
    if (!['duration', 'warmup', 'window', 'backlog', 'only', 'out', 'profile'].includes(key))
      throw new MqError(ErrorCode.USAGE, `bench:peers: unknown option --${key}`);
  }
  const int = (key: string, fallback: number, min: number) => {
    const n = Number(values.get(key) ?? fallback);
    if (!Number.isInteger(n) || n < min)
      throw new MqError(ErrorCode.USAGE, `bench:peers: --${key} must be a whole number >= ${min}`);
    return n;
  };
  const only = values.get('only') ?? null;
  if (only !== null && only !== 'drain' && only !== 'sync')
    throw new MqError(ErrorCode.USAGE, 'bench:peers: --only takes "drain" or "sync"');
  const out = only !== null ? 'none' : (values.get('out') ?? join('bench', 'results', 'peers.md'));
  return {
    durationS: int('duration', 10, 1),
    warmupS: int('warmup', 2, 0),
    window: int('window', 256, 1),
    backlog: int('backlog', 200_000, 1),
    queues: 8,
    only,
    profileDir: values.get('profile') ?? null,
    out: out === 'none' || out === '' ? null : out,
  };
}

interface PeerRow extends BenchRow {
  workload: string;
  fsyncBeforeAck: string;
  target: string;
}

function asPeerRow(row: BenchRow, workload: string, fsync: string, target: string): PeerRow {
  return { ...row, workload, fsyncBeforeAck: fsync, target };
}

function ratio(value: number, reference: number): number {
  return reference === 0 ? 0 : Math.round((value / reference) * 100) / 100;
}

/** Messages per pull and per NATS fetch (the broker raises its RocketMQ default cap of 32). */
const PULL_MAX_MESSAGES = 1024;

/** Petrel's consume drain: a fresh push consumer group reads a backlog it did not see filled. */
async function petrelDrain(cluster: Cluster, options: PeersOptions, body: Buffer) {
  const topic = 'PeersDrain';
  await createBenchTopic(cluster, topic, options.queues);
  const producer = new Producer({
    namesrvAddr: cluster.namesrvAddr,
    groupName: 'PeersFillPG',
    ...BENCH_BATCHING,
  });
  await producer.start();
  try {
    let sent = 0;
    const loop = async () => {
      while (sent < options.backlog) {
        sent++;
        await producer.send({ topic, body });
      }
    };
    await Promise.all(Array.from({ length: options.window }, loop));
  } finally {
    await producer.shutdown();
  }
  const consumer = new PushConsumer({
    namesrvAddr: cluster.namesrvAddr,
    groupName: 'PeersDrainCG',
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    // Pulls as large as the NATS fetch (1024), still capped by the broker's 256 KiB per pull; the
    // listener takes batches of 32, as the NATS loop takes each delivery.
    pullBatchSize: PULL_MAX_MESSAGES,
    consumeMessageBatchMaxSize: 32,
  });
  let received = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  consumer.subscribe(topic, '*', (messages) => {
    received += messages.length;
    if (received >= options.backlog) done();
    return ConsumeStatus.CONSUME_SUCCESS;
  });
  const startMs = performance.now();
  await consumer.start();
  const startS = (performance.now() - startMs) / 1000;
  const timeoutMs = 120_000;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    finished,
    new Promise((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  const seconds = (performance.now() - startMs) / 1000;
  await consumer.shutdown();
  const note =
    received < options.backlog
      ? `only ${received} in ${timeoutMs / 1000} s`
      : `start included (${startS.toFixed(2)} s of ${seconds.toFixed(2)} s)`;
  return { msgsPerS: Math.round(Math.min(received, options.backlog) / seconds), note };
}

function emptyRow(label: string, msgsPerS: number, note: string): BenchRow {
  return {
    label,
    msgsPerS,
    p50Ms: null,
    p99Ms: null,
    loopDelayP99Ms: null,
    vsEmbedded: null,
    note,
  };
}

async function runPetrel(
  flush: 'ASYNC_FLUSH' | 'SYNC_FLUSH',
  dir: string,
  options: PeersOptions,
  use: (cluster: Cluster) => Promise<void>,
): Promise<void> {
  const clusterOptions = parseBenchArgs([
    'produce',
    `--flush=${flush}`,
    `--duration=${options.durationS}`,
    `--warmup=${options.warmupS}`,
    `--concurrency=${options.window}`,
    `--queues=${options.queues}`,
    ...(options.profileDir === null ? [] : [`--profile=${join(options.profileDir, flush)}`]),
  ]);
  const cluster = await startCluster(join(dir, flush), clusterOptions, [
    `--maxTransferCountOnMessageInMemory=${PULL_MAX_MESSAGES}`,
  ]);
  running.add(cluster);
  try {
    await createBenchTopic(cluster, TOPIC, options.queues);
    await use(cluster);
  } finally {
    running.delete(cluster);
    await cluster.stop();
  }
}

/** What runs now: stopped on SIGINT/SIGTERM, killed if this process exits on a failure. */
const running = new Set<{ stop(): Promise<void>; killNow(): void }>();

function stopOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: stopping the servers started by this run`);
      void Promise.allSettled([...running].map((r) => r.stop())).then(() => process.exit(130));
    });
  }
  process.once('exit', () => {
    for (const r of running) r.killNow();
  });
}

type ProduceOptions = ReturnType<typeof parseBenchArgs>;
type AddRow = (row: PeerRow) => void;

/** The no-fsync produce rows of Petrel and ali-ons, as ratios to NATS. */
async function petrelProduceRows(
  c: ProduceOptions,
  petrel: Cluster,
  body: Buffer,
  natsMsgsPerS: number,
  add: AddRow,
): Promise<void> {
  const noSync = 'produce, no fsync before ack';
  for (const [isBatching, target] of [
    [false, '>= 1.0x'],
    [true, '>= 3x'],
  ] as const) {
    add(
      asPeerRow(
        await petrelProduce(c, petrel, body, natsMsgsPerS, isBatching),
        noSync,
        'no',
        target,
      ),
    );
  }
  add(asPeerRow(await aliOnsProduce(c, petrel, body, natsMsgsPerS), noSync, 'no', '>= 0.6x'));
}

/** What a group of rows runs with: the peers, the temp dir, the options, the body, the report. */
interface RowsRun {
  servers: PeerServers;
  dir: string;
  options: PeersOptions;
  c: ProduceOptions;
  body: Buffer;
  add: AddRow;
}

/** Redis with appendfsync always beside Petrel SYNC_FLUSH, plain and batched. */
async function syncProduceRows(run: RowsRun): Promise<void> {
  const { servers, dir, options, c, body, add } = run;
  const load = { warmupS: c.warmupS, durationS: c.durationS, concurrency: options.window };
  const redis = await servers.startRedis(dir);
  const redisRow = await redisProduce(redis.port, load, body);
  const sync = 'produce, fsync before ack';
  add(asPeerRow(redisRow, sync, 'yes (appendfsync always)', 'peer'));
  await runPetrel('SYNC_FLUSH', dir, options, async (petrel) => {
    const s = { ...c, flush: 'SYNC_FLUSH' as const };
    for (const isBatching of [false, true]) {
      const r = await petrelProduce(s, petrel, body, redisRow.msgsPerS, isBatching);
      add(asPeerRow(r, sync, 'yes (group commit)', '>= 3x'));
    }
  });
}

async function measure(options: PeersOptions, dir: string): Promise<PeerRow[]> {
  const body = Buffer.alloc(1024, 0x61);
  const c = {
    ...parseBenchArgs(['produce', `--concurrency=${options.window}`]),
    durationS: options.durationS,
    warmupS: options.warmupS,
  };
  const servers = new PeerServers();
  running.add(servers);
  const rows: PeerRow[] = [];
  const add: AddRow = (r) => {
    rows.push(r);
    console.log(
      `${r.workload} | ${r.label}: ${r.msgsPerS} msgs/s${r.note === '' ? '' : ` (${r.note})`}`,
    );
  };
  try {
    const run = { servers, dir, options, c, body, add };
    if (options.only !== 'sync') await noSyncRows(run);
    await servers.stop();
    if (options.only !== 'drain') await syncProduceRows(run);
  } finally {
    running.delete(servers);
    await servers.stop();
  }
  return rows;
}

/** NATS and Petrel ASYNC_FLUSH: produce without fsync (unless --only=drain), then the drain. */
async function noSyncRows(run: RowsRun): Promise<void> {
  const { servers, dir, options, c, body, add } = run;
  const nats = await servers.startNats(dir);
  const load = { warmupS: c.warmupS, durationS: c.durationS, concurrency: options.window };
  const natsRow = options.only === 'drain' ? null : await natsProduce(nats.port, load, body);
  const natsDrained = await natsDrain(nats.port, options.backlog, options.window, body);
  const drain = `consume: drain ${options.backlog}`;
  if (natsRow !== null)
    add(asPeerRow(natsRow, 'produce, no fsync before ack', 'no (sync timer)', 'peer'));
  await runPetrel('ASYNC_FLUSH', dir, options, async (petrel) => {
    if (natsRow !== null) await petrelProduceRows(c, petrel, body, natsRow.msgsPerS, add);
    const natsDrainRow = emptyRow('NATS JetStream pull consumer', natsDrained.msgsPerS, '');
    add(asPeerRow(natsDrainRow, drain, '-', 'peer'));
    const petrelDrained = await petrelDrain(petrel, options, body);
    const drainRow = emptyRow('Petrel PushConsumer', petrelDrained.msgsPerS, petrelDrained.note);
    drainRow.vsEmbedded = ratio(petrelDrained.msgsPerS, natsDrained.msgsPerS);
    add(asPeerRow(drainRow, drain, '-', '>= 1.5x'));
  });
}

const fmt = (v: number | null) => (v === null ? '-' : v.toFixed(2));

function render(options: PeersOptions, rows: readonly PeerRow[], dir: string): string {
  const machine = machineInfo(dir);
  return [
    `### peers (${machine.date.slice(0, 10)})`,
    '',
    `Machine: ${machineLine(machine)}; load average at the end ${cpusLoad()}.`,
    `Workload: 1 KiB bodies, ${options.window} requests in flight, ${options.warmupS} s warm-up, ${options.durationS} s measured; servers and clients share the machine's cores.`,
    '',
    `Command: \`npm run bench:peers -- --duration=${options.durationS} --warmup=${options.warmupS} --window=${options.window} --backlog=${options.backlog}\``,
    '',
    ...markdownTable(
      [
        'workload',
        'run',
        'fsync before ack',
        'msgs/s',
        'p50 ms',
        'p99 ms',
        'vs peer',
        'target',
        'note',
      ],
      [false, false, false, true, true, true, true, false, false],
      rows.map((r) => [
        r.workload,
        r.label,
        r.fsyncBeforeAck,
        String(r.msgsPerS),
        fmt(r.p50Ms),
        fmt(r.p99Ms),
        r.vsEmbedded === null ? '-' : `${r.vsEmbedded.toFixed(2)}x`,
        r.target,
        r.note,
      ]),
    ),
    '',
  ].join('\n');
}

function cpusLoad(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
}

const REPORT_HEADER = `# Peers benchmark (npm run bench:peers)

Written by \`bench/e2e/peers-bench.ts\` (see its header for the workloads). Each Petrel figure is a
ratio to the peer measured in the same run with the same workload; compare rows only within one
workload: NATS JetStream 2.9 acknowledges before its file store is synced, Redis with
\`appendfsync always\` and Petrel SYNC_FLUSH fsync before acknowledging.

`;

export async function runPeersBench(args: readonly string[]): Promise<number> {
  const options = parsePeersArgs(args);
  stopOnSignals();
  const dir = mkdtempSync(join(tmpdir(), 'petrel-peers-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  try {
    const rows = await measure(options, dir);
    const section = render(options, rows, dir);
    console.log(`\n${section}`);
    if (options.out !== null) writeSection(options.out, REPORT_HEADER, 'peers', section);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  runPeersBench(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}

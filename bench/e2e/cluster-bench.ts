// petrel bench produce|consume: the network path's cost. Starts a NameServer and one broker as
// child processes on loopback (temp dir, port 0), drives 1 KiB messages through them with
// Petrel's client and with ali-ons, and measures msgs/s, latency p50/p99 (perf_hooks
// histograms) and the broker's main event-loop delay p99 during each run (a preloaded probe,
// loop-delay-probe.ts). The same run measures the embedded engine (openStore, no network) with
// the same message size, concurrency and flush mode, and reports each client's throughput as a
// ratio of it.
//
//   produce: N concurrent senders for --duration; latency = send to acknowledgement.
//   consume: a backlog of --messages is drained by a fresh consumer group (msgs/s), then a
//            producer sends at --rate for --duration while the consumer reads; latency = send
//            start to the listener call (end to end, same process clock).
//
// Usage: node dist/bench/e2e/cluster-bench.js produce|consume [--duration=10] [--warmup=2]
//   [--size=1024] [--concurrency=32] [--clients=petrel,ali-ons] [--flush=ASYNC_FLUSH]
//   [--messages=50000] [--rate=2000] [--queues=8] [--out=bench/results/cluster.md]
//   [--profile=DIR] (the broker runs with --cpu-prof; summarise with cpu-profile-summary.js)
// `petrel bench produce|consume` calls runClusterBench with the same arguments (it records no file
// unless --out is given).

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordableHistogram } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Admin } from '../../client/admin.js';
import { Producer } from '../../client/producer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import { openStore } from '../../engine/index.js';
import { type ClosedLoopResult, closedLoop } from '../lib/closed-loop.js';
import { type CpuWindow, startCpuWindow } from '../lib/cpu-per-message.js';
import { newHistogram, percentileMsOrNull, recordSinceMs } from '../lib/latency.js';
import { writeSection } from '../lib/markdown-report.js';
import {
  aliOnsConsumer,
  aliOnsOptions,
  aliOnsProblemCount,
  type ConsumerUnderTest,
  closeAliOnsInnerProducer,
  keepAliOnsProblem,
  loadAliOns,
  problemNote,
} from './ali-ons-bench-client.js';
import { BenchProcesses, reportLoopDelay, resetLoopDelay } from './bench-processes.js';
import { fmt, REPORT_HEADER, renderReport } from './cluster-report.js';

export interface ClusterBenchOptions {
  mode: 'produce' | 'consume';
  durationS: number;
  warmupS: number;
  sizeBytes: number;
  concurrency: number;
  clients: BenchClient[];
  flush: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  messages: number;
  ratePerS: number;
  queues: number;
  out: string | null;
  /** A directory for the broker's `--cpu-prof` profile (written when it stops), or null. */
  profileDir: string | null;
}

const BENCH_CLIENTS = ['petrel', 'petrel-batch', 'ali-ons'] as const;
type BenchClient = (typeof BENCH_CLIENTS)[number];

export interface BenchRow {
  label: string;
  msgsPerS: number;
  p50Ms: number | null;
  p99Ms: number | null;
  loopDelayP99Ms: number | null;
  vsEmbedded: number | null;
  note: string;
}

function usage(message: string): MqError {
  return new MqError(ErrorCode.USAGE, `petrel bench: ${message}`);
}

export function parseBenchArgs(args: readonly string[]): ClusterBenchOptions {
  const [mode, ...rest] = args;
  if (mode !== 'produce' && mode !== 'consume') throw usage('first argument is produce or consume');
  const values = new Map<string, string>();
  for (const arg of rest) {
    const match = /^--([a-z]+)=(.*)$/.exec(arg);
    if (match === null) throw usage(`bad argument "${arg}" (use --name=value)`);
    values.set(match[1] ?? '', match[2] ?? '');
  }
  const known = [
    'duration',
    'warmup',
    'size',
    'concurrency',
    'clients',
    'flush',
    'messages',
    'rate',
    'queues',
    'out',
    'profile',
  ];
  for (const key of values.keys()) if (!known.includes(key)) throw usage(`unknown option --${key}`);
  const int = (key: string, fallback: number) => {
    const text = values.get(key);
    if (text === undefined) return fallback;
    const n = Number(text.replace(/s$/, ''));
    if (!Number.isInteger(n) || n < 0) throw usage(`--${key} must be a whole number`);
    return n;
  };
  const clients = (values.get('clients') ?? 'petrel,ali-ons').split(',');
  for (const c of clients)
    if (!(BENCH_CLIENTS as readonly string[]).includes(c)) throw usage(`unknown client "${c}"`);
  const flush = values.get('flush') ?? 'ASYNC_FLUSH';
  if (flush !== 'ASYNC_FLUSH' && flush !== 'SYNC_FLUSH')
    throw usage('--flush is ASYNC_FLUSH or SYNC_FLUSH');
  const out = values.get('out') ?? join('bench', 'results', 'cluster.md');
  return {
    mode,
    durationS: Math.max(1, int('duration', 10)),
    warmupS: int('warmup', 2),
    sizeBytes: Math.max(1, int('size', 1024)),
    concurrency: Math.max(1, int('concurrency', 32)),
    clients: clients as BenchClient[],
    flush,
    messages: Math.max(1, int('messages', 50_000)),
    ratePerS: Math.max(1, int('rate', 2000)),
    queues: Math.max(1, int('queues', 8)),
    out: out === '' || out === 'none' ? null : out,
    profileDir: values.get('profile') ?? null,
  };
}

// ---- processes ----

function askLoopDelay(broker: ChildProcess, message: 'reset' | 'report'): Promise<number | null> {
  if (message === 'report') return reportLoopDelay(broker);
  resetLoopDelay(broker);
  return Promise.resolve(null);
}

export interface Cluster {
  namesrvAddr: string;
  broker: ChildProcess;
  stop(): Promise<void>;
  /** SIGKILL to its processes at once, for a benchmark process that is exiting on a failure. */
  killNow(): void;
}

export async function startCluster(
  dir: string,
  options: ClusterBenchOptions,
  extraBrokerArgs: readonly string[] = [],
): Promise<Cluster> {
  const processes = new BenchProcesses();
  try {
    const namesrvAddr = await processes.startNamesrv(dir);
    const nodeArgs =
      options.profileDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`];
    const broker = await processes.startBroker(
      namesrvAddr,
      join(dir, 'broker'),
      ['--brokerName=bench-a', `--flushDiskType=${options.flush}`, ...extraBrokerArgs],
      nodeArgs,
    );
    return {
      namesrvAddr,
      broker: broker.child,
      stop: () => processes.stop(),
      killNow: () => processes.killNow(),
    };
  } catch (error) {
    await processes.stop();
    throw error;
  }
}

/** Creates a topic on the cluster's broker and gives the route a moment to reach the NameServer. */
export async function createBenchTopic(cluster: Cluster, topic: string, queues: number) {
  const admin = new Admin({ namesrvAddr: cluster.namesrvAddr });
  await admin.start();
  await admin.createTopic({ topic, readQueueNums: queues, writeQueueNums: queues });
  await admin.shutdown();
  await new Promise((resolve) => setTimeout(resolve, 500));
}

// ---- produce ----

export const TOPIC = 'PetrelBench';

async function embeddedProduce(
  options: ClusterBenchOptions,
  dir: string,
  body: Buffer,
): Promise<BenchRow> {
  const store = await openStore({
    storePathRootDir: join(dir, 'embedded'),
    flushDiskType: options.flush,
  });
  try {
    let next = 0;
    const result = await closedLoop(
      options,
      async () => {
        const put = await store.putMessage({
          topic: TOPIC,
          queueId: next++ % options.queues,
          body,
        });
        if (put.status !== 'PUT_OK') throw new Error(`embedded put: ${put.status}`);
      },
      () => undefined,
    );
    return row('embedded engine (openStore, putMessage)', result, null, null, '');
  } finally {
    await store.close();
  }
}

function row(
  label: string,
  result: ClosedLoopResult,
  loopDelayP99Ms: number | null,
  embeddedMsgsPerS: number | null,
  note: string,
): BenchRow {
  const msgsPerS = Math.round(result.count / result.seconds);
  return {
    label,
    msgsPerS,
    p50Ms: percentileMsOrNull(result.histogram, 50),
    p99Ms: percentileMsOrNull(result.histogram, 99),
    loopDelayP99Ms,
    vsEmbedded:
      embeddedMsgsPerS === null ? null : Math.round((msgsPerS / embeddedMsgsPerS) * 1000) / 1000,
    note,
  };
}

/** Automatic batching as the peers benchmark and docs/client.md use it. */
export const BENCH_BATCHING = {
  batchMaxMessages: 64,
  batchMaxBytes: 256 * 1024,
  batchMaxDelayMs: 0,
};

export async function petrelProduce(
  options: ClusterBenchOptions,
  cluster: Cluster,
  body: Buffer,
  embedded: number,
  isBatching: boolean,
): Promise<BenchRow> {
  const producer = new Producer({
    namesrvAddr: cluster.namesrvAddr,
    groupName: 'BenchPG',
    maxAsyncSendsInFlight: options.concurrency,
    ...(isBatching ? BENCH_BATCHING : {}),
  });
  await producer.start();
  try {
    let cpu: CpuWindow | null = null;
    const result = await closedLoop(
      options,
      async () => {
        await producer.send({ topic: TOPIC, body });
      },
      () => {
        cpu = startCpuWindow(cluster.broker.pid);
        void askLoopDelay(cluster.broker, 'reset');
      },
    );
    const cpuNote = (cpu as CpuWindow | null)?.note(result.count) ?? '';
    const loop = await askLoopDelay(cluster.broker, 'report');
    const label = isBatching ? 'Petrel client (send, automatic batching)' : 'Petrel client (send)';
    return row(label, result, loop, embedded, cpuNote);
  } finally {
    await producer.shutdown();
  }
}

export async function aliOnsProduce(
  options: ClusterBenchOptions,
  cluster: Cluster,
  body: Buffer,
  embedded: number,
): Promise<BenchRow> {
  const ons = loadAliOns();
  const producer = new ons.Producer({
    ...aliOnsOptions(cluster.namesrvAddr),
    producerGroup: 'BenchAliPG',
  });
  const problemsBefore = aliOnsProblemCount();
  // A closed ali-ons producer may still emit a reconnect error once the broker has stopped.
  producer.on('error', (error) => keepAliOnsProblem(error.message));
  await producer.ready();
  try {
    const result = await closedLoop(
      options,
      async () => {
        const sent = await producer.send(new ons.Message(TOPIC, 'bench', body));
        if (sent.sendStatus !== 'SEND_OK') throw new Error(`ali-ons send: ${sent.sendStatus}`);
      },
      () => void askLoopDelay(cluster.broker, 'reset'),
    );
    const loop = await askLoopDelay(cluster.broker, 'report');
    return row('ali-ons 3.12.0 (send)', result, loop, embedded, problemNote(problemsBefore));
  } finally {
    await producer.close();
    await closeAliOnsInnerProducer(ons);
  }
}

// ---- consume ----

async function embeddedConsume(
  options: ClusterBenchOptions,
  dir: string,
  body: Buffer,
): Promise<BenchRow> {
  const store = await openStore({
    storePathRootDir: join(dir, 'embedded-read'),
    flushDiskType: options.flush,
  });
  try {
    const puts: Promise<unknown>[] = [];
    for (let i = 0; i < options.messages; i++) {
      puts.push(store.putMessage({ topic: TOPIC, queueId: i % options.queues, body }));
      if (puts.length >= 256) await Promise.all(puts.splice(0));
    }
    await Promise.all(puts);
    const histogram = newHistogram();
    const startMs = performance.now();
    let count = 0;
    for (let queueId = 0; queueId < options.queues; queueId++) {
      let queueOffset = 0;
      for (;;) {
        const batchStartMs = performance.now();
        const got = await store.getMessage({
          topic: TOPIC,
          queueId,
          queueOffset,
          maxMsgNums: 32,
          rawOnly: true,
        });
        if (got.records.length === 0) break;
        recordSinceMs(histogram, batchStartMs);
        count += got.records.length;
        queueOffset = got.nextBeginOffset;
      }
    }
    const seconds = (performance.now() - startMs) / 1000;
    return {
      label: 'embedded engine (getMessage, 32 per read)',
      msgsPerS: Math.round(count / seconds),
      p50Ms: percentileMsOrNull(histogram, 50),
      p99Ms: percentileMsOrNull(histogram, 99),
      loopDelayP99Ms: null,
      vsEmbedded: null,
      note: 'latency = one 32-message read',
    };
  } finally {
    await store.close();
  }
}

async function fillBacklog(
  cluster: Cluster,
  options: ClusterBenchOptions,
  body: Buffer,
): Promise<void> {
  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'BenchFillPG' });
  await producer.start();
  try {
    let sent = 0;
    const loop = async () => {
      while (sent < options.messages) {
        sent++;
        await producer.send({ topic: TOPIC, body });
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, loop));
  } finally {
    await producer.shutdown();
  }
}

function petrelConsumer(cluster: Cluster, group: string): ConsumerUnderTest {
  const consumer = new PushConsumer({
    namesrvAddr: cluster.namesrvAddr,
    groupName: group,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    consumeMessageBatchMaxSize: 1,
  });
  return {
    start: async (onMessage) => {
      consumer.subscribe(TOPIC, '*', (messages) => {
        for (const m of messages) onMessage(m.body);
        return ConsumeStatus.CONSUME_SUCCESS;
      });
      await consumer.start();
    },
    stop: () => consumer.shutdown(),
  };
}

/** Live payloads: [0, 8) send time (performance.now(), ms) and [8, 12) the live run's id. */
const LIVE_HEADER_BYTES = 12;
let liveRunId = 0;
/** Messages in the topic so far (backlog plus every live run), the drain target. */
let topicMessages = 0;

async function consumeRun(
  label: string,
  make: (group: string) => ConsumerUnderTest,
  cluster: Cluster,
  options: ClusterBenchOptions,
  body: Buffer,
  embedded: number,
): Promise<BenchRow[]> {
  const group = `BenchCG_${label.replace(/[^a-z]/gi, '')}`;
  const problemsBefore = aliOnsProblemCount();
  const consumer = make(group);
  const backlog = topicMessages;
  const runId = ++liveRunId;
  let received = 0;
  const histogram = newHistogram();
  const startMs = performance.now();
  await askLoopDelay(cluster.broker, 'reset');
  await consumer.start((payload) => {
    received++;
    if (payload.length >= LIVE_HEADER_BYTES && payload.readUInt32BE(8) === runId) {
      recordSinceMs(histogram, payload.readDoubleBE(0));
    }
  });
  try {
    const deadline = performance.now() + 120_000;
    while (received < backlog && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const drainS = (performance.now() - startMs) / 1000;
    const drainLoop = await askLoopDelay(cluster.broker, 'report');
    const drained = Math.min(received, backlog);
    const drain: BenchRow = {
      label: `${label} (drain a ${backlog}-message backlog)`,
      msgsPerS: Math.round(drained / drainS),
      p50Ms: null,
      p99Ms: null,
      loopDelayP99Ms: drainLoop,
      vsEmbedded: Math.round((drained / drainS / embedded) * 1000) / 1000,
      note: drained < backlog ? `only ${drained} arrived in 120 s` : 'includes start and rebalance',
    };
    const live = await liveRun(cluster, options, body, histogram, runId);
    const note = [live.note, problemNote(problemsBefore)].filter((n) => n !== '').join('; ');
    return [
      drain,
      { ...live, label: `${label} (live at ${options.ratePerS}/s, end to end)`, note },
    ];
  } finally {
    await consumer.stop();
  }
}

async function liveRun(
  cluster: Cluster,
  options: ClusterBenchOptions,
  body: Buffer,
  histogram: RecordableHistogram,
  runId: number,
): Promise<BenchRow> {
  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'BenchLivePG' });
  await producer.start();
  try {
    await askLoopDelay(cluster.broker, 'reset');
    const intervalMs = 1000 / options.ratePerS;
    const startMs = performance.now();
    let sent = 0;
    const sends: Promise<unknown>[] = [];
    while (performance.now() - startMs < options.durationS * 1000) {
      const dueMs = startMs + sent * intervalMs;
      const waitMs = dueMs - performance.now();
      if (waitMs > 1) await new Promise((resolve) => setTimeout(resolve, waitMs));
      const payload = Buffer.from(body);
      payload.writeUInt32BE(runId, 8);
      payload.writeDoubleBE(performance.now(), 0);
      sends.push(producer.send({ topic: TOPIC, body: payload }));
      sent++;
      if (sends.length >= 512) await Promise.all(sends.splice(0));
    }
    await Promise.all(sends);
    topicMessages += sent;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const loop = await askLoopDelay(cluster.broker, 'report');
    return {
      label: '',
      msgsPerS: Math.round(histogram.count / options.durationS),
      p50Ms: percentileMsOrNull(histogram, 50),
      p99Ms: percentileMsOrNull(histogram, 99),
      loopDelayP99Ms: loop,
      vsEmbedded: null,
      note: `${histogram.count} of ${sent} timed`,
    };
  } finally {
    await producer.shutdown();
  }
}

// ---- report ----

/** Runs the benchmark; prints and (unless --out=none) records the table. Returns an exit code. */
export async function runClusterBench(
  args: readonly string[],
  command = `npm run bench:cluster -- ${args.join(' ')}`,
): Promise<number> {
  const options = parseBenchArgs(args);
  const dir = mkdtempSync(join(tmpdir(), 'petrel-bench-'));
  const body = Buffer.alloc(Math.max(options.sizeBytes, LIVE_HEADER_BYTES), 0x61);
  const rows: BenchRow[] = [];
  let cluster: Cluster | null = null;
  try {
    const embedded =
      options.mode === 'produce'
        ? await embeddedProduce(options, dir, body)
        : await embeddedConsume(options, dir, body);
    rows.push(embedded);
    console.log(`${embedded.label}: ${embedded.msgsPerS} msgs/s`);
    cluster = await startCluster(dir, options);
    await createBenchTopic(cluster, TOPIC, options.queues);
    if (options.mode === 'produce') {
      for (const client of options.clients) {
        const result =
          client === 'ali-ons'
            ? await aliOnsProduce(options, cluster, body, embedded.msgsPerS)
            : await petrelProduce(
                options,
                cluster,
                body,
                embedded.msgsPerS,
                client === 'petrel-batch',
              );
        rows.push(result);
        console.log(
          `${result.label}: ${result.msgsPerS} msgs/s p50 ${fmt(result.p50Ms)} ms p99 ${fmt(result.p99Ms)} ms loop p99 ${fmt(result.loopDelayP99Ms)} ms`,
        );
      }
    } else {
      await fillBacklog(cluster, options, body);
      topicMessages = options.messages;
      for (const client of options.clients) {
        const c = cluster;
        const made =
          client !== 'ali-ons'
            ? await consumeRun(
                'Petrel PushConsumer',
                (g) => petrelConsumer(c, g),
                c,
                options,
                body,
                embedded.msgsPerS,
              )
            : await consumeRun(
                'ali-ons 3.12.0 Consumer',
                (g) => aliOnsConsumer(c.namesrvAddr, TOPIC, g),
                c,
                options,
                body,
                embedded.msgsPerS,
              );
        rows.push(...made);
        for (const r of made)
          console.log(
            `${r.label}: ${r.msgsPerS} msgs/s p50 ${fmt(r.p50Ms)} ms p99 ${fmt(r.p99Ms)} ms loop p99 ${fmt(r.loopDelayP99Ms)} ms`,
          );
      }
    }
    const section = renderReport(options, rows, command);
    console.log(`\n${section}`);
    if (options.out !== null) writeSection(options.out, REPORT_HEADER, options.mode, section);
    return 0;
  } finally {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  runClusterBench(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(error instanceof MqError && error.code === ErrorCode.USAGE ? 2 : 1);
    },
  );
}

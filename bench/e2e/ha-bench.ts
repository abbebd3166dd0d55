// petrel bench ha: what Master/Slave replication costs. For each setup (a master alone, an
// ASYNC_MASTER with a slave, a SYNC_MASTER with a slave) a NameServer, the master and the slave
// run as child processes on loopback (temp dirs, port 0); Petrel's client sends 1 KiB messages
// with 1, 32 and 256 sends in flight, and each window reports:
//   - put throughput (SEND_OK msgs/s) and latency p50/p99 (send to acknowledgement);
//   - replication: bytes/s the slave acknowledged over the window, and the lag (master's
//     commitLogMaxOffset - push2SlaveMaxOffset, i.e. slaveFallBehindMuch) sampled every --sample
//     ms through GET_BROKER_RUNTIME_INFO: p50, p99 and max; then, once the load stops, the lag
//     left and how long the slave took to acknowledge everything (catch-up);
//   - main event-loop delay p99 on the master and on the slave (loop-delay-probe.ts).
// Target: SYNC_MASTER >= 50 % of ASYNC_MASTER's throughput at 256 in flight.
//
// Usage: node dist/bench/e2e/ha-bench.js [--duration=10] [--warmup=2] [--size=1024]
//   [--in-flight=1,32,256] [--setups=standalone,ASYNC_MASTER,SYNC_MASTER] [--flush=ASYNC_FLUSH]
//   (setups also DLEDGER, and CONTROLLER: controller mode with allAckInSyncStateSet=true, target
//   >= 90 % of SYNC_MASTER)
//   [--queues=8] [--sample=20] [--profile=DIR] [--out=bench/results/ha.md]
// --profile writes CPU profiles of the master and the slave (node --cpu-prof, one file per thread)
// into DIR/<setup>-master and DIR/<setup>-slave.
// `petrel bench ha` calls runHaBench with the same arguments (it records no file unless --out is given).

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Admin } from '../../client/admin.js';
import { Producer } from '../../client/producer.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import { closedLoop } from '../lib/closed-loop.js';
import { percentileMsOrNull } from '../lib/latency.js';
import { machineInfo, machineLine } from '../lib/machine.js';
import { markdownTable, writeSection } from '../lib/markdown-report.js';
import { cpuMsOf, peakRssMiBOf } from '../lib/process-usage.js';
import { BenchProcesses, reportLoopDelay, resetLoopDelay } from './bench-processes.js';
import { startControllerMembers } from './ha-bench-controller.js';

export const HaSetup = {
  STANDALONE: 'standalone',
  ASYNC_MASTER: 'ASYNC_MASTER',
  SYNC_MASTER: 'SYNC_MASTER',
  /** A three-member DLedger group: SEND_OK once a majority holds the message. */
  DLEDGER: 'DLEDGER',
  /** Controller mode, two replicas, allAckInSyncStateSet=true (ha-bench-controller.ts). */
  CONTROLLER: 'CONTROLLER',
} as const;
export type HaSetup = (typeof HaSetup)[keyof typeof HaSetup];

export interface HaBenchOptions {
  durationS: number;
  warmupS: number;
  sizeBytes: number;
  inFlights: number[];
  setups: HaSetup[];
  flush: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  queues: number;
  sampleMs: number;
  profileDir: string | null;
  out: string | null;
}

export interface HaRow {
  setup: HaSetup;
  inFlight: number;
  msgsPerS: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Bytes per second the slave acknowledged in the window; null without a slave. */
  replicatedBytesPerS: number | null;
  lagP50Bytes: number | null;
  lagP99Bytes: number | null;
  lagMaxBytes: number | null;
  /** Lag when the last send of the window was acknowledged. */
  lagAtStopBytes: number | null;
  /** From then until the slave acknowledged the master's whole log. */
  catchUpMs: number | null;
  masterLoopP99Ms: number | null;
  slaveLoopP99Ms: number | null;
  /** CPU time of every broker process in the window per acknowledged message (us); null unknown. */
  brokerCpuUsPerMsg: number | null;
  /** The largest broker's peak resident memory (MiB) by the end of the window; null unknown. */
  brokerPeakRssMiB: number | null;
  note: string;
}

const TOPIC = 'PetrelHaBench';
const BROKER_NAME = 'bench-ha';
const WAIT_TIMEOUT_MS = 30_000;

function usage(message: string): MqError {
  return new MqError(ErrorCode.USAGE, `petrel bench ha: ${message}`);
}

const KNOWN = [
  'duration',
  'warmup',
  'size',
  'in-flight',
  'setups',
  'flush',
  'queues',
  'sample',
  'profile',
  'out',
];

export function parseHaBenchArgs(args: readonly string[]): HaBenchOptions {
  const values = new Map<string, string>();
  for (const arg of args) {
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (match === null) throw usage(`bad argument "${arg}" (use --name=value)`);
    if (!KNOWN.includes(match[1] ?? '')) throw usage(`unknown option --${match[1]}`);
    values.set(match[1] ?? '', match[2] ?? '');
  }
  const whole = (text: string, key: string) => {
    const n = Number(text.replace(/s$/, ''));
    if (!Number.isInteger(n) || n < 0) throw usage(`--${key} must be a whole number`);
    return n;
  };
  const int = (key: string, fallback: number) => {
    const text = values.get(key);
    return text === undefined ? fallback : whole(text, key);
  };
  const setups = (values.get('setups') ?? 'standalone,ASYNC_MASTER,SYNC_MASTER').split(',');
  for (const s of setups)
    if (!Object.values(HaSetup).includes(s as HaSetup))
      throw usage(
        `unknown setup "${s}" (standalone, ASYNC_MASTER, SYNC_MASTER, DLEDGER or CONTROLLER)`,
      );
  const flush = values.get('flush') ?? 'ASYNC_FLUSH';
  if (flush !== 'ASYNC_FLUSH' && flush !== 'SYNC_FLUSH')
    throw usage('--flush is ASYNC_FLUSH or SYNC_FLUSH');
  const inFlights = (values.get('in-flight') ?? '1,32,256')
    .split(',')
    .map((n) => Math.max(1, whole(n, 'in-flight')));
  const out = values.get('out') ?? join('bench', 'results', 'ha.md');
  const profile = values.get('profile');
  return {
    durationS: Math.max(1, int('duration', 10)),
    warmupS: int('warmup', 2),
    sizeBytes: Math.max(1, int('size', 1024)),
    inFlights,
    setups: setups as HaSetup[],
    flush,
    queues: Math.max(1, int('queues', 8)),
    sampleMs: Math.max(5, int('sample', 20)),
    profileDir: profile === undefined || profile === '' ? null : resolve(profile),
    out: out === '' || out === 'none' ? null : out,
  };
}

// ---- cluster ----

interface Broker {
  child: ChildProcess;
  address: string;
}

interface HaCluster {
  namesrvAddr: string;
  master: Broker;
  /** The slave (Master/Slave) or one follower (DLedger), for its loop delay. */
  slave: Broker | null;
  /** Master/Slave replication figures (push2SlaveMaxOffset) exist; not in DLedger mode. */
  haFigures: boolean;
  admin: Admin;
  /** Every broker process of the setup (for the CPU per message). */
  brokerPids: () => number[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function pollUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + WAIT_TIMEOUT_MS;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** A NameServer and three DLedger members; the routed leader is the "master". */
async function startDledgerCluster(dir: string, options: HaBenchOptions): Promise<HaCluster> {
  const processes = new BenchProcesses();
  let admin: Admin | null = null;
  const stop = async () => {
    await admin?.shutdown().catch(() => undefined);
    await processes.stop();
  };
  try {
    const namesrvAddr = await processes.startNamesrv(join(dir, 'dledger'));
    const ports = [await freePort(), await freePort(), await freePort()];
    const peers = ports.map((port, i) => `n${i}-127.0.0.1:${port}`).join(';');
    const members = await Promise.all(
      ports.map((_, i) =>
        processes.startBroker(
          namesrvAddr,
          join(dir, 'dledger', `n${i}`),
          [
            `--brokerName=${BROKER_NAME}`,
            `--flushDiskType=${options.flush}`,
            '--enableDLegerCommitLog=true',
            `--dLegerPeers=${peers}`,
            `--dLegerSelfId=n${i}`,
            '--heartBeatTimeIntervalMs=200',
          ],
          options.profileDir === null
            ? []
            : ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDir, `dledger-n${i}`)}`],
        ),
      ),
    );
    admin = new Admin({ namesrvAddr });
    await admin.start();
    const a = admin;
    let leader: Broker | undefined;
    await pollUntil('a DLedger leader', async () => {
      const info = await a.clusterInfo().catch(() => null);
      const addr = info?.brokerAddrTable[BROKER_NAME]?.brokerAddrs['0'];
      leader = members.find((m) => m.address === addr);
      return leader !== undefined;
    });
    const master = leader!;
    const slave = members.find((m) => m !== master) ?? null;
    const brokerPids = () => processes.brokerPids();
    const cluster = { namesrvAddr, master, slave, admin, stop, brokerPids, haFigures: false };
    await prepare(cluster, options);
    return cluster;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A NameServer with the controller and two controller-mode replicas; the routed one is the master. */
async function startControllerCluster(dir: string, options: HaBenchOptions): Promise<HaCluster> {
  const processes = new BenchProcesses();
  let admin: Admin | null = null;
  const stop = async () => {
    await admin?.shutdown().catch(() => undefined);
    await processes.stop();
  };
  try {
    const members = await startControllerMembers(processes, dir, {
      brokerName: BROKER_NAME,
      flush: options.flush,
      raftPort: await freePort(),
      nodeArgs: (who) =>
        options.profileDir === null
          ? []
          : ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDir, `controller-${who}`)}`],
      pollUntil,
    });
    admin = new Admin({ namesrvAddr: members.namesrvAddr });
    await admin.start();
    const brokerPids = () => processes.brokerPids();
    const cluster = { ...members, admin, stop, brokerPids, haFigures: true };
    await prepare(cluster, options);
    return cluster;
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startHaCluster(
  dir: string,
  setup: HaSetup,
  options: HaBenchOptions,
): Promise<HaCluster> {
  if (setup === HaSetup.DLEDGER) return startDledgerCluster(dir, options);
  if (setup === HaSetup.CONTROLLER) return startControllerCluster(dir, options);
  const processes = new BenchProcesses();
  let admin: Admin | null = null;
  const stop = async () => {
    await admin?.shutdown().catch(() => undefined);
    await processes.stop();
  };
  try {
    const namesrvAddr = await processes.startNamesrv(join(dir, setup));
    const common = [`--brokerName=${BROKER_NAME}`, `--flushDiskType=${options.flush}`];
    const profile = (who: string) =>
      options.profileDir === null
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDir, `${setup}-${who}`)}`];
    const role = setup === HaSetup.SYNC_MASTER ? 'SYNC_MASTER' : 'ASYNC_MASTER';
    const master = await processes.startBroker(
      namesrvAddr,
      join(dir, setup, 'master'),
      [...common, `--brokerRole=${role}`, '--brokerId=0'],
      profile('master'),
    );
    const slave =
      setup === HaSetup.STANDALONE
        ? null
        : await processes.startBroker(
            namesrvAddr,
            join(dir, setup, 'slave'),
            [...common, '--brokerRole=SLAVE', '--brokerId=1'],
            profile('slave'),
          );
    admin = new Admin({ namesrvAddr });
    await admin.start();
    const brokerPids = () => processes.brokerPids();
    const cluster = { namesrvAddr, master, slave, admin, stop, brokerPids, haFigures: true };
    await prepare(cluster, options);
    return cluster;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Waits for the slave to stream from the master, creates the topic and waits for its route. */
async function prepare(cluster: HaCluster, options: HaBenchOptions): Promise<void> {
  const { admin, master, slave } = cluster;
  if (slave !== null && cluster.haFigures)
    await pollUntil('the slave to connect', async () => {
      const info = await admin.brokerStatus(master.address);
      return info['haConnectionCount'] === '1';
    });
  await admin.createTopic({
    topic: TOPIC,
    readQueueNums: options.queues,
    writeQueueNums: options.queues,
    brokerAddr: master.address,
  });
  await pollUntil('the topic route', async () => {
    const route = await admin.topicRoute(TOPIC).catch(() => null);
    return route?.brokerDatas[0]?.brokerAddrs['0'] === master.address;
  });
}

// ---- replication figures ----

interface LagSample {
  atMs: number;
  ackedOffset: number;
  lagBytes: number;
}

async function readLag(cluster: HaCluster): Promise<LagSample> {
  const atMs = performance.now();
  const info = await cluster.admin.brokerStatus(cluster.master.address);
  return {
    atMs,
    ackedOffset: Number(info['push2SlaveMaxOffset'] ?? 0),
    lagBytes: Number(info['slaveFallBehindMuch'] ?? 0),
  };
}

/** Samples the master's replication figures every `intervalMs` until stopped. */
class LagSampler {
  readonly samples: LagSample[] = [];
  #running = false;
  #loop: Promise<void> = Promise.resolve();

  start(cluster: HaCluster, intervalMs: number): void {
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        const started = performance.now();
        this.samples.push(await readLag(cluster));
        await sleep(Math.max(0, intervalMs - (performance.now() - started)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? null;
}

/** Polls (5 ms) until the slave acknowledged the master's whole log; returns the lag and time. */
async function catchUp(cluster: HaCluster): Promise<{ lagAtStop: number; catchUpMs: number }> {
  const startedMs = performance.now();
  const first = await readLag(cluster);
  let last = first;
  while (last.lagBytes > 0) {
    if (performance.now() - startedMs > WAIT_TIMEOUT_MS)
      throw new Error(`the slave is still ${last.lagBytes} bytes behind after 30 s`);
    await sleep(5);
    last = await readLag(cluster);
  }
  return {
    lagAtStop: first.lagBytes,
    catchUpMs: Math.round((last.atMs - startedMs) * 10) / 10,
  };
}

// ---- one window ----

async function runWindow(
  cluster: HaCluster,
  setup: HaSetup,
  inFlight: number,
  options: HaBenchOptions,
  body: Buffer,
): Promise<HaRow> {
  const producer = new Producer({
    namesrvAddr: cluster.namesrvAddr,
    groupName: `HaBenchPG_${inFlight}`,
    maxAsyncSendsInFlight: inFlight,
  });
  await producer.start();
  const sampler = new LagSampler();
  const outcomes = new Map<string, number>();
  const countOutcome = (what: string) => outcomes.set(what, (outcomes.get(what) ?? 0) + 1);
  let cpuAtStartMs: number | null = null;
  try {
    const result = await closedLoop(
      { warmupS: options.warmupS, durationS: options.durationS, concurrency: inFlight },
      async () => {
        try {
          const sent = await producer.send({ topic: TOPIC, body });
          if (sent.sendStatus === 'SEND_OK') return true;
          countOutcome(sent.sendStatus);
        } catch (error) {
          countOutcome(error instanceof Error ? error.message.slice(0, 60) : String(error));
        }
        return false;
      },
      () => {
        resetLoopDelay(cluster.master.child);
        if (cluster.slave !== null) resetLoopDelay(cluster.slave.child);
        cpuAtStartMs = cpuMsOf(cluster.brokerPids());
        if (cluster.slave !== null && cluster.haFigures) sampler.start(cluster, options.sampleMs);
      },
    );
    // The lag left the moment the last send was acknowledged, before anything else runs.
    const stoppedMs = performance.now();
    const cpuAtStopMs = cpuMsOf(cluster.brokerPids());
    const peakRssMiB = peakRssMiBOf(cluster.brokerPids());
    const caught = cluster.slave === null || !cluster.haFigures ? null : await catchUp(cluster);
    await sampler.stop();
    const samples = sampler.samples.filter((s) => s.atMs < stoppedMs);
    const masterLoop = await reportLoopDelay(cluster.master.child);
    const slaveLoop = cluster.slave === null ? null : await reportLoopDelay(cluster.slave.child);
    const lags = samples.map((s) => s.lagBytes).sort((a, b) => a - b);
    const first = samples[0];
    const last = samples.at(-1);
    const replicated =
      first === undefined || last === undefined || last.atMs <= first.atMs
        ? null
        : ((last.ackedOffset - first.ackedOffset) / (last.atMs - first.atMs)) * 1000;
    const note = [...outcomes].map(([what, n]) => `${n} x ${what}`).join('; ');
    return {
      setup,
      inFlight,
      msgsPerS: Math.round(result.count / result.seconds),
      p50Ms: percentileMsOrNull(result.histogram, 50),
      p99Ms: percentileMsOrNull(result.histogram, 99),
      replicatedBytesPerS: replicated,
      lagP50Bytes: quantile(lags, 0.5),
      lagP99Bytes: quantile(lags, 0.99),
      lagMaxBytes: lags.at(-1) ?? null,
      lagAtStopBytes: caught?.lagAtStop ?? null,
      catchUpMs: caught?.catchUpMs ?? null,
      masterLoopP99Ms: masterLoop,
      slaveLoopP99Ms: slaveLoop,
      brokerCpuUsPerMsg:
        cpuAtStartMs === null || cpuAtStopMs === null || result.count === 0
          ? null
          : ((cpuAtStopMs - cpuAtStartMs) * 1000) / result.count,
      brokerPeakRssMiB: peakRssMiB,
      note: lags.length === 0 ? note : `${lags.length} lag samples${note ? `; ${note}` : ''}`,
    };
  } finally {
    await producer.shutdown();
  }
}

// ---- report ----

const num = (value: number | null, digits = 2) => (value === null ? '-' : value.toFixed(digits));
const kib = (bytes: number | null) => (bytes === null ? '-' : (bytes / 1024).toFixed(1));

function targetLine(rows: readonly HaRow[]): string {
  const at = Math.max(...rows.map((r) => r.inFlight));
  const sync = rows.find((r) => r.setup === HaSetup.SYNC_MASTER && r.inFlight === at);
  const async = rows.find((r) => r.setup === HaSetup.ASYNC_MASTER && r.inFlight === at);
  if (sync === undefined || async === undefined || async.msgsPerS === 0)
    return '- SYNC_MASTER vs ASYNC_MASTER: not measured in this run';
  const ratio = sync.msgsPerS / async.msgsPerS;
  const verdict = at === 256 ? ` (target >= 50 %: ${ratio >= 0.5 ? 'met' : 'MISSED'})` : '';
  return `- SYNC_MASTER vs ASYNC_MASTER at ${at} in flight: ${sync.msgsPerS} / ${async.msgsPerS} msgs/s = ${(ratio * 100).toFixed(1)} %${verdict}`;
}

function controllerLine(rows: readonly HaRow[]): string {
  const at = Math.max(...rows.map((r) => r.inFlight));
  const all = rows.find((r) => r.setup === HaSetup.CONTROLLER && r.inFlight === at);
  const sync = rows.find((r) => r.setup === HaSetup.SYNC_MASTER && r.inFlight === at);
  if (all === undefined || sync === undefined || sync.msgsPerS === 0)
    return '- CONTROLLER (allAckInSyncStateSet) vs SYNC_MASTER: not measured in this run';
  const ratio = all.msgsPerS / sync.msgsPerS;
  return `- CONTROLLER (allAckInSyncStateSet=true, 2 replicas) vs SYNC_MASTER at ${at} in flight: ${all.msgsPerS} / ${sync.msgsPerS} msgs/s = ${(ratio * 100).toFixed(1)} % (target >= 90 %: ${ratio >= 0.9 ? 'met' : 'MISSED'})`;
}

function dledgerLine(rows: readonly HaRow[]): string {
  const at = Math.max(...rows.map((r) => r.inFlight));
  const raft = rows.find((r) => r.setup === HaSetup.DLEDGER && r.inFlight === at);
  const sync = rows.find((r) => r.setup === HaSetup.SYNC_MASTER && r.inFlight === at);
  if (raft === undefined || sync === undefined || sync.msgsPerS === 0)
    return '- DLEDGER vs SYNC_MASTER: not measured in this run';
  const ratio = raft.msgsPerS / sync.msgsPerS;
  const verdict = at === 256 ? ` (target >= 70 %: ${ratio >= 0.7 ? 'met' : 'MISSED'})` : '';
  return `- DLEDGER (3 members) vs SYNC_MASTER at ${at} in flight: ${raft.msgsPerS} / ${sync.msgsPerS} msgs/s = ${(ratio * 100).toFixed(1)} %${verdict}`;
}

export function renderHaReport(
  options: HaBenchOptions,
  rows: readonly HaRow[],
  command: string,
  load: string,
): string {
  const m = machineInfo(tmpdir());
  const table = markdownTable(
    [
      'setup',
      'in flight',
      'msgs/s',
      'p50 ms',
      'p99 ms',
      'replicated MB/s',
      'lag p50 KiB',
      'lag p99 KiB',
      'lag max KiB',
      'lag at stop KiB',
      'catch-up ms',
      'master loop p99 ms',
      'slave loop p99 ms',
      'broker CPU us/msg',
      'broker peak RSS MiB',
      'note',
    ],
    // Right-aligned: every column but the first (setup) and the last (note).
    [false, ...Array.from({ length: 14 }, () => true), false],
    rows.map((r) => [
      r.setup,
      String(r.inFlight),
      String(r.msgsPerS),
      num(r.p50Ms),
      num(r.p99Ms),
      r.replicatedBytesPerS === null ? '-' : (r.replicatedBytesPerS / 1e6).toFixed(1),
      kib(r.lagP50Bytes),
      kib(r.lagP99Bytes),
      kib(r.lagMaxBytes),
      kib(r.lagAtStopBytes),
      num(r.catchUpMs, 1),
      num(r.masterLoopP99Ms),
      num(r.slaveLoopP99Ms),
      num(r.brokerCpuUsPerMsg, 1),
      num(r.brokerPeakRssMiB, 0),
      r.note,
    ]),
  );
  return [
    `### Master/Slave (${options.flush}, ${m.date.slice(0, 10)})`,
    '',
    `Machine: ${machineLine(m)}; load average (1 / 5 / 15 min) ${load}.`,
    '',
    `${options.sizeBytes}-byte bodies, ${options.queues} queues, ${options.warmupS} s warm-up and ${options.durationS} s measured per row, lag sampled every ${options.sampleMs} ms.`,
    '',
    `Command: \`${command}\``,
    '',
    ...table,
    '',
    'Targets:',
    '',
    targetLine(rows),
    dledgerLine(rows),
    controllerLine(rows),
    '',
  ].join('\n');
}

const REPORT_HEADER = `# Master/Slave benchmark (petrel bench ha)

Written by \`bench/e2e/ha-bench.ts\` (see its header). A NameServer, the master and (except in the
standalone rows) its slave run as child processes on loopback; the producer runs in the benchmark
process; all share the machine's cores. Each setup starts on empty stores.

- msgs/s, p50, p99: a closed loop of N concurrent \`send\` calls; only SEND_OK counts, latency is
  send to acknowledgement. A SYNC_MASTER acknowledges once its slave has the bytes.
- replicated MB/s: growth of the master's \`push2SlaveMaxOffset\` (the highest offset a slave
  acknowledged) over the window.
- lag: \`slaveFallBehindMuch\` (commitLogMaxOffset - push2SlaveMaxOffset) from
  GET_BROKER_RUNTIME_INFO, sampled during the window; "at stop" is when the last send was
  acknowledged, "catch-up" how long the slave then took to acknowledge the whole log.
- loop p99: \`perf_hooks.monitorEventLoopDelay\` (1 ms resolution) in each broker process (preloaded
  \`dist/bench/e2e/loop-delay-probe.js\`), how late the main event loop was beyond 1 ms.
- broker CPU us/msg: user + system CPU time of every broker process of the setup (/proc) over the
  window, per acknowledged message; it moves much less than msgs/s when the machine is shared.
- broker peak RSS: the largest VmHWM (peak resident memory) among the setup's brokers at the end
  of the window.

`;

function printRow(r: HaRow): void {
  console.log(
    `${r.setup} x${r.inFlight}: ${r.msgsPerS} msgs/s p50 ${num(r.p50Ms)} ms p99 ${num(r.p99Ms)} ms, replicated ${r.replicatedBytesPerS === null ? '-' : (r.replicatedBytesPerS / 1e6).toFixed(1)} MB/s, lag p99 ${kib(r.lagP99Bytes)} KiB, catch-up ${num(r.catchUpMs, 1)} ms, loop p99 master ${num(r.masterLoopP99Ms)} slave ${num(r.slaveLoopP99Ms)} ms, broker CPU ${num(r.brokerCpuUsPerMsg, 1)} us/msg, peak RSS ${num(r.brokerPeakRssMiB, 0)} MiB${r.note ? ` (${r.note})` : ''}`,
  );
}

/** 1, 5 and 15 minute load averages: the machine is shared, so the report says how busy it was. */
function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}

/** Runs the benchmark; prints and (unless --out=none) records the table. Returns an exit code. */
export async function runHaBench(
  args: readonly string[],
  command = args.length === 0 ? 'npm run bench:ha' : `npm run bench:ha -- ${args.join(' ')}`,
): Promise<number> {
  const options = parseHaBenchArgs(args);
  const loadBefore = loadAverage();
  const dir = mkdtempSync(join(tmpdir(), 'petrel-ha-bench-'));
  const body = Buffer.alloc(options.sizeBytes, 0x61);
  const rows: HaRow[] = [];
  try {
    for (const setup of options.setups) {
      const cluster = await startHaCluster(dir, setup, options);
      try {
        for (const inFlight of options.inFlights) {
          const row = await runWindow(cluster, setup, inFlight, options, body);
          rows.push(row);
          printRow(row);
        }
      } finally {
        await cluster.stop();
      }
    }
    const load = `before the run ${loadBefore}, after ${loadAverage()}`;
    const section = renderHaReport(options, rows, command, load);
    console.log(`\n${section}`);
    if (options.out !== null) writeSection(options.out, REPORT_HEADER, 'ha', section);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  runHaBench(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(error instanceof MqError && error.code === ErrorCode.USAGE ? 2 : 1);
    },
  );
}

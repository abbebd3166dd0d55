// Engine benchmark: the embedded store at full speed, beside the physical limits measured in the
// same run on the same disk. Every figure names its durability mode.
//
// Run: npm run bench [-- --seconds 3 --sizes 1024,16384 --in-flight 1,256 --out FILE --dir DIR]
//      (or: petrel bench engine ...; `--name=value` works too)

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ErrorCode, MqError } from '../../common/errors.js';
import { fmt } from '../lib/latency.js';
import { loadAverage, machineInfo, machineLine } from '../lib/machine.js';
import { markdownTable } from '../lib/markdown-report.js';
import type { EngineRun, EngineRunSpec } from './engine-run.js';
import { type DiskLimit, measureCpuFloor, measureDisk } from './physical-limits.js';

interface BenchArgs {
  seconds: number;
  sizes: number[];
  inFlights: number[];
  out: string | undefined;
  dir: string;
  /** Load averages when the run started (the end's are read at render time). */
  loadBefore: string;
}

const KNOWN = ['seconds', 'sizes', 'in-flight', 'out', 'dir'];

/** `--name value` or `--name=value`; an unknown option or a bad number is a usage error. */
function parseArgs(argv: readonly string[]): BenchArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i] ?? '');
    if (match === null || !KNOWN.includes(match[1] ?? ''))
      throw new MqError(ErrorCode.USAGE, `petrel bench engine: unknown argument "${argv[i]}"`);
    values.set(match[1] ?? '', match[2] ?? argv[++i] ?? '');
  }
  const numbers = (name: string, fallback: string) => {
    const list = (values.get(name) ?? fallback).split(',').map(Number);
    if (list.some((n) => !Number.isFinite(n) || n <= 0))
      throw new MqError(ErrorCode.USAGE, `petrel bench engine: --${name} takes positive numbers`);
    return list;
  };
  return {
    seconds: numbers('seconds', '3')[0] ?? 3,
    sizes: numbers('sizes', '1024,16384'),
    inFlights: numbers('in-flight', '1,256'),
    out: values.get('out'),
    dir: values.get('dir') ?? tmpdir(),
    loadBefore: loadAverage(),
  };
}

/** One run in a fresh process: a run must not inherit the heap and JIT state of the previous. */
function runInChild(dir: string, spec: EngineRunSpec, seconds: number): EngineRun {
  const script = fileURLToPath(new URL('./engine-run.js', import.meta.url));
  const child = spawnSync(
    process.execPath,
    ['--enable-source-maps', script, JSON.stringify({ dir, spec, seconds })],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !last.startsWith('{'))
    throw new Error(`engine run ${JSON.stringify(spec)} failed with exit code ${child.status}`);
  return JSON.parse(last) as EngineRun;
}

function find(
  runs: EngineRun[],
  bodyBytes: number,
  flush: string,
  threads: boolean,
  inFlight: number,
): EngineRun | undefined {
  return runs.find(
    (r) =>
      r.bodyBytes === bodyBytes &&
      r.flushDiskType === flush &&
      r.threads === threads &&
      r.inFlight === inFlight,
  );
}

function targets(runs: EngineRun[], floors: Map<number, number>, disk: DiskLimit): string[] {
  const lines: string[] = [];
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const async1k = find(runs, 1024, 'ASYNC_FLUSH', true, 256);
  const floor1k = floors.get(1024);
  if (async1k !== undefined && floor1k !== undefined) {
    const ratio = async1k.msgsPerSec / floor1k;
    lines.push(
      `- 1 KiB, ASYNC_FLUSH, threads, 256 in flight: ${fmt(async1k.msgsPerSec, 0)} msgs/s = ${fmt(ratio * 100)} % of the CPU floor (target >= 80 %: ${verdict(ratio >= 0.8)})`,
    );
  }
  const async16k = find(runs, 16384, 'ASYNC_FLUSH', true, 256);
  if (async16k !== undefined) {
    const ratio = async16k.mbPerSec / disk.mbPerSec;
    lines.push(
      `- 16 KiB, ASYNC_FLUSH, threads, 256 in flight: ${fmt(async16k.mbPerSec)} MB/s = ${fmt(ratio * 100)} % of the disk limit (target >= 60 %: ${verdict(ratio >= 0.6)})`,
    );
  }
  for (const size of [1024, 16384]) {
    const sync = find(runs, size, 'SYNC_FLUSH', true, 256);
    const async = find(runs, size, 'ASYNC_FLUSH', true, 256);
    if (sync === undefined || async === undefined) continue;
    const ratio = sync.msgsPerSec / async.msgsPerSec;
    lines.push(
      `- ${size === 1024 ? '1 KiB' : '16 KiB'}, SYNC_FLUSH vs ASYNC_FLUSH, threads, 256 in flight: ${fmt(ratio * 100)} % (target >= 50 %: ${verdict(ratio >= 0.5)})`,
    );
  }
  const worstLoop = Math.max(...runs.filter((r) => r.threads).map((r) => r.loopDelayP99Ms));
  lines.push(
    `- main event-loop delay p99 with threads, worst run: ${fmt(worstLoop, 2)} ms (target < 10 ms: ${verdict(worstLoop < 10)})`,
  );
  return lines;
}

function render(
  args: BenchArgs,
  disk: DiskLimit,
  floors: Map<number, number>,
  runs: EngineRun[],
  command: string,
): string {
  const m = machineInfo(args.dir);
  const out = [
    `### Engine benchmark, ${m.date.slice(0, 10)}`,
    '',
    `Machine: ${machineLine(m)}`,
    `Command: \`${command}\``,
    '',
  ];
  out.push('Physical limits (same run, same disk):', '');
  out.push(
    `- disk: sequential pwrite of 1 MiB buffers + final fdatasync: ${fmt(disk.mbPerSec)} MB/s`,
  );
  for (const s of disk.syncLatency)
    out.push(
      `- pwrite + fdatasync of ${s.batchBytes / 1024} KiB: p50 ${fmt(s.p50Ms, 2)} ms, p99 ${fmt(s.p99Ms, 2)} ms`,
    );
  for (const [size, floor] of floors)
    out.push(
      `- CPU floor, ${size} B bodies (encode record + CRC into 1 MiB buffers, writeSync): ${fmt(floor, 0)} msgs/s (${fmt(1e6 / floor, 2)} µs of one thread each)`,
    );
  out.push(
    `- load average at the start and the end of the run: ${args.loadBefore}, ${loadAverage()} (the machine may be shared: compare CPU µs/put, which moves far less than msgs/s)`,
  );
  const rows = runs.map((r) => {
    const limit =
      r.bodyBytes >= 16384
        ? `${fmt((r.mbPerSec / disk.mbPerSec) * 100)} % of disk`
        : `${fmt((r.msgsPerSec / (floors.get(r.bodyBytes) ?? 1)) * 100)} % of CPU floor`;
    return [
      `${r.bodyBytes} B`,
      r.flushDiskType,
      String(r.threads),
      String(r.inFlight),
      fmt(r.msgsPerSec, 0),
      fmt(r.mbPerSec),
      fmt(r.putP50Ms, 3),
      fmt(r.putP99Ms, 3),
      fmt(r.loopDelayP99Ms, 2),
      fmt(r.cpuMicrosPerPut, 2),
      limit,
    ];
  });
  const headers = [
    'body',
    'flush',
    'threads',
    'in flight',
    'msgs/s',
    'MB/s',
    'put p50 ms',
    'put p99 ms',
    'loop delay p99 ms',
    'CPU µs/put',
    'vs limit',
  ];
  out.push(
    '',
    ...markdownTable(
      headers,
      headers.map(() => false),
      rows,
    ),
  );
  out.push('', 'Targets:', '', ...targets(runs, floors, disk));
  return out.join('\n');
}

export async function runEngineBench(
  argv: readonly string[],
  command = `npm run bench -- ${argv.join(' ')}`.trim(),
): Promise<string> {
  const args = parseArgs(argv);
  const disk = measureDisk(args.dir, 512);
  const floors = new Map(
    args.sizes.map((size) => [size, measureCpuFloor(args.dir, size, args.seconds).msgsPerSec]),
  );
  const runs: EngineRun[] = [];
  for (const bodyBytes of args.sizes) {
    for (const flushDiskType of ['ASYNC_FLUSH', 'SYNC_FLUSH'] as const) {
      for (const threads of [true, false]) {
        for (const inFlight of args.inFlights) {
          const run = runInChild(
            args.dir,
            { bodyBytes, flushDiskType, threads, inFlight },
            args.seconds,
          );
          process.stderr.write(`${JSON.stringify(run)}\n`);
          runs.push(run);
        }
      }
    }
  }
  const report = render(args, disk, floors, runs, command);
  if (args.out !== undefined) writeFileSync(args.out, `${report}\n`);
  return report;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${await runEngineBench(process.argv.slice(2))}\n`);
}

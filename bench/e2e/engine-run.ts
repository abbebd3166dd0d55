// One engine benchmark run (bench/e2e/engine-bench.ts starts each in its own process): a store
// in this process, `inFlight` concurrent putMessage loops for `seconds`, then the figures as one
// JSON line on stdout.
// Run: node dist/bench/e2e/engine-run.js '{"dir":"/tmp","seconds":3,"spec":{...EngineRunSpec}}'

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { openStore } from '../../engine/index.js';
import { newHistogram, percentileMs, recordSince } from '../lib/latency.js';

export interface EngineRun {
  bodyBytes: number;
  flushDiskType: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  threads: boolean;
  inFlight: number;
  msgsPerSec: number;
  mbPerSec: number;
  putP50Ms: number;
  putP99Ms: number;
  loopDelayP99Ms: number;
  refused: number;
  /**
   * CPU time of the whole process (every thread, user + system) per acknowledged put in the
   * measured window: what a put costs, which moves far less than msgs/s on a shared machine.
   */
  cpuMicrosPerPut: number;
}

export type EngineRunSpec = Pick<EngineRun, 'bodyBytes' | 'flushDiskType' | 'threads' | 'inFlight'>;

/**
 * Writes back what earlier runs left dirty in the page cache and gives the disk a second, so a
 * run is not throttled by its predecessors' writeback (16 KiB runs halved without it).
 */
async function settleDisk(): Promise<void> {
  spawnSync('sync');
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

export async function runOne(dir: string, run: EngineRunSpec, seconds: number): Promise<EngineRun> {
  await settleDisk();
  const root = mkdtempSync(join(dir, 'petrel-bench-'));
  const store = await openStore({
    storePathRootDir: root,
    flushDiskType: run.flushDiskType,
    threads: run.threads,
  });
  const body = Buffer.alloc(run.bodyBytes, 0x61);
  const latency = newHistogram();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  let ok = 0;
  let refused = 0;
  let measuring = false;
  let stop = false;
  const worker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const started = process.hrtime.bigint();
      const result = await store.putMessage({ topic: 'BenchTopic', queueId: (w + i) & 7, body });
      if (!measuring) continue;
      if (result.status === 'PUT_OK') {
        ok++;
        recordSince(latency, started);
      } else refused++;
    }
  };
  const workers = Array.from({ length: run.inFlight }, (_, w) => worker(w));
  await new Promise((resolve) => setTimeout(resolve, 500));
  measuring = true;
  loop.enable();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  measuring = false;
  loop.disable();
  stop = true;
  await Promise.all(workers);
  await store.close();
  rmSync(root, { recursive: true, force: true });
  return {
    ...run,
    msgsPerSec: ok / elapsed,
    mbPerSec: (ok * run.bodyBytes) / elapsed / 1e6,
    putP50Ms: percentileMs(latency, 50),
    putP99Ms: percentileMs(latency, 99),
    loopDelayP99Ms: percentileMs(loop, 99),
    refused,
    cpuMicrosPerPut: (cpu.user + cpu.system) / Math.max(1, ok),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { dir, spec, seconds } = JSON.parse(process.argv[2] ?? '{}') as {
    dir: string;
    spec: EngineRunSpec;
    seconds: number;
  };
  process.stdout.write(`${JSON.stringify(await runOne(dir, spec, seconds))}\n`);
  process.exit(0);
}

// Cross-thread throughput of the SPSC ring, in the two directions the engine uses:
// - worker -> main: a worker produces (reserve, copy, commit; waitForSpace when full) and the main
//   thread drains, sleeping in waitForDataAsync when the ring is empty (the completion ring);
// - main -> worker: the main thread produces with tryWrite (waitForSpaceAsync when full) and a
//   worker drains with waitForData (the append ring).
// Each run moves a fixed number of records through a 1 MiB ring; after one warm-up run each way,
// every case runs three times and the median is reported as records/s and MB/s of payload. Time
// runs from the start signal to the last record (worker -> main) or from the first write to the
// consumer's CLOSED reply (main -> worker, one extra message round trip).
//
// Run: npx tsc -p . && node --enable-source-maps dist/bench/micro/spsc-ring-threads.bench.js

import { pathToFileURL } from 'node:url';
import { spawnWorker } from '../../workers/host/worker-host.js';
import { SpscRing } from '../../workers/ring/spsc-ring.js';

const RING_BYTES = 1024 * 1024;
const workerEntry = new URL('./ring-bench-worker.js', import.meta.url);

export interface ThreadRun {
  direction: 'worker -> main' | 'main -> worker';
  payloadBytes: number;
  records: number;
  seconds: number;
}

async function workerToMain(payloadBytes: number, records: number): Promise<ThreadRun> {
  const ring = SpscRing.create(RING_BYTES);
  const start = SpscRing.create(64);
  const data = { role: 'produce', sab: ring.sab, startSab: start.sab, records, payloadBytes };
  const handle = await spawnWorker({
    entry: workerEntry,
    workerData: data,
    readyTimeoutMs: 10_000,
    name: 'producer',
  });
  handle.onExit(() => ring.fail());
  const started = performance.now();
  start.tryWrite(1, new Uint8Array(0));
  let seen = 0;
  const visit = (): void => {
    seen++;
  };
  for (;;) {
    if (ring.drain(visit) > 0) continue;
    if (!(await ring.waitForDataAsync(10_000))) break;
  }
  const seconds = (performance.now() - started) / 1000;
  if (seen !== records || ring.state !== 'CLOSED')
    throw new Error(`received ${seen} of ${records}`);
  await handle.close(10_000);
  return { direction: 'worker -> main', payloadBytes, records, seconds };
}

async function mainToWorker(payloadBytes: number, records: number): Promise<ThreadRun> {
  const ring = SpscRing.create(RING_BYTES);
  const data = { role: 'consume', sab: ring.sab, startSab: ring.sab, records, payloadBytes };
  const handle = await spawnWorker({
    entry: workerEntry,
    workerData: data,
    readyTimeoutMs: 10_000,
    name: 'consumer',
  });
  handle.onExit(() => ring.fail());
  const payload = Buffer.alloc(payloadBytes, 0x5a);
  const started = performance.now();
  for (let seq = 0; seq < records; ) {
    payload.writeUInt32LE(seq, 0);
    const status = ring.tryWrite(1, payload);
    if (status === 'OK') seq++;
    else if (status === 'RING_CLOSED' || !(await ring.waitForSpaceAsync(payloadBytes, 10_000))) {
      throw new Error(`producer stopped at ${seq}: ring ${ring.state}`);
    }
  }
  ring.close();
  const result = await handle.close(60_000);
  const seconds = (performance.now() - started) / 1000;
  if (result.outcome !== 'CLOSED') throw new Error(`consumer ended ${result.outcome}`);
  return { direction: 'main -> worker', payloadBytes, records, seconds };
}

/** Record counts that move about 2 GiB of payload (fewer for small records). */
function recordsFor(payloadBytes: number): number {
  return Math.min(6_000_000, Math.floor((2 * 1024 * 1024 * 1024) / payloadBytes));
}

function median(runs: ThreadRun[]): ThreadRun {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error('no runs');
  return middle;
}

/** For each size and direction, the median of `repeats` runs (after one warm-up run each way). */
export async function runSpscRingThreadsBench(
  sizes: readonly number[],
  repeats: number,
): Promise<ThreadRun[]> {
  await workerToMain(64, 200_000);
  await mainToWorker(64, 200_000);
  const runs: ThreadRun[] = [];
  for (const payloadBytes of sizes) {
    const records = recordsFor(payloadBytes);
    const toMain: ThreadRun[] = [];
    const toWorker: ThreadRun[] = [];
    for (let i = 0; i < repeats; i++) {
      toMain.push(await workerToMain(payloadBytes, records));
      toWorker.push(await mainToWorker(payloadBytes, records));
    }
    runs.push(median(toMain), median(toWorker));
  }
  return runs;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const runs = await runSpscRingThreadsBench([64, 1024, 16 * 1024], 3);
  console.log(
    `spsc-ring across threads: node ${process.version}, ring ${RING_BYTES} B, median of 3`,
  );
  console.table(
    runs.map((run) => ({
      direction: run.direction,
      payload: `${run.payloadBytes} B`,
      records: run.records.toLocaleString('en-US'),
      seconds: Number(run.seconds.toFixed(3)),
      'records/s': Math.round(run.records / run.seconds).toLocaleString('en-US'),
      'MB/s': Math.round((run.records * run.payloadBytes) / run.seconds / 1e6).toLocaleString(
        'en-US',
      ),
    })),
  );
}

// Same-thread throughput of the SPSC ring: one task per record size writes a batch of records and
// drains them, so each iteration pays the producer path (reserve, copy, commit, publish) and the
// consumer path (header checks, visit, one release store) for the whole batch. Cross-thread
// figures are in spsc-ring-threads.bench.ts.
//
// Run: npx tsc -p . && node --enable-source-maps dist/bench/micro/spsc-ring.bench.js

import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { recordBytesFor } from '../../workers/ring/ring-layout.js';
import { SpscRing } from '../../workers/ring/spsc-ring.js';

const RING_BYTES = 1024 * 1024;
const SIZES = [64, 1024, 16 * 1024] as const;

interface Case {
  name: string;
  payloadBytes: number;
  batch: number;
}

export const cases: Case[] = [];
export const spscRingBench = new Bench({
  name: 'spsc-ring same thread',
  time: 1500,
  warmupTime: 300,
});

let sink = 0;
const visit = (_type: number, _flags: number, payloadIndex: number, payloadBytes: number): void => {
  sink = (sink + payloadIndex + payloadBytes) | 0;
};

for (const payloadBytes of SIZES) {
  const ring = SpscRing.create(RING_BYTES);
  const payload = Buffer.alloc(payloadBytes, 0xab);
  // A batch fills at most half the ring, so a write never finds it full.
  const batch = Math.min(256, Math.floor(RING_BYTES / 2 / recordBytesFor(payloadBytes)));
  const copyName = `tryWrite + drain, ${payloadBytes} B x ${batch}`;
  cases.push({ name: copyName, payloadBytes, batch });
  spscRingBench.add(copyName, () => {
    for (let i = 0; i < batch; i++) {
      if (ring.tryWrite(1, payload) !== 'OK') throw new Error('ring unexpectedly full');
    }
    if (ring.drain(visit) !== batch) throw new Error('drain lost records');
  });
  const inPlaceName = `reserve + commit (no copy) + drain, ${payloadBytes} B x ${batch}`;
  cases.push({ name: inPlaceName, payloadBytes, batch });
  spscRingBench.add(inPlaceName, () => {
    for (let i = 0; i < batch; i++) {
      const index = ring.reserve(payloadBytes);
      if (index < 0) throw new Error('ring unexpectedly full');
      ring.view.setUint32(index, i, true);
      ring.commit(1);
    }
    if (ring.drain(visit) !== batch) throw new Error('drain lost records');
  });
}

/** One row per task: records/s and MB/s derived from tinybench's per-batch throughput. */
export function report(bench: Bench): Record<string, string | number>[] {
  return bench.tasks.map((task) => {
    const c = cases.find((x) => x.name === task.name);
    const result = task.result;
    if (c === undefined || result.state !== 'completed')
      return { task: task.name, state: result.state };
    // period is total time / iterations, so these are plain averages over the whole run.
    const recordsPerSecond = (c.batch * 1000) / result.period;
    return {
      task: task.name,
      'records/s': Math.round(recordsPerSecond).toLocaleString('en-US'),
      'MB/s': Math.round((recordsPerSecond * c.payloadBytes) / 1e6).toLocaleString('en-US'),
      'ns/record': Number((1e9 / recordsPerSecond).toFixed(1)),
      '±%': Number(((result.latency.moe / result.latency.mean) * 100).toFixed(2)),
      samples: result.latency.df + 1,
    };
  });
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  await spscRingBench.run();
  console.log(`${spscRingBench.name}: node ${process.version}, sink ${sink}`);
  console.table(report(spscRingBench));
}

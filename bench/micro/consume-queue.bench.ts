// ConsumeQueue lookups on real files: read 32 units at a random queue offset (what a pull does
// before it reads the records), and the unit decode alone.
// Run: npx tsc -p . && node --enable-source-maps dist/bench/micro/consume-queue.bench.js

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { createPrng } from '../../common/prng.js';
import { ConsumeQueue, CQ_UNIT_SIZE, readCqUnit } from '../../engine/consumequeue/consume-queue.js';
import { NodeFileIO } from '../../engine/io/node-file-io.js';

const UNITS = 600_000;
const root = mkdtempSync(join(tmpdir(), 'petrel-cq-bench-'));
const cq = new ConsumeQueue(new NodeFileIO(), root, 'Bench', 0, 300_000 * CQ_UNIT_SIZE);
cq.recover();
for (let q = 0; q < UNITS; q++) {
  cq.append(q, q * 1100, 1100, q & 0xff);
  if (q % 4096 === 4095) cq.writePending();
}
cq.writePending();
const prng = createPrng(1);
const target = Buffer.alloc(CQ_UNIT_SIZE * 32);

export const consumeQueueBench = new Bench({ name: 'consume queue', time: 1000, warmupTime: 200 });
consumeQueueBench.add('read 32 units at a random offset (pread)', () => {
  cq.read(prng.int(0, UNITS - 33), 32, target);
});
consumeQueueBench.add('decode 32 units', () => {
  for (let i = 0; i < 32; i++) readCqUnit(target, i * CQ_UNIT_SIZE);
});

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  await consumeQueueBench.run();
  console.table(consumeQueueBench.table());
  cq.close();
  rmSync(root, { recursive: true, force: true });
}

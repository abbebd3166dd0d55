// Worker side of spsc-ring-threads.bench.ts: produces or consumes `records` records of
// `payloadBytes` as fast as the ring allows, sleeping in a blocking wait (waitForSpace /
// waitForData) only when it must.

import { runWorker } from '../../workers/host/worker-side.js';
import { SpscRing } from '../../workers/ring/spsc-ring.js';

interface Data {
  role: 'produce' | 'consume';
  sab: SharedArrayBuffer;
  /** A producer starts when a record arrives here, so spawn time stays out of the figures. */
  startSab: SharedArrayBuffer;
  records: number;
  payloadBytes: number;
}

function produce(ring: SpscRing, records: number, payloadBytes: number): void {
  const payload = Buffer.alloc(payloadBytes, 0x5a);
  for (let seq = 0; seq < records; ) {
    const index = ring.reserve(payloadBytes);
    if (index < 0) {
      if (!ring.waitForSpace(payloadBytes, 10_000)) throw new Error(`producer stalled at ${seq}`);
      continue;
    }
    ring.bytes.set(payload, index);
    ring.view.setUint32(index, seq, true);
    ring.commit(1);
    seq++;
  }
  ring.close();
}

function consume(ring: SpscRing, records: number): void {
  let next = 0;
  const visit = (_type: number, _flags: number, payloadIndex: number): void => {
    if (ring.view.getUint32(payloadIndex, true) !== next)
      throw new Error(`out of order at ${next}`);
    next++;
  };
  for (;;) {
    if (ring.drain(visit) > 0) continue;
    if (ring.waitForData(10_000)) continue;
    if (ring.state === 'CLOSED') break;
    throw new Error(`consumer stalled at ${next}`);
  }
  if (next !== records) throw new Error(`consumed ${next} of ${records}`);
}

runWorker<Data>((context) => {
  const { role, records, payloadBytes } = context.data;
  const ring = SpscRing.attach(context.data.sab);
  context.onControl((message) => {
    if (message.type === 'CLOSE') context.closed();
  });
  context.ready();
  if (role === 'produce') {
    const start = SpscRing.attach(context.data.startSab);
    if (!start.waitForData(10_000)) throw new Error('no start signal');
    produce(ring, records, payloadBytes);
  } else consume(ring, records);
});

// Multi-thread stress of the SPSC ring across real worker threads. Single-thread tests prove the
// logic; these catch ordering mistakes and lost wake-ups that only show with two threads:
// - millions of records (sequence number, length, type, flags and a body checksum all checked in
//   order) in both directions: worker producer -> main consumer with waitForDataAsync, and main
//   producer with waitForSpaceAsync -> worker consumer with waitForData; small rings force
//   frequent WRAP records, full rings and sleeps on both sides;
// - ping-pong, where every round needs a wake-up and a lost one stalls until a timeout: between
//   two workers (Atomics.wait on both sides, with random spins so each publish lands anywhere on
//   the way into the other side's sleep), and between a worker and the main thread (waitAsync).
// Bounded: a few seconds on a loaded 2-core machine. PETREL_LONG=1 multiplies the counts by 10.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MqError } from '../../../../common/errors.js';
import { spawnWorker, type WorkerHandle } from '../../../../workers/host/worker-host.js';
import { SpscRing } from '../../../../workers/ring/spsc-ring.js';
import {
  checkStressRecord,
  payloadBytesFor,
  STATS_SLOTS,
  StatsSlot,
  writeStressRecord,
} from '../../../fixtures/workers/stress-records.js';
import { isLongRun, testSeeds } from '../../../harness/seed.js';

const scale = isLongRun() ? 10 : 1;
const STREAM_RECORDS = 2_000_000 * scale;
const WORKER_PING_PONG_ROUNDS = 50_000 * scale;
const MAIN_PING_PONG_ROUNDS = 5_000 * scale;
const RING_BYTES = 64 * 1024;
const STALL_TIMEOUT_MS = 10_000;

const fixture = (name: string): URL =>
  new URL(`../../../fixtures/workers/${name}.js`, import.meta.url);

interface Spawned {
  handle: WorkerHandle;
  stats: Int32Array;
  /** Set if the worker dies: then the ring is failed so that no wait on it hangs. */
  exitError: () => MqError | undefined;
}

async function spawnRingWorker(name: string, data: object, rings: SpscRing[]): Promise<Spawned> {
  const stats = new SharedArrayBuffer(STATS_SLOTS * 4);
  const handle = await spawnWorker({
    entry: fixture(name),
    workerData: { ...data, stats },
    readyTimeoutMs: 10_000,
    name,
  });
  let exitError: MqError | undefined;
  handle.onExit((error) => {
    exitError = error;
    for (const ring of rings) ring.fail();
  });
  return { handle, stats: new Int32Array(stats), exitError: () => exitError };
}

function stat(spawned: Spawned, slot: number): number {
  return Atomics.load(spawned.stats, slot);
}

describe('SpscRing across threads', () => {
  it(`carries ${STREAM_RECORDS} records from a worker producer to the main thread`, async () => {
    const ring = SpscRing.create(RING_BYTES);
    const producer = await spawnRingWorker(
      'ring-producer-worker',
      { sab: ring.sab, records: STREAM_RECORDS },
      [ring],
    );
    let next = 0;
    let waits = 0;
    const visit = (type: number, flags: number, payloadIndex: number, payloadBytes: number) => {
      checkStressRecord(ring, next, type, flags, payloadIndex, payloadBytes);
      next++;
    };
    // The ref'd worker keeps the process alive while waitForDataAsync is pending.
    for (;;) {
      if (ring.drain(visit) > 0) continue;
      waits++;
      if (!(await ring.waitForDataAsync(STALL_TIMEOUT_MS))) break;
    }
    assert.equal(producer.exitError(), undefined);
    assert.equal(ring.state, 'CLOSED');
    assert.equal(next, STREAM_RECORDS);
    assert.deepEqual(await producer.handle.close(10_000), { outcome: 'CLOSED' });
    // Wake-ups only for sleepers. One wait call can sleep twice (a WRAP record published on its
    // own wakes the consumer, which finds no record yet and sleeps again), hence the factor 2.
    assert.ok(stat(producer, StatsSlot.SIGNALS) <= 2 * waits + 2);
    assert.ok(ring.signalsSent <= 2 * stat(producer, StatsSlot.WAITS) + 2);
  });

  it(`carries ${STREAM_RECORDS} records from the main thread to a worker consumer`, async () => {
    const ring = SpscRing.create(RING_BYTES);
    const consumer = await spawnRingWorker('ring-consumer-worker', { sab: ring.sab }, [ring]);
    let waits = 0;
    for (let seq = 0; seq < STREAM_RECORDS; ) {
      if (writeStressRecord(ring, seq)) {
        seq++;
        continue;
      }
      waits++;
      if (!(await ring.waitForSpaceAsync(payloadBytesFor(seq), STALL_TIMEOUT_MS))) {
        assert.fail(`producer stalled at record ${seq}: ${consumer.exitError()?.message}`);
      }
    }
    ring.close();
    const result = await consumer.handle.close(30_000);
    assert.deepEqual(result, { outcome: 'CLOSED' }, consumer.exitError()?.message);
    assert.equal(stat(consumer, StatsSlot.RECORDS), STREAM_RECORDS);
    assert.equal(ring.state, 'CLOSED');
    assert.ok(ring.signalsSent <= 2 * stat(consumer, StatsSlot.WAITS) + 2);
    assert.ok(stat(consumer, StatsSlot.SIGNALS) <= 2 * waits + 2);
  });

  it('with deferWakes, wakes a sleeping worker consumer at most once per task of commits', async () => {
    const ring = SpscRing.create(RING_BYTES);
    ring.deferWakes();
    const consumer = await spawnRingWorker('ring-consumer-worker', { sab: ring.sab }, [ring]);
    const records = STREAM_RECORDS / 10;
    let tasks = 0;
    for (let seq = 0; seq < records; ) {
      // One task commits up to 64 records; the deferred wake runs when the task's code is done.
      for (let inTask = 0; inTask < 64 && seq < records; inTask++) {
        if (!writeStressRecord(ring, seq)) break;
        seq++;
      }
      tasks++;
      if (!(await ring.waitForSpaceAsync(payloadBytesFor(seq), STALL_TIMEOUT_MS))) {
        assert.fail(`producer stalled at record ${seq}: ${consumer.exitError()?.message}`);
      }
    }
    ring.close();
    const result = await consumer.handle.close(30_000);
    assert.deepEqual(result, { outcome: 'CLOSED' }, consumer.exitError()?.message);
    assert.equal(stat(consumer, StatsSlot.RECORDS), records);
    assert.ok(stat(consumer, StatsSlot.WAITS) > 0, 'the consumer slept');
    // close() wakes both sides once more: hence the +2.
    assert.ok(ring.signalsSent <= tasks + 2, `${ring.signalsSent} wakes for ${tasks} tasks`);
  });

  it(`loses no wake-up in ${WORKER_PING_PONG_ROUNDS} ping-pong rounds between two workers`, async () => {
    for (const seed of testSeeds(1, 4242)) {
      const ping = SpscRing.create(256);
      const pong = SpscRing.create(256);
      const common = { rounds: WORKER_PING_PONG_ROUNDS, waitTimeoutMs: 2_000 };
      const sides = [
        { role: 'initiator', inbox: pong.sab, outbox: ping.sab, seed },
        { role: 'echo', inbox: ping.sab, outbox: pong.sab, seed: seed + 1 },
      ];
      const spawned = await Promise.all(
        sides.map((side) =>
          spawnRingWorker('ring-ping-pong-worker', { ...common, ...side }, [ping, pong]),
        ),
      );
      const results = await Promise.all(spawned.map((s) => s.handle.close(60_000)));
      for (const [i, s] of spawned.entries()) {
        const what = `seed=${seed} side ${i}: ${s.exitError()?.message ?? 'no exit'}`;
        assert.deepEqual(results[i], { outcome: 'CLOSED' }, what);
        assert.equal(stat(s, StatsSlot.RECORDS), WORKER_PING_PONG_ROUNDS, what);
        assert.equal(stat(s, StatsSlot.TIMEOUTS), 0, `lost wake-up, ${what}`);
        assert.ok(stat(s, StatsSlot.WAITS) > 0, 'the test made the sides sleep');
      }
    }
  });

  it(`loses no wake-up in ${MAIN_PING_PONG_ROUNDS} rounds with the main thread in waitForDataAsync`, async () => {
    const ping = SpscRing.create(256);
    const pong = SpscRing.create(256);
    const echo = await spawnRingWorker(
      'ring-ping-pong-worker',
      {
        role: 'echo',
        inbox: ping.sab,
        outbox: pong.sab,
        rounds: MAIN_PING_PONG_ROUNDS,
        seed: 99,
        waitTimeoutMs: 2_000,
      },
      [ping, pong],
    );
    const payload = new Uint8Array(4);
    const payloadView = new DataView(payload.buffer);
    let received = -1;
    const visit = (_type: number, _flags: number, payloadIndex: number) => {
      received = pong.view.getUint32(payloadIndex, true);
    };
    let sleeps = 0;
    for (let n = 0; n < MAIN_PING_PONG_ROUNDS; n++) {
      payloadView.setUint32(0, n, true);
      assert.equal(ping.tryWrite(1, payload), 'OK');
      while (pong.drain(visit, 1) === 0) {
        sleeps++;
        const woke = await pong.waitForDataAsync(2_000);
        assert.ok(woke, `lost wake-up at round ${n}: ${echo.exitError()?.message ?? 'no exit'}`);
      }
      assert.equal(received, n);
    }
    ping.close();
    assert.deepEqual(await echo.handle.close(10_000), { outcome: 'CLOSED' });
    assert.equal(stat(echo, StatsSlot.TIMEOUTS), 0);
    assert.ok(sleeps > 0);
  });
});

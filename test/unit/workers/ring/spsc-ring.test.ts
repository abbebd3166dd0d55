// Single-thread behaviour of the SPSC ring: framing, wrap-around, full and empty edges, the
// reservation API, closing and failing, and the rule that nobody is notified unless asleep.
// Both sides run on this thread through two views of one buffer, as two threads would.

import assert from 'node:assert/strict';
import { PerformanceObserver } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import {
  HEAD_WORD,
  RECORD_TYPE_WRAP,
  RING_HEADER_BYTES,
  recordBytesFor,
  TAIL_WORD,
} from '../../../../workers/ring/ring-layout.js';
import { RingStatus, SpscRing } from '../../../../workers/ring/spsc-ring.js';

interface Seen {
  type: number;
  flags: number;
  payloadIndex: number;
  payload: Buffer;
}

function drainAll(ring: SpscRing, maxRecords?: number): Seen[] {
  const seen: Seen[] = [];
  ring.drain((type, flags, payloadIndex, payloadBytes) => {
    const payload = Buffer.from(ring.bytes.subarray(payloadIndex, payloadIndex + payloadBytes));
    seen.push({ type, flags, payloadIndex, payload });
  }, maxRecords);
  return seen;
}

function pair(capacityBytes: number): { producer: SpscRing; consumer: SpscRing } {
  const producer = SpscRing.create(capacityBytes);
  return { producer, consumer: SpscRing.attach(producer.sab) };
}

function filled(length: number, start: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (start + i) & 0xff));
}

/** Runs fn with a ref'd timer: a pending Atomics.waitAsync alone does not keep Node alive. */
async function keptAlive<T>(fn: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => undefined, 1000);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

/** A ring whose counters start at `position` (to cross 2^32 quickly). */
function pairAt(
  capacityBytes: number,
  position: number,
): { producer: SpscRing; consumer: SpscRing } {
  const sab = SpscRing.create(capacityBytes).sab;
  const words = new Int32Array(sab);
  Atomics.store(words, HEAD_WORD, position | 0);
  Atomics.store(words, TAIL_WORD, position | 0);
  return { producer: SpscRing.attach(sab), consumer: SpscRing.attach(sab) };
}

describe('SpscRing framing', () => {
  it('shares one data area between the views, after the header', () => {
    const { producer, consumer } = pair(256);
    assert.equal(producer.sab.byteLength, RING_HEADER_BYTES + 256);
    assert.equal(producer.bytes.byteOffset, RING_HEADER_BYTES);
    assert.equal(producer.bytes.byteLength, 256);
    assert.equal(producer.buffer.byteOffset, RING_HEADER_BYTES);
    assert.equal(producer.view.byteLength, 256);
    assert.equal(consumer.capacityBytes, 256);
    assert.equal(producer.tryWrite(7, Buffer.from('hello'), 3), RingStatus.OK);
    const [record] = drainAll(consumer);
    assert.deepEqual(
      { type: record?.type, flags: record?.flags, text: record?.payload.toString() },
      { type: 7, flags: 3, text: 'hello' },
    );
    assert.equal(record?.payloadIndex, 8);
    assert.ok(consumer.isEmpty());
  });

  it('rejects a bad capacity and a buffer that is not a ring', () => {
    assert.throws(() => SpscRing.create(1000), RangeError);
    assert.throws(() => SpscRing.create(32), RangeError);
    assert.throws(() => SpscRing.attach(new SharedArrayBuffer(RING_HEADER_BYTES + 64)), {
      name: 'AssertionError',
    });
    const sab = SpscRing.create(64).sab;
    const longer = new SharedArrayBuffer(sab.byteLength + 8);
    new Uint8Array(longer).set(new Uint8Array(sab));
    assert.throws(() => SpscRing.attach(longer), { name: 'AssertionError' });
  });

  it('carries zero-length payloads in an 8-byte record', () => {
    const { producer, consumer } = pair(64);
    for (let i = 0; i < 8; i++) assert.equal(producer.tryWrite(1 + i, new Uint8Array(0)), 'OK');
    assert.equal(producer.freeBytes(), 0);
    const seen = drainAll(consumer);
    assert.deepEqual(
      seen.map((r) => [r.type, r.payload.length]),
      Array.from({ length: 8 }, (_, i) => [1 + i, 0]),
    );
  });

  it('fills exactly to capacity, then reports RING_FULL until the consumer releases', () => {
    const { producer, consumer } = pair(64);
    for (let i = 0; i < 4; i++) assert.equal(producer.tryWrite(1, filled(8, i)), RingStatus.OK);
    assert.equal(producer.freeBytes(), 0);
    assert.equal(producer.tryWrite(1, new Uint8Array(0)), RingStatus.RING_FULL);
    assert.equal(producer.reserve(0), -1);
    assert.equal(drainAll(consumer, 1).length, 1);
    assert.equal(producer.freeBytes(), 16);
    assert.equal(producer.tryWrite(1, filled(8, 9)), RingStatus.OK);
    assert.equal(producer.tryWrite(1, new Uint8Array(0)), RingStatus.RING_FULL);
    assert.deepEqual(
      drainAll(consumer).map((r) => r.payload[0]),
      [1, 2, 3, 9],
    );
  });

  it('ends the data area with a WRAP record and restarts the record at index 0', () => {
    const { producer, consumer } = pair(128);
    assert.equal(producer.tryWrite(1, filled(40, 0)), 'OK');
    assert.equal(producer.tryWrite(2, filled(40, 1)), 'OK');
    assert.equal(drainAll(consumer).length, 2);
    // The tail is at 96: a 48-byte record does not fit in the 32 bytes left.
    assert.equal(producer.tryWrite(3, filled(40, 2)), 'OK');
    assert.equal(producer.view.getUint32(96, true), 32 - 8);
    assert.equal(producer.view.getUint16(100, true), RECORD_TYPE_WRAP);
    assert.equal(producer.freeBytes(), 128 - 32 - 48);
    const seen = drainAll(consumer);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.payloadIndex, 8);
    assert.deepEqual(seen[0]?.payload, filled(40, 2));
    assert.equal(consumer.freeBytes(), 128);
  });

  it('passes a record of the maximum size once the wrap record is drained', () => {
    const { producer, consumer } = pair(64);
    const max = SpscRing.maxPayloadBytes(64);
    assert.equal(max, 56);
    assert.equal(producer.tryWrite(1, filled(max, 0)), 'OK');
    assert.equal(producer.freeBytes(), 0);
    assert.equal(drainAll(consumer)[0]?.payload.length, max);
    assert.equal(producer.tryWrite(2, filled(16, 1)), 'OK');
    assert.equal(drainAll(consumer).length, 1);
    // Empty ring with the tail at 24: the record must start at 0, behind a WRAP of 40 bytes.
    assert.equal(producer.tryWrite(3, filled(max, 2)), RingStatus.RING_FULL);
    assert.equal(consumer.isEmpty(), false);
    assert.equal(drainAll(consumer).length, 0);
    assert.ok(consumer.isEmpty());
    assert.equal(producer.tryWrite(3, filled(max, 2)), 'OK');
    assert.deepEqual(drainAll(consumer)[0]?.payload, filled(max, 2));
    assert.throws(() => producer.reserve(max + 1), { name: 'AssertionError' });
  });

  it('counts positions across 2^32 without losing a record', () => {
    const start = 2 ** 32 - 8 * 40;
    const { producer, consumer } = pairAt(256, start);
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 100; round++) {
      while (producer.tryWrite(1 + (next % 5), filled(next % 23, next)) === 'OK') next++;
      for (const record of drainAll(consumer)) {
        assert.equal(record.type, 1 + (expected % 5));
        assert.deepEqual(record.payload, filled(expected % 23, expected));
        expected++;
      }
    }
    assert.equal(expected, next);
    const tail = Atomics.load(new Int32Array(producer.sab), TAIL_WORD) >>> 0;
    assert.ok(tail < start, 'the tail counter wrapped around 2^32');
  });
});

describe('SpscRing reservations', () => {
  it('lets the producer encode in place and commit fewer bytes than reserved', () => {
    const { producer, consumer } = pair(256);
    const index = producer.reserve(100);
    assert.equal(index, 8);
    const written = producer.buffer.write('shrunk', index);
    producer.commit(9, 1, written);
    assert.equal(producer.freeBytes(), 256 - recordBytesFor(6));
    assert.equal(producer.reserve(0), recordBytesFor(6) + 8);
    producer.commit(10);
    const seen = drainAll(consumer);
    assert.deepEqual(
      seen.map((r) => [r.type, r.flags, r.payload.toString()]),
      [
        [9, 1, 'shrunk'],
        [10, 0, ''],
      ],
    );
  });

  it('asserts on misuse: double reserve, bare commit, bad type, growing commit', () => {
    const { producer } = pair(256);
    assert.throws(() => producer.commit(1), { name: 'AssertionError' });
    assert.ok(producer.reserve(16) >= 0);
    assert.throws(() => producer.reserve(16), { name: 'AssertionError' });
    assert.throws(() => producer.commit(0), { name: 'AssertionError' });
    assert.throws(() => producer.commit(RECORD_TYPE_WRAP), { name: 'AssertionError' });
    assert.throws(() => producer.commit(1, 0x10000), { name: 'AssertionError' });
    assert.throws(() => producer.commit(1, 0, 17), { name: 'AssertionError' });
    producer.cancelReservation();
    assert.equal(producer.freeBytes(), 256);
    assert.throws(() => producer.reserve(-1), { name: 'AssertionError' });
    assert.throws(() => producer.reserve(1.5), { name: 'AssertionError' });
  });
});

describe('SpscRing consumer', () => {
  it('honours maxRecords and keeps the rest for the next drain', () => {
    const { producer, consumer } = pair(1024);
    for (let i = 0; i < 10; i++) producer.tryWrite(1, filled(3, i));
    assert.equal(drainAll(consumer, 4).length, 4);
    assert.deepEqual(
      drainAll(consumer).map((r) => r.payload[0]),
      [4, 5, 6, 7, 8, 9],
    );
  });

  it('releases the records a throwing visitor finished and keeps the one it threw on', () => {
    const { producer, consumer } = pair(1024);
    for (let i = 0; i < 5; i++) producer.tryWrite(1, filled(1, i));
    let calls = 0;
    assert.throws(() =>
      consumer.drain(() => {
        calls++;
        if (calls === 3) throw new Error('visitor failed');
      }),
    );
    assert.deepEqual(
      drainAll(consumer).map((r) => r.payload[0]),
      [2, 3, 4],
    );
  });

  it('runs beforeRelease while the visited records still hold their room, also after a throw', () => {
    const { producer, consumer } = pair(256);
    for (let i = 0; i < 3; i++) producer.tryWrite(1, filled(40, i));
    const freeBefore = producer.freeBytes();
    const seen: number[] = [];
    consumer.drain(
      () => undefined,
      2,
      () => seen.push(producer.freeBytes()),
    );
    assert.deepEqual(seen, [freeBefore], 'called once, before the room was given back');
    assert.ok(producer.freeBytes() > freeBefore);
    assert.throws(() =>
      consumer.drain(
        () => {
          throw new Error('visitor failed');
        },
        1,
        () => seen.push(-1),
      ),
    );
    assert.deepEqual(seen, [freeBefore], 'nothing released, nothing to run before it');
    producer.tryWrite(1, filled(40, 3));
    let calls = 0;
    assert.throws(() =>
      consumer.drain(
        () => {
          calls++;
          if (calls === 2) throw new Error('visitor failed');
        },
        undefined,
        () => seen.push(-2),
      ),
    );
    assert.deepEqual(seen, [freeBefore, -2], 'the finished record is released after it');
  });

  it('asserts on a corrupt record header instead of reading past it', () => {
    const { producer, consumer } = pair(256);
    producer.tryWrite(1, filled(16, 0));
    producer.view.setUint32(0, 4000, true);
    assert.throws(() => drainAll(consumer), { name: 'AssertionError' });
    producer.view.setUint32(0, 16, true);
    producer.view.setUint16(4, 0, true);
    assert.throws(() => drainAll(consumer), { name: 'AssertionError' });
    producer.view.setUint16(4, 1, true);
    producer.view.setUint32(0, 40, true);
    assert.throws(() => drainAll(consumer), { name: 'AssertionError' }, 'past the tail');
  });
});

describe('SpscRing close and fail', () => {
  it('refuses new records after close and still delivers the committed ones', () => {
    const { producer, consumer } = pair(256);
    producer.tryWrite(1, filled(4, 0));
    producer.close();
    assert.equal(producer.state, 'CLOSING');
    assert.equal(producer.tryWrite(1, filled(4, 1)), RingStatus.RING_CLOSED);
    assert.equal(producer.reserve(0), -1);
    assert.equal(consumer.waitForData(0), true);
    assert.equal(drainAll(consumer).length, 1);
    assert.equal(consumer.state, 'CLOSED');
    assert.equal(consumer.waitForData(1000), false);
    assert.equal(producer.waitForSpace(0, 1000), false);
    producer.close();
    producer.fail();
    assert.equal(producer.state, 'CLOSED');
  });

  it('closes an empty ring at once', () => {
    const { producer, consumer } = pair(64);
    consumer.close();
    assert.equal(producer.state, 'CLOSED');
    assert.equal(producer.tryWrite(1, new Uint8Array(1)), RingStatus.RING_CLOSED);
  });

  it('drops everything on fail and wakes waiters with false', () =>
    keptAlive(async () => {
      const { producer, consumer } = pair(64);
      producer.tryWrite(1, filled(4, 0));
      const waiting = producer.waitForSpaceAsync(56, 60_000);
      consumer.fail();
      assert.equal(await waiting, false);
      assert.equal(consumer.state, 'FAILED');
      assert.equal(drainAll(consumer).length, 0);
      assert.equal(consumer.waitForData(1000), false);
      assert.equal(producer.tryWrite(1, filled(4, 0)), RingStatus.RING_CLOSED);
    }));

  it('wakes a consumer waiting on an empty ring when the producer closes it', () =>
    keptAlive(async () => {
      const { producer, consumer } = pair(64);
      const waiting = consumer.waitForDataAsync(60_000);
      producer.close();
      assert.equal(await waiting, false);
      assert.equal(consumer.state, 'CLOSED');
    }));
});

describe('SpscRing wake-ups', () => {
  it('sends no notify while nobody sleeps', () => {
    const { producer, consumer } = pair(4096);
    let visited = 0;
    for (let i = 0; i < 10_000; i++) {
      producer.tryWrite(1, filled(i % 100, i));
      if (i % 7 === 0) visited += consumer.drain(() => undefined);
    }
    visited += consumer.drain(() => undefined);
    assert.equal(visited, 10_000);
    assert.equal(producer.signalsSent, 0);
    assert.equal(consumer.signalsSent, 0);
  });

  it('notifies a sleeping consumer once and a sleeping producer once', () =>
    keptAlive(async () => {
      const { producer, consumer } = pair(64);
      const dataReady = consumer.waitForDataAsync(60_000);
      producer.tryWrite(1, filled(48, 0));
      producer.tryWrite(1, new Uint8Array(0));
      assert.equal(await dataReady, true);
      assert.equal(producer.signalsSent, 1);
      const spaceReady = producer.waitForSpaceAsync(48, 60_000);
      assert.equal(drainAll(consumer).length, 2);
      assert.equal(await spaceReady, true);
      assert.equal(consumer.signalsSent, 1);
    }));

  it('times out when nothing arrives and refuses overlapping waits', () =>
    keptAlive(async () => {
      const { consumer } = pair(64);
      assert.equal(consumer.waitForData(0), false);
      assert.equal(consumer.waitForData(2), false);
      const pending = consumer.waitForDataAsync(5);
      await assert.rejects(consumer.waitForDataAsync(5), { name: 'AssertionError' });
      assert.equal(await pending, false);
    }));
});

describe('SpscRing hot path', () => {
  it('allocates nothing per record once optimised (no garbage collection while it runs)', async () => {
    // Counters near 2^32 so positions are not small integers: even then nothing is boxed.
    const { producer, consumer } = pairAt(64 * 1024, 2 ** 32 - 4096);
    const payload = new Uint8Array(40);
    let bytes = 0;
    const visit = (_t: number, _f: number, _i: number, payloadBytes: number): void => {
      bytes += payloadBytes;
    };
    const run = (rounds: number): void => {
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < 64; i++) {
          producer.tryWrite(1, payload);
          producer.reserve(100);
          producer.commit(2, 0, 9);
        }
        consumer.drain(visit);
      }
    };
    run(20_000);
    const gcStarts: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcStarts.push(entry.startTime);
    });
    observer.observe({ entryTypes: ['gc'] });
    const startedMs = performance.now();
    run(20_000);
    const endedMs = performance.now();
    // GC entries arrive late and in order: make garbage until one from after the run shows up.
    for (let tries = 0; tries < 200 && !gcStarts.some((t) => t > endedMs); tries++) {
      assert.equal(Array.from({ length: 100_000 }, (_, i) => ({ i })).length, 100_000);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    observer.disconnect();
    assert.ok(
      gcStarts.some((t) => t > endedMs),
      'a later collection was observed',
    );
    assert.equal(bytes, 40_000 * 64 * (40 + 9));
    const during = gcStarts.filter((t) => t >= startedMs && t <= endedMs);
    assert.deepEqual(during, [], `${during.length} collections during 2.56M records`);
  });
});

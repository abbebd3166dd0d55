// Offsets: a queue's commit offset is its lowest unprocessed offset, so commits never pass a
// message still in the listener whatever order the listener finishes in; the offset table
// commits only what moved (batching) and keeps failed commits dirty.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ConsumeDispatcher } from '../../../client/consume-dispatcher.js';
import { OffsetTable } from '../../../client/offset-store.js';
import { ProcessQueue } from '../../../client/process-queue.js';
import { testSeeds } from '../../harness/seed.js';

const queue = { topic: 'T', brokerName: 'broker-a', queueId: 0 };
const msgs = (...offsets: number[]) => offsets.map((queueOffset) => ({ queueOffset }));

describe('client/process-queue', () => {
  it('commits the lowest unprocessed offset, not the highest processed', () => {
    const pq = new ProcessQueue(queue, 10, 100);
    assert.equal(pq.consumedOffset(), 10);
    pq.addPulled(msgs(10, 11, 13), 15);
    const batch = pq.takeBatch(3);
    assert.equal(pq.inFlightCount, 3);
    pq.finish(
      batch,
      batch.filter((m) => m.queueOffset !== 10),
    );
    assert.equal(pq.consumedOffset(), 10);
    pq.finish(
      [],
      batch.filter((m) => m.queueOffset === 10),
    );
    // 12 and 14 were filtered by tag: the next pull offset covers them.
    assert.equal(pq.consumedOffset(), 15);
    assert.equal(pq.inFlightCount, 0);
  });

  it('keeps failed messages pending and hands them out again when requeued', () => {
    const pq = new ProcessQueue(queue, 0, 100);
    pq.addPulled(msgs(0, 1), 2);
    const [first, second] = pq.takeBatch(2);
    assert.ok(first !== undefined && second !== undefined);
    pq.finish([first, second], [second]);
    assert.equal(pq.consumedOffset(), 0);
    pq.requeue([first]);
    assert.deepEqual(pq.takeBatch(5), [first]);
  });

  it('reports full at pullThresholdForQueue and stops handing out when dropped', () => {
    const pq = new ProcessQueue(queue, 0, 3);
    pq.addPulled(msgs(0, 1), 2);
    assert.equal(pq.isFull, false);
    pq.addPulled(msgs(2), 3);
    assert.equal(pq.isFull, true);
    pq.drop();
    assert.deepEqual(pq.takeBatch(1), []);
    pq.addPulled(msgs(3), 4);
    assert.equal(pq.pendingCount, 3);
  });

  it('moves the pull offset back and drops the pending messages past it', () => {
    const pq = new ProcessQueue(queue, 0, 100);
    pq.addPulled(msgs(0, 1, 2, 3), 4);
    const early = pq.takeBatch(2);
    pq.movePullOffset(2);
    assert.equal(pq.readyCount, 0);
    assert.equal(pq.consumedOffset(), 0);
    pq.finish(early, early);
    assert.equal(pq.consumedOffset(), 2);
    pq.addPulled(msgs(2, 3), 4);
    assert.equal(pq.consumedOffset(), 2);
  });

  it('tells a waiter when the last in-flight batch finishes, not before', async () => {
    const pq = new ProcessQueue(queue, 0, 100);
    await pq.whenNoneInFlight();
    pq.addPulled(msgs(0, 1, 2, 3), 4);
    const first = pq.takeBatch(2);
    const second = pq.takeBatch(2);
    let woken = false;
    const waiting = pq.whenNoneInFlight().then(() => {
      woken = true;
    });
    pq.finish(first, first);
    await Promise.resolve();
    assert.equal(woken, false, 'a batch is still in the listener');
    pq.finish(second, second);
    await waiting;
    assert.equal(woken, true);
  });

  it('rejects offsets out of order', () => {
    const pq = new ProcessQueue(queue, 5, 100);
    assert.throws(() => pq.addPulled(msgs(4), 6));
    pq.addPulled(msgs(5, 7), 8);
    assert.throws(() => pq.addPulled(msgs(7), 9));
  });

  it('never commits past an unprocessed message, for any completion order', () => {
    for (const seed of testSeeds(1, 5200)) {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 40 }),
          fc.array(fc.nat(), { maxLength: 200 }),
          (gaps, picks) => {
            const pq = new ProcessQueue(queue, 0, 10_000);
            let offset = 0;
            const pulled = gaps.map((gap) => {
              offset += gap;
              return { queueOffset: offset - 1 };
            });
            pq.addPulled(pulled, offset);
            const inFlight = pq.takeBatch(pulled.length);
            const done = new Set<number>();
            for (const pick of picks) {
              if (inFlight.length === 0) break;
              const [message] = inFlight.splice(pick % inFlight.length, 1);
              assert.ok(message !== undefined);
              pq.finish([message], [message]);
              done.add(message.queueOffset);
              const committed = pq.consumedOffset();
              for (const m of pulled) {
                if (!done.has(m.queueOffset)) assert.ok(committed <= m.queueOffset);
              }
            }
            if (inFlight.length === 0) assert.equal(pq.consumedOffset(), offset);
          },
        ),
        { seed, numRuns: 300 },
      );
    }
  });
});

describe('client/offset-store', () => {
  it('commits only queues whose offset moved since the last commit', () => {
    const table = new OffsetTable();
    const q1 = { ...queue, queueId: 1 };
    table.update(queue, 5, false);
    table.update(q1, 7, false);
    assert.deepEqual(
      table.dirty().map((d) => d.offset),
      [5, 7],
    );
    table.markCommitted(queue, 5);
    table.markCommitted(q1, 7);
    assert.deepEqual(table.dirty(), []);
    table.update(q1, 9, true);
    assert.deepEqual(table.dirty(), [{ queue: q1, offset: 9 }]);
    // A failed commit leaves it dirty for the next round.
    assert.equal(table.dirty().length, 1);
  });

  it('ignores a lower offset when increaseOnly', () => {
    const table = new OffsetTable();
    table.update(queue, 8, false);
    table.update(queue, 6, true);
    assert.equal(table.read(queue), 8);
    table.update(queue, 6, false);
    assert.equal(table.read(queue), 6);
    table.remove(queue);
    assert.equal(table.read(queue), undefined);
    assert.equal(table.size, 0);
  });
});

describe('client/consume-dispatcher', () => {
  it('bounds concurrent batches overall and messages in flight per queue', async () => {
    const queues = [0, 1, 2].map((queueId) => new ProcessQueue({ ...queue, queueId }, 0, 1000));
    let running = 0;
    let maxRunning = 0;
    const maxPerQueue = new Map<number, number>();
    const releases: (() => void)[] = [];
    const dispatcher = new ConsumeDispatcher<{ queueOffset: number }>({
      maxConcurrentBatches: 4,
      maxInFlightPerQueue: 3,
      batchMaxSize: 2,
      run: async (pq, batch) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        const id = pq.queue.queueId;
        maxPerQueue.set(id, Math.max(maxPerQueue.get(id) ?? 0, pq.inFlightCount));
        await new Promise<void>((resolve) => releases.push(resolve));
        pq.finish(batch, batch);
        running--;
      },
    });
    for (const pq of queues) {
      pq.addPulled(msgs(...Array.from({ length: 10 }, (_, i) => i)), 10);
      dispatcher.notify(pq);
    }
    while (queues.some((pq) => pq.consumedOffset() < 10)) {
      assert.ok(releases.length > 0, 'work remains, so something runs');
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await dispatcher.whenIdle();
    assert.equal(maxRunning, 4);
    for (const max of maxPerQueue.values()) assert.ok(max <= 3);
  });
});

// Rebalance allocation: averagely splits the sorted queues into contiguous blocks over the sorted
// client ids, every consumer computes the same split whatever order it saw the inputs in, and
// the blocks cover every queue exactly once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type AllocateStrategy,
  allocateAveragely,
  allocateAveragelyByCircle,
} from '../../../client/allocate-strategy.js';
import { MessageModel } from '../../../client/consumer-options.js';
import { type MessageQueue, queueKey } from '../../../client/message-queue.js';
import { allocateTopic, diffQueues, planStartOffset } from '../../../client/rebalance.js';
import { testSeeds } from '../../harness/seed.js';

function queues(n: number, brokers = ['broker-a', 'broker-b']): MessageQueue[] {
  const out: MessageQueue[] = [];
  for (const brokerName of brokers) {
    for (let queueId = 0; queueId < n; queueId++) out.push({ topic: 'T', brokerName, queueId });
  }
  return out;
}

const label = (qs: MessageQueue[]) => qs.map((q) => `${q.brokerName.at(-1)}${q.queueId}`);

describe('client/allocate-strategy', () => {
  it('gives contiguous blocks, the first consumers one extra', () => {
    const all = queues(4);
    const ids = ['c3', 'c1', 'c2'];
    const by = (id: string) =>
      label(allocateAveragely({ currentClientId: id, queues: all, clientIds: ids }));
    assert.deepEqual(by('c1'), ['a0', 'a1', 'a2']);
    assert.deepEqual(by('c2'), ['a3', 'b0', 'b1']);
    assert.deepEqual(by('c3'), ['b2', 'b3']);
    assert.deepEqual(by('stranger'), []);
  });

  it('gives one queue each to the first consumers when consumers outnumber queues', () => {
    const all = queues(1);
    const ids = ['c1', 'c2', 'c3'];
    const by = (id: string) =>
      label(allocateAveragely({ currentClientId: id, queues: all, clientIds: ids }));
    assert.deepEqual([by('c1'), by('c2'), by('c3')], [['a0'], ['b0'], []]);
  });

  it('deals queues round robin in the by-circle strategy', () => {
    const all = queues(2);
    const got = allocateAveragelyByCircle({
      currentClientId: 'c2',
      queues: all,
      clientIds: ['c1', 'c2'],
    });
    assert.deepEqual(label(got), ['a1', 'b1']);
  });

  for (const [name, strategy] of [
    ['averagely', allocateAveragely],
    ['by circle', allocateAveragelyByCircle],
  ] as [string, AllocateStrategy][]) {
    it(`${name}: covers every queue once, evenly, whatever the input order`, () => {
      for (const seed of testSeeds(1, 4100)) {
        fc.assert(
          fc.property(
            fc.integer({ min: 0, max: 12 }),
            fc.uniqueArray(fc.stringMatching(/^[a-z0-9@.]{1,8}$/), { minLength: 1, maxLength: 9 }),
            fc.integer(),
            (perBroker, ids, shuffleSeed) => {
              const all = queues(perBroker);
              const shuffled = shuffleSeed & 1 ? [...all].reverse() : [...all];
              const owned = ids.map((id) =>
                strategy({
                  currentClientId: id,
                  queues: id.length % 2 ? all : shuffled,
                  clientIds: [...ids].reverse(),
                }),
              );
              const keys = owned.flat().map(queueKey);
              assert.equal(keys.length, all.length);
              assert.equal(new Set(keys).size, all.length);
              const sizes = owned.map((o) => o.length);
              assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
            },
          ),
          { seed, numRuns: 200 },
        );
      }
    });
  }
});

describe('client/rebalance', () => {
  it('owns every queue in broadcasting mode', () => {
    const all = queues(2);
    const got = allocateTopic(MessageModel.BROADCASTING, allocateAveragely, 'c1', {
      topic: 'T',
      queues: all,
      clientIds: ['c0', 'c1'],
    });
    assert.equal(got.length, 4);
  });

  it('lists the queues to start and to stop', () => {
    const [a0, a1, b0] = queues(2).filter((_, i) => i !== 3) as [
      MessageQueue,
      MessageQueue,
      MessageQueue,
    ];
    const diff = diffQueues([a0, a1], [a1, b0]);
    assert.deepEqual(label(diff.added), ['b0']);
    assert.deepEqual(label(diff.removed), ['a0']);
  });

  it('starts from the committed offset, else where consumeFromWhere says', () => {
    assert.deepEqual(planStartOffset('CONSUME_FROM_LAST_OFFSET', 42, false), {
      kind: 'offset',
      offset: 42,
    });
    assert.deepEqual(planStartOffset('CONSUME_FROM_LAST_OFFSET', null, false), {
      kind: 'maxOffset',
    });
    assert.deepEqual(planStartOffset('CONSUME_FROM_LAST_OFFSET', null, true), {
      kind: 'offset',
      offset: 0,
    });
    assert.deepEqual(planStartOffset('CONSUME_FROM_FIRST_OFFSET', null, false), {
      kind: 'offset',
      offset: 0,
    });
    assert.deepEqual(planStartOffset('CONSUME_FROM_TIMESTAMP', null, false), { kind: 'timestamp' });
    assert.deepEqual(planStartOffset('CONSUME_FROM_TIMESTAMP', null, true), { kind: 'maxOffset' });
    assert.deepEqual(planStartOffset('CONSUME_FROM_TIMESTAMP', 0, true), {
      kind: 'offset',
      offset: 0,
    });
  });
});

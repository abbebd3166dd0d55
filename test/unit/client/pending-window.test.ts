import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PendingWindow } from '../../../client/pending-window.js';
import { testSeeds } from '../../harness/seed.js';

type Op = { kind: 'push'; gap: number } | { kind: 'remove' | 'has' | 'drop'; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), gap: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constantFrom('remove' as const, 'has' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }),
);

describe('client/pending-window', () => {
  it('behaves as a map of pending messages by identity, in offset order, for any operations', () => {
    for (const seed of testSeeds(1, 7100)) {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
          const window = new PendingWindow<{ queueOffset: number }>();
          const model = new Map<number, { queueOffset: number }>();
          const seen: { queueOffset: number }[] = [];
          let next = 0;
          for (const o of ops) {
            if (o.kind === 'push') {
              const message = { queueOffset: next + o.gap - 1 };
              next += o.gap;
              window.push(message);
              model.set(message.queueOffset, message);
              seen.push(message);
            } else if (seen.length > 0) {
              const message = seen[o.pick % seen.length] as { queueOffset: number };
              const isPending = model.get(message.queueOffset) === message;
              if (o.kind === 'has') assert.equal(window.has(message), isPending);
              if (o.kind === 'remove') {
                assert.equal(window.remove(message), isPending);
                if (isPending) model.delete(message.queueOffset);
              }
              if (o.kind === 'drop') {
                window.dropFrom(message.queueOffset);
                for (const key of [...model.keys()])
                  if (key >= message.queueOffset) model.delete(key);
                next = message.queueOffset;
              }
            }
            assert.equal(window.size, model.size);
            assert.equal(
              window.firstOffset(),
              model.size === 0 ? undefined : Math.min(...model.keys()),
            );
          }
          assert.deepEqual([...window.values()], [...model.values()]);
        }),
        { seed, numRuns: 300 },
      );
    }
  });

  it('keeps its arrays near the number of pending messages while a first one stays pending', () => {
    const window = new PendingWindow<{ queueOffset: number }>();
    const stuck = { queueOffset: 0 };
    window.push(stuck);
    for (let offset = 1; offset < 100_000; offset++) {
      const message = { queueOffset: offset };
      window.push(message);
      window.remove(message);
    }
    assert.equal(window.size, 1);
    assert.equal(window.firstOffset(), 0);
    assert.ok(window.has(stuck));
    assert.deepEqual([...window.values()], [stuck]);
    assert.ok(window.slotCount <= 2 * window.size + 64, `${window.slotCount} slots for 1`);
  });

  it('keeps its arrays near the number of pending messages when they finish in order', () => {
    const window = new PendingWindow<{ queueOffset: number }>();
    const pending: { queueOffset: number }[] = [];
    for (let offset = 0; offset < 100_000; offset++) {
      const message = { queueOffset: offset };
      window.push(message);
      pending.push(message);
      if (pending.length > 500) window.remove(pending.shift() as { queueOffset: number });
      assert.ok(window.slotCount <= 2 * window.size + 64, `${window.slotCount} slots`);
    }
    assert.equal(window.size, 500);
    assert.equal(window.firstOffset(), 100_000 - 500);
    assert.deepEqual([...window.values()], pending);
  });
});

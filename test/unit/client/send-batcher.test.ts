// Goal: the producer's batcher keeps its bounds and hands each caller its own outcome. Method: a
// SendBatcher whose send function records the batches it is given (the wire is covered by
// test/integration/client-auto-batch against a real broker).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SendBatcher } from '../../../client/send-batcher.js';

function recorder(fail?: Error) {
  const batches: { topic: string; messages: string[] }[] = [];
  const send = async (topic: string, messages: string[]) => {
    batches.push({ topic, messages: [...messages] });
    if (fail !== undefined) throw fail;
    return messages.map((m) => `${m}@${batches.length}`);
  };
  return { batches, send };
}

describe('SendBatcher', () => {
  it('sends a batch at batchMaxMessages and the rest at the end of the turn', async () => {
    const { batches, send } = recorder();
    const batcher = new SendBatcher(
      { batchMaxMessages: 3, batchMaxBytes: 1000, batchMaxDelayMs: 0 },
      send,
    );
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((m) => batcher.add('T', m, 10)));
    assert.deepEqual(results, ['a@1', 'b@1', 'c@1', 'd@2']);
    assert.deepEqual(
      batches.map((b) => b.messages),
      [['a', 'b', 'c'], ['d']],
    );
    assert.equal(batcher.pendingBatches, 0);
  });

  it('never lets a batch pass batchMaxBytes: a message that would overflow starts the next', async () => {
    const { batches, send } = recorder();
    const batcher = new SendBatcher(
      { batchMaxMessages: 100, batchMaxBytes: 100, batchMaxDelayMs: 0 },
      send,
    );
    await Promise.all([
      batcher.add('T', 'a', 60),
      batcher.add('T', 'b', 30),
      batcher.add('T', 'c', 30),
      batcher.add('T', 'd', 100),
    ]);
    assert.deepEqual(
      batches.map((b) => b.messages),
      [['a', 'b'], ['c'], ['d']],
    );
  });

  it('keeps one batch per topic', async () => {
    const { batches, send } = recorder();
    const batcher = new SendBatcher(
      { batchMaxMessages: 10, batchMaxBytes: 1000, batchMaxDelayMs: 0 },
      send,
    );
    await Promise.all([
      batcher.add('A', 'a1', 1),
      batcher.add('B', 'b1', 1),
      batcher.add('A', 'a2', 1),
    ]);
    assert.deepEqual(batches, [
      { topic: 'A', messages: ['a1', 'a2'] },
      { topic: 'B', messages: ['b1'] },
    ]);
  });

  it('fails every message of a failed batch with the same error', async () => {
    const boom = new Error('broker refused');
    const { send } = recorder(boom);
    const batcher = new SendBatcher(
      { batchMaxMessages: 10, batchMaxBytes: 1000, batchMaxDelayMs: 0 },
      send,
    );
    const outcomes = await Promise.allSettled([batcher.add('T', 'a', 1), batcher.add('T', 'b', 1)]);
    assert.deepEqual(
      outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.value)),
      [boom, boom],
    );
  });

  it('flushAll sends what waits for its delay and resolves once the batches are answered', async () => {
    const { batches, send } = recorder();
    const batcher = new SendBatcher(
      { batchMaxMessages: 10, batchMaxBytes: 1000, batchMaxDelayMs: 10_000 },
      send,
    );
    const pending = batcher.add('T', 'a', 1);
    assert.equal(batches.length, 0, 'waits for more messages');
    await batcher.flushAll();
    assert.equal(await pending, 'a@1');
  });
});

// The producer's automatic batching against a real NameServer and broker (child processes):
// plain sends made together leave as SEND_BATCH_MESSAGE requests of at most batchMaxMessages,
// which the broker stores in one queue with consecutive offsets; each caller gets its own
// UNIQ_KEY, offset id and queue offset, and a consumer reads every message with its own key,
// tag and body. Sends that a batch would change (a selector, a delay) still go one by one, and
// batchMaxDelayMs lets sends of different turns of the event loop share a batch.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../client/admin.js';
import type { MessageExt } from '../../client/message.js';
import type { MessageQueue } from '../../client/message-queue.js';
import { Producer, type ProducerOptions, type SendResult } from '../../client/producer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import { type RealCluster, startRealCluster } from '../harness/real-cluster.js';
import { waitFor } from '../harness/wait-for.js';

let cluster: RealCluster;
let admin: Admin;
const closers: (() => Promise<void>)[] = [];
let seq = 0;

async function createTopic(queues: number): Promise<string> {
  const topic = `AB${++seq}`;
  await admin.createTopic({ topic, readQueueNums: queues, writeQueueNums: queues });
  await waitFor(async () => (await admin.topicRoute(topic)).queueDatas.length === 1, {
    timeoutMs: 10_000,
    what: `route of ${topic}`,
  });
  return topic;
}

async function producer(options: Partial<ProducerOptions>): Promise<Producer> {
  const p = new Producer({
    namesrvAddr: cluster.namesrvAddr,
    groupName: `ABPG${++seq}`,
    ...options,
  });
  await p.start();
  closers.push(() => p.shutdown());
  return p;
}

/** Results in send order that share a queue and run on in consecutive offsets. */
function runsOf(results: readonly SendResult[]): number[] {
  const runs: number[] = [];
  for (const [i, r] of results.entries()) {
    const prev = results[i - 1];
    const continues =
      prev !== undefined &&
      prev.messageQueue.queueId === r.messageQueue.queueId &&
      prev.queueOffset + 1 === r.queueOffset;
    if (continues) runs[runs.length - 1] = (runs.at(-1) ?? 0) + 1;
    else runs.push(1);
  }
  return runs;
}

describe('producer automatic batching against a real broker', { timeout: 120_000 }, () => {
  before(async () => {
    cluster = await startRealCluster([{ brokerName: 'broker-a' }]);
    admin = new Admin({ namesrvAddr: cluster.namesrvAddr });
    await admin.start();
  });

  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await admin?.shutdown();
    await cluster?.stop();
  });

  it('combines sends of one turn into batches; each message keeps its own ids and offset', async () => {
    const topic = await createTopic(4);
    const p = await producer({ batchMaxMessages: 16 });
    const count = 100;
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        p.send({ topic, body: `body-${i}`, keys: `key-${i}`, tags: `t${i % 3}` }),
      ),
    );
    assert.ok(results.every((r) => r.sendStatus === 'SEND_OK'));
    assert.deepEqual(runsOf(results), [16, 16, 16, 16, 16, 16, 4], 'batches of 16 in one queue');
    assert.equal(new Set(results.map((r) => r.msgId)).size, count);
    assert.equal(new Set(results.map((r) => r.offsetMsgId)).size, count);
    assert.ok(results.every((r) => /^[0-9A-F]{32}$/.test(r.offsetMsgId)));
    const places = results.map((r) => `${r.messageQueue.queueId}@${r.queueOffset}`);
    assert.equal(new Set(places).size, count, 'no two messages share a queue offset');

    const received = new Map<string, MessageExt>();
    const consumer = new PushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: `ABCG${++seq}`,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    });
    consumer.subscribe(topic, '*', (messages) => {
      for (const m of messages) received.set(m.msgId, m);
      return ConsumeStatus.CONSUME_SUCCESS;
    });
    await consumer.start();
    closers.push(() => consumer.shutdown());
    await waitFor(() => received.size === count, { timeoutMs: 30_000, what: 'every message' });
    for (const [i, r] of results.entries()) {
      const m = received.get(r.msgId);
      assert.ok(m !== undefined, `message ${i} arrived under its msgId`);
      assert.equal(m.body.toString(), `body-${i}`);
      assert.deepEqual(m.keys, [`key-${i}`]);
      assert.equal(m.tags, `t${i % 3}`);
      assert.equal(m.offsetMsgId, r.offsetMsgId);
      assert.equal(m.queueOffset, r.queueOffset);
      assert.equal(m.queueId, r.messageQueue.queueId);
    }
  });

  it('sends one by one what a batch would change: a selector or a delay', async () => {
    const topic = await createTopic(4);
    const p = await producer({ batchMaxMessages: 16 });
    const toQueue = (i: number) =>
      p.send(
        { topic, body: `s${i}` },
        { selector: (queues) => queues[i % 4] as MessageQueue, arg: i },
      );
    const selected = await Promise.all(Array.from({ length: 8 }, (_, i) => toQueue(i)));
    assert.deepEqual(
      selected.map((r) => r.messageQueue.queueId),
      [0, 1, 2, 3, 0, 1, 2, 3],
    );
    const delayed = await Promise.all(
      Array.from({ length: 4 }, (_, i) => p.send({ topic, body: `d${i}`, delayTimeLevel: 1 })),
    );
    assert.ok(delayed.every((r) => r.sendStatus === 'SEND_OK'));
    assert.deepEqual(runsOf(delayed), [1, 1, 1, 1], 'delayed sends round-robin, not batched');
  });

  it('with batchMaxDelayMs, sends of different turns share a batch', async () => {
    const topic = await createTopic(4);
    const p = await producer({ batchMaxMessages: 64, batchMaxDelayMs: 200 });
    const sends: Promise<SendResult>[] = [];
    for (let i = 0; i < 5; i++) {
      sends.push(p.send({ topic, body: `late-${i}` }));
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(runsOf(await Promise.all(sends)), [5]);
  });

  it('keeps a batch within half of maxMessageSizeBytes whatever batchMaxBytes says', async () => {
    const topic = await createTopic(4);
    const p = await producer({ batchMaxMessages: 64, maxMessageSizeBytes: 8192 });
    const body = Buffer.alloc(1024, 0x41);
    const results = await Promise.all(Array.from({ length: 12 }, () => p.send({ topic, body })));
    assert.ok(results.every((r) => r.sendStatus === 'SEND_OK'));
    assert.deepEqual(runsOf(results), [4, 4, 4], 'batches of 4 KiB of bodies');
  });

  it('refuses batching options out of range with a clear error', () => {
    for (const options of [
      { batchMaxMessages: 0 },
      { batchMaxMessages: 5000 },
      { batchMaxDelayMs: -1 },
    ]) {
      assert.throws(
        () => new Producer({ namesrvAddr: cluster.namesrvAddr, ...options }),
        (error: unknown) => error instanceof RangeError && /Option batchMax/.test(error.message),
      );
    }
  });
});

// Petrel's client against a real NameServer and broker (child processes, temp dirs, port 0):
// every kind of send, clustering with two consumers sharing queues (each message consumed once),
// broadcasting, tag subscriptions, a failed message redelivered through the retry topic, a
// restarted consumer resuming from its committed offset, and the pull consumer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../client/admin.js';
import type { PushConsumerOptions } from '../../client/consumer-options.js';
import type { MessageExt } from '../../client/message.js';
import { Producer, type SendResult } from '../../client/producer.js';
import { PullConsumer } from '../../client/pull-consumer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import { selectQueueByHash } from '../../client/queue-selector.js';
import { type RealCluster, startRealCluster } from '../harness/real-cluster.js';
import { waitFor } from '../harness/wait-for.js';

const TEST_TIMEOUT_MS = 60_000;

let cluster: RealCluster;
let admin: Admin;
let producer: Producer;
const closers: (() => Promise<void>)[] = [];
let seq = 0;

const fast = { pollNameServerIntervalMs: 1000, heartbeatBrokerIntervalMs: 1000 };

async function createTopic(queues = 4): Promise<string> {
  const topic = `CT${process.pid}_${++seq}`;
  await admin.createTopic({ topic, readQueueNums: queues, writeQueueNums: queues });
  await waitFor(() => admin.topicRoute(topic), { timeoutMs: 10_000, what: `route of ${topic}` });
  return topic;
}

function consumer(groupName: string, options: Partial<PushConsumerOptions> = {}): PushConsumer {
  const c = new PushConsumer({
    namesrvAddr: cluster.namesrvAddr,
    groupName,
    ...fast,
    rebalanceIntervalMs: 500,
    persistConsumerOffsetIntervalMs: 500,
    brokerSuspendMaxTimeMs: 2000,
    consumerTimeoutMsWhenSuspend: 5000,
    pullTimeDelayMsWhenException: 300,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    ...options,
  });
  closers.push(() => c.shutdown());
  return c;
}

function bodies(messages: MessageExt[]): string[] {
  return messages.map((m) => m.body.toString());
}

describe('client against a real NameServer and broker', { timeout: 180_000 }, () => {
  before(async () => {
    cluster = await startRealCluster([{ brokerName: 'broker-a' }]);
    admin = new Admin({ namesrvAddr: cluster.namesrvAddr });
    await admin.start();
    producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'ITP', ...fast });
    await producer.start();
  });

  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await producer?.shutdown();
    await admin?.shutdown();
    await cluster?.stop();
  });

  it('sends sync, async, oneway, batch and ordered messages that a consumer reads back', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const topic = await createTopic();
    const sync = await producer.send({ topic, body: 'sync', tags: 'T', keys: 'k-sync' });
    assert.equal(sync.sendStatus, 'SEND_OK');
    assert.equal(sync.messageQueue.brokerName, 'broker-a');
    const viaCallback = await new Promise<SendResult>((resolve, reject) =>
      producer.sendAsync({ topic, body: 'async' }, (error, result) =>
        error === null && result !== null ? resolve(result) : reject(error),
      ),
    );
    assert.equal(viaCallback.sendStatus, 'SEND_OK');
    await producer.sendOneway({ topic, body: 'oneway' });
    const batch = await producer.sendBatch([1, 2, 3].map((i) => ({ topic, body: `batch-${i}` })));
    assert.equal(batch.sendStatus, 'SEND_OK');
    assert.equal(batch.msgId.split(',').length, 3);
    const ordered: SendResult[] = [];
    for (let i = 0; i < 5; i++) {
      ordered.push(
        await producer.sendOrderly({ topic, body: `ordered-${i}` }, selectQueueByHash, 'order-1'),
      );
    }
    const orderedQueue = ordered[0]?.messageQueue.queueId;
    assert.ok(ordered.every((r) => r.messageQueue.queueId === orderedQueue));
    assert.deepEqual(
      ordered.map((r) => r.queueOffset),
      ordered.map((_, i) => (ordered[0]?.queueOffset ?? 0) + i),
    );
    const big = await producer.send({ topic, body: Buffer.alloc(20_000, 'z') });
    assert.equal(big.sendStatus, 'SEND_OK');

    const received: MessageExt[] = [];
    const c = consumer(`ITG_all_${seq}`);
    c.subscribe(topic, '*', (messages) => {
      received.push(...messages);
      return ConsumeStatus.CONSUME_SUCCESS;
    });
    await c.start();
    await waitFor(() => received.length === 12, { timeoutMs: 15_000, what: '12 messages' });
    const names = bodies(received);
    for (const name of ['sync', 'async', 'oneway', 'batch-1', 'batch-2', 'batch-3']) {
      assert.ok(names.includes(name), name);
    }
    const inQueue = received
      .filter((m) => m.queueId === orderedQueue)
      .sort((a, b) => a.queueOffset - b.queueOffset)
      .map((m) => m.body.toString())
      .filter((b) => b.startsWith('ordered-'));
    assert.deepEqual(
      inQueue,
      [0, 1, 2, 3, 4].map((i) => `ordered-${i}`),
    );
    assert.equal(
      received.find((m) => m.body.length === 20_000)?.body.toString(),
      'z'.repeat(20_000),
    );
    const syncMessage = received.find((m) => m.body.toString() === 'sync');
    assert.equal(syncMessage?.msgId, sync.msgId);
    assert.equal(syncMessage?.offsetMsgId, sync.offsetMsgId);
    assert.deepEqual(syncMessage?.keys, ['k-sync']);
  });

  it('shares queues between two clustering consumers and consumes each message once', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const topic = await createTopic(8);
    const group = `ITG_share_${seq}`;
    const counts = new Map<string, number>();
    const make = () => {
      const c = consumer(group);
      c.subscribe(topic, '*', (messages) => {
        for (const m of messages)
          counts.set(m.body.toString(), (counts.get(m.body.toString()) ?? 0) + 1);
        return ConsumeStatus.CONSUME_SUCCESS;
      });
      return c;
    };
    const [c1, c2] = [make(), make()];
    await c1.start();
    await c2.start();
    const owned = (c: PushConsumer) =>
      c.inspect().queues.filter((q) => q.queue.topic === topic).length;
    await waitFor(() => owned(c1) === 4 && owned(c2) === 4, {
      timeoutMs: 15_000,
      what: 'a 4/4 split',
    });
    for (let i = 0; i < 100; i++) await producer.send({ topic, body: `m${i}` });
    await waitFor(() => counts.size === 100, { timeoutMs: 15_000, what: '100 distinct messages' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(
      [...counts.values()].every((n) => n === 1),
      'no message twice',
    );
    assert.ok(c1.inspect().consumedCount > 0);
    assert.ok(c2.inspect().consumedCount > 0);
    assert.equal(c1.inspect().consumedCount + c2.inspect().consumedCount, 100);
  });

  it('broadcasts every message to every consumer', { timeout: TEST_TIMEOUT_MS }, async () => {
    const topic = await createTopic(2);
    const group = `ITG_bcast_${seq}`;
    const got = [new Set<string>(), new Set<string>()];
    for (const seen of got) {
      const c = consumer(group, { messageModel: 'BROADCASTING' });
      c.subscribe(topic, '*', (messages) => {
        for (const m of messages) seen.add(m.body.toString());
        return ConsumeStatus.CONSUME_SUCCESS;
      });
      await c.start();
    }
    for (let i = 0; i < 20; i++) await producer.send({ topic, body: `b${i}` });
    await waitFor(() => got.every((s) => s.size === 20), {
      timeoutMs: 15_000,
      what: 'both saw 20',
    });
  });

  it('delivers only the subscribed tags', { timeout: TEST_TIMEOUT_MS }, async () => {
    const topic = await createTopic(2);
    const received: MessageExt[] = [];
    const c = consumer(`ITG_tags_${seq}`);
    c.subscribe(topic, 'red || blue', (messages) => {
      received.push(...messages);
      return ConsumeStatus.CONSUME_SUCCESS;
    });
    await c.start();
    const tags = ['red', 'green', 'blue', 'green', 'red'];
    for (const [i, tag] of tags.entries())
      await producer.send({ topic, body: `${tag}-${i}`, tags: tag });
    await waitFor(() => received.length === 3, { timeoutMs: 15_000, what: '3 tagged messages' });
    assert.deepEqual(bodies(received).sort(), ['blue-2', 'red-0', 'red-4']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(received.length, 3);
  });

  it('redelivers a failed message through the retry topic', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const topic = await createTopic(1);
    const deliveries: MessageExt[] = [];
    const c = consumer(`ITG_retry_${seq}`, { retryDelayLevel: 1 });
    c.subscribe(topic, '*', (messages) => {
      deliveries.push(...messages);
      if (deliveries.length === 1) throw new Error('first delivery fails');
      return ConsumeStatus.CONSUME_SUCCESS;
    });
    await c.start();
    const sent = await producer.send({ topic, body: 'fragile', tags: 'x' });
    await waitFor(() => deliveries.length >= 2, { timeoutMs: 20_000, what: 'a redelivery' });
    const [first, second] = deliveries;
    assert.equal(first?.reconsumeTimes, 0);
    assert.equal(second?.reconsumeTimes, 1);
    assert.equal(second?.topic, topic);
    assert.equal(second?.body.toString(), 'fragile');
    assert.equal(second?.msgId, sent.msgId);
    assert.equal(c.inspect().sentBackCount, 1);
  });

  it('resumes from the committed offset after a restart', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const topic = await createTopic(2);
    const group = `ITG_restart_${seq}`;
    const first: string[] = [];
    const c1 = consumer(group);
    c1.subscribe(topic, '*', (messages) => {
      first.push(...bodies(messages));
      return ConsumeStatus.CONSUME_SUCCESS;
    });
    await c1.start();
    for (let i = 0; i < 10; i++) await producer.send({ topic, body: `a${i}` });
    await waitFor(() => first.length === 10, { timeoutMs: 15_000, what: 'first 10' });
    await c1.shutdown();
    for (let i = 0; i < 6; i++) await producer.send({ topic, body: `b${i}` });
    const second: string[] = [];
    const c2 = consumer(group);
    c2.subscribe(topic, '*', (messages) => {
      second.push(...bodies(messages));
      return ConsumeStatus.CONSUME_SUCCESS;
    });
    await c2.start();
    await waitFor(() => second.length >= 6, { timeoutMs: 15_000, what: 'the 6 new ones' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(second.sort(), ['b0', 'b1', 'b2', 'b3', 'b4', 'b5']);
  });

  it('pulls with the pull consumer and commits its offsets', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const topic = await createTopic(1);
    for (let i = 0; i < 6; i++)
      await producer.send({ topic, body: `p${i}`, tags: i % 2 ? 'odd' : 'even' });
    const pc = new PullConsumer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: `ITG_pull_${seq}`,
      ...fast,
    });
    await pc.start();
    closers.push(() => pc.shutdown());
    const [queue] = await pc.fetchSubscribeMessageQueues(topic);
    assert.ok(queue !== undefined);
    const result = await pc.pull(queue, 'odd', 0, 32);
    assert.equal(result.pullStatus, 'FOUND');
    assert.deepEqual(bodies(result.messages), ['p1', 'p3', 'p5']);
    assert.equal(result.nextBeginOffset, 6);
    assert.equal(await pc.maxOffset(queue), 6);
    const empty = await pc.pull(queue, '*', 6, 32);
    assert.equal(empty.pullStatus, 'NO_NEW_MSG');
    const waiting = pc.pullBlockIfNotFound(queue, '*', 6, 32);
    await producer.send({ topic, body: 'late' });
    const late = await waiting;
    assert.deepEqual(bodies(late.messages), ['late']);
    pc.updateConsumeOffset(queue, 7);
    await pc.commitOffsets();
    assert.equal(await pc.fetchConsumeOffset(queue, true), 7);
    // An offset recorded for a queue this consumer never pulled is committed at shutdown too.
    const recorder = new PullConsumer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: `ITG_pull_${seq}`,
      ...fast,
    });
    await recorder.start();
    recorder.updateConsumeOffset(queue, 8);
    await recorder.shutdown();
    assert.equal(await pc.fetchConsumeOffset(queue, true), 8);
  });
});

// Petrel's client against a real NameServer and two broker groups (child processes, temp dirs,
// port 0): every kind of send, clustering with two consumers sharing the queues of both groups
// (each message consumed once), broadcasting (offsets in a local file across restarts), tag
// subscriptions, failed messages redelivered through the retry topic after their delay level, a
// restarted consumer resuming from its committed offset, a message whose body does not match its
// BODY_XXH64 held back, and the pull consumer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../client/admin.js';
import type { PushConsumerOptions } from '../../client/consumer-options.js';
import { offsetFilePath } from '../../client/local-offset-file.js';
import type { MessageExt } from '../../client/message.js';
import { Producer, type SendResult } from '../../client/producer.js';
import { PullConsumer } from '../../client/pull-consumer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import { selectQueueByHash } from '../../client/queue-selector.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import { type RealCluster, startRealCluster } from '../harness/real-cluster.js';
import { makeTmpDir } from '../harness/tmp-dir.js';
import { waitFor } from '../harness/wait-for.js';

const TEST_TIMEOUT_MS = 60_000;

let cluster: RealCluster;
let admin: Admin;
let producer: Producer;
const closers: (() => Promise<void>)[] = [];
let seq = 0;

const fast = { pollNameServerIntervalMs: 1000, heartbeatBrokerIntervalMs: 1000 };

/** A topic with `queues` queues on each group (or on broker-a only), once all are routed. */
async function createTopic(queues = 4, onlyA = false): Promise<string> {
  const topic = `CT${process.pid}_${++seq}`;
  const brokerAddr = onlyA ? cluster.brokers[0]?.address : undefined;
  await admin.createTopic({
    topic,
    readQueueNums: queues,
    writeQueueNums: queues,
    ...(brokerAddr === undefined ? {} : { brokerAddr }),
  });
  const groups = onlyA ? 1 : 2;
  await waitFor(async () => (await admin.topicRoute(topic)).queueDatas.length === groups, {
    timeoutMs: 10_000,
    what: `route of ${topic}`,
  });
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

describe('client against a real NameServer and two broker groups', { timeout: 180_000 }, () => {
  before(async () => {
    cluster = await startRealCluster([{ brokerName: 'broker-a' }, { brokerName: 'broker-b' }]);
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
    assert.match(sync.messageQueue.brokerName, /^broker-[ab]$/);
    assert.match(sync.msgId, /^[0-9A-F]{32}$/);
    assert.match(sync.offsetMsgId, /^[0-9A-F]{32}$/);
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
    assert.equal(batch.offsetMsgId.split(',').length, 3);
    const ordered: SendResult[] = [];
    for (let i = 0; i < 5; i++) {
      ordered.push(
        await producer.sendOrderly({ topic, body: `ordered-${i}` }, selectQueueByHash, 'order-1'),
      );
    }
    const orderedQueue = ordered[0]?.messageQueue;
    const isOrderedQueue = (q: { brokerName: string; queueId: number }) =>
      q.brokerName === orderedQueue?.brokerName && q.queueId === orderedQueue.queueId;
    assert.ok(ordered.every((r) => isOrderedQueue(r.messageQueue)));
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
      .filter(isOrderedQueue)
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

  it('shares the queues of both groups between two clustering consumers, each message once', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const topic = await createTopic(4);
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

  it('delivers every body intact from pulls large enough for pooled read buffers', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    // 32 messages of 4 KiB make a pull of about 130 KiB: the broker reads it into a pooled buffer
    // and reuses that buffer once the response is written. Four queues pull at once; the consumer
    // checks every BODY_XXH64, so a buffer reused too early would fail the run.
    const topic = await createTopic(4, true);
    const bodyOf = (i: number) => Buffer.alloc(4096, i % 251).fill(`m${i} `, 0, 8);
    const total = 400;
    for (let i = 0; i < total; i++) await producer.send({ topic, body: bodyOf(i) });
    const received = new Map<string, Buffer>();
    const c = consumer(`ITG_pooled_${seq}`);
    c.subscribe(topic, '*', (messages) => {
      for (const m of messages) received.set(m.body.subarray(0, 8).toString(), Buffer.from(m.body));
      return ConsumeStatus.CONSUME_SUCCESS;
    });
    await c.start();
    await waitFor(() => received.size === total, { timeoutMs: 20_000, what: `${total} bodies` });
    for (let i = 0; i < total; i++)
      assert.deepEqual(received.get(bodyOf(i).subarray(0, 8).toString()), bodyOf(i));
    assert.equal(c.inspect().consumedCount, total);
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
    // Filtered messages are skipped, not left pending: the consumed offsets cover all five.
    const consumed = () =>
      c
        .inspect()
        .queues.filter((q) => q.queue.topic === topic)
        .reduce((sum, q) => sum + q.consumedOffset, 0);
    await waitFor(() => consumed() === tags.length, {
      timeoutMs: 5000,
      what: 'offsets past all 5',
    });
    assert.equal(received.length, 3);
  });

  it('redelivers failed messages through the retry topic after their delay level', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const topic = await createTopic(1);
    const deliveries: { message: MessageExt; atMs: number }[] = [];
    const c = consumer(`ITG_retry_${seq}`, { retryDelayLevel: 1 });
    // The first delivery of each message fails: by a throw, or by asking to reconsume later.
    c.subscribe(topic, '*', (messages) => {
      for (const message of messages) deliveries.push({ message, atMs: performance.now() });
      const fresh = messages.filter((m) => m.reconsumeTimes === 0);
      if (fresh.some((m) => m.body.toString() === 'thrown'))
        throw new Error('first delivery fails');
      return fresh.length > 0 ? ConsumeStatus.RECONSUME_LATER : ConsumeStatus.CONSUME_SUCCESS;
    });
    await c.start();
    for (const [i, body] of ['thrown', 'later'].entries()) {
      const sent = await producer.send({ topic, body, tags: 'x' });
      await waitFor(() => deliveries.filter((d) => d.message.msgId === sent.msgId).length >= 2, {
        timeoutMs: 20_000,
        what: `a redelivery of ${body}`,
      });
      const [first, second] = deliveries.filter((d) => d.message.msgId === sent.msgId);
      assert.equal(first?.message.reconsumeTimes, 0);
      assert.equal(second?.message.reconsumeTimes, 1);
      assert.equal(second?.message.topic, topic);
      assert.equal(second?.message.body.toString(), body);
      // Delay level 1 is one second on the broker (messageDelayLevel "1s 5s ...").
      assert.ok((second?.atMs ?? 0) - (first?.atMs ?? 0) >= 900, 'redelivered after the delay');
      assert.equal(c.inspect().sentBackCount, i + 1);
    }
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
    // Shutdown commits what was consumed to the brokers.
    const progress = await admin.consumerProgress(group, topic);
    assert.equal(
      progress.queues.reduce((sum, q) => sum + q.consumerOffset, 0),
      10,
    );
    assert.equal(progress.diffTotal, 0);
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

  it('keeps broadcasting offsets in a local file across restarts', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const topic = await createTopic(1, true);
    const dir = makeTmpDir('petrel-offsets-');
    closers.push(async () => dir.remove());
    const group = `ITG_file_${seq}`;
    const got: string[] = [];
    const start = async () => {
      const c = consumer(group, {
        messageModel: 'BROADCASTING',
        offsetStoreDir: dir.path,
        instanceName: 'fixed-instance',
      });
      c.subscribe(topic, '*', (messages) => {
        got.push(...bodies(messages));
        return ConsumeStatus.CONSUME_SUCCESS;
      });
      await c.start();
      return c;
    };
    const first = await start();
    for (const body of ['a', 'b', 'c']) await producer.send({ topic, body });
    await waitFor(() => got.length === 3, { timeoutMs: 15_000, what: 'a, b, c' });
    await first.shutdown();
    const file = offsetFilePath(dir.path, first.clientId, group);
    assert.match(readFileSync(file, 'utf8'), /"offset":3/);
    for (const body of ['d', 'e']) await producer.send({ topic, body });
    await start();
    await waitFor(() => got.length === 5, { timeoutMs: 15_000, what: 'd, e' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(got, ['a', 'b', 'c', 'd', 'e']);
  });

  it('never delivers a message whose body does not match its BODY_XXH64', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const topic = await createTopic(1, true);
    // A producer that sends its own, wrong, checksum: the broker stores it as given.
    const careless = new Producer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: 'ITP_careless',
      addBodyChecksum: false,
      ...fast,
    });
    await careless.start();
    closers.push(() => careless.shutdown());
    await careless.send({
      topic,
      body: 'tampered',
      properties: { BODY_XXH64: '0123456789abcdef' },
    });
    const errors: Error[] = [];
    const got: string[] = [];
    const strict = consumer(`ITG_sum_${seq}`, { onError: (error) => errors.push(error) });
    strict.subscribe(topic, '*', (messages) => {
      got.push(...bodies(messages));
      return ConsumeStatus.CONSUME_SUCCESS;
    });
    await strict.start();
    await waitFor(
      () => errors.some((e) => e instanceof MqError && e.code === ErrorCode.CHECKSUM_MISMATCH),
      { timeoutMs: 10_000, what: 'E_CHECKSUM_MISMATCH reported' },
    );
    assert.equal(got.length, 0, 'the tampered message is not delivered');
    assert.equal(strict.inspect().queues.find((q) => q.queue.topic === topic)?.consumedOffset, 0);
    const lenient = consumer(`ITG_nosum_${seq}`, { verifyBodyChecksum: false });
    lenient.subscribe(topic, '*', (messages) => {
      got.push(...bodies(messages));
      return ConsumeStatus.CONSUME_SUCCESS;
    });
    await lenient.start();
    await waitFor(() => got.includes('tampered'), { timeoutMs: 10_000, what: 'lenient delivery' });
  });

  it('pulls with the pull consumer and commits its offsets', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const topic = await createTopic(1, true);
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

// The producer's routing decisions against two real broker groups (NameServer and brokers as
// child processes): a group that refuses a topic (its perm set to read-only after the producer
// read the route) makes sends retry on the other group, a refusal that another group would
// share (a body above broker-a's maxMessageSize) is not retried and names the broker, a topic
// without a route fails with E_NO_ROUTE, and a group that starts serving a topic later is used
// by the producer and rebalanced by a consumer once they poll the NameServer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../client/admin.js';
import type { MessageExt } from '../../client/message.js';
import { Producer, type ProducerOptions } from '../../client/producer.js';
import { PushConsumer } from '../../client/push-consumer.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import { ResponseCode } from '../../protocol/response-code.js';
import { type RealCluster, startRealCluster } from '../harness/real-cluster.js';
import { waitFor } from '../harness/wait-for.js';

const READ_ONLY = 4;
const READ_WRITE = 6;
/** broker-a refuses bodies above this; broker-b keeps the 4 MiB default. */
const SMALL_MAX_MESSAGE_SIZE = 64 * 1024;

let cluster: RealCluster;
let admin: Admin;
let masterA = '';
let masterB = '';
const closers: (() => Promise<void>)[] = [];
let seq = 0;

/** A topic on the given brokers (both by default), once the NameServer routes all of them. */
async function createTopic(queues: number, brokers = [masterA, masterB]): Promise<string> {
  const topic = `ST${++seq}`;
  for (const brokerAddr of brokers) {
    await admin.createTopic({ topic, readQueueNums: queues, writeQueueNums: queues, brokerAddr });
  }
  await waitFor(async () => (await admin.topicRoute(topic)).queueDatas.length === brokers.length, {
    timeoutMs: 10_000,
    what: `route of ${topic}`,
  });
  return topic;
}

/** Updates a 2-queue topic's perm on one broker (UPDATE_AND_CREATE_TOPIC). */
async function setPerm(topic: string, brokerAddr: string, perm: number): Promise<void> {
  await admin.createTopic({ topic, readQueueNums: 2, writeQueueNums: 2, perm, brokerAddr });
}

async function producer(options: Partial<ProducerOptions> = {}): Promise<Producer> {
  const p = new Producer({
    namesrvAddr: cluster.namesrvAddr,
    groupName: `SPG${++seq}`,
    pollNameServerIntervalMs: 300,
    heartbeatBrokerIntervalMs: 300,
    ...options,
  });
  await p.start();
  closers.push(() => p.shutdown());
  return p;
}

describe('producer routing against two real broker groups', { timeout: 120_000 }, () => {
  before(async () => {
    cluster = await startRealCluster([
      { brokerName: 'broker-a', config: { maxMessageSize: String(SMALL_MAX_MESSAGE_SIZE) } },
      { brokerName: 'broker-b' },
    ]);
    masterA = cluster.brokers[0]?.address ?? '';
    masterB = cluster.brokers[1]?.address ?? '';
    admin = new Admin({ namesrvAddr: cluster.namesrvAddr });
    await admin.start();
  });

  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await admin?.shutdown();
    await cluster?.stop();
  });

  it('retries a refused send on the other broker group', async () => {
    const topic = await createTopic(2);
    // The producer keeps the route it read first: broker-a stays in its publish list.
    const p = await producer({ pollNameServerIntervalMs: 60_000 });
    const warm = new Set<string>();
    for (let i = 0; i < 4; i++)
      warm.add((await p.send({ topic, body: `w${i}` })).messageQueue.brokerName);
    assert.deepEqual([...warm].sort(), ['broker-a', 'broker-b']);
    const once = await producer({ pollNameServerIntervalMs: 60_000, retryTimesWhenSendFailed: 0 });
    await once.send({ topic, body: 'w-once' });
    await setPerm(topic, masterA, READ_ONLY);
    // Without retries, the sends that start on broker-a fail there: one per queue, 2 of 4.
    const refusedBy: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      await once.send({ topic, body: `x${i}` }).catch((error: unknown) => {
        refusedBy.push(error instanceof MqError ? error.details['brokerName'] : error);
      });
    }
    assert.deepEqual(refusedBy, ['broker-a', 'broker-a']);
    // Round robin over a0, a1, b0, b1: at least one of these first tries broker-a, which
    // answers NO_PERMISSION, and is retried on broker-b.
    for (let i = 0; i < 4; i++) {
      const result = await p.send({ topic, body: `m${i}` });
      assert.equal(result.sendStatus, 'SEND_OK');
      assert.equal(result.messageQueue.brokerName, 'broker-b');
    }
    assert.equal(
      p.inspect().topics.find((t) => t.topic === topic)?.queues,
      4,
      'route not refreshed',
    );
    // With both groups refusing, the attempts run out and the last refusal is thrown.
    await setPerm(topic, masterB, READ_ONLY);
    await assert.rejects(p.send({ topic, body: 'nowhere' }), (e: unknown) => {
      assert.ok(e instanceof MqError);
      assert.equal(e.code, ErrorCode.REMOTE_ERROR);
      assert.equal(e.details['responseCode'], ResponseCode.NO_PERMISSION);
      return true;
    });
    await setPerm(topic, masterA, READ_WRITE);
    await setPerm(topic, masterB, READ_WRITE);
    const healed = new Set<string>();
    for (let i = 0; i < 4; i++)
      healed.add((await p.send({ topic, body: `h${i}` })).messageQueue.brokerName);
    assert.deepEqual([...healed].sort(), ['broker-a', 'broker-b']);
    // Every acknowledged send stored once, the refused ones nowhere: 4 + 1 + 2 + 4 + 4.
    await waitFor(
      async () => (await admin.topicStatus(topic)).reduce((sum, q) => sum + q.maxOffset, 0) === 15,
      { timeoutMs: 5000, what: '15 messages stored' },
    );
  });

  it('does not retry a refusal another group would share, and names the broker', async () => {
    const topic = await createTopic(1);
    const p = await producer({ compressMsgBodyOverHowmuchBytes: 1024 * 1024 });
    const body = Buffer.alloc(SMALL_MAX_MESSAGE_SIZE + 1024, 7);
    // Round robin alternates between the two queues: one send starts on each group.
    const stored: string[] = [];
    const refused: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      await p.send({ topic, body }).then(
        (result) => stored.push(result.messageQueue.brokerName),
        (error: unknown) => refused.push(error),
      );
    }
    assert.deepEqual(stored, ['broker-b']);
    assert.equal(refused.length, 1, 'MESSAGE_ILLEGAL from broker-a is not retried on broker-b');
    const error = refused[0];
    assert.ok(error instanceof MqError);
    assert.equal(error.code, ErrorCode.REMOTE_ERROR);
    assert.equal(error.details['responseCode'], ResponseCode.MESSAGE_ILLEGAL);
    assert.equal(error.details['brokerName'], 'broker-a');
    assert.match(error.message, /broker-a/);
  });

  it('fails with E_NO_ROUTE for a topic without a route', async () => {
    const p = await producer({ autoCreateTopic: false });
    await assert.rejects(p.send({ topic: 'NoSuchTopic', body: 'x' }), (e: unknown) => {
      assert.ok(e instanceof MqError);
      assert.equal(e.code, ErrorCode.NO_ROUTE);
      return true;
    });
  });

  it('follows a new group into the route: the producer uses it and a consumer rebalances', async () => {
    const topic = await createTopic(1, [masterA]);
    const p = await producer();
    await p.send({ topic, body: 'first' });
    const got: string[] = [];
    const c = new PushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: `SCG${seq}`,
      pollNameServerIntervalMs: 300,
      heartbeatBrokerIntervalMs: 300,
      rebalanceIntervalMs: 200,
      brokerSuspendMaxTimeMs: 1000,
      consumerTimeoutMsWhenSuspend: 3000,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    });
    closers.push(() => c.shutdown());
    c.subscribe(topic, '*', (messages: MessageExt[]) => {
      got.push(...messages.map((m) => `${m.brokerName}:${m.body}`));
      return undefined;
    });
    await c.start();
    await waitFor(() => got.length === 1, { timeoutMs: 10_000, what: 'the first message' });
    await admin.createTopic({ topic, readQueueNums: 1, writeQueueNums: 1, brokerAddr: masterB });
    await waitFor(() => p.inspect().topics.find((t) => t.topic === topic)?.queues === 2, {
      timeoutMs: 5000,
      what: 'the producer sees broker-b',
    });
    await waitFor(() => c.inspect().queues.filter((q) => q.queue.topic === topic).length === 2, {
      timeoutMs: 5000,
      what: 'the consumer owns broker-b',
    });
    const toB = await p.send(
      { topic, body: 'to-b' },
      { messageQueue: { topic, brokerName: 'broker-b', queueId: 0 } },
    );
    assert.equal(toB.messageQueue.brokerName, 'broker-b');
    await waitFor(() => got.includes('broker-b:to-b'), { timeoutMs: 5000, what: 'to-b consumed' });
    assert.deepEqual(got, ['broker-a:first', 'broker-b:to-b']);
  });
});

// Producer and consumer flows against the in-process fake cluster (test/harness/fake-cluster.ts):
// sends of every kind and their retry on another group, fail-fast without a master, clustering
// with two consumers, broadcasting, tags, send-back and local retry, restart from the committed
// offset, reading from the slave when the master leaves the route or suggests it, the pull
// consumer and the admin client. Loopback sockets, short intervals, every client shut down.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../../client/admin.js';
import type { PushConsumerOptions } from '../../../client/consumer-options.js';
import type { MessageExt } from '../../../client/message.js';
import { Producer, type SendResult } from '../../../client/producer.js';
import { PullConsumer } from '../../../client/pull-consumer.js';
import { ConsumeStatus, PushConsumer } from '../../../client/push-consumer.js';
import { selectQueueByHash } from '../../../client/queue-selector.js';
import { ErrorCode, MqError } from '../../../common/errors.js';
import { RequestCode } from '../../../protocol/request-code.js';
import { ResponseCode } from '../../../protocol/response-code.js';
import { FakeBroker, FakeNameServer, FakeStore } from '../../harness/fake-cluster.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';
import { waitFor } from '../../harness/wait-for.js';

const fast = {
  pollNameServerIntervalMs: 300,
  heartbeatBrokerIntervalMs: 300,
  requestTimeoutMs: 2000,
};

const consumerDefaults = {
  ...fast,
  rebalanceIntervalMs: 200,
  persistConsumerOffsetIntervalMs: 100,
  brokerSuspendMaxTimeMs: 1000,
  consumerTimeoutMsWhenSuspend: 3000,
  localRetryDelayMs: 100,
  pullTimeDelayMsWhenException: 100,
  consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
} as const;

let namesrv: FakeNameServer;
let masterA: FakeBroker;
let slaveA: FakeBroker;
let masterB: FakeBroker;
const closers: (() => Promise<void>)[] = [];
let topicSeq = 0;

function newTopic(groups: 'ab' | 'a' | 'slaveOnly' = 'ab', queues = 2): string {
  const topic = `T${++topicSeq}`;
  if (groups === 'ab') {
    namesrv.setRoute(topic, [
      { brokers: [masterA, slaveA], queues },
      { brokers: [masterB], queues },
    ]);
  } else if (groups === 'a') {
    namesrv.setRoute(topic, [{ brokers: [masterA, slaveA], queues }]);
  } else {
    namesrv.setRoute(topic, [{ brokers: [slaveA], queues }]);
  }
  return topic;
}

async function producer(options: Partial<ConstructorParameters<typeof Producer>[0]> = {}) {
  const p = new Producer({ namesrvAddr: namesrv.address, groupName: 'PG', ...fast, ...options });
  await p.start();
  closers.push(() => p.shutdown());
  return p;
}

function consumer(groupName: string, options: Partial<PushConsumerOptions> = {}) {
  const c = new PushConsumer({
    namesrvAddr: namesrv.address,
    groupName,
    ...consumerDefaults,
    ...options,
  });
  closers.push(() => c.shutdown());
  return c;
}

function retryRoute(group: string): void {
  namesrv.setRoute(`%RETRY%${group}`, [{ brokers: [masterA, slaveA], queues: 1 }]);
}

describe('client flows against a fake cluster', () => {
  before(async () => {
    namesrv = new FakeNameServer();
    await namesrv.start();
    const storeA = new FakeStore();
    masterA = new FakeBroker({ brokerName: 'broker-a', brokerId: 0, store: storeA });
    slaveA = new FakeBroker({ brokerName: 'broker-a', brokerId: 1, store: storeA });
    masterB = new FakeBroker({ brokerName: 'broker-b', brokerId: 0, store: new FakeStore() });
    for (const b of [masterA, slaveA, masterB]) await b.start();
  });

  after(async () => {
    for (const close of closers.reverse()) await close();
    for (const b of [masterA, slaveA, masterB]) await b.close();
    await namesrv.close();
  });

  it('sends sync, async, oneway, ordered and batch messages', async () => {
    const topic = newTopic();
    const p = await producer();
    const sync = await p.send({ topic, body: 'sync', tags: 'A', keys: ['k1'] });
    assert.equal(sync.sendStatus, 'SEND_OK');
    assert.match(sync.msgId, /^[0-9A-F]{32}$/);
    assert.match(sync.offsetMsgId, /^[0-9A-F]{32}$/);
    const asyncResult = await new Promise<SendResult>((resolve, reject) =>
      p.sendAsync({ topic, body: 'async' }, (error, result) =>
        error === null && result !== null ? resolve(result) : reject(error),
      ),
    );
    assert.equal(asyncResult.sendStatus, 'SEND_OK');
    await p.sendOneway({ topic, body: 'oneway' });
    const ordered = await Promise.all(
      [1, 2, 3].map((i) => p.sendOrderly({ topic, body: `o${i}` }, selectQueueByHash, 'order-7')),
    );
    assert.equal(new Set(ordered.map((r) => JSON.stringify(r.messageQueue))).size, 1);
    const batch = await p.sendBatch([
      { topic, body: 'b1', keys: 'bk' },
      { topic, body: 'b2' },
    ]);
    assert.equal(batch.msgId.split(',').length, 2);
    assert.equal(batch.offsetMsgId.split(',').length, 2);
    const big = await p.send({ topic, body: Buffer.alloc(8192, 7) });
    assert.equal(big.sendStatus, 'SEND_OK');
    await waitFor(
      () =>
        masterA.count(RequestCode.SEND_MESSAGE_V2) + masterB.count(RequestCode.SEND_MESSAGE_V2) >=
        7,
      {
        timeoutMs: 2000,
      },
    );
  });

  it('retries a failed send on the other broker group', async () => {
    const topic = newTopic();
    const p = await producer();
    // Two failures at most reach one send: three attempts always get through.
    masterA.sendFailures.push(ResponseCode.SYSTEM_ERROR);
    masterB.sendFailures.push(ResponseCode.SYSTEM_ERROR);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await p.send({ topic, body: `m${i}` }));
    assert.ok(results.every((r) => r.sendStatus === 'SEND_OK'));
    assert.equal(masterA.sendFailures.length + masterB.sendFailures.length, 0);
    // With one group failing every time, the retry lands on the other group.
    masterA.sendFailures.push(...Array<number>(10).fill(ResponseCode.SERVICE_NOT_AVAILABLE));
    for (let i = 0; i < 4; i++) {
      const result = await p.send({ topic, body: `n${i}` });
      assert.equal(result.messageQueue.brokerName, 'broker-b');
    }
    masterA.sendFailures.length = 0;
  });

  it('does not retry codes another group would not change, and names the broker', async () => {
    const topic = newTopic('a');
    const p = await producer();
    masterA.sendFailures.push(ResponseCode.MESSAGE_ILLEGAL);
    await assert.rejects(p.send({ topic, body: 'x' }), (e: unknown) => {
      assert.ok(e instanceof MqError);
      assert.equal(e.code, ErrorCode.REMOTE_ERROR);
      assert.equal(e.details['responseCode'], ResponseCode.MESSAGE_ILLEGAL);
      assert.equal(e.details['brokerName'], 'broker-a');
      assert.match(e.message, /broker-a/);
      return true;
    });
  });

  it('fails fast with E_NO_MASTER when the only group has no master, E_NO_ROUTE without a route', async () => {
    const topic = newTopic('slaveOnly');
    const p = await producer({ autoCreateTopic: false });
    const started = Date.now();
    await assert.rejects(p.send({ topic, body: 'x' }), (e: unknown) => {
      assert.ok(e instanceof MqError);
      assert.equal(e.code, ErrorCode.NO_MASTER);
      assert.deepEqual(e.details['brokerNames'], ['broker-a']);
      return true;
    });
    assert.ok(Date.now() - started < 1000);
    assert.equal(slaveA.count(RequestCode.SEND_MESSAGE_V2), 0);
    await assert.rejects(p.send({ topic: 'NoSuchTopic', body: 'x' }), (e: unknown) => {
      assert.ok(e instanceof MqError);
      assert.equal(e.code, ErrorCode.NO_ROUTE);
      return true;
    });
  });

  it('shares queues between two clustering consumers, each message once', async () => {
    const topic = newTopic('ab', 4);
    retryRoute('G2');
    const seen = new Map<string, number>();
    const listener = async (messages: MessageExt[]) => {
      for (const m of messages) seen.set(m.body.toString(), (seen.get(m.body.toString()) ?? 0) + 1);
      return ConsumeStatus.CONSUME_SUCCESS;
    };
    const c1 = consumer('G2');
    const c2 = consumer('G2');
    c1.subscribe(topic, '*', listener);
    c2.subscribe(topic, '*', listener);
    await c1.start();
    await c2.start();
    const owned = (c: PushConsumer) =>
      c.inspect().queues.filter((q) => q.queue.topic === topic).length;
    await waitFor(() => owned(c1) === 4 && owned(c2) === 4, { timeoutMs: 5000 });
    const p = await producer();
    for (let i = 0; i < 40; i++) await p.send({ topic, body: `m${i}` });
    await waitFor(() => seen.size === 40, { timeoutMs: 5000, what: 'all 40 consumed' });
    assert.ok([...seen.values()].every((n) => n === 1));
    assert.ok(c1.inspect().consumedCount > 0 && c2.inspect().consumedCount > 0);
  });

  it('delivers tagged messages only to matching subscriptions', async () => {
    const topic = newTopic('a', 1);
    retryRoute('GT');
    const got: string[] = [];
    const c = consumer('GT');
    c.subscribe(topic, 'A || C', (messages) => {
      got.push(...messages.map((m) => `${m.tags}:${m.body}`));
      return undefined;
    });
    await c.start();
    const p = await producer();
    for (const tags of ['A', 'B', 'C', 'B'])
      await p.send({ topic, body: tags.toLowerCase(), tags });
    await waitFor(() => got.length === 2, { timeoutMs: 3000 });
    assert.deepEqual(got.sort(), ['A:a', 'C:c']);
    await waitFor(
      () => c.inspect().queues.find((q) => q.queue.topic === topic)?.consumedOffset === 4,
      {
        timeoutMs: 3000,
      },
    );
  });

  it('sends a failed message back and consumes it again from the retry topic', async () => {
    const topic = newTopic('a', 1);
    retryRoute('GR');
    const deliveries: MessageExt[] = [];
    const c = consumer('GR', { retryDelayLevel: 1 });
    c.subscribe(topic, '*', (messages) => {
      deliveries.push(...messages);
      return deliveries.length === 1
        ? ConsumeStatus.RECONSUME_LATER
        : ConsumeStatus.CONSUME_SUCCESS;
    });
    await c.start();
    const p = await producer();
    const sent = await p.send({ topic, body: 'retry-me' });
    await waitFor(() => deliveries.length === 2, { timeoutMs: 4000 });
    const [first, second] = deliveries;
    assert.equal(first?.reconsumeTimes, 0);
    assert.equal(second?.topic, topic);
    assert.equal(second?.reconsumeTimes, 1);
    assert.equal(second?.msgId, sent.msgId);
    assert.deepEqual(masterA.sendBacks.at(-1)?.delayLevel, 1);
  });

  it('consumes again locally when send-back fails, and commits past it only once done', async () => {
    const topic = newTopic('a', 1);
    retryRoute('GL');
    let calls = 0;
    const c = consumer('GL');
    c.subscribe(topic, '*', () => {
      calls++;
      if (calls === 1) throw new Error('listener failure');
      return ConsumeStatus.CONSUME_SUCCESS;
    });
    await c.start();
    masterA.sendBackFailures.push(ResponseCode.SYSTEM_ERROR);
    const p = await producer();
    await p.send({ topic, body: 'local' });
    await waitFor(() => calls === 2, { timeoutMs: 3000 });
    const snapshot = c.inspect();
    assert.equal(snapshot.localRetryCount, 1);
    await waitFor(() => masterA.store.offsets.get(`GL/${topic}/0`) === 1, { timeoutMs: 2000 });
  });

  it('resumes from the committed offset after a restart', async () => {
    const topic = newTopic('a', 1);
    retryRoute('GS');
    const p = await producer();
    const first: string[] = [];
    const c1 = consumer('GS');
    c1.subscribe(topic, '*', (messages) => {
      first.push(...messages.map((m) => m.body.toString()));
      return undefined;
    });
    await c1.start();
    for (let i = 0; i < 5; i++) await p.send({ topic, body: `a${i}` });
    await waitFor(() => first.length === 5, { timeoutMs: 3000 });
    await c1.shutdown();
    assert.equal(masterA.store.offsets.get(`GS/${topic}/0`), 5);
    for (let i = 0; i < 3; i++) await p.send({ topic, body: `b${i}` });
    const second: string[] = [];
    const c2 = consumer('GS');
    c2.subscribe(topic, '*', (messages) => {
      second.push(...messages.map((m) => m.body.toString()));
      return undefined;
    });
    await c2.start();
    await waitFor(() => second.length === 3, { timeoutMs: 3000 });
    assert.deepEqual(second, ['b0', 'b1', 'b2']);
  });

  it('broadcasts every message to every consumer of the group', async () => {
    const topic = newTopic('ab', 2);
    const counts = [0, 0];
    const consumers = [0, 1].map((i) => {
      const c = consumer('GB', { messageModel: 'BROADCASTING' });
      c.subscribe(topic, '*', (messages) => {
        counts[i] = (counts[i] ?? 0) + messages.length;
        return undefined;
      });
      return c;
    });
    for (const c of consumers) await c.start();
    const p = await producer();
    for (let i = 0; i < 10; i++) await p.send({ topic, body: `m${i}` });
    await waitFor(() => counts[0] === 10 && counts[1] === 10, { timeoutMs: 3000 });
  });

  it('reads from the slave when the master leaves the route, and commits there', async () => {
    const topic = newTopic('a', 1);
    retryRoute('GF');
    const p = await producer();
    const got: string[] = [];
    const c = consumer('GF');
    c.subscribe(topic, '*', (messages) => {
      got.push(...messages.map((m) => m.body.toString()));
      return undefined;
    });
    await c.start();
    await p.send({ topic, body: 'before' });
    await waitFor(() => got.length === 1, { timeoutMs: 3000 });
    // The master is gone from every route (as the NameServer does when it expires).
    namesrv.setRoute(topic, [{ brokers: [slaveA], queues: 1 }]);
    namesrv.setRoute('%RETRY%GF', [{ brokers: [slaveA], queues: 1 }]);
    masterA.store.append(topic, 0, masterA.address, {
      body: Buffer.from('replicated'),
      properties: {},
      sysFlag: 0,
      flag: 0,
      reconsumeTimes: 0,
    });
    await waitFor(() => got.includes('replicated'), { timeoutMs: 5000 });
    await waitFor(
      () => c.inspect().queues.find((q) => q.queue.topic === topic)?.readBrokerId === 1,
      {
        timeoutMs: 3000,
      },
    );
    const commitsBefore = slaveA.count(RequestCode.UPDATE_CONSUMER_OFFSET);
    masterA.store.append(topic, 0, masterA.address, {
      body: Buffer.from('replicated-2'),
      properties: {},
      sysFlag: 0,
      flag: 0,
      reconsumeTimes: 0,
    });
    await waitFor(() => got.includes('replicated-2'), { timeoutMs: 3000 });
    await waitFor(() => slaveA.count(RequestCode.UPDATE_CONSUMER_OFFSET) > commitsBefore, {
      timeoutMs: 3000,
    });
    assert.equal(masterA.store.offsets.get(`GF/${topic}/0`), 3);
  });

  it('follows suggestWhichBrokerId to the slave and back', async () => {
    const topic = newTopic('a', 1);
    retryRoute('GW');
    const p = await producer();
    const got: string[] = [];
    const c = consumer('GW');
    c.subscribe(topic, '*', (messages) => {
      got.push(...messages.map((m) => m.body.toString()));
      return undefined;
    });
    await c.start();
    const pullsOnSlave = slaveA.count(RequestCode.PULL_MESSAGE);
    masterA.suggestWhichBrokerId = 1;
    await p.send({ topic, body: 'x1' });
    await waitFor(() => got.length === 1, { timeoutMs: 3000 });
    await p.send({ topic, body: 'x2' });
    await waitFor(() => got.length === 2, { timeoutMs: 4000 });
    assert.ok(slaveA.count(RequestCode.PULL_MESSAGE) > pullsOnSlave);
    masterA.suggestWhichBrokerId = 0;
  });

  it('follows route changes: a new group is used by the producer and rebalanced by consumers', async () => {
    const topic = newTopic('a', 1);
    retryRoute('GN');
    const p = await producer();
    await p.send({ topic, body: 'first' });
    const got: string[] = [];
    const c = consumer('GN');
    c.subscribe(topic, '*', (messages) => {
      got.push(...messages.map((m) => `${m.brokerName}:${m.body}`));
      return undefined;
    });
    await c.start();
    await waitFor(() => got.length === 1, { timeoutMs: 3000 });
    namesrv.setRoute(topic, [
      { brokers: [masterA, slaveA], queues: 1 },
      { brokers: [masterB], queues: 1 },
    ]);
    await waitFor(() => p.inspect().topics.find((t) => t.topic === topic)?.queues === 2, {
      timeoutMs: 3000,
      what: 'the producer sees broker-b',
    });
    await waitFor(() => c.inspect().queues.filter((q) => q.queue.topic === topic).length === 2, {
      timeoutMs: 3000,
      what: 'the consumer owns broker-b',
    });
    await p.send(
      { topic, body: 'to-b' },
      { messageQueue: { topic, brokerName: 'broker-b', queueId: 0 } },
    );
    await waitFor(() => got.includes('broker-b:to-b'), { timeoutMs: 3000 });
  });

  it('never delivers a message whose body does not match its BODY_XXH64', async () => {
    const topic = newTopic('a', 1);
    retryRoute('GX');
    const errors: Error[] = [];
    const got: string[] = [];
    const c = consumer('GX', { onError: (error) => errors.push(error) });
    c.subscribe(topic, '*', (messages) => {
      got.push(...messages.map((m) => m.body.toString()));
      return undefined;
    });
    await c.start();
    masterA.store.append(topic, 0, masterA.address, {
      body: Buffer.from('tampered'),
      properties: { BODY_XXH64: '0123456789abcdef' },
      sysFlag: 0,
      flag: 0,
      reconsumeTimes: 0,
    });
    await waitFor(
      () => errors.some((e) => e instanceof MqError && e.code === ErrorCode.CHECKSUM_MISMATCH),
      {
        timeoutMs: 3000,
      },
    );
    assert.equal(got.length, 0, 'the tampered message is not delivered');
    assert.equal(c.inspect().queues.find((q) => q.queue.topic === topic)?.consumedOffset, 0);
    const lenient = consumer('GX2', { verifyBodyChecksum: false });
    lenient.subscribe(topic, '*', (messages) => {
      got.push(...messages.map((m) => m.body.toString()));
      return undefined;
    });
    retryRoute('GX2');
    await lenient.start();
    await waitFor(() => got.includes('tampered'), { timeoutMs: 3000 });
  });

  it('keeps broadcasting offsets in a local file across restarts', async () => {
    const topic = newTopic('a', 1);
    const dir = makeTmpDir('petrel-offsets-');
    closers.push(async () => dir.remove());
    const got: string[] = [];
    const start = async () => {
      const c = consumer('GO', {
        messageModel: 'BROADCASTING',
        offsetStoreDir: dir.path,
        instanceName: 'fixed-instance',
      });
      c.subscribe(topic, '*', (messages) => {
        got.push(...messages.map((m) => m.body.toString()));
        return undefined;
      });
      await c.start();
      return c;
    };
    const p = await producer();
    const first = await start();
    for (const body of ['a', 'b', 'c']) await p.send({ topic, body });
    await waitFor(() => got.length === 3, { timeoutMs: 3000 });
    await first.shutdown();
    const file = join(dir.path, `${first.clientId}`, 'GO', 'offsets.json');
    assert.match(readFileSync(file, 'utf8'), /"offset":3/);
    for (const body of ['d', 'e']) await p.send({ topic, body });
    await start();
    await waitFor(() => got.length === 5, { timeoutMs: 3000 });
    assert.deepEqual(got, ['a', 'b', 'c', 'd', 'e']);
  });

  it('pulls manually with the pull consumer and commits recorded offsets', async () => {
    const topic = newTopic('a', 1);
    const p = await producer();
    for (let i = 0; i < 5; i++)
      await p.send({ topic, body: `p${i}`, tags: i % 2 === 0 ? 'even' : 'odd' });
    const pc = new PullConsumer({ namesrvAddr: namesrv.address, groupName: 'GP', ...fast });
    await pc.start();
    closers.push(() => pc.shutdown());
    const [queue] = await pc.fetchSubscribeMessageQueues(topic);
    assert.ok(queue !== undefined);
    const result = await pc.pull(queue, 'even', 0, 32);
    assert.equal(result.pullStatus, 'FOUND');
    assert.deepEqual(
      result.messages.map((m) => m.body.toString()),
      ['p0', 'p2', 'p4'],
    );
    assert.equal(result.nextBeginOffset, 5);
    const none = await pc.pull(queue, '*', 5, 32);
    assert.equal(none.pullStatus, 'NO_NEW_MSG');
    assert.equal(await pc.maxOffset(queue), 5);
    pc.updateConsumeOffset(queue, 5);
    await pc.commitOffsets();
    assert.equal(await pc.fetchConsumeOffset(queue, true), 5);
  });

  it('answers admin queries', async () => {
    const topic = newTopic('ab', 2);
    const p = await producer();
    const sent = await p.send({ topic, body: 'find-me', keys: 'order-1' });
    const admin = new Admin({ namesrvAddr: namesrv.address });
    await admin.start();
    closers.push(() => admin.shutdown());
    assert.ok((await admin.topicList()).includes(topic));
    assert.equal((await admin.topicRoute(topic)).queueDatas.length, 2);
    const status = await admin.topicStatus(topic);
    assert.equal(status.length, 4);
    assert.equal(
      status.reduce((sum, s) => sum + s.maxOffset, 0),
      1,
    );
    const byOffsetId = await admin.queryMsgById(sent.offsetMsgId);
    assert.equal(byOffsetId.body.toString(), 'find-me');
    const byUniqId = await admin.queryMsgById(sent.msgId, topic);
    assert.equal(byUniqId.offsetMsgId, sent.offsetMsgId);
    const byKey = await admin.queryMsgByKey(topic, 'order-1');
    assert.equal(byKey.length, 1);
    const cluster = await admin.clusterList();
    assert.ok(cluster.some((b) => b.brokerName === 'broker-a' && b.brokerId === 1));
    await admin.createTopic({ topic: 'Created', writeQueueNums: 3, readQueueNums: 3 });
    assert.equal(masterA.store.topics.get('Created'), 3);
    assert.equal(masterB.store.topics.get('Created'), 3);
    const runtime = await admin.brokerStatus(masterA.address);
    assert.equal(runtime['brokerVersionDesc'], 'FAKE');
  });

  it('computes topic status and consumer progress where brokers lack the stats requests', async () => {
    const topic = newTopic('a', 2);
    const p = await producer();
    for (let i = 0; i < 3; i++) {
      await p.send(
        { topic, body: `s${i}` },
        { messageQueue: { topic, brokerName: 'broker-a', queueId: 1 } },
      );
    }
    masterA.store.offsets.set(`GPROG/${topic}/1`, 2);
    const admin = new Admin({ namesrvAddr: namesrv.address });
    await admin.start();
    closers.push(() => admin.shutdown());
    const direct = await admin.consumerProgress('GPROG', topic);
    masterA.unsupported.add(RequestCode.GET_TOPIC_STATS_INFO);
    masterA.unsupported.add(RequestCode.GET_CONSUME_STATS);
    try {
      const status = await admin.topicStatus(topic);
      assert.deepEqual(
        status.map((s) => [s.queue.queueId, s.minOffset, s.maxOffset]),
        [
          [0, 0, 0],
          [1, 0, 3],
        ],
      );
      const progress = await admin.consumerProgress('GPROG', topic);
      assert.deepEqual(progress.queues, direct.queues);
      assert.equal(progress.diffTotal, 1);
    } finally {
      masterA.unsupported.clear();
    }
  });
});

// The Admin client against real processes (a NameServer, broker-a master and slave, broker-b
// master): topic list, route and per-queue status over both groups, messages found by offset id,
// unique id and key, the cluster's brokers with the slave, topic creation on every master, a
// broker's runtime figures, and a group's progress from offsets a consumer committed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../client/admin.js';
import { Producer } from '../../client/producer.js';
import { PullConsumer } from '../../client/pull-consumer.js';
import { type RealCluster, startRealCluster } from '../harness/real-cluster.js';
import { waitFor } from '../harness/wait-for.js';

let cluster: RealCluster;
let admin: Admin;
let producer: Producer;

async function createTopic(topic: string, queues: number): Promise<void> {
  await admin.createTopic({ topic, readQueueNums: queues, writeQueueNums: queues });
  await waitFor(async () => (await admin.topicRoute(topic)).queueDatas.length === 2, {
    timeoutMs: 10_000,
    what: `route of ${topic} on both groups`,
  });
}

describe('admin client against a real cluster', { timeout: 60_000 }, () => {
  before(async () => {
    cluster = await startRealCluster([
      { brokerName: 'broker-a' },
      { brokerName: 'broker-a', brokerId: 1 },
      { brokerName: 'broker-b' },
    ]);
    admin = new Admin({ namesrvAddr: cluster.namesrvAddr });
    await admin.start();
    producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'AdminPG' });
    await producer.start();
  });

  after(async () => {
    await producer?.shutdown();
    await admin?.shutdown();
    await cluster?.stop();
  });

  it('answers topic, message, cluster and broker queries', async () => {
    await createTopic('AdminT', 2);
    const sent = await producer.send({ topic: 'AdminT', body: 'find-me', keys: 'order-1' });
    assert.ok((await admin.topicList()).includes('AdminT'));
    assert.equal((await admin.topicRoute('AdminT')).queueDatas.length, 2);
    const status = await admin.topicStatus('AdminT');
    assert.deepEqual(
      status.map((s) => `${s.queue.brokerName}/${s.queue.queueId}`),
      ['broker-a/0', 'broker-a/1', 'broker-b/0', 'broker-b/1'],
    );
    assert.equal(
      status.reduce((sum, s) => sum + s.maxOffset, 0),
      1,
    );
    const byOffsetId = await admin.queryMsgById(sent.offsetMsgId);
    assert.equal(byOffsetId.body.toString(), 'find-me');
    assert.equal(byOffsetId.brokerName, sent.messageQueue.brokerName);
    const byUniqId = await admin.queryMsgById(sent.msgId, 'AdminT');
    assert.equal(byUniqId.offsetMsgId, sent.offsetMsgId);
    await waitFor(async () => (await admin.queryMsgByKey('AdminT', 'order-1')).length === 1, {
      timeoutMs: 5000,
      what: 'the key in the index',
    });
    const brokers = await admin.clusterList();
    assert.deepEqual(
      brokers.map((b) => `${b.brokerName}/${b.brokerId}`),
      ['broker-a/0', 'broker-a/1', 'broker-b/0'],
    );
    assert.ok(brokers.every((b) => b.error === null && b.runtime !== null));
    assert.equal(brokers[1]?.runtime?.['brokerRole'], 'SLAVE');
    const runtime = await admin.brokerStatus(cluster.brokers[0]?.address ?? '');
    assert.equal(runtime['brokerVersionDesc'], 'V4_9_7');
    assert.equal(runtime['brokerRole'], 'ASYNC_MASTER');
  });

  it('creates a topic on every master of the cluster', async () => {
    const targets = await admin.createTopic({
      topic: 'Created',
      writeQueueNums: 3,
      readQueueNums: 3,
    });
    assert.deepEqual(
      targets.map((t) => t.brokerName),
      ['broker-a', 'broker-b'],
    );
    await waitFor(async () => (await admin.topicRoute('Created')).queueDatas.length === 2, {
      timeoutMs: 10_000,
      what: 'both groups in the route',
    });
    const route = await admin.topicRoute('Created');
    assert.ok(route.queueDatas.every((q) => q.writeQueueNums === 3 && q.readQueueNums === 3));
    assert.equal((await admin.topicStatus('Created')).length, 6);
  });

  it('shows per-queue offsets and a group progress from committed offsets', async () => {
    await createTopic('ProgressT', 2);
    const queue = { topic: 'ProgressT', brokerName: 'broker-a', queueId: 1 };
    for (let i = 0; i < 3; i++)
      await producer.send({ topic: 'ProgressT', body: `s${i}` }, { messageQueue: queue });
    const reader = new PullConsumer({ namesrvAddr: cluster.namesrvAddr, groupName: 'GPROG' });
    await reader.start();
    try {
      reader.updateConsumeOffset(queue, 2);
      await reader.commitOffsets();
    } finally {
      await reader.shutdown();
    }
    const status = await admin.topicStatus('ProgressT');
    assert.deepEqual(
      status
        .filter((s) => s.queue.brokerName === 'broker-a')
        .map((s) => [s.queue.queueId, s.minOffset, s.maxOffset]),
      [
        [0, 0, 0],
        [1, 0, 3],
      ],
    );
    const progress = await admin.consumerProgress('GPROG', 'ProgressT');
    const committed = progress.queues.find(
      (q) => q.queue.brokerName === 'broker-a' && q.queue.queueId === 1,
    );
    assert.equal(committed?.consumerOffset, 2);
    assert.equal(committed?.brokerOffset, 3);
    assert.equal(committed?.diff, 1);
    assert.equal(progress.diffTotal, 1);
  });
});

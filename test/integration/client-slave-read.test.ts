// A consumer following suggestWhichBrokerId (real processes: a NameServer, broker-a master and
// slave, both with slaveReadEnable). The master counts every read as cold
// (accessMessageInMemoryMaxRatio=0) and so points the consumer at its slave after each message
// it serves; the slave, with the default ratio, points it back. Reading a backlog one message
// per pull, the consumer therefore alternates between the two, and each serves part of it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../client/admin.js';
import { Producer } from '../../client/producer.js';
import { PushConsumer } from '../../client/push-consumer.js';
import { type RealCluster, startRealCluster } from '../harness/real-cluster.js';
import { waitForSlaveCaughtUp, waitForSlaveTopics } from '../harness/replica-wait.js';
import { waitFor } from '../harness/wait-for.js';

const TOPIC = 'ColdReads';
const BACKLOG = 8;

let cluster: RealCluster;
let admin: Admin;
let master = '';
let slave = '';

async function messagesServed(address: string): Promise<number> {
  return Number((await admin.brokerStatus(address))['msgGetTotalTodayNow']);
}

describe('consumer reads where the master suggests', { timeout: 60_000 }, () => {
  before(async () => {
    cluster = await startRealCluster([
      {
        brokerName: 'broker-a',
        config: { slaveReadEnable: 'true', accessMessageInMemoryMaxRatio: '0' },
      },
      {
        brokerName: 'broker-a',
        brokerId: 1,
        config: { slaveReadEnable: 'true', slaveSynchronizeInterval: '300' },
      },
    ]);
    master = cluster.brokers[0]?.address ?? '';
    slave = cluster.brokers[1]?.address ?? '';
    admin = new Admin({ namesrvAddr: cluster.namesrvAddr });
    await admin.start();
    await admin.createTopic({ topic: TOPIC, readQueueNums: 1, writeQueueNums: 1 });
    await waitFor(() => admin.topicRoute(TOPIC), { timeoutMs: 10_000, what: 'the route' });
    await waitForSlaveTopics(slave, [TOPIC]);
  });

  after(async () => {
    await admin?.shutdown();
    await cluster?.stop();
  });

  it('follows suggestWhichBrokerId to the slave and back', async () => {
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'ColdPG' });
    await producer.start();
    for (let i = 0; i < BACKLOG; i++) await producer.send({ topic: TOPIC, body: `x${i}` });
    await producer.shutdown();
    await waitForSlaveCaughtUp(master, slave);
    const servedBefore = [await messagesServed(master), await messagesServed(slave)];
    const got: string[] = [];
    const consumer = new PushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: 'ColdCG',
      pollNameServerIntervalMs: 300,
      rebalanceIntervalMs: 200,
      brokerSuspendMaxTimeMs: 500,
      consumerTimeoutMsWhenSuspend: 3000,
      pullBatchSize: 1,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    });
    consumer.subscribe(TOPIC, '*', (messages) => {
      got.push(...messages.map((m) => m.body.toString()));
      return undefined;
    });
    try {
      await consumer.start();
      await waitFor(() => got.length === BACKLOG, { timeoutMs: 10_000, what: 'the backlog' });
      assert.deepEqual(
        got,
        Array.from({ length: BACKLOG }, (_, i) => `x${i}`),
      );
      const [fromMaster, fromSlave] = [
        (await messagesServed(master)) - (servedBefore[0] ?? 0),
        (await messagesServed(slave)) - (servedBefore[1] ?? 0),
      ];
      assert.equal(fromMaster + fromSlave, BACKLOG, 'each message served once');
      assert.ok(fromSlave >= 1, `the slave served ${fromSlave}`);
      assert.ok(fromMaster >= 2, `the master served ${fromMaster}: the consumer came back`);
      // Caught up, the consumer waits on the master: nothing to read is not a cold read.
      await waitFor(() => consumer.inspect().queues[0]?.readBrokerId === 0, {
        timeoutMs: 5000,
        what: 'pulls back on the master',
      });
    } finally {
      await consumer.shutdown();
    }
  });
});

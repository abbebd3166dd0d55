// What the client does when a group's master dies (real processes: a NameServer, broker-a
// master + slave, broker-b master; the master is killed with SIGKILL): sends already routed to
// it are retried on broker-b, the group is then left out of the producer's queues, a send to a
// topic only broker-a serves fails at once with E_NO_MASTER, and consumers move their pulls of
// broker-a's queues to the slave.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../client/admin.js';
import { Producer } from '../../client/producer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import { type RealCluster, startRealCluster } from '../harness/real-cluster.js';
import { waitFor } from '../harness/wait-for.js';

let cluster: RealCluster;
let admin: Admin;
let producer: Producer;
let consumer: PushConsumer;
const errors: string[] = [];

describe('client when a master dies', { timeout: 120_000 }, () => {
  before(async () => {
    cluster = await startRealCluster([
      { brokerName: 'broker-a' },
      { brokerName: 'broker-a', brokerId: 1 },
      { brokerName: 'broker-b' },
    ]);
    admin = new Admin({ namesrvAddr: cluster.namesrvAddr });
    await admin.start();
    await admin.createTopic({ topic: 'Both', readQueueNums: 2, writeQueueNums: 2 });
    const masterA = cluster.brokers[0]?.address;
    assert.ok(masterA !== undefined);
    await admin.createTopic({
      topic: 'OnlyA',
      readQueueNums: 2,
      writeQueueNums: 2,
      brokerAddr: masterA,
    });
    // A slave learns topics from its master's metadata; create the topic on it directly so it
    // serves pulls whether or not such a sync runs.
    const slaveA = cluster.brokers[1]?.address;
    assert.ok(slaveA !== undefined);
    await admin.createTopic({
      topic: 'Both',
      readQueueNums: 2,
      writeQueueNums: 2,
      brokerAddr: slaveA,
    });
    await waitFor(
      async () =>
        (await admin.topicRoute('Both')).queueDatas.length === 2 &&
        (await admin.topicRoute('OnlyA')),
      { timeoutMs: 10_000, what: 'routes' },
    );
    producer = new Producer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: 'FailoverPG',
      pollNameServerIntervalMs: 500,
      autoCreateTopic: false,
    });
    await producer.start();
    consumer = new PushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: 'FailoverCG',
      pollNameServerIntervalMs: 500,
      rebalanceIntervalMs: 500,
      brokerSuspendMaxTimeMs: 2000,
      consumerTimeoutMsWhenSuspend: 5000,
      pullTimeDelayMsWhenException: 200,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      onError: (error) => errors.push(error.message),
    });
    consumer.subscribe('Both', '*', () => ConsumeStatus.CONSUME_SUCCESS);
    await consumer.start();
  });

  after(async () => {
    await consumer?.shutdown();
    await producer?.shutdown();
    await admin?.shutdown();
    await cluster?.stop();
  });

  it('retries on the other group, then leaves the masterless group out', async () => {
    for (let i = 0; i < 4; i++) await producer.send({ topic: 'Both', body: `warm-${i}` });
    await producer.send({ topic: 'OnlyA', body: 'warm' });
    await waitFor(
      () => consumer.inspect().queues.filter((q) => q.queue.topic === 'Both').length === 4,
      {
        timeoutMs: 10_000,
      },
    );
    cluster.brokers[0]?.child.kill('SIGKILL');
    await cluster.brokers[0]?.child.exited;
    // The producer still routes to broker-a until it refreshes: those sends go to broker-b.
    for (let i = 0; i < 8; i++) {
      const result = await producer.send({ topic: 'Both', body: `after-${i}` });
      assert.equal(result.sendStatus, 'SEND_OK');
      assert.equal(result.messageQueue.brokerName, 'broker-b');
    }
    await waitFor(
      () =>
        producer.inspect().topics.find((t) => t.topic === 'Both')?.groupsWithoutMaster[0] ===
        'broker-a',
      { timeoutMs: 10_000, what: 'broker-a left out of the publish list' },
    );
  });

  it('fails a send at once with E_NO_MASTER when the only group has no master', async () => {
    await waitFor(
      async () => (await admin.topicRoute('OnlyA')).brokerDatas[0]?.brokerAddrs['0'] === undefined,
      {
        timeoutMs: 10_000,
        what: 'the master gone from the route',
      },
    );
    const route = await admin.topicRoute('OnlyA');
    assert.equal(route.queueDatas.length, 1, 'the group keeps its queues while its slave lives');
    const started = performance.now();
    await assert.rejects(producer.send({ topic: 'OnlyA', body: 'nowhere' }), (e: unknown) => {
      assert.ok(e instanceof MqError);
      assert.equal(e.code, ErrorCode.NO_MASTER);
      assert.match(e.message, /broker-a/);
      return true;
    });
    assert.ok(performance.now() - started < 1000, 'fails fast');
  });

  it('moves pulls of the masterless group to its slave', async () => {
    await waitFor(
      () =>
        consumer
          .inspect()
          .queues.filter((q) => q.queue.brokerName === 'broker-a')
          .every((q) => q.readBrokerId === 1),
      { timeoutMs: 15_000, what: 'broker-a queues read from the slave' },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; last consumer errors: ${errors.slice(-3).join(' | ')}`);
    });
    assert.equal(consumer.inspect().queues.filter((q) => q.queue.topic === 'Both').length, 4);
  });
});

// What the client does when a group's master dies (real processes: a NameServer, broker-a
// master + slave, broker-b master; the master is killed with SIGKILL): sends already routed to
// it are retried on broker-b, the group is then left out of the producer's queues, a send to a
// topic only broker-a serves fails at once with E_NO_MASTER, consumers move their pulls of
// broker-a's queues to the slave, a new group consumes the backlog the slave holds and commits
// its offsets there, and a failed message whose send-back finds no master is consumed again
// locally.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../client/admin.js';
import { Producer } from '../../client/producer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import { type RealCluster, startRealCluster } from '../harness/real-cluster.js';
import { waitForSlaveCaughtUp, waitForSlaveTopics } from '../harness/replica-wait.js';
import { waitFor } from '../harness/wait-for.js';

let cluster: RealCluster;
let admin: Admin;
let producer: Producer;
let consumer: PushConsumer;
const errors: string[] = [];
/** Messages sent to OnlyA (broker-a alone) before its master dies. */
const BACKLOG = 6;

describe('client when a master dies', { timeout: 120_000 }, () => {
  before(async () => {
    cluster = await startRealCluster([
      { brokerName: 'broker-a' },
      // The slave copies its master's topics, groups and offsets every 300 ms (not 10 s).
      { brokerName: 'broker-a', brokerId: 1, config: { slaveSynchronizeInterval: '300' } },
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
    await waitFor(
      async () =>
        (await admin.topicRoute('Both')).queueDatas.length === 2 &&
        (await admin.topicRoute('OnlyA')),
      { timeoutMs: 10_000, what: 'routes' },
    );
    // The slave serves these topics after the master is gone only if it copied them first.
    await waitForSlaveTopics(cluster.brokers[1]?.address ?? '', ['Both', 'OnlyA']);
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
    for (let i = 0; i < BACKLOG; i++) await producer.send({ topic: 'OnlyA', body: `backlog-${i}` });
    await waitForSlaveCaughtUp(
      cluster.brokers[0]?.address ?? '',
      cluster.brokers[1]?.address ?? '',
    );
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
      assert.deepEqual(e.details['brokerNames'], ['broker-a']);
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

  it('consumes the backlog from the slave, retries a failure locally and commits there', async () => {
    const group = 'FailoverBacklogCG';
    const deliveries: string[] = [];
    const backlogErrors: Error[] = [];
    const backlog = new PushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: group,
      pollNameServerIntervalMs: 500,
      rebalanceIntervalMs: 500,
      persistConsumerOffsetIntervalMs: 200,
      localRetryDelayMs: 100,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      onError: (error) => backlogErrors.push(error),
    });
    // The first delivery of backlog-2 fails; its send-back needs broker-a's master, which is
    // gone, so the consumer keeps it and delivers it again itself.
    backlog.subscribe('OnlyA', '*', (messages) => {
      for (const m of messages) deliveries.push(m.body.toString());
      const failing = messages.some((m) => m.body.toString() === 'backlog-2');
      return failing && deliveries.filter((d) => d === 'backlog-2').length === 1
        ? ConsumeStatus.RECONSUME_LATER
        : ConsumeStatus.CONSUME_SUCCESS;
    });
    try {
      await backlog.start();
      await waitFor(() => new Set(deliveries).size === BACKLOG, {
        timeoutMs: 15_000,
        what: 'the backlog read from the slave',
      });
      await waitFor(() => deliveries.filter((d) => d === 'backlog-2').length === 2, {
        timeoutMs: 5000,
        what: 'backlog-2 consumed again locally',
      });
      const snapshot = backlog.inspect();
      assert.equal(snapshot.localRetryCount, 1);
      assert.equal(snapshot.sentBackCount, 0);
      assert.ok(
        backlogErrors.some(
          (e) =>
            e instanceof MqError &&
            e.code === ErrorCode.CONNECT_FAILED &&
            /CONSUMER_SEND_MSG_BACK/.test(e.message),
        ),
        'the send-back could not reach the dead master',
      );
      assert.ok(snapshot.queues.every((q) => q.readBrokerId === 1));
      // The master is out of the route: the progress comes from the slave, where it was committed.
      await waitFor(
        async () => {
          const progress = await admin.consumerProgress(group, 'OnlyA');
          return progress.queues.reduce((sum, q) => sum + q.consumerOffset, 0) === BACKLOG;
        },
        { timeoutMs: 5000, what: 'offsets committed on the slave' },
      );
    } finally {
      await backlog.shutdown();
    }
  });
});

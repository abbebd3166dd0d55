// Master/Slave between broker processes: a SYNC_MASTER acknowledges sends once its slave has them;
// the slave learns topics and consumer offsets from its master; when the master is killed a
// consumer reads everything from the slave; when the master comes back it takes over the offsets
// committed on the slave meanwhile, so consumption does not rewind.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../client/admin.js';
import { Producer } from '../../client/producer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import {
  createRequest,
  decodeKvTable,
  QueryConsumerOffsetRequestHeader,
  RemotingClient,
  RequestCode,
  ResponseCode,
} from '../../protocol/index.js';
import { TestClient } from '../harness/broker-client.js';
import { type RealCluster, startRealCluster } from '../harness/real-cluster.js';
import { waitFor } from '../harness/wait-for.js';

const fast = { slaveSynchronizeInterval: '300', haSendHeartbeatInterval: '200' };
const consumerOptions = (namesrvAddr: string, groupName: string) => ({
  namesrvAddr,
  groupName,
  pollNameServerIntervalMs: 300,
  rebalanceIntervalMs: 300,
  brokerSuspendMaxTimeMs: 1000,
  consumerTimeoutMsWhenSuspend: 3000,
  pullTimeDelayMsWhenException: 100,
  persistConsumerOffsetIntervalMs: 200,
  consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' as const,
});

async function consumeAll(
  namesrvAddr: string,
  group: string,
  expected: number,
  topic = 'Rep',
): Promise<{ bodies: Set<string>; consumer: PushConsumer }> {
  const bodies = new Set<string>();
  const consumer = new PushConsumer(consumerOptions(namesrvAddr, group));
  consumer.subscribe(topic, '*', (messages) => {
    for (const m of messages) {
      const body = m.body.toString();
      if (!body.startsWith('probe')) bodies.add(body);
    }
    return ConsumeStatus.CONSUME_SUCCESS;
  });
  await consumer.start();
  try {
    await waitFor(() => bodies.size >= expected, {
      timeoutMs: 20_000,
      what: `${expected} messages for ${group}`,
    });
  } catch (error) {
    await consumer.shutdown();
    throw error;
  }
  return { bodies, consumer };
}

async function offsetsOn(address: string, group: string): Promise<number> {
  const client = new RemotingClient({ address });
  let total = 0;
  for (const queueId of [0, 1]) {
    const request = createRequest(
      RequestCode.QUERY_CONSUMER_OFFSET,
      QueryConsumerOffsetRequestHeader.encode({ consumerGroup: group, topic: 'Rep', queueId }),
    );
    const response = await client.invoke(request, 3000);
    total += response.code === ResponseCode.SUCCESS ? Number(response.extFields['offset'] ?? 0) : 0;
  }
  await client.close();
  return total;
}

describe('broker Master/Slave replication', { timeout: 120_000 }, () => {
  let cluster: RealCluster;
  let admin: Admin;
  let producer: Producer;
  const sent = 100;

  before(async () => {
    cluster = await startRealCluster([
      { brokerName: 'broker-a', config: { brokerRole: 'SYNC_MASTER', ...fast } },
      { brokerName: 'broker-a', brokerId: 1, config: fast },
    ]);
    admin = new Admin({ namesrvAddr: cluster.namesrvAddr });
    await admin.start();
    await admin.createTopic({
      topic: 'Rep',
      readQueueNums: 2,
      writeQueueNums: 2,
      brokerAddr: cluster.brokers[0]?.address ?? '',
    });
    producer = new Producer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: 'RepPG',
      pollNameServerIntervalMs: 300,
      autoCreateTopic: false,
    });
    await producer.start();
  });

  after(async () => {
    await producer?.shutdown();
    await admin?.shutdown();
    await cluster?.stop();
  });

  it('acknowledges SYNC_MASTER sends once the slave has them, and the slave learns the topic', async () => {
    await waitFor(
      async () => (await producer.send({ topic: 'Rep', body: 'probe' })).sendStatus === 'SEND_OK',
      { timeoutMs: 10_000, what: 'the slave to connect' },
    );
    for (let i = 0; i < sent; i++) {
      const result = await producer.send({ topic: 'Rep', body: `m-${i}` });
      assert.equal(result.sendStatus, 'SEND_OK');
    }
    await waitFor(
      async () =>
        Object.keys((await admin.topicRoute('Rep')).brokerDatas[0]?.brokerAddrs ?? {}).length === 2,
      { timeoutMs: 10_000, what: 'the slave to serve the topic' },
    );
    // The master's runtime info carries its HA figures: one slave, nothing unacknowledged.
    const status = await admin.brokerStatus(cluster.brokers[0]?.address ?? '');
    assert.equal(status['haConnectionCount'], '1');
    assert.equal(status['push2SlaveMaxOffset'], status['commitLogMaxOffset']);
    assert.equal(status['slaveFallBehindMuch'], '0');
    assert.ok(Number(status['haListenPort']) > 0);
    const slaveStatus = await admin.brokerStatus(cluster.brokers[1]?.address ?? '');
    assert.equal(slaveStatus['haConnectionCount'], undefined, 'a slave serves no slaves');
    assert.equal(slaveStatus['commitLogMaxOffset'], status['commitLogMaxOffset']);
  });

  it("reports the slave's acknowledged offset and lag in the master's runtime info", async () => {
    const masterAddr = cluster.brokers[0]?.address ?? '';
    const slaveAddr = cluster.brokers[1]?.address ?? '';
    await waitFor(
      async () => (await admin.brokerStatus(masterAddr))['slaveFallBehindMuch'] === '0',
      {
        timeoutMs: 10_000,
        what: 'the slave to acknowledge everything',
      },
    );
    const master = await admin.brokerStatus(masterAddr);
    assert.equal(master['haConnectionCount'], '1');
    assert.ok(Number(master['commitLogMaxOffset']) > sent * 3, 'the sends are in the log');
    assert.equal(master['push2SlaveMaxOffset'], master['commitLogMaxOffset']);
    const slave = await admin.brokerStatus(slaveAddr);
    assert.equal(slave['commitLogMaxOffset'], master['commitLogMaxOffset']);
    assert.equal(slave['push2SlaveMaxOffset'], undefined, 'a slave streams to nobody');
  });

  it('keeps consumers going from the slave when the master dies, and carries their offsets back', async () => {
    const first = await consumeAll(cluster.namesrvAddr, 'G1', sent);
    await first.consumer.shutdown();
    // Every message in the queues, probes included: what G1 committed on the master.
    const progress = await admin.consumerProgress('G1', 'Rep');
    const stored = progress.queues.reduce((sum, q) => sum + q.brokerOffset, 0);
    assert.ok(progress.queues.every((q) => q.consumerOffset === q.brokerOffset));
    // The slave copies the master's offsets every slaveSynchronizeInterval; wait for that copy.
    const slave = new RemotingClient({ address: cluster.brokers[1]?.address ?? '' });
    await waitFor(
      async () => {
        let total = 0;
        for (const queueId of [0, 1]) {
          const request = createRequest(
            RequestCode.QUERY_CONSUMER_OFFSET,
            QueryConsumerOffsetRequestHeader.encode({ consumerGroup: 'G1', topic: 'Rep', queueId }),
          );
          const response = await slave.invoke(request, 3000);
          total +=
            response.code === ResponseCode.SUCCESS ? Number(response.extFields['offset'] ?? 0) : 0;
        }
        return total === stored;
      },
      { timeoutMs: 10_000, what: 'the slave to copy G1 offsets' },
    );
    await slave.close();
    const master = cluster.brokers[0];
    master?.child.kill('SIGKILL');
    await master?.child.exited;
    await waitFor(
      async () => (await admin.topicRoute('Rep')).brokerDatas[0]?.brokerAddrs['0'] === undefined,
      { timeoutMs: 10_000, what: 'the master gone from the route' },
    );
    // A slave never moves a consumer's offset: a pull beyond its queue (messages read on the
    // master that the slave lacks) waits there, instead of being sent back to offset 0.
    const raw = new TestClient(cluster.brokers[1]?.address ?? '');
    const end = (await raw.pull({ group: 'G1', topic: 'Rep', queueId: 0, offset: 0 })).maxOffset;
    const beyond = await raw.pull({ group: 'G1', topic: 'Rep', queueId: 0, offset: end + 5 });
    await raw.close();
    assert.equal(beyond.code, ResponseCode.PULL_NOT_FOUND);
    assert.equal(beyond.nextBeginOffset, end + 5, 'the offset is kept');
    // The master is dead and gone from the route: all of it comes from the slave.
    const fromSlave = await consumeAll(cluster.namesrvAddr, 'G2', sent);
    assert.equal(fromSlave.bodies.size, sent);
    await fromSlave.consumer.shutdown();
    // G1 committed on the master, which the slave copied: restarting it on the slave redelivers nothing.
    const resumed = new PushConsumer(consumerOptions(cluster.namesrvAddr, 'G1'));
    let redelivered = 0;
    resumed.subscribe('Rep', '*', (messages) => {
      redelivered += messages.length;
      return ConsumeStatus.CONSUME_SUCCESS;
    });
    await resumed.start();
    // Both queues pulled to their end and held there by the slave: anything to redeliver would
    // have come with those pulls.
    const slaveAdmin = new TestClient(cluster.brokers[1]?.address ?? '');
    await waitFor(
      async () => {
        const info = await slaveAdmin.invoke(RequestCode.GET_BROKER_RUNTIME_INFO);
        return Number(decodeKvTable(info.body).table['heldPullRequests']) >= 2;
      },
      { timeoutMs: 10_000, what: "G1's pulls held at the end of both queues" },
    );
    await slaveAdmin.close();
    await resumed.shutdown();
    assert.equal(redelivered, 0, 'offsets committed on the master were carried to the slave');
    // The master comes back on the same store: it merges G2's offsets from its slave.
    await cluster.startBroker(
      { brokerName: 'broker-a', config: { brokerRole: 'SYNC_MASTER', ...fast } },
      master?.dir,
    );
    await waitFor(
      async () => {
        const progress = await admin.consumerProgress('G2', 'Rep');
        const onMaster = progress.queues.filter((q) => q.queue.brokerName === 'broker-a');
        return onMaster.length === 2 && onMaster.every((q) => q.consumerOffset === q.brokerOffset);
      },
      { timeoutMs: 15_000, what: 'G2 offsets carried back to the master' },
    ).catch(async (error: unknown) => {
      throw new Error(
        `${String(error)}: ${JSON.stringify(await admin.consumerProgress('G2', 'Rep'))}; slave: ${await offsetsOn(cluster.brokers[1]?.address ?? '', 'G2')} ${cluster.brokers[1]?.child.stderr.join(' | ')}`,
      );
    });
  });
});

async function topicTable(address: string): Promise<{
  topicConfigTable: Record<string, unknown>;
  dataVersion: { timestamp: number; counter: number };
}> {
  const client = new RemotingClient({ address });
  const response = await client.invoke(createRequest(RequestCode.GET_ALL_TOPIC_CONFIG, {}), 3000);
  await client.close();
  assert.equal(response.code, ResponseCode.SUCCESS);
  return JSON.parse(response.body?.toString() ?? '{}');
}

async function slaveKnowsTopic(address: string, topic: string): Promise<boolean> {
  return topic in (await topicTable(address)).topicConfigTable;
}

/** The slave's topic table carries its master's data version: it has copied the table. */
async function slaveCopiedTopics(slave: string, master: string): Promise<boolean> {
  const [s, m] = await Promise.all([topicTable(slave), topicTable(master)]);
  return (
    s.dataVersion.counter === m.dataVersion.counter &&
    s.dataVersion.timestamp === m.dataVersion.timestamp
  );
}

describe('a slave whose master dies before the next config copy', { timeout: 60_000 }, () => {
  it('learns a topic from its replicated ConsumeQueues and serves it', async () => {
    // The slave copies its master's topics once at start and then only every 60 s.
    const slow = { slaveSynchronizeInterval: '60000', haSendHeartbeatInterval: '200' };
    const cluster = await startRealCluster([
      { brokerName: 'broker-b', config: { brokerRole: 'SYNC_MASTER', ...slow } },
      { brokerName: 'broker-b', brokerId: 1, config: slow },
    ]);
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'LatePG' });
    try {
      // Past the slave's first copy of its master's topics (then not again for 60 s).
      await waitFor(
        () =>
          slaveCopiedTopics(cluster.brokers[1]?.address ?? '', cluster.brokers[0]?.address ?? ''),
        { timeoutMs: 10_000, what: "the slave's first copy of its master's topics" },
      );
      await producer.start();
      await waitFor(
        async () =>
          (await producer.send({ topic: 'Late', body: 'late-0' })).sendStatus === 'SEND_OK',
        { timeoutMs: 10_000, what: 'the slave to connect' },
      );
      for (let i = 1; i < 20; i++) {
        assert.equal(
          (await producer.send({ topic: 'Late', body: `late-${i}` })).sendStatus,
          'SEND_OK',
        );
      }
      assert.equal(await slaveKnowsTopic(cluster.brokers[1]?.address ?? '', 'Late'), false);
      const master = cluster.brokers[0];
      master?.child.kill('SIGKILL');
      await master?.child.exited;
      const { bodies, consumer } = await consumeAll(cluster.namesrvAddr, 'LateG', 20, 'Late');
      await consumer.shutdown();
      for (let i = 0; i < 20; i++) assert.ok(bodies.has(`late-${i}`), `late-${i}`);
    } finally {
      await producer.shutdown();
      await cluster.stop();
    }
  });
});

// mqadmin's day-to-day commands as an operator runs them (bin/mqadmin, a child process, --json)
// against a real NameServer and a broker group with a master and a slave: connections of a live
// consumer and producer, a reset of offsets to a time, a message by queue offset, the broker's
// config and a live change of brokerPermission (a non-live key refused), write permission wiped
// and restored on the NameServer, subscription groups created and deleted, a topic deleted, and
// haStatus showing the slave streaming.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Producer } from '../../client/producer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import { RequestCode } from '../../protocol/index.js';
import { TestClient } from '../harness/broker-client.js';
import { mqadminCli } from '../harness/mqadmin-cli.js';
import { type RealCluster, startRealCluster } from '../harness/real-cluster.js';
import { waitFor } from '../harness/wait-for.js';

const TOPIC = 'OpsTopic';
let cluster: RealCluster;

const { run: mqadmin, json } = mqadminCli(() => cluster.namesrvAddr);

async function topicPerm(topic: string): Promise<number | undefined> {
  const route = await mqadmin('topicRoute', '-t', topic, '--json');
  if (route.code !== 0) return undefined;
  const queueDatas = (JSON.parse(route.stdout) as { queueDatas: { perm: number }[] }).queueDatas;
  return queueDatas[0]?.perm;
}

describe('mqadmin day-to-day commands against a real cluster', { timeout: 180_000 }, () => {
  let master = '';
  before(async () => {
    cluster = await startRealCluster([
      { brokerName: 'broker-a' },
      { brokerName: 'broker-a', brokerId: 1 },
    ]);
    master = cluster.brokers[0]?.address ?? '';
    await json('updateTopic', '-t', TOPIC, '-b', master, '-w', '2', '-r', '2');
    await waitFor(async () => (await topicPerm(TOPIC)) === 6, {
      timeoutMs: 10_000,
      what: 'the topic route',
    });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('lists live connections, resets offsets to a time, and reads a message by offset', async () => {
    const producer = new Producer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: 'OpsPG',
      heartbeatBrokerIntervalMs: 200,
    });
    await producer.start();
    const consumed: string[] = [];
    const consumer = new PushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: 'OpsCG',
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      persistConsumerOffsetIntervalMs: 100,
    });
    try {
      for (let i = 0; i < 10; i++) await producer.send({ topic: TOPIC, body: `ops-${i}` });
      consumer.subscribe(TOPIC, '*', async (messages) => {
        for (const m of messages) consumed.push(m.body.toString());
        return ConsumeStatus.CONSUME_SUCCESS;
      });
      await consumer.start();
      await waitFor(() => consumed.length >= 10, {
        timeoutMs: 30_000,
        what: '10 messages consumed',
      });

      const consumers = await json('consumerConnection', '-g', 'OpsCG');
      const connections = consumers['connectionSet'] as { clientId: string; clientAddr: string }[];
      assert.equal(connections.length, 1);
      assert.ok(Object.keys(consumers['subscriptionTable'] as object).includes(TOPIC));
      assert.equal(consumers['messageModel'], 'CLUSTERING');
      const producers = await waitFor(
        async () => {
          const r = await json('producerConnection', '-g', 'OpsPG', '-t', TOPIC);
          return (r['connectionSet'] as unknown[]).length === 1 ? r : undefined;
        },
        { timeoutMs: 10_000, what: 'the producer heartbeat' },
      );
      assert.equal((producers['connectionSet'] as unknown[]).length, 1);

      await consumer.shutdown();
      const committed = await waitFor(
        async () => {
          const p = await json('consumerProgress', '-g', 'OpsCG');
          return (p['diffTotal'] as number) === 0 ? p : undefined;
        },
        { timeoutMs: 10_000, what: 'offsets committed' },
      );
      assert.equal(committed['diffTotal'], 0);
      const reset = await json('resetOffsetByTime', '-g', 'OpsCG', '-t', TOPIC, '-s', '0');
      const queues = reset['queues'] as { queueId: number; offset: number }[];
      assert.deepEqual(
        queues.map((q) => [q.queueId, q.offset]),
        [
          [0, 0],
          [1, 0],
        ],
      );
      const progress = await json('consumerProgress', '-g', 'OpsCG');
      assert.equal(progress['diffTotal'], 10, 'every message is to be consumed again');
      // The slave took the reset too: the master's merge of slave offsets cannot undo it.
      const slave = new TestClient(cluster.brokers[1]?.address ?? '');
      try {
        const r = await slave.invoke(RequestCode.GET_ALL_CONSUMER_OFFSET);
        const table = JSON.parse(r.body?.toString() ?? '{}') as {
          offsetTable: Record<string, Record<string, number>>;
        };
        assert.deepEqual(table.offsetTable[`${TOPIC}@OpsCG`], { 0: 0, 1: 0 });
      } finally {
        await slave.remoting.close();
      }

      const message = await json(
        'queryMsgByOffset',
        '-t',
        TOPIC,
        '-b',
        'broker-a',
        '-i',
        '0',
        '-o',
        '0',
      );
      assert.match(String(message['body']), /^ops-\d$/);
      const missing = await mqadmin(
        'queryMsgByOffset',
        '-t',
        TOPIC,
        '-b',
        'broker-a',
        '-i',
        '0',
        '-o',
        '999',
      );
      assert.notEqual(missing.code, 0);
    } finally {
      await consumer.shutdown();
      await producer.shutdown();
    }
  });

  it('changes brokerPermission live, refuses a key that is not live, and wipes and restores write permission', async () => {
    const config = await json('getBrokerConfig', '-b', master);
    const first = (config['brokers'] as { config: Record<string, string> }[])[0]?.config;
    assert.equal(first?.['brokerName'], 'broker-a');
    assert.equal(first?.['brokerPermission'], '6');

    await json('updateBrokerConfig', '-b', master, '-k', 'brokerPermission', '-v', '4');
    await waitFor(async () => (await topicPerm(TOPIC)) === 4, {
      timeoutMs: 10_000,
      what: 'read-only route',
    });
    const after = await json('getBrokerConfig', '-b', master);
    assert.equal(
      (after['brokers'] as { config: Record<string, string> }[])[0]?.config['brokerPermission'],
      '4',
    );
    await json('updateBrokerConfig', '-b', master, '-k', 'brokerPermission', '-v', '6');
    await waitFor(async () => (await topicPerm(TOPIC)) === 6, {
      timeoutMs: 10_000,
      what: 'writable route',
    });

    const refused = await mqadmin(
      'updateBrokerConfig',
      '-b',
      master,
      '-k',
      'flushDiskType',
      '-v',
      'SYNC_FLUSH',
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /flushDiskType cannot change while the broker runs/);

    const wiped = await json('wipeWritePerm', '-b', 'broker-a');
    const counts = wiped['nameServers'] as { topicCount: number }[];
    assert.ok((counts[0]?.topicCount ?? 0) >= 1);
    assert.equal(await topicPerm(TOPIC), 4);
    await json('addWritePerm', '-b', 'broker-a');
    assert.equal(await topicPerm(TOPIC), 6);
  });

  it('creates and deletes a subscription group, then deletes the topic', async () => {
    const client = new TestClient(master);
    const groups = async () => {
      const r = await client.invoke(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG);
      return JSON.parse(r.body?.toString() ?? '{}') as {
        subscriptionGroupTable: Record<string, { retryMaxTimes: number }>;
      };
    };
    try {
      await json('updateSubGroup', '-g', 'OpsNewGroup', '-b', master, '-r', '3');
      assert.equal((await groups()).subscriptionGroupTable['OpsNewGroup']?.retryMaxTimes, 3);
      await json('deleteSubGroup', '-g', 'OpsNewGroup', '-c', 'DefaultCluster', '-r', 'true');
      assert.equal((await groups()).subscriptionGroupTable['OpsNewGroup'], undefined);
    } finally {
      await client.remoting.close();
    }
    await json('deleteTopic', '-t', TOPIC, '-c', 'DefaultCluster');
    const list = await json('topicList');
    assert.ok(!(list['topicList'] as string[]).includes(TOPIC));
  });

  it('shows each group with its master, replicas and streaming slaves', async () => {
    const status = await waitFor(
      async () => {
        const s = await json('haStatus');
        const group = (
          s['groups'] as { brokerName: string; haConnectionCount: number | null }[]
        )[0];
        return group?.haConnectionCount === 1 ? s : undefined;
      },
      { timeoutMs: 20_000, what: 'the slave streaming' },
    );
    const group = (status['groups'] as Record<string, unknown>[])[0];
    assert.equal(group?.['brokerName'], 'broker-a');
    assert.equal(group?.['master'], master);
    assert.deepEqual(group?.['replicas'], [{ brokerId: 1, address: cluster.brokers[1]?.address }]);
    const table = await mqadmin('haStatus');
    assert.match(table.stdout, /#Cluster\s+#Broker Name\s+#Master/);
    const rt = await json('clusterRT', '-a', '5', '-s', '64');
    const brokers = rt['brokers'] as { brokerName: string; successCount: number; rtMs: number }[];
    assert.deepEqual(
      brokers.map((b) => [b.brokerName, b.successCount]),
      [['broker-a', 5]],
    );
    assert.ok((brokers[0]?.rtMs ?? 0) > 0);
  });
});

// mqadmin as a user runs it (bin/mqadmin, a child process) against a real NameServer and broker:
// every command with --json, the readable tables, and a failing command printing one line that
// names the address and the code, with exit code 1 (2 for usage errors).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Producer } from '../../client/producer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import { mqadminCli } from '../harness/mqadmin-cli.js';
import { type RealCluster, startRealCluster } from '../harness/real-cluster.js';
import { waitFor } from '../harness/wait-for.js';

let cluster: RealCluster;

const { run: mqadmin, json } = mqadminCli(() => cluster.namesrvAddr);

describe('mqadmin against a real cluster', { timeout: 120_000 }, () => {
  before(async () => {
    cluster = await startRealCluster([{ brokerName: 'broker-a' }]);
  });

  after(async () => {
    await cluster?.stop();
  });

  it('creates a topic, lists it, shows its route and status', async () => {
    const created = await json('updateTopic', '-t', 'AdminTopic', '-w', '3', '-r', '3');
    assert.deepEqual(
      (created['brokers'] as { brokerName: string }[]).map((b) => b.brokerName),
      ['broker-a'],
    );
    await waitFor(async () => (await mqadmin('topicRoute', '-t', 'AdminTopic')).code === 0, {
      timeoutMs: 10_000,
    });
    const list = await json('topicList');
    assert.ok((list['topicList'] as string[]).includes('AdminTopic'));
    const route = await json('topicRoute', '-t', 'AdminTopic');
    assert.equal((route['queueDatas'] as { writeQueueNums: number }[])[0]?.writeQueueNums, 3);
    const table = await mqadmin('topicRoute', '-t', 'AdminTopic');
    assert.match(table.stdout, /#Broker Name\s+#Read Queues\s+#Write Queues\s+#Perm/);
    assert.match(table.stdout, /broker-a\s+3\s+3\s+RW-/);
    const status = await json('topicStatus', '-t', 'AdminTopic');
    assert.equal((status['queues'] as unknown[]).length, 3);
  });

  it('lists the cluster and shows a broker status', async () => {
    const clusterList = await json('clusterList');
    const brokers = clusterList['brokers'] as {
      brokerName: string;
      address: string;
      error: unknown;
    }[];
    assert.equal(brokers.length, 1);
    assert.equal(brokers[0]?.error, null);
    const address = brokers[0]?.address ?? '';
    const status = await json('brokerStatus', '-b', address);
    assert.equal(typeof status['commitLogMaxOffset'], 'string');
    const text = await mqadmin('clusterList');
    assert.match(text.stdout, /DefaultCluster\s+broker-a\s+0\s+127\.0\.0\.1:\d+/);
  });

  it('finds messages by id and key, and shows consumer progress', async () => {
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'AdminPG' });
    await producer.start();
    const consumer = new PushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: 'AdminCG',
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      persistConsumerOffsetIntervalMs: 200,
    });
    try {
      const sent = await producer.send({ topic: 'AdminTopic', body: 'needle', keys: 'order-9' });
      const byOffsetId = await json('queryMsgById', '-i', sent.offsetMsgId);
      assert.equal(byOffsetId['body'], 'needle');
      assert.equal(byOffsetId['msgId'], sent.msgId);
      assert.equal(byOffsetId['brokerName'], 'broker-a');
      const byUniqId = await json('queryMsgById', '-i', sent.msgId, '-t', 'AdminTopic');
      assert.equal(byUniqId['offsetMsgId'], sent.offsetMsgId);
      await waitFor(
        async () =>
          (
            (await json('queryMsgByKey', '-t', 'AdminTopic', '-k', 'order-9'))[
              'messages'
            ] as unknown[]
          ).length === 1,
        { timeoutMs: 10_000, what: 'the key in the index' },
      );
      const readable = await mqadmin('queryMsgById', '-i', sent.offsetMsgId);
      assert.match(readable.stdout, /Message Body\s+: needle/);

      let consumed = 0;
      consumer.subscribe('AdminTopic', '*', (messages) => {
        consumed += messages.length;
        return ConsumeStatus.CONSUME_SUCCESS;
      });
      await consumer.start();
      await waitFor(() => consumed === 1, { timeoutMs: 10_000 });
      await waitFor(
        async () => {
          const progress = await json('consumerProgress', '-g', 'AdminCG', '-t', 'AdminTopic');
          const queues = progress['queues'] as { consumerOffset: number; brokerOffset: number }[];
          return (
            queues.length > 0 &&
            progress['diffTotal'] === 0 &&
            queues.some((q) => q.consumerOffset === 1)
          );
        },
        { timeoutMs: 10_000, what: 'committed progress' },
      );
    } finally {
      await consumer.shutdown();
      await producer.shutdown();
    }
  });

  it('sends and prints messages (sendMessage, consumeMessage)', async () => {
    const sent = await json(
      'sendMessage',
      '-t',
      'TryTopic',
      '-p',
      'hello',
      '-k',
      'k1',
      '-c',
      'tagA',
    );
    assert.equal(sent['sendStatus'], 'SEND_OK');
    const text = await mqadmin('sendMessage', '-t', 'TryTopic', '-p', 'world');
    assert.match(text.stdout, /#Send Result[\s\S]*SEND_OK/);
    const read = await json('consumeMessage', '-t', 'TryTopic');
    const bodies = (read['messages'] as { body: string }[]).map((m) => m.body).sort();
    assert.deepEqual(bodies, ['hello', 'world']);
    const table = await mqadmin('consumeMessage', '-t', 'TryTopic', '-c', '1');
    assert.equal(table.code, 0, table.stderr);
    assert.equal(table.stdout.trim().split('\n').length, 2);
  });

  it('fails with one line naming the address and the code', async () => {
    const missing = await mqadmin('topicRoute', '-t', 'NoSuchTopic');
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    assert.match(missing.stderr, new RegExp(cluster.namesrvAddr.replace(/\./g, '\\.')));
    assert.match(missing.stderr, /E_NO_ROUTE/);
    const down = await mqadmin('brokerStatus', '-b', '127.0.0.1:1');
    assert.equal(down.code, 1);
    assert.match(down.stderr, /127\.0\.0\.1:1/);
    assert.match(down.stderr, /E_CONNECT_FAILED/);
    const usage = await mqadmin('topicRoute');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /E_USAGE/);
  });
});

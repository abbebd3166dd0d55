// Transactional messages against a real NameServer and broker (transactionTimeOut and
// transactionCheckInterval shortened): a half message is invisible until committed; rollback drops
// it; UNKNOW is resolved by the broker's check (CHECK_TRANSACTION_STATE) with the producer, also
// with another producer of the group after the first one left, and after a kill -9 and restart of
// the broker; a transaction never resolved is dropped after transactionCheckMax checks into
// TRANS_CHECK_MAX_TIME_TOPIC; a second END_TRANSACTION stores nothing twice; END_TRANSACTION that
// does not match its half message is refused with RocketMQ's remark.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../client/admin.js';
import { Producer } from '../../client/producer.js';
import { PullConsumer } from '../../client/pull-consumer.js';
import {
  type LocalTransactionState,
  type TransactionListener,
  TransactionProducer,
  type TransactionSendResult,
} from '../../client/transaction-producer.js';
import { RequestCode, ResponseCode } from '../../protocol/index.js';
import { decodeOffsetMsgId } from '../../protocol/message-id.js';
import { TestClient } from '../harness/broker-client.js';
import { pullAll } from '../harness/pull-all.js';
import { type RealCluster, startRealCluster } from '../harness/real-cluster.js';
import { waitFor } from '../harness/wait-for.js';

const fast = { pollNameServerIntervalMs: 500, heartbeatBrokerIntervalMs: 500 };
const brokerConfig = {
  transactionTimeOut: '300',
  transactionCheckInterval: '300',
  transactionCheckMax: '2',
};

let cluster: RealCluster;
let admin: Admin;
let reader: PullConsumer;
const closers: (() => Promise<void>)[] = [];
let seq = 0;

async function createTopic(): Promise<string> {
  const topic = `TX_${process.pid}_${++seq}`;
  await admin.createTopic({ topic, readQueueNums: 1, writeQueueNums: 1 });
  await waitFor(async () => (await admin.topicRoute(topic)).queueDatas.length === 1, {
    timeoutMs: 10_000,
    what: `route of ${topic}`,
  });
  return topic;
}

/** Every message of the topic's single queue, read from offset 0. */
async function readAll(topic: string): Promise<string[]> {
  const [queue] = await reader.fetchSubscribeMessageQueues(topic);
  assert.ok(queue !== undefined);
  return (await pullAll(reader, queue)).map((m) => m.body.toString());
}

interface Recorder extends TransactionListener {
  checks: string[];
}

function listener(
  local: (body: string) => LocalTransactionState | Promise<LocalTransactionState>,
  check: (body: string) => LocalTransactionState,
): Recorder {
  const checks: string[] = [];
  return {
    checks,
    executeLocalTransaction: (message) => local(String(message.body)),
    checkLocalTransaction: (message) => {
      checks.push(message.body.toString());
      assert.equal(message.topic.startsWith('TX_'), true, 'the check names the real topic');
      return check(message.body.toString());
    },
  };
}

async function transactionProducer(
  group: string,
  l: Recorder,
  checkTopics: string[] = [],
): Promise<TransactionProducer> {
  const p = new TransactionProducer({
    namesrvAddr: cluster.namesrvAddr,
    groupName: group,
    ...fast,
    transactionListener: l,
    checkTopics,
  });
  await p.start();
  closers.push(() => p.shutdown());
  return p;
}

/** A repeated END_TRANSACTION is answered without storing again; mismatches are refused. */
async function checkEndTransactionAnswers(committed: TransactionSendResult): Promise<void> {
  const client = new TestClient(cluster.brokers[0]?.address ?? '');
  try {
    const end = (producerGroup: string, commitLogOffset: number) =>
      client.invoke(RequestCode.END_TRANSACTION, {
        producerGroup,
        tranStateTableOffset: committed.queueOffset,
        commitLogOffset,
        commitOrRollback: 8,
        fromTransactionCheck: false,
        msgId: committed.msgId,
      });
    const offset = decodeOffsetMsgId(committed.offsetMsgId).commitLogOffset;
    const again = await end('TXP_BASIC', offset);
    assert.equal(again.code, ResponseCode.SUCCESS);
    assert.match(again.remark ?? '', /already resolved/);
    const wrongGroup = await end('SOMEONE_ELSE', offset);
    assert.equal(wrongGroup.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(wrongGroup.remark, 'The producer group wrong');
    const nowhere = await end('TXP_BASIC', offset + 1);
    assert.equal(nowhere.code, ResponseCode.SYSTEM_ERROR);
  } finally {
    await client.close();
  }
}

describe('transactional messages on a real broker', { timeout: 120_000 }, () => {
  before(async () => {
    cluster = await startRealCluster([{ brokerName: 'broker-a', config: brokerConfig }]);
    admin = new Admin({ namesrvAddr: cluster.namesrvAddr });
    await admin.start();
    reader = new PullConsumer({ namesrvAddr: cluster.namesrvAddr, groupName: 'TX_READER' });
    await reader.start();
  });

  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await reader?.shutdown();
    await admin?.shutdown();
    await cluster?.stop();
  });

  it('hides a half message until commit, drops it on rollback, stores a commit once', async () => {
    const topic = await createTopic();
    const seenDuringLocal: string[][] = [];
    const l = listener(
      async (body) => {
        seenDuringLocal.push(await readAll(topic));
        return body.startsWith('commit') ? 'COMMIT_MESSAGE' : 'ROLLBACK_MESSAGE';
      },
      () => 'UNKNOW',
    );
    const p = await transactionProducer('TXP_BASIC', l);
    const committed = await p.sendMessageInTransaction({ topic, body: 'commit-1' });
    assert.equal(committed.sendStatus, 'SEND_OK');
    assert.equal(committed.localTransactionState, 'COMMIT_MESSAGE');
    const rolledBack = await p.sendMessageInTransaction({ topic, body: 'rollback-1' });
    assert.equal(rolledBack.localTransactionState, 'ROLLBACK_MESSAGE');
    assert.deepEqual(seenDuringLocal, [[], ['commit-1']], 'half messages are not visible');
    const plain = new Producer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: 'TXP_PLAIN',
      ...fast,
    });
    await plain.start();
    closers.push(() => plain.shutdown());
    await plain.send({ topic, body: 'sentinel' });
    assert.deepEqual(await readAll(topic), ['commit-1', 'sentinel']);

    await checkEndTransactionAnswers(committed);
    assert.deepEqual(await readAll(topic), ['commit-1', 'sentinel'], 'no second copy');
    assert.deepEqual(l.checks, [], 'resolved transactions are never checked');
  });

  it('resolves UNKNOW through the broker check, with another producer of the group too', async () => {
    const topic = await createTopic();
    const first = listener(
      () => 'UNKNOW',
      () => 'COMMIT_MESSAGE',
    );
    const p1 = await transactionProducer('TXP_CHECK', first);
    const r = await p1.sendMessageInTransaction({ topic, body: 'checked-commit' });
    assert.equal(r.localTransactionState, 'UNKNOW');
    await waitFor(async () => (await readAll(topic)).includes('checked-commit'), {
      timeoutMs: 15_000,
      what: 'the checked transaction to be committed',
    });
    assert.ok(first.checks.includes('checked-commit'));

    const leaving = listener(
      () => 'UNKNOW',
      () => 'UNKNOW',
    );
    const p2 = await transactionProducer('TXP_HANDOVER', leaving);
    await p2.sendMessageInTransaction({ topic, body: 'handed-over' });
    await p2.shutdown();
    const staying = listener(
      () => 'UNKNOW',
      () => 'COMMIT_MESSAGE',
    );
    await transactionProducer('TXP_HANDOVER', staying, [topic]);
    await waitFor(async () => (await readAll(topic)).includes('handed-over'), {
      timeoutMs: 15_000,
      what: 'the transaction to be committed by the other producer of the group',
    });
    assert.ok(staying.checks.includes('handed-over'));
    assert.equal((await readAll(topic)).filter((b) => b === 'handed-over').length, 1);
  });

  it('drops a transaction after transactionCheckMax checks', async () => {
    const topic = await createTopic();
    const l = listener(
      () => 'UNKNOW',
      () => 'UNKNOW',
    );
    const p = await transactionProducer('TXP_MAX', l);
    await p.sendMessageInTransaction({ topic, body: 'never-resolved' });
    await waitFor(
      async () => {
        const route = await admin.topicRoute('TRANS_CHECK_MAX_TIME_TOPIC').catch(() => null);
        return (
          route !== null && (await readAll('TRANS_CHECK_MAX_TIME_TOPIC')).includes('never-resolved')
        );
      },
      { timeoutMs: 15_000, what: 'the dropped transaction in TRANS_CHECK_MAX_TIME_TOPIC' },
    );
    assert.deepEqual(
      l.checks,
      ['never-resolved', 'never-resolved'],
      'checked transactionCheckMax times',
    );
    assert.deepEqual(await readAll(topic), []);
  });

  it('checks a half message left pending across a kill -9 and restart of the broker', async () => {
    const topic = await createTopic();
    let answer = 'UNKNOW' as LocalTransactionState;
    const l = listener(
      () => 'UNKNOW',
      () => answer,
    );
    const p = await transactionProducer('TXP_RESTART', l);
    await p.sendMessageInTransaction({ topic, body: 'survives-restart' });
    await waitFor(() => l.checks.length > 0, { timeoutMs: 10_000, what: 'a first check' });
    const broker = cluster.brokers[0];
    assert.ok(broker !== undefined);
    broker.child.kill('SIGKILL');
    await broker.child.exited;
    cluster.brokers.splice(0, 1);
    await cluster.startBroker(broker.spec, broker.dir);
    answer = 'COMMIT_MESSAGE';
    await waitFor(
      async () => (await readAll(topic).catch((): string[] => [])).includes('survives-restart'),
      {
        timeoutMs: 30_000,
        what: 'the pending transaction committed after the restart',
      },
    );
    assert.equal((await readAll(topic)).filter((b) => b === 'survives-restart').length, 1);
  });
});

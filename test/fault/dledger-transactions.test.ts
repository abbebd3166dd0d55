// Pending transactions across a DLedger leader failover (three real brokers from the seed's keys):
// half messages whose producer answered UNKNOW are replicated with the CommitLog; the leader is
// killed (SIGKILL); the new leader rebuilds its index of pending half messages from the replicated
// half and op queues, asks the producer (CHECK_TRANSACTION_STATE) and commits each one. Checked: every
// committed transaction is delivered exactly once, a rolled-back one never, and the transactions
// committed before the failover are not stored again.
// The topic is created on the leader and copied by the followers before the kill (without that
// copy, the new leader answered the reader TOPIC_NOT_EXIST until it learnt topics on promotion).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { PullConsumer } from '../../client/pull-consumer.js';
import {
  type LocalTransactionState,
  TransactionProducer,
} from '../../client/transaction-producer.js';
import { DledgerGroup } from '../harness/dledger-group.js';
import { pullAll } from '../harness/pull-all.js';
import { waitFor } from '../harness/wait-for.js';

const TOPIC = 'DlTx';

describe('transactions across a DLedger leader failover', () => {
  let group: DledgerGroup | undefined;
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await group?.stop();
  });

  it('resolves pending half messages on the new leader, each exactly once', {
    timeout: 120_000,
  }, async () => {
    group = await DledgerGroup.start([
      'transactionTimeOut=500',
      'transactionCheckInterval=500',
      'transactionCheckMax=10000',
    ]);
    const g = group;
    const leader = await g.waitLeader(20_000);
    await g.createTopic(TOPIC, 1, leader);
    let checkAnswer = 'UNKNOW' as LocalTransactionState;
    const producer = new TransactionProducer({
      namesrvAddr: g.namesrvAddr,
      groupName: 'DL_TXP',
      pollNameServerIntervalMs: 300,
      heartbeatBrokerIntervalMs: 300,
      sendMsgTimeoutMs: 5000,
      checkTopics: [TOPIC],
      transactionListener: {
        executeLocalTransaction: (m) => {
          const body = String(m.body);
          if (body.startsWith('commit')) return 'COMMIT_MESSAGE';
          return body.startsWith('rollback') ? 'ROLLBACK_MESSAGE' : 'UNKNOW';
        },
        checkLocalTransaction: (m) =>
          m.body.toString().startsWith('pending') ? checkAnswer : 'ROLLBACK_MESSAGE',
      },
    });
    await producer.start();
    closers.push(() => producer.shutdown());
    for (let i = 0; i < 5; i++) {
      await producer.sendMessageInTransaction({ topic: TOPIC, body: `commit-${i}` });
      await producer.sendMessageInTransaction({ topic: TOPIC, body: `pending-${i}` });
      await producer.sendMessageInTransaction({ topic: TOPIC, body: `rollback-${i}` });
    }
    await g.waitSameEnd(20_000);
    await g.kill(leader);
    checkAnswer = 'COMMIT_MESSAGE';
    const next = await g.waitLeader(20_000, leader);

    const reader = new PullConsumer({ namesrvAddr: g.namesrvAddr, groupName: 'DL_TX_READER' });
    await reader.start();
    closers.push(() => reader.shutdown());
    const readAll = async (): Promise<string[]> => {
      const [queue] = await reader.fetchSubscribeMessageQueues(TOPIC);
      if (queue === undefined) return [];
      return (await pullAll(reader, queue, '*', 50)).map((m) => m.body.toString());
    };
    let bodies: string[] = [];
    await waitFor(
      async () => {
        bodies = await readAll().catch((): string[] => []);
        return bodies.filter((b) => b.startsWith('pending')).length >= 5;
      },
      {
        timeoutMs: 40_000,
        what: `the pending transactions committed by member ${next}`,
      },
    );
    const want = [0, 1, 2, 3, 4].flatMap((i) => [`commit-${i}`, `pending-${i}`]).sort();
    assert.deepEqual(bodies.slice().sort(), want, 'each committed once, none rolled back');
  });
});

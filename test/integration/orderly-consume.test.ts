// Orderly consumption against a real NameServer and broker: messages sent with sendOrderly by key
// are consumed by orderly PushConsumers of one group while consumers join and leave. Checked from
// the history of listener calls (one process, one log): no two listener calls for one queue ever
// overlap (the broker's LOCK_BATCH_MQ keeps a queue with one client, and a client runs one batch
// per queue at a time); every queue's messages succeed in offset order with no gap and no
// duplicate; a failing message is retried in place (the queue waits, nothing after it is
// consumed first), and one that keeps failing goes to the DLQ after maxReconsumeTimes, after
// which its queue goes on. The broker's lock table itself is checked with raw requests too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../client/admin.js';
import type { MessageExt } from '../../client/message.js';
import { Producer } from '../../client/producer.js';
import { PullConsumer } from '../../client/pull-consumer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import { selectQueueByHash } from '../../client/queue-selector.js';
import {
  decodeLockBatchResponseBody,
  encodeLockBatchRequestBody,
  RequestCode,
  ResponseCode,
} from '../../protocol/index.js';
import { TestClient } from '../harness/broker-client.js';
import { type RealCluster, startRealCluster } from '../harness/real-cluster.js';
import { waitFor } from '../harness/wait-for.js';

const fast = { pollNameServerIntervalMs: 500, heartbeatBrokerIntervalMs: 500 };
const KEYS = 8;
const PER_KEY = 25;
const GROUP = 'ORDERLY_G';

interface Attempt {
  consumer: string;
  queueId: number;
  queueOffset: number;
  body: string;
  ok: boolean;
}

let cluster: RealCluster;
let admin: Admin;
let producer: Producer;
const consumers = new Map<string, PushConsumer>();

describe('orderly consumption on a real broker', { timeout: 120_000 }, () => {
  before(async () => {
    cluster = await startRealCluster([{ brokerName: 'broker-a' }]);
    admin = new Admin({ namesrvAddr: cluster.namesrvAddr });
    await admin.start();
    producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'ORDERLY_P', ...fast });
    await producer.start();
  });

  after(async () => {
    for (const c of consumers.values()) await c.shutdown().catch(() => undefined);
    await producer?.shutdown();
    await admin?.shutdown();
    await cluster?.stop();
  });

  it('lets one client of a group hold a queue lock until it unlocks or the lock expires', async () => {
    const client = new TestClient(cluster.brokers[0]?.address ?? '');
    try {
      const queue = { topic: 'LockT', brokerName: 'broker-a', queueId: 0 };
      const lock = async (clientId: string) => {
        const r = await client.invoke(
          RequestCode.LOCK_BATCH_MQ,
          {},
          encodeLockBatchRequestBody({
            consumerGroup: 'LOCK_G',
            clientId,
            mqSet: [queue, { ...queue, queueId: 1 }],
          }),
        );
        assert.equal(r.code, ResponseCode.SUCCESS);
        return decodeLockBatchResponseBody(r.body)
          .lockOKMQSet.map((q) => q.queueId)
          .sort();
      };
      assert.deepEqual(await lock('c1'), [0, 1]);
      assert.deepEqual(await lock('c2'), [], 'held by c1');
      assert.deepEqual(await lock('c1'), [0, 1], 'renewed by its holder');
      const unlock = await client.invoke(
        RequestCode.UNLOCK_BATCH_MQ,
        {},
        encodeLockBatchRequestBody({
          consumerGroup: 'LOCK_G',
          clientId: 'c1',
          mqSet: [queue],
        }),
      );
      assert.equal(unlock.code, ResponseCode.SUCCESS);
      assert.deepEqual(await lock('c2'), [0], 'queue 0 released, queue 1 still c1');
      const malformed = await client.invoke(RequestCode.LOCK_BATCH_MQ, {}, Buffer.from('{"x":'));
      assert.equal(malformed.code, ResponseCode.SYSTEM_ERROR);
    } finally {
      await client.close();
    }
  });

  it('keeps per-queue order across consumers joining and leaving, retries in place, then DLQ', async () => {
    const topic = `ORDERLY_${process.pid}`;
    await admin.createTopic({ topic, readQueueNums: 4, writeQueueNums: 4 });
    await waitFor(async () => (await admin.topicRoute(topic)).queueDatas.length === 1, {
      timeoutMs: 10_000,
      what: 'route',
    });
    const attempts: Attempt[] = [];
    const active = new Map<number, string>();
    const failuresLeft = new Map<string, number>([['0:5', 2]]);
    const overlaps: string[] = [];

    const start = async (name: string) => {
      const consumer = new PushConsumer({
        namesrvAddr: cluster.namesrvAddr,
        groupName: GROUP,
        ...fast,
        consumeOrderly: true,
        maxReconsumeTimes: 2,
        suspendCurrentQueueTimeMillis: 100,
        lockIntervalMs: 1000,
        rebalanceIntervalMs: 300,
        persistConsumerOffsetIntervalMs: 500,
        pullTimeDelayMsWhenException: 200,
        brokerSuspendMaxTimeMs: 1000,
        consumerTimeoutMsWhenSuspend: 5000,
        consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      });
      consumer.subscribe(topic, '*', async (messages: MessageExt[]) => {
        const m = messages[0] as MessageExt;
        const holder = active.get(m.queueId);
        if (holder !== undefined) overlaps.push(`${name} and ${holder} on queue ${m.queueId}`);
        active.set(m.queueId, name);
        await new Promise((resolve) => setTimeout(resolve, 2));
        const body = m.body.toString();
        const left = failuresLeft.get(body) ?? 0;
        if (left > 0) failuresLeft.set(body, left - 1);
        const ok = left === 0 && body !== '1:7';
        for (const x of messages) {
          attempts.push({
            consumer: name,
            queueId: x.queueId,
            queueOffset: x.queueOffset,
            body: x.body.toString(),
            ok,
          });
        }
        active.delete(m.queueId);
        return ok ? ConsumeStatus.CONSUME_SUCCESS : ConsumeStatus.RECONSUME_LATER;
      });
      await consumer.start();
      consumers.set(name, consumer);
    };

    await start('A');
    await start('B');
    const sends: Promise<unknown>[] = [];
    for (let seq = 0; seq < PER_KEY; seq++) {
      for (let key = 0; key < KEYS; key++) {
        sends.push(
          producer.sendOrderly({ topic, body: `${key}:${seq}` }, selectQueueByHash, `key-${key}`),
        );
      }
    }
    await Promise.all(sends);
    const total = KEYS * PER_KEY;
    const succeeded = () => new Set(attempts.filter((a) => a.ok).map((a) => a.body)).size;
    await waitFor(() => succeeded() >= total / 3, { timeoutMs: 30_000, what: 'a third consumed' });
    await start('C');
    await waitFor(() => succeeded() >= (total * 2) / 3, { timeoutMs: 30_000, what: 'two thirds' });
    await consumers.get('A')?.shutdown();
    consumers.delete('A');
    await waitFor(() => succeeded() >= total - 1, {
      timeoutMs: 60_000,
      what: `all but the dead-lettered message (${succeeded()} of ${total - 1})`,
    });

    assert.deepEqual(overlaps, [], 'no two listener calls on one queue at once');
    assert.ok(new Set(attempts.map((a) => a.consumer)).size >= 2, 'queues moved between consumers');
    for (let queueId = 0; queueId < 4; queueId++) {
      const mine = attempts.filter((a) => a.queueId === queueId);
      const successes = mine.filter((a) => a.ok).map((a) => a.queueOffset);
      const offsets = [...new Set(mine.map((a) => a.queueOffset))];
      assert.deepEqual(
        offsets,
        offsets.slice().sort((x, y) => x - y),
        `queue ${queueId}: attempts in offset order`,
      );
      assert.deepEqual(
        offsets,
        offsets.map((_, i) => i),
        `queue ${queueId}: no gap`,
      );
      assert.equal(new Set(successes).size, successes.length, `queue ${queueId}: no duplicate`);
    }
    const tries = (body: string) => attempts.filter((a) => a.body === body).length;
    assert.equal(tries('0:5'), 3, 'failed twice, then consumed, in place');
    assert.equal(tries('1:7'), 3, 'tried maxReconsumeTimes + 1 times');
    for (let key = 0; key < KEYS; key++) {
      const seqs = attempts
        .filter((a) => a.ok && a.body.startsWith(`${key}:`))
        .map((a) => Number(a.body.split(':')[1]));
      const want = Array.from({ length: PER_KEY }, (_, i) => i).filter(
        (i) => !(key === 1 && i === 7),
      );
      assert.deepEqual(seqs, want, `key ${key} consumed in send order`);
    }
    const dlq = new PullConsumer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: 'ORDERLY_DLQ_READER',
    });
    await dlq.start();
    try {
      const found: string[] = [];
      await waitFor(
        async () => {
          for (const queue of await dlq.fetchSubscribeMessageQueues(`%DLQ%${GROUP}`)) {
            const r = await dlq.pull(queue, '*', 0, 32);
            found.push(...r.messages.map((m) => m.body.toString()));
          }
          return found.includes('1:7');
        },
        { timeoutMs: 10_000, what: 'the failing message in the DLQ' },
      );
    } finally {
      await dlq.shutdown();
    }
  });
});

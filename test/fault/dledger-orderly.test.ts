// Orderly consumption across a DLedger leader failover (three real brokers): messages sent with
// sendOrderly by key are consumed by two orderly PushConsumers while the leader is killed
// (SIGKILL) and a new one takes over. Locks live in broker memory, so the consumers lock their
// queues again on the new leader. Checked from the history of listener calls: no two calls on one
// queue overlap; per queue, offsets only go one forward or back to an earlier offset (a replay
// after the failover, at-least-once), never skip ahead; per key, the first consumption of every
// message follows the send order; every acknowledged message is consumed.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { MessageExt } from '../../client/message.js';
import { Producer } from '../../client/producer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import { selectQueueByHash } from '../../client/queue-selector.js';
import { DledgerGroup } from '../harness/dledger-group.js';
import { waitFor } from '../harness/wait-for.js';

const TOPIC = 'DlOrderly';
const KEYS = 6;

interface Call {
  queueId: number;
  queueOffset: number;
  body: string;
}

describe('orderly consumption across a DLedger leader failover', () => {
  let group: DledgerGroup | undefined;
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await group?.stop();
  });

  it('keeps per-queue order and exclusivity, and loses nothing', { timeout: 150_000 }, async () => {
    group = await DledgerGroup.start();
    const g = group;
    const leader = await g.waitLeader(20_000);
    await g.admin.createTopic({
      topic: TOPIC,
      readQueueNums: 4,
      writeQueueNums: 4,
      brokerAddr: g.node(leader).address,
    });
    const fast = { pollNameServerIntervalMs: 300, heartbeatBrokerIntervalMs: 300 };
    const producer = new Producer({
      namesrvAddr: g.namesrvAddr,
      groupName: 'DL_ORDERLY_P',
      ...fast,
      sendMsgTimeoutMs: 2000,
    });
    await producer.start();
    closers.push(() => producer.shutdown());
    const calls: Call[] = [];
    const active = new Map<number, number>();
    const overlaps: number[] = [];
    for (let c = 0; c < 2; c++) {
      const consumer = new PushConsumer({
        namesrvAddr: g.namesrvAddr,
        groupName: 'DL_ORDERLY_G',
        ...fast,
        consumeOrderly: true,
        lockIntervalMs: 500,
        rebalanceIntervalMs: 500,
        persistConsumerOffsetIntervalMs: 300,
        pullTimeDelayMsWhenException: 200,
        brokerSuspendMaxTimeMs: 1000,
        consumerTimeoutMsWhenSuspend: 3000,
        consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      });
      consumer.subscribe(TOPIC, '*', async (messages: MessageExt[]) => {
        const m = messages[0] as MessageExt;
        if (active.has(m.queueId)) overlaps.push(m.queueId);
        active.set(m.queueId, c);
        await new Promise((resolve) => setTimeout(resolve, 1));
        for (const x of messages) {
          calls.push({ queueId: x.queueId, queueOffset: x.queueOffset, body: x.body.toString() });
        }
        active.delete(m.queueId);
        return ConsumeStatus.CONSUME_SUCCESS;
      });
      await consumer.start();
      closers.push(() => consumer.shutdown());
    }
    const acked: string[] = [];
    let stop = false;
    const senders = Array.from({ length: KEYS }, async (_, key) => {
      for (let seq = 0; !stop && seq < 10_000; seq++) {
        const body = `${key}:${seq}`;
        try {
          const r = await producer.sendOrderly(
            { topic: TOPIC, body },
            selectQueueByHash,
            `k${key}`,
          );
          if (r.sendStatus === 'SEND_OK') acked.push(body);
        } catch {
          // A send during the failover fails; the key's later sends keep their order.
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    });
    await waitFor(() => calls.length >= 300, { timeoutMs: 30_000, what: '300 consumed' });
    await g.kill(leader);
    await g.waitLeader(30_000, leader);
    const ackedBefore = acked.length;
    await waitFor(() => acked.length >= ackedBefore + 300, {
      timeoutMs: 40_000,
      what: '300 more acknowledged sends after the failover',
    });
    stop = true;
    await Promise.all(senders);
    const consumed = () => new Set(calls.map((c) => c.body));
    await waitFor(() => acked.every((b) => consumed().has(b)), {
      timeoutMs: 40_000,
      what: 'every acknowledged message consumed',
    });

    assert.deepEqual(overlaps, [], 'no two listener calls on one queue at once');
    for (let queueId = 0; queueId < 4; queueId++) {
      const offsets = calls.filter((c) => c.queueId === queueId).map((c) => c.queueOffset);
      for (let i = 1; i < offsets.length; i++) {
        const prev = offsets[i - 1] as number;
        const next = offsets[i] as number;
        assert.ok(next === prev + 1 || next <= prev, `queue ${queueId} skipped ${prev} -> ${next}`);
      }
    }
    for (let key = 0; key < KEYS; key++) {
      const firstSeen: number[] = [];
      const seen = new Set<string>();
      for (const c of calls) {
        if (!c.body.startsWith(`${key}:`) || seen.has(c.body)) continue;
        seen.add(c.body);
        firstSeen.push(Number(c.body.split(':')[1]));
      }
      assert.deepEqual(
        firstSeen,
        firstSeen.slice().sort((a, b) => a - b),
        `key ${key} in order`,
      );
    }
  });
});

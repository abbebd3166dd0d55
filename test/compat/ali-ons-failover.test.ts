// A real RocketMQ 4.x client (ali-ons 3.12.0, in a child process) keeps consuming from the slave
// when the master of its broker group dies, as the seed article promises ("当Master节点宕机后,
// 消费者会自动重连到Slave节点").
//
// Scenario: the seed article's SYNC_MASTER + ASYNC_FLUSH group; an ali-ons producer sends 60
// messages (all SEND_OK: the slave has each of them); an ali-ons consumer with a small prefetch
// (1 message per pull, flow control above 1 waiting message) and a handler taking 50 ms consumes them;
// once it has a few, the master is killed (SIGKILL). Checked: every message is delivered, and
// most of them after the kill, so they were pulled from the slave (the consumer held at most
// two per queue when the master died). Printed: the gap between the kill and the first message
// pulled from the slave.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HaPair } from '../harness/ha-pair.js';
import { type Child, spawnNode } from '../harness/spawn-process.js';
import { waitFor } from '../harness/wait-for.js';

const fixture = fileURLToPath(new URL('../fixtures/ali-ons/ali-ons-client.js', import.meta.url));
const TOPIC = 'AliOnsFailover';
const GROUP = 'AliOnsFailoverGroup';
const QUEUES = 4;
const COUNT = 60;
const HANDLER_MS = 50;

interface Event {
  event: string;
  atMs: number;
  body?: string;
  status?: string;
  queueId?: number;
  queueOffset?: number;
}

function events(child: Child, kind: string): Event[] {
  return child.lines
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Event)
    .filter((e) => e.event === kind);
}

describe('ali-ons consumer when the master dies', { timeout: 120_000 }, () => {
  let pair: HaPair | undefined;
  const children: Child[] = [];
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await pair?.stop();
  });

  it('goes on consuming from the slave', async (t) => {
    pair = await HaPair.start({ masterRole: 'SYNC_MASTER' });
    await pair.createTopic(TOPIC, QUEUES);

    const producer = spawnNode(fixture, ['produce', pair.namesrvAddr, TOPIC, String(COUNT), 'ha']);
    children.push(producer);
    assert.equal(
      await producer.exited,
      0,
      `producer failed: ${producer.stderr.slice(-5).join(' | ')}`,
    );
    const sent = events(producer, 'sent');
    assert.equal(sent.length, COUNT);
    assert.ok(
      sent.every((e) => e.status === 'SEND_OK'),
      'SYNC_MASTER: every send reached the slave',
    );

    const consumer = spawnNode(
      fixture,
      ['consume', pair.namesrvAddr, TOPIC, GROUP, '*', String(HANDLER_MS)],
      {
        ALI_ONS_CONSUMER_OPTIONS: JSON.stringify({
          consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
          pullBatchSize: 1,
          pullThresholdForQueue: 1,
          pullTimeDelayMillsWhenFlowControl: 50,
          pullTimeDelayMillsWhenException: 500,
          brokerSuspendMaxTimeMillis: 1000,
          consumerTimeoutMillisWhenSuspend: 3000,
        }),
      },
    );
    children.push(consumer);
    await waitFor(() => events(consumer, 'got').length >= 5, {
      timeoutMs: 30_000,
      what: 'the consumer to receive from the master',
    });
    const killedAt = Date.now();
    await pair.kill('master');
    const before = events(consumer, 'got').filter((e) => e.atMs <= killedAt).length;

    const wanted = new Set(sent.map((e) => e.body));
    await waitFor(
      () => {
        const got = new Set(events(consumer, 'got').map((e) => e.body));
        return [...wanted].every((body) => got.has(body));
      },
      { timeoutMs: 60_000, what: 'every message, from the slave' },
    ).catch((error: unknown) => {
      const got = new Set(events(consumer, 'got').map((e) => e.body));
      throw new Error(
        `${String(error)}: ${got.size} of ${COUNT} delivered (${before} before the kill); consumer stderr: ${consumer.stderr.slice(-8).join(' | ')}`,
      );
    });
    const after = events(consumer, 'got').filter((e) => e.atMs > killedAt);
    // At most pullThresholdForQueue + pullBatchSize messages per queue were waiting at the kill.
    const heldAtKill = 2 * QUEUES;
    assert.ok(
      after.length >= COUNT - before - heldAtKill,
      `${after.length} delivered after the kill, ${before} before`,
    );
    // The longest pause in deliveries, from the last one before the kill to the end.
    const times = events(consumer, 'got').map((e) => e.atMs);
    const across = times.slice(Math.max(0, before - 1));
    const pauses = across.slice(1).map((ms, i) => ms - (across[i] ?? ms));
    const bodies = events(consumer, 'got').map((e) => e.body);
    const repeated = bodies.length - new Set(bodies).size;
    t.diagnostic(
      `ali-ons failover: ${before} messages before the kill, ${after.length} after; longest pause in deliveries across the kill ${Math.max(...pauses)} ms (the handler takes ${HANDLER_MS} ms per message; pulls wait 500 ms after a failure); ${repeated} delivered twice`,
    );
  });
});

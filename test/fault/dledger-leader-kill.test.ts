// Goal: a DLedger group (three real brokers, started from the seed article's keys) whose leader is
// killed with SIGKILL under load elects a new leader, routes it as brokerId 0 and acknowledges
// writes again, losing no acknowledged message; consumers go on.
// Method: Petrel's client (4 logical producers, no client retries: one send, one outcome) and the
// real ali-ons client (a child process, retrying as RocketMQ clients do) send while a
// PushConsumer consumes. Each cycle waits a seeded while, kills the leader, measures kill -> a new
// leader in the NameServer route and kill -> the first acknowledged send that began after the
// kill, then restarts the killed member on its store and waits until every member's CommitLog
// ends at the same offset. At the end the leader's queues are read over the wire and checked
// against the history, as is what the consumer received.
// SEED=<n> replays one run's timing; PETREL_LONG=1 runs 20 cycles (2 in the default suite).

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPrng } from '../../common/prng.js';
import { DledgerGroup } from '../harness/dledger-group.js';
import type { Child } from '../harness/spawn-process.js';
import { ALI_FIRST_ID, firstAckAfter, runFailoverCycles } from './lib/failover-load.js';
import { checkFailoverRun } from './lib/ha-figures.js';
import type { History } from './lib/history.js';
import { dumpOverWire } from './lib/replica-dump.js';

const TOPIC = 'DlKill';
const QUEUES = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Cycle {
  newLeaderMs: number;
  firstAckMs: number;
}

async function killCycle(group: DledgerGroup, history: History, seed: number): Promise<Cycle> {
  const prng = createPrng(seed);
  await sleep(prng.int(500, 2000));
  const leader = await group.waitLeader(10_000);
  const killedAt = Date.now();
  await group.kill(leader);
  await group.waitLeader(10_000, leader);
  const newLeaderMs = Date.now() - killedAt;
  const firstAckMs = await firstAckAfter(history, killedAt);
  await group.startNode(leader);
  await group.waitSameEnd(30_000).catch(() => undefined);
  return { newLeaderMs, firstAckMs };
}

describe('DLedger leader killed under load', () => {
  let group: DledgerGroup | undefined;
  const children: Child[] = [];
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await group?.stop();
  });

  it('elects a new leader, writes resume, no acknowledged message is lost', {
    timeout: 900_000,
  }, async (t) => {
    group = await DledgerGroup.start(['slaveReadEnable=true']);
    const g = group;
    const leader = await g.waitLeader(20_000);
    await g.createTopic(TOPIC, QUEUES, leader);
    const { history, consumer, cycles } = await runFailoverCycles(t, {
      namesrvAddr: g.namesrvAddr,
      topic: TOPIC,
      consumerGroup: 'DlKillGroup',
      seedBase: 9100,
      children,
      cycle: (h, seed) => killCycle(g, h, seed),
      describe: (c) =>
        `new leader in the route ${c.newLeaderMs} ms, first ack ${c.firstAckMs} ms after the kill`,
    });
    const leaderNow = await g.waitLeader(10_000);
    await g.waitSameEnd(30_000);
    await checkFailoverRun(t, {
      history,
      served: {
        records: await dumpOverWire(g.node(leaderNow).address, TOPIC, QUEUES, 'leader'),
        role: 'leader',
      },
      consumer: consumer.consumer,
      routedMs: cycles.map((c) => c.newLeaderMs),
      firstAckMs: cycles.map((c) => c.firstAckMs),
      aliFirstId: ALI_FIRST_ID,
    });
    // A leader that has not applied what a follower served keeps the consumer's offset (no replay).
    assert.deepEqual(
      consumer.queueEvents.filter((e) => e.includes('Pull offset moved')),
      [],
      'no consumer offset was moved',
    );
  });
});

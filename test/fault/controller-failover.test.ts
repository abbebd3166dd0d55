// Goal: a two-replica group in RocketMQ 5 controller mode (allAckInSyncStateSet=true, the
// controller in the NameServer) whose master is killed with SIGKILL under load gets its slave
// promoted by the controller, producers write to it, and no acknowledged message is lost; the
// old master restarts on its store, becomes a slave, is cut to the last common epoch and offset
// (the cut bytes moved aside to a file named in its log) and catches up byte for byte.
// Method: Petrel's client (4 logical producers, no client retries: one send, one outcome) and the
// real ali-ons client (a child process, retrying as RocketMQ clients do) send while a
// PushConsumer consumes. Each cycle waits until the SyncStateSet holds both replicas (only a
// member may be elected), waits a seeded while, kills the master, measures kill -> the slave
// routed as master and kill -> the first acknowledged send that began after the kill, restarts
// the killed replica and waits until both CommitLogs end at the same offset. At the end the
// master's queues are read over the wire and checked against the history, as is what the
// consumer received, and the two stopped stores are compared byte for byte.
// SEED=<n> replays one run's timing choices; PETREL_LONG=1 runs 20 cycles (2 in the default suite).

import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createPrng } from '../../common/prng.js';
import { ControllerGroup } from '../harness/controller-group.js';
import { mqadminCli } from '../harness/mqadmin-cli.js';
import type { Child } from '../harness/spawn-process.js';
import { waitFor } from '../harness/wait-for.js';
import { ALI_FIRST_ID, firstAckAfter, runFailoverCycles } from './lib/failover-load.js';
import { checkFailoverRun } from './lib/ha-figures.js';
import type { History } from './lib/history.js';
import { dumpOverWire, sameCommitLog } from './lib/replica-dump.js';

const TOPIC = 'CtlKill';
const QUEUES = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CUT_LINE = /slave cut its CommitLog at (\d+).*kept in (\S+)/;

interface Cycle {
  newMasterMs: number;
  firstAckMs: number;
  cut: string | undefined;
}

/** Waits until the master's SyncStateSet holds both replicas. */
async function bothInSync(group: ControllerGroup, master: number): Promise<void> {
  await waitFor(
    async () =>
      (await group.runtime(master))['controllerSyncStateSet']?.split(',').length === 2 || undefined,
    { timeoutMs: 30_000, intervalMs: 100, what: 'the SyncStateSet to hold both replicas' },
  );
}

async function killCycle(group: ControllerGroup, history: History, seed: number): Promise<Cycle> {
  const prng = createPrng(seed);
  const master = await group.waitMaster(10_000);
  await bothInSync(group, master);
  await sleep(prng.int(500, 2000));
  const killedAt = Date.now();
  await group.kill(master);
  await group.waitMaster(15_000, master);
  const newMasterMs = Date.now() - killedAt;
  const firstAckMs = await firstAckAfter(history, killedAt);
  const node = await group.startNode(master);
  await group.waitSameEnd(60_000);
  // Log lines go to stderr.
  const cut = node.child.stderr.find((l) => CUT_LINE.test(l));
  return { newMasterMs, firstAckMs, cut };
}

describe('controller mode: master killed under load', () => {
  let group: ControllerGroup | undefined;
  const children: Child[] = [];
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await group?.stop();
  });

  it('promotes the slave, writes resume, no acknowledged message is lost, the old master rejoins cut and caught up', {
    timeout: 1_200_000,
  }, async (t) => {
    group = await ControllerGroup.start([
      '--allAckInSyncStateSet=true',
      '--slaveSynchronizeInterval=1000',
    ]);
    const g = group;
    await Promise.all([g.startNode(0), g.startNode(1)]);
    const first = await g.waitMaster(30_000);
    for (const i of [0, 1])
      await g.admin.createTopic({
        topic: TOPIC,
        readQueueNums: QUEUES,
        writeQueueNums: QUEUES,
        brokerAddr: g.node(i).address,
      });
    await bothInSync(g, first);
    const { history, consumer, cycles } = await runFailoverCycles(t, {
      namesrvAddr: g.namesrvAddr,
      topic: TOPIC,
      consumerGroup: 'CtlKillGroup',
      seedBase: 9300,
      children,
      cycle: (h, seed) => killCycle(g, h, seed),
      describe: (c) =>
        `new master in the route ${c.newMasterMs} ms, first ack ${c.firstAckMs} ms after the kill; old master ${c.cut ?? 'had nothing to cut'}`,
    });
    const masterNow = await g.waitMaster(10_000);
    const end = await g.waitSameEnd(60_000, true);
    await checkFailoverRun(t, {
      history,
      served: {
        records: await dumpOverWire(g.node(masterNow).address, TOPIC, QUEUES, 'master'),
        role: 'master',
      },
      consumer: consumer.consumer,
      routedMs: cycles.map((c) => c.newMasterMs),
      firstAckMs: cycles.map((c) => c.firstAckMs),
      aliFirstId: ALI_FIRST_ID,
    });
    // Cuts made anywhere (a rejoining replica, or a promoted one dropping a partial record).
    const kept = g.dirs.map((dir) =>
      existsSync(join(dir, 'truncated')) ? readdirSync(join(dir, 'truncated')).length : 0,
    );
    t.diagnostic(`files of cut bytes kept in truncated/: ${kept.join(' and ')}`);
    // Every cut is named in the log with the file that keeps the bytes.
    for (const c of cycles) {
      const file = c.cut === undefined ? undefined : CUT_LINE.exec(c.cut)?.[2];
      if (file !== undefined) assert.ok(existsSync(file), `${file} kept`);
    }
    // mqadmin getBrokerEpoch: both replicas hold the same epochs, one per promotion, the newest open.
    const epochs = (await mqadminCli(() => g.namesrvAddr).json('getBrokerEpoch', '-b', 'broker-a'))[
      'brokers'
    ] as Array<{ epochList: Array<{ epoch: number; startOffset: number }>; maxOffset: number }>;
    assert.equal(epochs.length, 2);
    assert.deepEqual(epochs[0]?.epochList, epochs[1]?.epochList);
    assert.ok((epochs[0]?.epochList.length ?? 0) >= 2, 'an epoch per master, at least two');
    // Both replicas hold the same log.
    await g.kill(0);
    await g.kill(1);
    assert.ok(sameCommitLog(g.dirs[0]!, g.dirs[1]!, end), 'the replicas hold the same bytes');
  });
});

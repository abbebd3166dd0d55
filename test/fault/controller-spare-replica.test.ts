// Goal: a controller-mode group of three replicas never acknowledges a message that the replica it
// may elect lacks. The master's acknowledged offset is one figure, credited to one brokerId, so
// one replica streams at a time: the third waits (the master says so in its log) and takes over
// when the streaming one dies, joining the SyncStateSet only once it has acknowledged the log itself.
// Method: three replicas with allAckInSyncStateSet=true; 30 messages acknowledged; the in-sync
// replica killed (SIGKILL); the spare streams and joins the set; 30 more acknowledged; the master
// killed; the spare, the only member left, is elected and serves all 60 messages.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Producer } from '../../client/producer.js';
import { PullConsumer } from '../../client/pull-consumer.js';
import { ControllerGroup } from '../harness/controller-group.js';
import { pullAllBodies } from '../harness/pull-all.js';
import { waitFor } from '../harness/wait-for.js';

const TOPIC = 'CtlSpareTopic';
const SPARE_LINE = /one replica per group streams at a time/;

describe('controller mode: a third replica', () => {
  let group: ControllerGroup | undefined;
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await group?.stop();
  });

  /** The SyncStateSet as brokerIds, read from the master. */
  const syncStateSet = async (g: ControllerGroup, master: number): Promise<number[]> =>
    ((await g.runtime(master))['controllerSyncStateSet'] ?? '')
      .split(',')
      .filter((s) => s !== '')
      .map(Number)
      .sort((a, b) => a - b);

  const brokerIdOf = async (g: ControllerGroup, i: number): Promise<number> =>
    Number((await g.runtime(i))['controllerBrokerId']);

  it('waits beside the streaming one and takes its place, losing nothing acknowledged', {
    timeout: 180_000,
  }, async () => {
    group = await ControllerGroup.start(
      ['--allAckInSyncStateSet=true', '--haMaxTimeSlaveNotCatchup=3000', '--slaveTimeout=1000'],
      3,
    );
    const g = group;
    await Promise.all([g.startNode(0), g.startNode(1), g.startNode(2)]);
    const master = await g.waitMaster(30_000);
    await waitFor(async () => (await syncStateSet(g, master)).length === 2 || undefined, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'the SyncStateSet to hold the master and one replica',
    });
    await waitFor(() => g.node(master).child.stderr.some((l) => SPARE_LINE.test(l)) || undefined, {
      timeoutMs: 15_000,
      what: 'the master to turn the spare replica away',
    });
    const ids = await Promise.all([0, 1, 2].map((i) => brokerIdOf(g, i)));
    const inSet = await syncStateSet(g, master);
    const replica = ids.findIndex((id, i) => i !== master && inSet.includes(id));
    const spare = [0, 1, 2].find((i) => i !== master && i !== replica)!;
    assert.ok(replica >= 0, 'one replica is in the SyncStateSet');
    await g.admin.createTopic({
      topic: TOPIC,
      readQueueNums: 2,
      writeQueueNums: 2,
      brokerAddr: g.node(master).address,
    });
    const fast = { pollNameServerIntervalMs: 300, heartbeatBrokerIntervalMs: 300 };
    const producer = new Producer({
      namesrvAddr: g.namesrvAddr,
      groupName: 'CTL_SPARE_P',
      ...fast,
    });
    await producer.start();
    closers.push(() => producer.shutdown());
    const acked: string[] = [];
    const sendAll = async (from: number) => {
      for (let i = from; i < from + 30; i++) {
        const r = await producer.send({ topic: TOPIC, body: `spare-${i}` });
        assert.equal(r.sendStatus, 'SEND_OK', 'acknowledged by the replica in the set');
        acked.push(`spare-${i}`);
      }
    };
    await sendAll(0);
    assert.deepEqual(await syncStateSet(g, master), inSet, 'the spare never joined beside it');

    await g.kill(replica);
    await waitFor(
      async () => {
        const set = await syncStateSet(g, master);
        return (set.length === 2 && set.includes(ids[spare]!)) || undefined;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 100,
        what: 'the spare to replace the dead replica in the set',
      },
    );
    await sendAll(30);

    await g.kill(master);
    const promoted = await g.waitMaster(20_000, master);
    assert.equal(promoted, spare, 'the only in-sync replica left is elected');
    const reader = new PullConsumer({ namesrvAddr: g.namesrvAddr, groupName: 'CTL_SPARE_R' });
    await reader.start();
    closers.push(() => reader.shutdown());
    const bodies = await pullAllBodies(reader, TOPIC);
    assert.deepEqual(
      bodies.sort(),
      acked.sort(),
      'every acknowledged message is on the new master',
    );
  });
});

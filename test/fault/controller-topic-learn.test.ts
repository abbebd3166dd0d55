// Goal: a topic created on the master just before it dies stays routable. Topic configs are copied
// to the slave every slaveSynchronizeInterval, beside the CommitLog; here the interval is longer
// than the test, so the slave never copies the topic's config, only its messages (HA). When the
// controller promotes the slave, it learns the topic from its ConsumeQueues before it registers:
// the route still lists the topic, and a consumer reads every acknowledged message from it.
// Method: a two-replica controller-mode group (allAckInSyncStateSet=true); the topic is created
// on the master only; 40 messages are acknowledged by both replicas; the master is killed
// (SIGKILL); then the route and a PullConsumer's reads from the new master are checked.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Producer } from '../../client/producer.js';
import { PullConsumer } from '../../client/pull-consumer.js';
import { ControllerGroup } from '../harness/controller-group.js';
import { pullAllBodies } from '../harness/pull-all.js';
import { waitFor } from '../harness/wait-for.js';

const TOPIC = 'CtlLateTopic';
const QUEUES = 2;

describe('controller mode: a topic the slave never copied', () => {
  let group: ControllerGroup | undefined;
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await group?.stop();
  });

  it('stays in the route after the failover, with every acknowledged message', {
    timeout: 120_000,
  }, async () => {
    group = await ControllerGroup.start([
      '--allAckInSyncStateSet=true',
      '--slaveSynchronizeInterval=600000',
    ]);
    const g = group;
    await Promise.all([g.startNode(0), g.startNode(1)]);
    const master = await g.waitMaster(30_000);
    await waitFor(
      async () =>
        (await g.runtime(master))['controllerSyncStateSet']?.split(',').length === 2 || undefined,
      { timeoutMs: 30_000, intervalMs: 100, what: 'the SyncStateSet to hold both replicas' },
    );
    await g.admin.createTopic({
      topic: TOPIC,
      readQueueNums: QUEUES,
      writeQueueNums: QUEUES,
      brokerAddr: g.node(master).address,
    });
    const fast = { pollNameServerIntervalMs: 300, heartbeatBrokerIntervalMs: 300 };
    const producer = new Producer({ namesrvAddr: g.namesrvAddr, groupName: 'CTL_LATE_P', ...fast });
    await producer.start();
    closers.push(() => producer.shutdown());
    const sent: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await producer.send({ topic: TOPIC, body: `late-${i}` });
      assert.equal(r.sendStatus, 'SEND_OK', 'acknowledged by both replicas');
      sent.push(`late-${i}`);
    }
    await g.kill(master);
    await g.waitMaster(15_000, master);
    const route = await g.admin.topicRoute(TOPIC);
    assert.deepEqual(
      route.queueDatas.map((q) => [q.brokerName, q.readQueueNums]),
      [['broker-a', QUEUES]],
      'the promoted slave registered the topic',
    );
    const reader = new PullConsumer({ namesrvAddr: g.namesrvAddr, groupName: 'CTL_LATE_R' });
    await reader.start();
    closers.push(() => reader.shutdown());
    const bodies = await pullAllBodies(reader, TOPIC);
    assert.deepEqual(bodies.sort(), sent.sort(), 'every acknowledged message is read');
  });
});

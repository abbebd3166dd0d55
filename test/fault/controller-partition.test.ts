// Goal: a controller-mode master cut off from the controller (through a TCP proxy) but not from its
// clients stops acknowledging writes within a bounded time, before the controller can elect the
// slave, and no two brokers of the group ever acknowledge writes in the same epoch.
// Method: both replicas reach the controller through their own TCP proxy; clients reach them
// directly. Two senders write to each replica's address in a loop (one send at a time) and record
// every SEND_OK with its time and CommitLog offset (from the offset message id). The master's
// proxy is blackholed; the slave is elected; both senders go on for a while; then each SEND_OK is
// placed in an epoch with the epoch list of the broker that gave it (GET_BROKER_EPOCH_CACHE).
// Bound stated and checked: the old master's last SEND_OK comes at most
// controllerHeartBeatTimeoutMills + SLACK_MS (timer lateness) after the partition (the master
// fences itself once no controller took a heartbeat for controllerHeartBeatTimeoutMills -
// brokerHeartbeatInterval, checked every brokerHeartbeatInterval and measured from the send of the
// last one taken; the controller gives it up no sooner), and before the new master's first SEND_OK. Run with allAckInSyncStateSet=false, where nothing but that
// lease stops the old master.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { decodeOffsetMsgId } from '../../common/message-id.js';
import { decodeEpochEntryCache, RequestCode, ResponseCode } from '../../protocol/index.js';
import { TestClient } from '../harness/broker-client.js';
import { CONTROLLER_HEARTBEAT_TIMEOUT_MS, ControllerGroup } from '../harness/controller-group.js';
import { TcpProxy } from '../harness/tcp-proxy.js';
import { waitFor } from '../harness/wait-for.js';

const TOPIC = 'CtlPartition';
/** Timer lateness allowed on a loaded 2-core machine. */
const SLACK_MS = 800;
const BOUND_MS = CONTROLLER_HEARTBEAT_TIMEOUT_MS + SLACK_MS;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Ack {
  broker: number;
  atMs: number;
  offset: number;
}

describe('controller mode: master partitioned from the controller', () => {
  let group: ControllerGroup | undefined;
  const proxies: TcpProxy[] = [];
  const clients: TestClient[] = [];
  after(async () => {
    for (const c of clients) await c.close();
    for (const p of proxies) await p.close();
    await group?.stop();
  });

  it(`stops acknowledging within ${BOUND_MS} ms, before the new master's first ack; one broker per epoch`, {
    timeout: 180_000,
  }, async (t) => {
    group = await ControllerGroup.start(['--slaveSynchronizeInterval=1000']);
    const g = group;
    const [host, port] = g.namesrvAddr.split(':');
    for (let i = 0; i < 2; i++) {
      const proxy = new TcpProxy({ host: host ?? '127.0.0.1', port: Number(port) });
      await proxy.start();
      proxies.push(proxy);
      g.controllerAddrs[i] = proxy.address;
    }
    await Promise.all([g.startNode(0), g.startNode(1)]);
    const master = await g.waitMaster(30_000);
    const slave = 1 - master;
    for (const i of [0, 1])
      await g.admin.createTopic({
        topic: TOPIC,
        readQueueNums: 2,
        writeQueueNums: 2,
        brokerAddr: g.node(i).address,
      });
    await waitFor(
      async () => (await g.runtime(master))['controllerSyncStateSet']?.includes(',') || undefined,
      { timeoutMs: 30_000, what: 'both replicas in the SyncStateSet' },
    );
    const acks: Ack[] = [];
    let running = true;
    const loops = [0, 1].map(async (i) => {
      const client = new TestClient(g.node(i).address);
      clients.push(client);
      while (running) {
        const r = await client.send(TOPIC, `from ${i}`).catch(() => undefined);
        if (r?.code === ResponseCode.SUCCESS) {
          const offset = decodeOffsetMsgId(r.extFields['msgId'] ?? '').commitLogOffset;
          acks.push({ broker: i, atMs: Date.now(), offset });
        }
        await sleep(10);
      }
    });
    await waitFor(() => acks.some((a) => a.broker === master) || undefined, {
      timeoutMs: 10_000,
      what: 'acks from the master',
    });
    const partitionedAt = Date.now();
    proxies[master]?.blackhole();
    proxies[master]?.cut();
    await g.waitMaster(20_000, master);
    await waitFor(
      () => acks.some((a) => a.broker === slave && a.atMs > partitionedAt) || undefined,
      {
        timeoutMs: 20_000,
        what: 'acks from the new master',
      },
    );
    await sleep(1500);
    running = false;
    await Promise.all(loops);
    // Each broker's epochs, asked directly (the old master is still reachable by clients).
    const epochsOf = async (i: number) => {
      const r = await clients[i]!.invoke(RequestCode.GET_BROKER_EPOCH_CACHE, {});
      assert.equal(r.code, ResponseCode.SUCCESS, r.remark ?? '');
      return decodeEpochEntryCache(r.body).epochList;
    };
    const lists = [await epochsOf(0), await epochsOf(1)];
    const epochOf = (a: Ack) =>
      lists[a.broker]?.find((e) => e.startOffset <= a.offset && a.offset < e.endOffset)?.epoch;
    const byEpoch = new Map<number | undefined, Set<number>>();
    for (const a of acks) {
      const e = epochOf(a);
      byEpoch.set(e, (byEpoch.get(e) ?? new Set()).add(a.broker));
    }
    const oldLast = Math.max(...acks.filter((a) => a.broker === master).map((a) => a.atMs));
    const newFirst = Math.min(
      ...acks.filter((a) => a.broker === slave && a.atMs > partitionedAt).map((a) => a.atMs),
    );
    t.diagnostic(
      `old master's last SEND_OK ${oldLast - partitionedAt} ms after the partition (bound ${BOUND_MS} ms); new master's first ${newFirst - partitionedAt} ms after (shared 2-core machine)`,
    );
    t.diagnostic(
      `acks by epoch: ${[...byEpoch].map(([e, b]) => `${e}: brokers ${[...b].join(',')}`).join('; ')}`,
    );
    assert.ok(!byEpoch.has(undefined), 'every SEND_OK falls in an epoch of its broker');
    for (const [epoch, brokers] of byEpoch)
      assert.equal(brokers.size, 1, `epoch ${epoch}: one broker`);
    assert.ok(oldLast - partitionedAt <= BOUND_MS, `${oldLast - partitionedAt} ms`);
    assert.ok(oldLast < newFirst, 'the old master stopped before the new one started');
  });
});

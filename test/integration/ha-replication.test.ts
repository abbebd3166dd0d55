// Master/Slave replication between two real stores in one process, over 127.0.0.1 through a TCP
// proxy: SYNC_MASTER acknowledgements, slave reads, no slave / slow slave statuses, a slave that
// restarts or joins empty, and a slave whose log diverged from a master that lost its tail.

import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { systemClock } from '../../common/clock.js';
import { type BrokerStore, openBrokerStore } from '../../engine/internal.js';
import { HA_HELLO_BYTES, HA_REPORT_BYTES } from '../../ha/master-slave/ha-wire.js';
import { SlaveReplica } from '../../ha/master-slave/slave-replica.js';
import { createHaSenderFactory } from '../../workers/store/ha-sender-host.js';
import { TcpProxy } from '../harness/tcp-proxy.js';
import { makeTmpDir } from '../harness/tmp-dir.js';
import { waitFor } from '../harness/wait-for.js';

const SEGMENT = 256 * 1024;
const base = {
  mappedFileSizeCommitLog: SEGMENT,
  mappedFileSizeConsumeQueue: 20 * 1000,
  maxMessageSize: 16 * 1024,
  tailCacheBytes: 1024 * 1024,
  appendRingBytes: 1024 * 1024,
  maxHashSlotNum: 100,
  maxIndexNum: 10_000,
};
const haTimings = { haSendHeartbeatInterval: 200, haHousekeepingInterval: 2000, slaveTimeout: 400 };
const clientOptions = {
  heartbeatIntervalMs: 200,
  housekeepingIntervalMs: 2000,
  reconnectDelayMs: 50,
  maxFrameBodyBytes: 1 << 20,
};
const logger = { info: (_m: string) => undefined, warn: (_m: string) => undefined };
const dirs: Array<{ remove: () => void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});
const tmp = () => {
  const d = makeTmpDir('petrel-ha-');
  dirs.push(d);
  return d.path;
};

async function master(
  root: string,
  role: 'SYNC_MASTER' | 'ASYNC_MASTER' = 'SYNC_MASTER',
): Promise<BrokerStore> {
  return openBrokerStore(
    {
      storePathRootDir: root,
      brokerRole: role,
      haListenPort: 0,
      haListenHost: '127.0.0.1',
      ...base,
      ...haTimings,
    },
    { haSender: createHaSenderFactory() },
  );
}

function slave(root: string): SlaveReplica<BrokerStore> {
  return new SlaveReplica(clientOptions, {
    open: (truncateTo) =>
      openBrokerStore(
        { storePathRootDir: root, brokerRole: 'SLAVE', ...base, ...haTimings },
        truncateTo === undefined ? {} : { truncateCommitLogTo: truncateTo },
      ),
    clock: systemClock,
    logger,
  });
}

const body = (i: number) => Buffer.from(`message ${i} ${'x'.repeat(i % 500)}`);

async function putMany(store: BrokerStore, from: number, count: number) {
  return Promise.all(
    Array.from({ length: count }, (_, k) =>
      store.putMessage({
        topic: 'Ha',
        queueId: (from + k) % 3,
        body: body(from + k),
        keys: `k${from + k}`,
      }),
    ),
  );
}

function logBytes(root: string): Buffer {
  const dir = `${root}/commitlog`;
  return Buffer.concat(
    readdirSync(dir)
      .sort()
      .map((name) => readFileSync(`${dir}/${name}`)),
  );
}

async function caughtUp(m: BrokerStore, s: SlaveReplica<BrokerStore>): Promise<void> {
  await waitFor(() => s.store.getMaxPhyOffset() === m.getMaxPhyOffset(), {
    timeoutMs: 10_000,
    what: 'the slave to catch up',
  });
}

describe('Master/Slave replication', () => {
  it('acknowledges SYNC_MASTER puts once the slave holds them, and the slave serves reads', async () => {
    const mRoot = tmp();
    const m = await master(mRoot);
    const proxy = new TcpProxy({ host: '127.0.0.1', port: m.haStatus().haPort });
    await proxy.start();
    const noSlave = await m.putMessage({ topic: 'Ha', queueId: 0, body: body(0) });
    assert.equal(
      noSlave.status,
      'SLAVE_NOT_AVAILABLE',
      'no slave connected: stored, not replicated',
    );
    const sRoot = tmp();
    const s = slave(sRoot);
    await s.start(proxy.address);
    await waitFor(() => m.haStatus().slaveCount === 1, {
      timeoutMs: 5000,
      what: 'the slave to connect',
    });
    const results = await putMany(m, 1, 400);
    assert.deepEqual(new Set(results.map((r) => r.status)), new Set(['PUT_OK']));
    assert.ok(
      m.haStatus().slaveAckedOffset >= (results.at(-1)?.commitLogOffset ?? 0),
      'acknowledged offsets cover the puts',
    );
    await caughtUp(m, s);
    for (let q = 0; q < 3; q++) {
      await waitFor(() => s.store.getMaxOffsetInQueue('Ha', q) === m.getMaxOffsetInQueue('Ha', q), {
        timeoutMs: 5000,
        what: `queue ${q} on the slave`,
      });
      const got = await s.store.getMessage({
        topic: 'Ha',
        queueId: q,
        queueOffset: 0,
        maxMsgNums: 1000,
      });
      assert.equal(got.messages.length, m.getMaxOffsetInQueue('Ha', q));
    }
    const one = results[123];
    const onSlave = await s.store.lookMessageByOffset(one?.commitLogOffset ?? -1);
    assert.deepEqual(onSlave?.body, body(124));
    assert.equal(
      (await s.store.putMessage({ topic: 'Ha', queueId: 0, body: body(0) })).status,
      'SERVICE_NOT_AVAILABLE',
      'a slave refuses producers',
    );
    proxy.blackhole();
    const stalled = await m.putMessage({ topic: 'Ha', queueId: 0, body: body(1000) });
    assert.equal(stalled.status, 'FLUSH_SLAVE_TIMEOUT', 'a partitioned slave times the put out');
    proxy.heal();
    await caughtUp(m, s);
    assert.equal(
      (await m.putMessage({ topic: 'Ha', queueId: 0, body: body(1001) })).status,
      'PUT_OK',
      'puts succeed again after healing',
    );
    await s.close();
    await m.close();
    await proxy.close();
    assert.ok(logBytes(sRoot).equals(logBytes(mRoot)), "the slave holds the master's bytes");
  });

  it('lets consumers read only what the slave confirmed while puts wait for it (controller mode)', async () => {
    const m = await master(tmp());
    m.setReplicaAckRequired(true);
    const arrivals: number[] = [];
    m.onMessageArriving((topic, queueId, maxOffset) => {
      if (topic === 'Ha' && queueId === 0) arrivals.push(maxOffset);
    });
    const proxy = new TcpProxy({ host: '127.0.0.1', port: m.haStatus().haPort });
    await proxy.start();
    const s = slave(tmp());
    await s.start(proxy.address);
    await waitFor(() => m.haStatus().slaveCount === 1, { timeoutMs: 5000, what: 'the slave' });
    const put = (i: number) => m.putMessage({ topic: 'Ha', queueId: 0, body: body(i) });
    const read = (queueOffset: number) =>
      m.getMessage({ topic: 'Ha', queueId: 0, queueOffset, maxMsgNums: 100 });
    for (let i = 0; i < 3; i++) assert.equal((await put(i)).status, 'PUT_OK');
    assert.equal(m.getMaxOffsetInQueue('Ha', 0), 3);
    assert.deepEqual(arrivals, [1, 2, 3]);
    // The slave stops acknowledging: the next message is stored but not readable, nor announced.
    proxy.stall();
    assert.equal((await put(3)).status, 'FLUSH_SLAVE_TIMEOUT');
    assert.equal(m.getMaxOffsetInQueue('Ha', 0), 3, 'the unconfirmed message is not counted');
    assert.equal((await read(0)).messages.length, 3);
    assert.equal((await read(3)).status, 'OFFSET_FOUND_NULL');
    assert.deepEqual(arrivals, [1, 2, 3]);
    // Once the slave has it, it is readable and announced.
    proxy.heal();
    await waitFor(() => m.getMaxOffsetInQueue('Ha', 0) === 4, {
      timeoutMs: 10_000,
      what: 'confirmation',
    });
    assert.deepEqual(
      (await read(3)).messages.map((x) => x.body),
      [body(3)],
    );
    assert.deepEqual(arrivals, [1, 2, 3, 4]);
    // The SyncStateSet shrank to the master alone: what it holds is readable at once.
    proxy.stall();
    m.setReplicaAckRequired(false);
    assert.equal((await put(4)).status, 'PUT_OK', 'no replica is waited for');
    assert.equal(m.getMaxOffsetInQueue('Ha', 0), 5);
    assert.deepEqual(arrivals, [1, 2, 3, 4, 5]);
    proxy.heal();
    await s.close();
    await m.close();
    await proxy.close();
  });

  it('takes only a master that speaks for its master, not a connection something accepted', async () => {
    // A proxy or load balancer in front of a dead master accepts the connection and stays silent.
    const accepted: Socket[] = [];
    let bytesFromSlave = 0;
    const silent = createServer((socket) => {
      accepted.push(socket);
      socket.on('data', (chunk: Buffer) => {
        bytesFromSlave += chunk.byteLength;
      });
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const port = (silent.address() as AddressInfo).port;
    const s = slave(tmp());
    let m: BrokerStore | undefined;
    try {
      await s.start(`127.0.0.1:${port}`);
      await waitFor(() => s.client?.isConnected, { timeoutMs: 5000, what: 'the TCP connect' });
      // The hello and two heartbeat reports (200 ms apart) reached the far end: a live master
      // answers the hello at once, so by now it would have been heard.
      await waitFor(() => bytesFromSlave >= HA_HELLO_BYTES + 2 * HA_REPORT_BYTES, {
        timeoutMs: 5000,
        what: 'the hello and two reports at the silent end',
      });
      assert.equal(s.client?.isMasterHeard, false, 'nothing heard: not a reachable master');
      // A live master says so at once, even with nothing to send and heartbeats a minute apart.
      m = await openBrokerStore(
        {
          storePathRootDir: tmp(),
          brokerRole: 'SYNC_MASTER',
          haListenPort: 0,
          haListenHost: '127.0.0.1',
          ...base,
          ...haTimings,
          haSendHeartbeatInterval: 60_000,
        },
        { haSender: createHaSenderFactory() },
      );
      s.setMasterAddress(`127.0.0.1:${m.haStatus().haPort}`);
      await waitFor(() => s.client?.isMasterHeard, { timeoutMs: 1000, what: 'the master heard' });
    } finally {
      await s.close();
      await m?.close();
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('catches a restarted slave and an empty late slave up, byte-identical', async () => {
    const mRoot = tmp();
    const m = await master(mRoot, 'ASYNC_MASTER');
    const address = `127.0.0.1:${m.haStatus().haPort}`;
    await putMany(m, 0, 300);
    const s1Root = tmp();
    const s1 = slave(s1Root);
    await s1.start(address);
    await caughtUp(m, s1);
    await s1.close();
    await putMany(m, 300, 300);
    const again = slave(s1Root);
    await again.start(address);
    await caughtUp(m, again);
    const s2Root = tmp();
    const late = slave(s2Root);
    await late.start(address);
    await caughtUp(m, late);
    await again.close();
    await late.close();
    await m.close();
    assert.ok(logBytes(s1Root).equals(logBytes(mRoot)), 'the restarted slave holds the same bytes');
    assert.ok(logBytes(s2Root).equals(logBytes(mRoot)), 'the late slave holds the same bytes');
  });

  it('cuts a slave whose log diverged from a master that lost its tail, and resyncs it', async () => {
    const mRoot = tmp();
    let m = await master(mRoot, 'ASYNC_MASTER');
    await putMany(m, 0, 200);
    await m.close();
    const snapshot = tmp();
    rmSync(snapshot, { recursive: true });
    cpSync(mRoot, snapshot, { recursive: true });
    m = await master(mRoot, 'ASYNC_MASTER');
    await putMany(m, 200, 200);
    const sRoot = tmp();
    const s = slave(sRoot);
    await s.start(`127.0.0.1:${m.haStatus().haPort}`);
    await caughtUp(m, s);
    await s.close();
    await m.close();
    // The master loses everything after the snapshot, then writes different messages there.
    rmSync(mRoot, { recursive: true });
    cpSync(snapshot, mRoot, { recursive: true });
    m = await master(mRoot, 'ASYNC_MASTER');
    await putMany(m, 5000, 50);
    const again = slave(sRoot);
    await again.start(`127.0.0.1:${m.haStatus().haPort}`);
    await waitFor(() => again.truncations === 1, {
      timeoutMs: 10_000,
      what: 'the slave to be told to cut its log',
    });
    await again.settled();
    await caughtUp(m, again);
    const cut = again.store.recoveryReport.truncated;
    assert.ok(cut !== undefined && cut.bytes > 0, 'the cut bytes were kept for the operator');
    await again.close();
    await m.close();
    assert.ok(
      logBytes(sRoot).equals(logBytes(mRoot)),
      'after the cut the slave matches the master byte for byte',
    );
  });
});

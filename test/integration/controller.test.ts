// Controller mode against real processes on 127.0.0.1: a NameServer hosting the controller
// (enableControllerInNamesrv), and three standalone controllers (mqcontroller). Two stand-in
// brokers (test/harness/controller-broker.ts) speak RocketMQ 5's controller requests: they take
// ids, register, elect, grow the SyncStateSet and heartbeat; then the master's heartbeats stop
// and the slave is elected and notified. With three controllers, the Raft leader is killed
// (SIGKILL) at the same moment: the state survives and the election still completes.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  AlterSyncStateSetResponseHeader,
  decodeBrokerReplicasInfo,
  decodeSyncStateSet,
  ElectMasterResponseHeader,
  encodeBrokerNameList,
  GetMetaDataResponseHeader,
  GetReplicaInfoResponseHeader,
  RequestCode,
  ResponseCode,
} from '../../protocol/index.js';
import { ControllerBroker } from '../harness/controller-broker.js';
import { freePort } from '../harness/dledger-group.js';
import { mqadminCli } from '../harness/mqadmin-cli.js';
import {
  type PetrelProcess,
  startControllerProcess,
  startNamesrv,
  stopAll,
  tmpDir,
} from '../harness/petrel-processes.js';
import { isLongRun } from '../harness/seed.js';
import { waitFor } from '../harness/wait-for.js';

const HEARTBEAT_MS = 200;
const HEARTBEAT_TIMEOUT_MS = 1000;
const brokers: ControllerBroker[] = [];

after(async () => {
  for (const b of brokers) await b.close();
  await stopAll();
});

async function broker(controllers: string[]): Promise<ControllerBroker> {
  const b = new ControllerBroker('broker-a', controllers);
  brokers.push(b);
  await b.listen();
  return b;
}

/** Both brokers registered and heartbeating, `a` master, SyncStateSet {a, b}. */
async function masterAndSlave(
  controllers: string[],
): Promise<[ControllerBroker, ControllerBroker]> {
  const [a, b] = [await broker(controllers), await broker(controllers)];
  await waitFor(() => a.leader(), { timeoutMs: 10_000, what: 'a ready controller leader' });
  const registered = await a.register();
  assert.equal(registered.code, ResponseCode.SUCCESS, registered.remark ?? '');
  assert.equal(registered.extFields['masterBrokerId'], undefined, 'no master yet');
  assert.equal((await b.register()).code, ResponseCode.SUCCESS);
  assert.deepEqual([a.brokerId, b.brokerId], [1, 2]);
  a.startHeartbeats(HEARTBEAT_MS, HEARTBEAT_TIMEOUT_MS);
  b.startHeartbeats(HEARTBEAT_MS, HEARTBEAT_TIMEOUT_MS);
  const elected = await a.electSelf();
  assert.equal(elected.code, ResponseCode.SUCCESS, elected.remark ?? '');
  const header = ElectMasterResponseHeader.decodeOrThrow(elected.extFields);
  assert.deepEqual(header, {
    masterBrokerId: 1,
    masterAddress: a.address,
    masterEpoch: 1,
    syncStateSetEpoch: 1,
  });
  const altered = await a.alterSyncStateSet(1, { syncStateSet: [1, 2], syncStateSetEpoch: 1 });
  assert.equal(altered.code, ResponseCode.SUCCESS, altered.remark ?? '');
  assert.equal(
    AlterSyncStateSetResponseHeader.decodeOrThrow(altered.extFields).newSyncStateSetEpoch,
    2,
  );
  return [a, b];
}

async function replicaInfo(b: ControllerBroker) {
  const response = await b.invoke(RequestCode.CONTROLLER_GET_REPLICA_INFO, {
    brokerName: 'broker-a',
  });
  assert.equal(response.code, ResponseCode.SUCCESS, response.remark ?? '');
  return {
    header: GetReplicaInfoResponseHeader.decodeOrThrow(response.extFields),
    set: decodeSyncStateSet(response.body),
  };
}

function controllerArgs(peers: string, selfId: string): string[] {
  return [
    '--controllerDLegerGroup=petrel-controllers',
    `--controllerDLegerPeers=${peers}`,
    `--controllerDLegerSelfId=${selfId}`,
    `--controllerHeartBeatTimeoutMills=${HEARTBEAT_TIMEOUT_MS}`,
  ];
}

/** A one-controller NameServer: its own Raft port and store directory. */
async function namesrvControllerArgs(): Promise<string[]> {
  return [
    '--enableControllerInNamesrv=true',
    `--controllerStorePath=${tmpDir('petrel-ns-controller-')}`,
    ...controllerArgs(`n0-127.0.0.1:${await freePort()}`, 'n0'),
  ];
}

describe('controller in the NameServer', { timeout: 60_000 }, () => {
  it('elects the in-sync slave when the master stops heartbeating, notifies, and fences the old master', async () => {
    const ns = await startNamesrv(await namesrvControllerArgs());
    const [a, b] = await masterAndSlave([ns.address]);

    a.stopHeartbeats();
    const stoppedAt = performance.now();
    const note = await waitFor(() => b.notifications.find((n) => n.masterBrokerId === 2), {
      timeoutMs: 10_000,
      what: 'NOTIFY_BROKER_ROLE_CHANGED naming broker 2',
    });
    assert.equal(note.masterAddress, b.address);
    assert.equal(note.masterEpoch, 2);
    assert.deepEqual(note.syncStateSet, { syncStateSet: [2], syncStateSetEpoch: 3 });
    console.log(`# master heartbeat stop -> notification: ${Math.round(note.atMs - stoppedAt)} ms`);

    const info = await replicaInfo(b);
    assert.deepEqual(info.header, { masterBrokerId: 2, masterAddress: b.address, masterEpoch: 2 });
    assert.deepEqual(info.set, { syncStateSet: [2], syncStateSetEpoch: 3 });

    // The deposed master is fenced: its SyncStateSet change is refused.
    const stale = await a.alterSyncStateSet(1, { syncStateSet: [1], syncStateSetEpoch: 2 });
    assert.equal(stale.code, ResponseCode.CONTROLLER_INVALID_MASTER);

    const data = await b.invoke(
      RequestCode.CONTROLLER_GET_SYNC_STATE_DATA,
      {},
      encodeBrokerNameList(['broker-a', 'unknown']),
    );
    const table = decodeBrokerReplicasInfo(data.body).replicasInfoTable;
    assert.deepEqual(Object.keys(table), ['broker-a']);
    assert.deepEqual(
      table['broker-a']?.notInSyncReplicas.map((r) => [r.brokerId, r.alive]),
      [[1, false]],
    );
    assert.deepEqual(
      table['broker-a']?.inSyncReplicas.map((r) => [r.brokerId, r.alive]),
      [[2, true]],
    );

    // mqadmin, as an operator runs it (RocketMQ 5 command names, --json).
    const mqadmin = mqadminCli(() => '');
    const meta = await mqadmin.json('getControllerMetaData', '-a', ns.address);
    assert.equal(meta['isLeader'], true);
    assert.equal(meta['controllerLeaderId'], 'n0');
    const sets = await mqadmin.json('getSyncStateSet', '-a', ns.address, '-b', 'broker-a');
    assert.deepEqual(sets['replicasInfoTable'], table);
    const electArgs = ['-a', ns.address, '-b', 'broker-a', '-i', '1', '-c', 'DefaultCluster'];
    const refused = await mqadmin.run('electMaster', ...electArgs);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /CONTROLLER_ELECT_MASTER_FAILED/);
    // Broker 1 comes back and the new master takes it into the SyncStateSet: now it can be elected.
    a.startHeartbeats(HEARTBEAT_MS, HEARTBEAT_TIMEOUT_MS);
    await waitFor(
      async () =>
        (await b.alterSyncStateSet(2, { syncStateSet: [1, 2], syncStateSetEpoch: 3 })).code ===
        ResponseCode.SUCCESS,
      { timeoutMs: 10_000, what: 'broker 1 back in the SyncStateSet' },
    );
    const elected = await mqadmin.json('electMaster', ...electArgs);
    assert.equal(elected['masterBrokerId'], 1);
    assert.equal(elected['masterEpoch'], 3);
    await waitFor(
      () => a.notifications.find((n) => n.masterBrokerId === 1 && n.masterEpoch === 3),
      { timeoutMs: 10_000, what: 'broker 1 notified of its election' },
    );
  });

  it('recovers its state from its Raft log after kill -9', async () => {
    const args = await namesrvControllerArgs();
    const first = await startNamesrv(args);
    const a = await broker([first.address]);
    await waitFor(() => a.leader(), { timeoutMs: 10_000, what: 'a ready controller leader' });
    assert.equal((await a.register()).code, ResponseCode.SUCCESS);
    a.startHeartbeats(HEARTBEAT_MS, HEARTBEAT_TIMEOUT_MS);
    assert.equal((await a.electSelf()).code, ResponseCode.SUCCESS);
    first.child.kill('SIGKILL');
    await first.child.exited;

    const second = await startNamesrv(args);
    a.controllers = [second.address];
    await waitFor(() => a.leader(), {
      timeoutMs: 10_000,
      what: 'the restarted controller leading',
    });
    const info = await replicaInfo(a);
    assert.deepEqual(info.header, { masterBrokerId: 1, masterAddress: a.address, masterEpoch: 1 });
    assert.deepEqual(info.set, { syncStateSet: [1], syncStateSetEpoch: 1 });
    const next = await a.invoke(RequestCode.CONTROLLER_GET_NEXT_BROKER_ID, {
      clusterName: 'DefaultCluster',
      brokerName: 'broker-a',
    });
    assert.equal(next.extFields['nextBrokerId'], '2', 'id 1 is still taken');
  });

  it('answers bad requests with clear codes', async () => {
    const ns = await startNamesrv(await namesrvControllerArgs());
    const b = await broker([ns.address]);
    await waitFor(() => b.leader(), { timeoutMs: 10_000, what: 'a ready controller leader' });
    const noId = await b.invoke(RequestCode.BROKER_HEARTBEAT, {
      clusterName: 'c',
      brokerName: 'broker-a',
      brokerAddr: b.address,
    });
    assert.equal(noId.code, ResponseCode.CONTROLLER_INVALID_REQUEST);
    const badHeader = await b.invoke(RequestCode.CONTROLLER_APPLY_BROKER_ID, {
      clusterName: 'c',
      brokerName: 'broker-a',
      appliedBrokerId: 'one',
      registerCheckCode: 'x;1',
    });
    assert.equal(badHeader.code, ResponseCode.SYSTEM_ERROR);
    assert.match(badHeader.remark ?? '', /appliedBrokerId/);
    const badBody = await b.invoke(
      RequestCode.CONTROLLER_ALTER_SYNC_STATE_SET,
      { brokerName: 'broker-a', masterBrokerId: 1, masterEpoch: 1 },
      Buffer.from('{"syncStateSet":"nope"'),
    );
    assert.equal(badBody.code, ResponseCode.CONTROLLER_INVALID_REQUEST);
    const unknown = await b.invoke(RequestCode.CONTROLLER_GET_REPLICA_INFO, {
      brokerName: 'nobody',
    });
    assert.equal(unknown.code, ResponseCode.CONTROLLER_BROKER_METADATA_NOT_EXIST);
    const unsupported = await b.invoke(RequestCode.CLEAN_BROKER_DATA, { brokerName: 'broker-a' });
    assert.equal(unsupported.code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
  });
});

describe('three standalone controllers', { timeout: 90_000 }, () => {
  it('keep the state and still elect when the Raft leader is killed during a failover', async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    const peers = ports.map((p, i) => `n${i}-127.0.0.1:${p}`).join(';');
    const controllers: PetrelProcess[] = await Promise.all(
      ['n0', 'n1', 'n2'].map((id) => startControllerProcess(controllerArgs(peers, id))),
    );
    const addresses = controllers.map((c) => c.address);
    const [a, b] = await masterAndSlave(addresses);

    const leaderAddress = await a.leader();
    const leader = controllers.find((c) => c.address === leaderAddress);
    assert.ok(leader, 'the leader is one of the three');
    const meta = GetMetaDataResponseHeader.decodeOrThrow(
      (
        await a.invokeAt(
          addresses.find((x) => x !== leaderAddress)!,
          RequestCode.CONTROLLER_GET_METADATA_INFO,
        )
      ).extFields,
    );
    assert.equal(meta.isLeader, false);
    assert.equal(meta.controllerLeaderAddress, leaderAddress, 'a follower names the leader');
    const follower = addresses.find((x) => x !== leaderAddress)!;
    const refused = await a.invokeAt(follower, RequestCode.CONTROLLER_GET_REPLICA_INFO, {
      brokerName: 'broker-a',
    });
    assert.equal(refused.code, ResponseCode.CONTROLLER_NOT_LEADER);
    assert.equal(refused.extFields['controllerLeaderAddress'], leaderAddress);

    // The master and the controller leader die together.
    a.stopHeartbeats();
    leader.child.kill('SIGKILL');
    await leader.child.exited;
    const survivors = addresses.filter((x) => x !== leaderAddress);
    a.controllers = survivors;
    b.controllers = survivors;

    const note = await waitFor(() => b.notifications.find((n) => n.masterBrokerId === 2), {
      timeoutMs: 20_000,
      what: 'the new controller leader electing broker 2',
    });
    assert.equal(note.masterEpoch, 2, 'the epoch continues from the replicated state');
    const info = await replicaInfo(b);
    assert.deepEqual(info.header, { masterBrokerId: 2, masterAddress: b.address, masterEpoch: 2 });
    assert.deepEqual(info.set, { syncStateSet: [2], syncStateSetEpoch: 3 });
    const newLeader = await b.leader();
    assert.ok(newLeader !== undefined && survivors.includes(newLeader));
    // mqadmin given every controller, the dead one first, still finds the new leader.
    const mqadmin = mqadminCli(() => '');
    const everyone = [leaderAddress, ...survivors].join(';');
    const sets = await mqadmin.json('getSyncStateSet', '-a', everyone, '-b', 'broker-a');
    assert.equal(sets['controller'], newLeader);
    const table = sets['replicasInfoTable'] as Record<string, { masterBrokerId: number }>;
    assert.equal(table['broker-a']?.masterBrokerId, 2);
  });
});

describe('three standalone controllers, repeated failovers (--long)', { timeout: 600_000 }, () => {
  it('elect every time while the controller leader is killed and restarted each cycle', {
    skip: isLongRun() ? false : 'runs with --long',
  }, async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    const peers = ports.map((p, i) => `n${i}-127.0.0.1:${p}`).join(';');
    const dirs = ports.map(() => tmpDir('petrel-controller-soak-'));
    const start = (i: number) =>
      startControllerProcess([
        ...controllerArgs(peers, `n${i}`),
        `--controllerStorePath=${dirs[i]}`,
      ]);
    const procs: PetrelProcess[] = await Promise.all([0, 1, 2].map(start));
    let [master, slave] = await masterAndSlave(procs.map((p) => p.address));
    let epoch = 1;
    for (let cycle = 0; cycle < 10; cycle++) {
      const leaderAddress = await slave.leader();
      const index = procs.findIndex((p) => p.address === leaderAddress);
      assert.ok(index >= 0, `cycle ${cycle}: a leader`);
      master.stopHeartbeats();
      procs[index]!.child.kill('SIGKILL');
      await procs[index]!.child.exited;
      procs[index] = await start(index);
      for (const b of [master, slave]) b.controllers = procs.map((p) => p.address);
      const note = await waitFor(
        () => slave.notifications.find((n) => n.masterEpoch === epoch + 1),
        { timeoutMs: 20_000, what: `cycle ${cycle}: the slave elected at epoch ${epoch + 1}` },
      );
      assert.equal(note.masterBrokerId, slave.brokerId);
      epoch += 1;
      master.startHeartbeats(HEARTBEAT_MS, HEARTBEAT_TIMEOUT_MS);
      const set = [master.brokerId, slave.brokerId];
      await waitFor(
        async () =>
          (
            await slave.alterSyncStateSet(epoch, {
              syncStateSet: set,
              syncStateSetEpoch: note.syncStateSet.syncStateSetEpoch,
            })
          ).code === ResponseCode.SUCCESS,
        { timeoutMs: 20_000, what: `cycle ${cycle}: the old master back in the SyncStateSet` },
      );
      [master, slave] = [slave, master];
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../../common/clock.js';
import { BrokerLiveTable, HeartbeatOutcome } from '../../../../ha/controller/broker-live-table.js';
import {
  ControllerDecisions,
  type ControllerSettings,
  type Decision,
  ElectTrigger,
} from '../../../../ha/controller/controller-decisions.js';
import {
  decodeControllerEvent,
  encodeControllerEvent,
} from '../../../../ha/controller/controller-events.js';
import { ReplicasState } from '../../../../ha/controller/replicas-state.js';
import {
  decodeElectMasterResponseBody,
  decodeSyncStateSet,
  ResponseCode,
} from '../../../../protocol/index.js';

const TIMEOUT_MS = 1000;
const GROUP = 'broker-a';

/** The pure controller with an injected clock; commit() stands in for Raft (encode, apply). */
class Harness {
  readonly clock = new ManualClock();
  readonly state = new ReplicasState();
  readonly live: BrokerLiveTable;
  readonly decisions: ControllerDecisions;

  constructor(settings: Partial<ControllerSettings> = {}, maxLive = 64) {
    this.live = new BrokerLiveTable(maxLive);
    this.decisions = new ControllerDecisions(this.state, this.live, {
      enableElectUncleanMaster: false,
      maxBrokerGroups: 8,
      maxReplicasPerGroup: 4,
      ...settings,
    });
  }

  get now(): number {
    return this.clock.monotonicMs();
  }

  /** Commits the decision's event through the log codec; returns the reply code. */
  commit<H>(decision: Decision<H>): number {
    if (decision.event !== undefined) {
      const event = decodeControllerEvent(encodeControllerEvent(decision.event), 1);
      const result = this.state.apply(event);
      assert.equal(result.applied, true, `event applied: ${JSON.stringify(result)}`);
    }
    return decision.reply.code;
  }

  heartbeat(brokerId: number, maxOffset: number, extra: { epoch?: number; confirm?: number } = {}) {
    return this.live.onHeartbeat(
      {
        clusterName: 'c',
        brokerName: GROUP,
        brokerId,
        brokerAddr: `10.0.0.${brokerId}:10911`,
        epoch: extra.epoch ?? 1,
        maxOffset,
        confirmOffset: extra.confirm ?? maxOffset,
        heartbeatTimeoutMs: TIMEOUT_MS,
        electionPriority: 0x7fffffff,
      },
      this.now,
    );
  }

  /** Registers ids (apply + register) and heartbeats them. */
  join(...ids: number[]): void {
    for (const id of ids) {
      const address = `10.0.0.${id}:10911`;
      const applied = this.decisions.applyBrokerId({
        clusterName: 'c',
        brokerName: GROUP,
        appliedBrokerId: id,
        registerCheckCode: `${address};1`,
      });
      assert.equal(this.commit(applied), ResponseCode.SUCCESS);
      const header = { clusterName: 'c', brokerName: GROUP, brokerId: id, brokerAddress: address };
      assert.equal(
        this.commit(this.decisions.registerBroker(header, this.now)),
        ResponseCode.SUCCESS,
      );
      this.heartbeat(id, 0);
    }
  }

  get group() {
    const group = this.state.group(GROUP);
    assert.ok(group);
    return group;
  }

  /** broker 1 is master (first election), broker 2 joins the SyncStateSet. */
  twoInSync(): void {
    this.join(1, 2);
    const first = this.decisions.electMaster(
      { brokerName: GROUP, brokerId: 1 },
      ElectTrigger.BROKER,
      this.now,
    );
    assert.equal(this.commit(first), ResponseCode.SUCCESS);
    const alter = this.decisions.alterSyncStateSet(
      { brokerName: GROUP, masterBrokerId: 1, masterEpoch: 1 },
      { syncStateSet: [1, 2], syncStateSetEpoch: 1 },
      this.now,
    );
    assert.equal(this.commit(alter), ResponseCode.SUCCESS);
  }
}

describe('controller decisions: broker ids', () => {
  it('assigns 1 to a new group, max + 1 after, and takes a configured id as a preference', () => {
    const h = new Harness();
    const next = () => h.decisions.getNextBrokerId({ clusterName: 'c', brokerName: GROUP });
    assert.equal(next().reply.header?.nextBrokerId, 1);
    h.join(3);
    assert.equal(next().reply.header?.nextBrokerId, 4);
    h.join(1);
    assert.deepEqual([...h.group.replicas.keys()], [3, 1]);
    assert.equal(next().reply.header?.nextBrokerId, 4);
  });

  it('gives an id back to the broker that owns it and refuses it to any other', () => {
    const h = new Harness();
    h.join(1);
    const apply = (code: string) =>
      h.decisions.applyBrokerId({
        clusterName: 'c',
        brokerName: GROUP,
        appliedBrokerId: 1,
        registerCheckCode: code,
      });
    const again = apply('10.0.0.1:10911;1');
    assert.equal(again.reply.code, ResponseCode.SUCCESS);
    assert.equal(again.event, undefined);
    const other = apply('10.0.0.9:10911;5');
    assert.equal(other.reply.code, ResponseCode.CONTROLLER_BROKER_ID_INVALID);
    assert.equal(other.event, undefined);
    const zero = h.decisions.applyBrokerId({
      clusterName: 'c',
      brokerName: GROUP,
      appliedBrokerId: 0,
      registerCheckCode: 'x;1',
    });
    assert.equal(zero.reply.code, ResponseCode.CONTROLLER_BROKER_ID_INVALID);
  });

  it('bounds groups and replicas per group', () => {
    const h = new Harness({ maxBrokerGroups: 1, maxReplicasPerGroup: 2 });
    h.join(1, 2);
    const third = h.decisions.applyBrokerId({
      clusterName: 'c',
      brokerName: GROUP,
      appliedBrokerId: 3,
      registerCheckCode: 'a;1',
    });
    assert.equal(third.reply.code, ResponseCode.CONTROLLER_INVALID_REQUEST);
    const otherGroup = h.decisions.applyBrokerId({
      clusterName: 'c',
      brokerName: 'broker-b',
      appliedBrokerId: 1,
      registerCheckCode: 'b;1',
    });
    assert.equal(otherGroup.reply.code, ResponseCode.CONTROLLER_INVALID_REQUEST);
    assert.equal(h.state.groupCount, 1);
  });

  it('records a changed address on register, and refuses an unregistered id', () => {
    const h = new Harness();
    h.join(1);
    const moved = h.decisions.registerBroker(
      { clusterName: 'c', brokerName: GROUP, brokerId: 1, brokerAddress: '10.9.9.9:10911' },
      h.now,
    );
    h.commit(moved);
    assert.equal(h.group.replicas.get(1)?.address, '10.9.9.9:10911');
    const unknown = h.decisions.registerBroker(
      { clusterName: 'c', brokerName: GROUP, brokerId: 7, brokerAddress: 'x:1' },
      h.now,
    );
    assert.equal(unknown.reply.code, ResponseCode.CONTROLLER_BROKER_NEED_TO_BE_REGISTERED);
  });
});

describe('controller decisions: elections', () => {
  it('elects the requester first, then keeps an alive master', () => {
    const h = new Harness();
    h.twoInSync();
    assert.equal(h.group.masterBrokerId, 1);
    assert.equal(h.group.masterEpoch, 1);
    assert.deepEqual([...h.group.syncStateSet].sort(), [1, 2]);
    assert.equal(h.group.syncStateSetEpoch, 2);
    const again = h.decisions.electMaster(
      { brokerName: GROUP, brokerId: 2 },
      ElectTrigger.BROKER,
      h.now,
    );
    assert.equal(again.reply.code, ResponseCode.CONTROLLER_MASTER_STILL_EXIST);
    assert.equal(again.reply.header?.masterBrokerId, 1);
    assert.deepEqual(h.decisions.groupsToReelect(h.now), []);
  });

  it('replaces a master whose heartbeats stopped with the member holding the most', () => {
    const h = new Harness();
    h.join(3);
    h.twoInSync();
    h.commit(
      h.decisions.alterSyncStateSet(
        { brokerName: GROUP, masterBrokerId: 1, masterEpoch: 1 },
        { syncStateSet: [1, 2, 3], syncStateSetEpoch: 2 },
        h.now,
      ),
    );
    h.clock.advance(TIMEOUT_MS / 2);
    h.heartbeat(2, 500);
    h.heartbeat(3, 900);
    assert.deepEqual(h.decisions.groupsToReelect(h.now), []);
    h.clock.advance(TIMEOUT_MS / 2 + 1);
    assert.deepEqual(h.decisions.groupsToReelect(h.now), [GROUP]);
    const elect = h.decisions.electMaster({ brokerName: GROUP }, ElectTrigger.CONTROLLER, h.now);
    assert.equal(h.commit(elect), ResponseCode.SUCCESS);
    assert.equal(h.group.masterBrokerId, 3);
    assert.equal(h.group.masterEpoch, 2);
    assert.deepEqual([...h.group.syncStateSet], [3]);
    assert.equal(elect.reply.header?.masterEpoch, 2);
    assert.equal(elect.reply.header?.masterAddress, '10.0.0.3:10911');
    assert.equal(elect.electedGroup, GROUP);
    const body = decodeElectMasterResponseBody(Buffer.from(elect.reply.body!));
    assert.deepEqual(body.syncStateSet, [3]);
    assert.deepEqual(body.brokerMemberGroup?.brokerAddrs, {
      1: '10.0.0.1:10911',
      2: '10.0.0.2:10911',
      3: '10.0.0.3:10911',
    });
  });

  it('ranks a higher epoch above a longer log', () => {
    const h = new Harness();
    h.join(3);
    h.twoInSync();
    h.commit(
      h.decisions.alterSyncStateSet(
        { brokerName: GROUP, masterBrokerId: 1, masterEpoch: 1 },
        { syncStateSet: [1, 2, 3], syncStateSetEpoch: 2 },
        h.now,
      ),
    );
    h.clock.advance(TIMEOUT_MS + 1);
    h.heartbeat(2, 100, { epoch: 2 });
    h.heartbeat(3, 900, { epoch: 1 });
    const elect = h.decisions.electMaster({ brokerName: GROUP }, ElectTrigger.CONTROLLER, h.now);
    assert.equal(elect.reply.header?.masterBrokerId, 2);
  });

  it('refuses a replica outside the SyncStateSet unless unclean election is enabled', () => {
    for (const unclean of [false, true]) {
      const h = new Harness({ enableElectUncleanMaster: unclean });
      h.join(1, 2);
      h.commit(
        h.decisions.electMaster({ brokerName: GROUP, brokerId: 1 }, ElectTrigger.BROKER, h.now),
      );
      h.heartbeat(1, 5000, { confirm: 4000 });
      h.clock.advance(TIMEOUT_MS / 2);
      h.heartbeat(2, 3000);
      h.clock.advance(TIMEOUT_MS / 2 + 1);
      assert.deepEqual(h.decisions.groupsToReelect(h.now), [GROUP]);
      const elect = h.decisions.electMaster({ brokerName: GROUP }, ElectTrigger.CONTROLLER, h.now);
      h.commit(elect);
      if (!unclean) {
        assert.equal(elect.reply.code, ResponseCode.CONTROLLER_MASTER_NOT_AVAILABLE);
        assert.equal(elect.unclean, undefined);
        // The old master is fenced: no master, its epoch superseded, the set kept.
        assert.equal(h.group.masterBrokerId, null);
        assert.equal(h.group.masterEpoch, 2);
        assert.deepEqual([...h.group.syncStateSet], [1]);
        // Nobody eligible: no endless re-election (no epoch churn).
        assert.deepEqual(h.decisions.groupsToReelect(h.now), []);
      } else {
        assert.equal(elect.reply.code, ResponseCode.SUCCESS);
        assert.equal(h.group.masterBrokerId, 2);
        assert.deepEqual(elect.unclean, {
          electedBrokerId: 2,
          electedMaxOffset: 3000,
          oldMasterBrokerId: 1,
          oldMasterConfirmOffset: 4000,
          lossBytesAtMost: 1000,
        });
        assert.match(elect.reply.remark ?? '', /up to 1000 acknowledged bytes may be lost/);
      }
    }
  });

  it('re-elects a returning SyncStateSet member after a failed election', () => {
    const h = new Harness();
    h.twoInSync();
    h.clock.advance(TIMEOUT_MS + 1);
    h.commit(h.decisions.electMaster({ brokerName: GROUP }, ElectTrigger.CONTROLLER, h.now));
    assert.equal(h.group.masterBrokerId, null);
    h.heartbeat(2, 10);
    assert.deepEqual(h.decisions.groupsToReelect(h.now), [GROUP]);
    const elect = h.decisions.electMaster({ brokerName: GROUP }, ElectTrigger.CONTROLLER, h.now);
    assert.equal(h.commit(elect), ResponseCode.SUCCESS);
    assert.equal(h.group.masterBrokerId, 2);
    assert.equal(h.group.masterEpoch, 3);
  });

  it('elects a designated alive member (admin) and refuses a designated non-member', () => {
    const h = new Harness();
    h.join(3);
    h.twoInSync();
    const designate = (id: number) =>
      h.decisions.electMaster(
        { brokerName: GROUP, brokerId: id, designateElect: true },
        ElectTrigger.ADMIN,
        h.now,
      );
    assert.equal(designate(3).reply.code, ResponseCode.CONTROLLER_ELECT_MASTER_FAILED);
    const two = designate(2);
    assert.equal(h.commit(two), ResponseCode.SUCCESS);
    assert.equal(h.group.masterBrokerId, 2);
    assert.equal(designate(9).reply.code, ResponseCode.CONTROLLER_BROKER_NEED_TO_BE_REGISTERED);
  });

  it('applies a stale election (decided at an older epoch) as a no-op', () => {
    const h = new Harness();
    h.twoInSync();
    h.clock.advance(TIMEOUT_MS + 1);
    h.heartbeat(2, 10);
    const first = h.decisions.electMaster({ brokerName: GROUP }, ElectTrigger.CONTROLLER, h.now);
    const second = h.decisions.electMaster({ brokerName: GROUP }, ElectTrigger.CONTROLLER, h.now);
    h.commit(first);
    const result = h.state.apply(second.event!);
    assert.equal(result.applied, false);
    assert.equal(h.group.masterEpoch, 2);
  });
});

describe('controller decisions: SyncStateSet changes are fenced', () => {
  const alter = (h: Harness, master: number, epoch: number, set: number[], setEpoch: number) =>
    h.decisions.alterSyncStateSet(
      { brokerName: GROUP, masterBrokerId: master, masterEpoch: epoch },
      { syncStateSet: set, syncStateSetEpoch: setEpoch },
      h.now,
    );

  it('refuses a non-master, a stale master epoch and a stale set epoch', () => {
    const h = new Harness();
    h.twoInSync();
    assert.equal(alter(h, 2, 1, [2], 2).reply.code, ResponseCode.CONTROLLER_INVALID_MASTER);
    assert.equal(alter(h, 1, 0, [1], 2).reply.code, ResponseCode.CONTROLLER_FENCED_MASTER_EPOCH);
    assert.equal(
      alter(h, 1, 1, [1], 1).reply.code,
      ResponseCode.CONTROLLER_FENCED_SYNC_STATE_SET_EPOCH,
    );
    const shrink = alter(h, 1, 1, [1], 2);
    assert.equal(h.commit(shrink), ResponseCode.SUCCESS);
    assert.equal(shrink.reply.header?.newSyncStateSetEpoch, 3);
    assert.deepEqual(decodeSyncStateSet(Buffer.from(shrink.reply.body!)), {
      syncStateSet: [1],
      syncStateSetEpoch: 3,
    });
  });

  it('refuses unknown, dead, unchanged and master-less sets', () => {
    const h = new Harness();
    h.twoInSync();
    assert.equal(
      alter(h, 1, 1, [1, 2], 2).reply.code,
      ResponseCode.CONTROLLER_ALTER_SYNC_STATE_SET_FAILED,
    );
    assert.equal(alter(h, 1, 1, [1, 7], 2).reply.code, ResponseCode.CONTROLLER_INVALID_REPLICAS);
    assert.equal(
      alter(h, 1, 1, [2], 2).reply.code,
      ResponseCode.CONTROLLER_ALTER_SYNC_STATE_SET_FAILED,
    );
    h.clock.advance(TIMEOUT_MS + 1);
    h.heartbeat(1, 0);
    h.commit(alter(h, 1, 1, [1], 2));
    assert.equal(alter(h, 1, 1, [1, 2], 3).reply.code, ResponseCode.CONTROLLER_BROKER_NOT_ALIVE);
  });

  it('turns a deposed master away after an election', () => {
    const h = new Harness();
    h.twoInSync();
    h.clock.advance(TIMEOUT_MS + 1);
    h.heartbeat(2, 10);
    h.commit(h.decisions.electMaster({ brokerName: GROUP }, ElectTrigger.CONTROLLER, h.now));
    h.heartbeat(1, 10);
    assert.equal(alter(h, 1, 1, [1], 3).reply.code, ResponseCode.CONTROLLER_INVALID_MASTER);
    const fromNewMaster = alter(h, 2, 2, [2, 1], 3);
    assert.equal(h.commit(fromNewMaster), ResponseCode.SUCCESS);
  });
});

describe('broker live table', () => {
  it('is bounded: evicts the longest-dead entry, refuses when all are alive', () => {
    const h = new Harness({}, 2);
    assert.equal(h.heartbeat(1, 0), HeartbeatOutcome.RECORDED);
    assert.equal(h.heartbeat(2, 0), HeartbeatOutcome.RECORDED);
    assert.equal(h.heartbeat(3, 0), HeartbeatOutcome.TABLE_FULL);
    h.clock.advance(TIMEOUT_MS / 2);
    h.heartbeat(2, 0);
    h.clock.advance(TIMEOUT_MS / 2 + 1);
    assert.equal(h.heartbeat(3, 0), HeartbeatOutcome.RECORDED);
    assert.equal(h.live.get(GROUP, 1), undefined);
    assert.equal(h.live.size, 2);
  });

  it('gives a new leader grace for replicas it never heard from', () => {
    const h = new Harness();
    h.live.grant(
      [{ clusterName: 'c', brokerName: GROUP, brokerId: 5, brokerAddr: 'x:1' }],
      h.now,
      TIMEOUT_MS,
    );
    assert.equal(h.live.isAlive(GROUP, 5, h.now + TIMEOUT_MS), true);
    assert.equal(h.live.isAlive(GROUP, 5, h.now + TIMEOUT_MS + 1), false);
  });
});

describe('controller events', () => {
  it('refuse a corrupt or unknown log entry with a stable code', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    for (const text of ['nope', '{"type":"BOGUS"}', '{"type":"ELECT_MASTER","brokerName":"b"}']) {
      assert.throws(
        () => decodeControllerEvent(bytes(text), 7),
        (error: Error & { code?: string }) =>
          error.code === 'E_CORRUPT_RECORD' && error.message.includes('entry 7'),
      );
    }
  });
});

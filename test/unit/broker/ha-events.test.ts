// Failover and election timing (broker/ha-status/ha-events.ts) and how DLedger's Raft role
// changes become those events (raftRoleRecorder in dledger-ha.ts), over a manual clock.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokerRoleState } from '../../../broker/broker-role.js';
import { raftRoleRecorder } from '../../../broker/ha-status/dledger-ha.js';
import { HaEvents } from '../../../broker/ha-status/ha-events.js';
import { ManualClock } from '../../../common/clock.js';

function setup() {
  const clock = new ManualClock();
  const events = new HaEvents(clock);
  const role = new BrokerRoleState('SLAVE', 2);
  events.watchRole(role);
  const heard = new Map<string, number>();
  const onRaft = raftRoleRecorder(events, 'n1', (id) => heard.get(id));
  return { clock, events, role, heard, onRaft };
}

describe('HA events', () => {
  it('times a DLedger failover from the old leader last heard to this broker being master', () => {
    const { clock, events, role, heard, onRaft } = setup();
    onRaft('FOLLOWER', 'n0');
    assert.equal(events.elections, 0, 'it stood in no election');
    heard.set('n0', clock.nowMs());
    clock.advance(700);
    onRaft('PRE_CANDIDATE', null);
    clock.advance(30);
    onRaft('CANDIDATE', null);
    clock.advance(20);
    onRaft('LEADER', 'n1');
    assert.equal(events.failovers, 0, 'not master until its no-op is applied');
    clock.advance(50);
    role.changeRole('SYNC_MASTER', 0);
    assert.equal(events.failovers, 1);
    assert.deepEqual(events.lastFailover, { atMs: clock.nowMs(), durationMs: 800 });
    assert.deepEqual(events.lastElection, {
      atMs: clock.nowMs() - 50,
      durationMs: 50,
      outcome: 'won',
    });
    assert.equal(events.elections, 1);
  });

  it('counts no failover when another member wins, nor for the first election of a new group', () => {
    const { clock, events, role, heard, onRaft } = setup();
    onRaft('PRE_CANDIDATE', null);
    clock.advance(100);
    onRaft('LEADER', 'n1');
    role.changeRole('SYNC_MASTER', 0);
    assert.equal(events.failovers, 0, 'no master was lost: the group was new');
    assert.equal(events.elections, 1);
    role.changeRole('SLAVE', 2);
    onRaft('FOLLOWER', 'n2');
    heard.set('n2', clock.nowMs());
    clock.advance(600);
    onRaft('PRE_CANDIDATE', null);
    clock.advance(100);
    onRaft('FOLLOWER', 'n0');
    assert.equal(events.lastElection?.outcome, 'lost');
    role.changeRole('SYNC_MASTER', 0);
    assert.equal(events.failovers, 0, 'the lost mark was cleared when n0 won');
  });

  it('starts a plugged-in mode failover at masterLost() and ends it at the promotion', () => {
    const { clock, events, role } = setup();
    events.masterLost(clock.nowMs() - 300);
    clock.advance(200);
    events.masterLost();
    role.changeRole('SYNC_MASTER', 0);
    assert.deepEqual(events.lastFailover, { atMs: clock.nowMs(), durationMs: 500 });
    role.changeRole('SYNC_MASTER', 0);
    assert.equal(events.failovers, 1, 'a master staying master is no failover');
  });
});

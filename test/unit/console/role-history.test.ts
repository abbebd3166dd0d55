// The role changes a NameServer records for the console, driven through the real route table with
// a manual clock: a master whose connection closes and a replica promoted in its place (the DLedger
// shape: the new leader re-registers as brokerId 0), a master that expires and comes back at the
// same address, a master replaced by another address, and the bound on the history.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../common/clock.js';
import {
  failoversOf,
  RoleEventKind,
  RoleHistory,
  recentMarks,
} from '../../../console/role-history.js';
import { type BrokerRegistration, RouteInfoTable } from '../../../namesrv/route-info-table.js';

function registration(overrides: Partial<BrokerRegistration>): BrokerRegistration {
  return {
    clusterName: 'RaftCluster',
    brokerName: 'broker-a',
    brokerAddr: '127.0.0.1:1000',
    brokerId: 0,
    haServerAddr: '',
    topicConfigTable: undefined,
    dataVersion: { timestamp: 1, counter: 1 },
    channelId: 1,
    ...overrides,
  };
}

function setup(maxEvents = 100) {
  const clock = new ManualClock();
  const history = new RoleHistory(clock, maxEvents);
  const routes = new RouteInfoTable({
    clock,
    brokerChannelExpiredTimeMs: 10_000,
    onRoleEvent: (e) => history.record(e),
  });
  return { clock, history, routes };
}

describe('role history', () => {
  it('records a master lost on connection close and the replica that took over, with the gap', () => {
    const { clock, history, routes } = setup();
    routes.registerBroker(registration({ brokerAddr: 'n0', brokerId: 0, channelId: 1 }));
    routes.registerBroker(registration({ brokerAddr: 'n1', brokerId: 1, channelId: 2 }));
    routes.registerBroker(registration({ brokerAddr: 'n2', brokerId: 2, channelId: 3 }));
    clock.advance(5000);
    assert.deepEqual(routes.onChannelClosed(1), ['n0']);
    clock.advance(1200);
    routes.registerBroker(registration({ brokerAddr: 'n2', brokerId: 0, channelId: 3 }));
    const events = history.since();
    assert.deepEqual(
      events.map((e) => [e.kind, e.brokerAddr, e.reason, e.wasReplica]),
      [
        [RoleEventKind.MASTER_UP, 'n0', null, false],
        [RoleEventKind.REPLICA_UP, 'n1', null, false],
        [RoleEventKind.REPLICA_UP, 'n2', null, false],
        [RoleEventKind.MASTER_GONE, 'n0', 'closed', false],
        [RoleEventKind.MASTER_UP, 'n2', null, true],
      ],
    );
    assert.equal(events.at(-1)?.masterlessMs, 1200);
    const [failover, ...rest] = failoversOf(events);
    assert.equal(rest.length, 0);
    assert.deepEqual(
      [failover?.goneAddr, failover?.newAddr, failover?.promoted, failover?.masterlessMs],
      ['n0', 'n2', true, 1200],
    );
    const marks = recentMarks(events, clock.nowMs(), 60_000).get('broker-a');
    assert.deepEqual(
      marks?.diedMasters.map((d) => d.address),
      ['n0'],
    );
    assert.equal(marks?.tookOver?.address, 'n2');
    clock.advance(61_000);
    assert.equal(recentMarks(history.since(), clock.nowMs(), 60_000).size, 0);
  });

  it('a master that expires and comes back at its address is a restart, not a promotion', () => {
    const { clock, history, routes } = setup();
    routes.registerBroker(registration({ brokerAddr: 'm', brokerId: 0 }));
    clock.advance(11_000);
    assert.deepEqual(routes.scanNotActiveBrokers(), ['m']);
    clock.advance(500);
    routes.registerBroker(registration({ brokerAddr: 'm', brokerId: 0 }));
    const [failover] = failoversOf(history.since());
    assert.deepEqual(
      [failover?.reason, failover?.promoted, failover?.masterlessMs],
      ['expired', false, 500],
    );
    const marks = recentMarks(history.since(), clock.nowMs(), 60_000).get('broker-a');
    assert.deepEqual(marks?.diedMasters, [], 'the master is back');
  });

  it('reports a master replaced by another address, and a demoted master', () => {
    const { history, routes } = setup();
    routes.registerBroker(registration({ brokerAddr: 'a', brokerId: 0, channelId: 1 }));
    routes.registerBroker(registration({ brokerAddr: 'b', brokerId: 0, channelId: 2 }));
    routes.registerBroker(registration({ brokerAddr: 'b', brokerId: 1, channelId: 2 }));
    assert.deepEqual(
      history.since(1).map((e) => [e.kind, e.brokerAddr, e.reason]),
      [
        [RoleEventKind.MASTER_GONE, 'a', 'replaced'],
        [RoleEventKind.MASTER_UP, 'b', null],
        [RoleEventKind.MASTER_GONE, 'b', 'demoted'],
        [RoleEventKind.REPLICA_UP, 'b', null],
      ],
    );
    assert.deepEqual(routes.inspect().liveBrokers, ['b']);
  });

  it('keeps at most maxEvents, dropping the oldest; since() returns only newer ones', () => {
    const { history, routes } = setup(3);
    for (let i = 0; i < 5; i++) {
      routes.registerBroker(registration({ brokerName: `g${i}`, brokerAddr: `a${i}` }));
    }
    const events = history.since();
    assert.deepEqual(
      events.map((e) => e.seq),
      [3, 4, 5],
    );
    assert.deepEqual(
      history.since(4).map((e) => e.brokerName),
      ['g4'],
    );
  });
});

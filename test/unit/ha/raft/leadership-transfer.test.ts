// Leadership transfer and DLedger's preferred leader: the transferee is brought up to date first,
// proposals are refused while the transfer runs, a transfer that cannot finish is abandoned after an
// election timeout, and a leader hands over to preferredLeaderId once that node is caught up.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageType, Role } from '../../../../ha/raft/messages.js';
import { InstantCluster } from '../../../sim/lib/instant-cluster.js';

function electedCluster(nodeCount: number): InstantCluster {
  const cluster = new InstantCluster({ nodeCount });
  assert.equal(cluster.elect('n0'), 'n0');
  return cluster;
}

describe('RaftCore leadership transfer', () => {
  it('hands leadership to an up-to-date follower at once', () => {
    const cluster = electedCluster(3);
    cluster.propose('n0', 'a');
    const term = cluster.core('n0').term;
    assert.deepEqual(cluster.core('n0').transferLeadership('n2'), {
      status: 'STARTED',
      transferee: 'n2',
    });
    cluster.stabilize();
    assert.equal(cluster.leader(), 'n2');
    assert.equal(cluster.core('n2').term, term + 1);
    assert.equal(cluster.propose('n2', 'b').status, 'OK');
    for (const id of cluster.ids) assert.deepEqual(cluster.appliedTexts(id), ['a', 'b']);
  });

  it('catches a lagging transferee up before it campaigns', () => {
    const cluster = electedCluster(3);
    cluster.isolate('n2');
    for (const text of ['a', 'b', 'c']) cluster.propose('n0', text);
    cluster.heal();
    assert.equal(cluster.core('n0').transferLeadership('n2').status, 'STARTED');
    cluster.tickAll(4);
    assert.equal(cluster.leader(), 'n2');
    assert.deepEqual(cluster.appliedTexts('n2'), ['a', 'b', 'c']);
  });

  it('refuses proposals while the transfer runs, then gives up after an election timeout', () => {
    const cluster = electedCluster(3);
    cluster.dropType(MessageType.TIMEOUT_NOW);
    assert.equal(cluster.core('n0').transferLeadership('n1').status, 'STARTED');
    cluster.stabilize();
    assert.equal(cluster.core('n0').propose(new Uint8Array([1])).status, 'LEADER_TRANSFERRING');
    cluster.tickAll(10);
    assert.equal(cluster.leader(), 'n0');
    assert.equal(cluster.core('n0').inspect().leadTransferee, null);
    assert.equal(cluster.core('n0').propose(new Uint8Array([1])).status, 'OK');
  });

  it('answers with a status for followers, itself and unknown peers', () => {
    const cluster = electedCluster(3);
    assert.deepEqual(cluster.core('n1').transferLeadership('n2'), {
      status: 'NOT_LEADER',
      leaderId: 'n0',
    });
    assert.deepEqual(cluster.core('n0').transferLeadership('n0'), { status: 'ALREADY_LEADER' });
    assert.deepEqual(cluster.core('n0').transferLeadership('n9'), {
      status: 'UNKNOWN_PEER',
      transferee: 'n9',
    });
  });

  it('lets a transferee campaign through the other followers leader lease', () => {
    const cluster = electedCluster(5);
    cluster.tickAll(3);
    assert.equal(cluster.core('n0').transferLeadership('n3').status, 'STARTED');
    cluster.stabilize();
    assert.equal(cluster.leader(), 'n3');
    assert.equal(cluster.core('n0').role, Role.FOLLOWER);
  });
});

describe('RaftCore preferred leader (DLedger preferredLeaderId)', () => {
  it('moves leadership to the preferred node once it is caught up', () => {
    const cluster = new InstantCluster({ nodeCount: 3, overrides: { preferredLeaderId: 'n2' } });
    assert.equal(cluster.elect('n0'), 'n0');
    cluster.propose('n0', 'a');
    cluster.tickAll(25);
    assert.equal(cluster.leader(), 'n2');
    cluster.tickAll(50);
    assert.equal(cluster.leader(), 'n2', 'the preferred leader keeps leading');
  });

  it('does not hand over to a preferred node it cannot hear from', () => {
    const cluster = new InstantCluster({ nodeCount: 3, overrides: { preferredLeaderId: 'n2' } });
    cluster.cut('n2', 'n0');
    assert.equal(cluster.elect('n0'), 'n0');
    cluster.tickAll(50);
    assert.equal(cluster.leader(), 'n0');
  });
});

// Scenario tests of the Raft core on an instant network: election, pre-vote, check-quorum,
// replication, backtracking, commit rules and the Ready contract. Each test drives real cores
// through InstantCluster (or one core with hand-made messages) and asserts on what they said.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssertionError } from '../../../../common/assert.js';
import { createPrng } from '../../../../common/prng.js';
import { MemoryStorage } from '../../../../ha/raft/log-storage.js';
import { type Entry, EntryType, MessageType, message, Role } from '../../../../ha/raft/messages.js';
import { RaftCore } from '../../../../ha/raft/raft-core.js';
import { InstantCluster } from '../../../sim/lib/instant-cluster.js';

function electedCluster(nodeCount: number, options: { preVote?: boolean } = {}): InstantCluster {
  const cluster = new InstantCluster({ nodeCount, overrides: options });
  assert.equal(cluster.elect('n0'), 'n0');
  return cluster;
}

function entry(index: number, term: number): Entry {
  return { index, term, type: EntryType.NORMAL, data: new Uint8Array([index, term]) };
}

describe('RaftCore election', () => {
  it('elects exactly one leader by ticking alone, and every node follows it', () => {
    for (const nodeCount of [3, 5]) {
      for (let seed = 1; seed <= 20; seed++) {
        const cluster = new InstantCluster({ nodeCount, seed });
        cluster.tickAll(40);
        const leaders = cluster.ids.filter((id) => cluster.core(id).role === Role.LEADER);
        assert.equal(leaders.length, 1, `seed ${seed}`);
        const leader = leaders[0] as string;
        for (const id of cluster.ids) {
          assert.equal(cluster.core(id).inspect().leaderId, leader, `seed ${seed} ${id}`);
        }
      }
    }
  });

  it('replicates proposals to every node and applies them in order', () => {
    const cluster = electedCluster(3);
    for (const text of ['a', 'b', 'c']) assert.equal(cluster.propose('n0', text).status, 'OK');
    for (const id of cluster.ids) assert.deepEqual(cluster.appliedTexts(id), ['a', 'b', 'c']);
  });

  it('refuses proposals on followers and names the leader', () => {
    const cluster = electedCluster(3);
    assert.deepEqual(cluster.propose('n1', 'x'), { status: 'NOT_LEADER', leaderId: 'n0' });
  });

  it('does not elect a candidate whose log lacks committed entries', () => {
    const cluster = electedCluster(3);
    cluster.isolate('n2');
    cluster.propose('n0', 'a');
    cluster.heal();
    cluster.crash('n0');
    cluster.core('n2').campaign();
    cluster.stabilize();
    assert.notEqual(cluster.core('n2').role, Role.LEADER);
    assert.equal(cluster.elect('n1'), 'n1');
  });
});

describe('RaftCore election timer', () => {
  it('is not reset by vote requests it rejects, so a stale candidate cannot starve a good one', () => {
    // Without pre-vote, n2 (stale log, short timeout) keeps starting elections at higher terms.
    // n1 rejects them (its log is better); if each rejection reset n1's timer, n1 would never
    // campaign and the group would have no leader.
    const cluster = new InstantCluster({
      nodeCount: 3,
      overrides: { preVote: false, checkQuorum: false },
      nodeOverrides: { n2: { electionTicks: 3, heartbeatTicks: 1 } },
    });
    assert.equal(cluster.elect('n0'), 'n0');
    cluster.isolate('n2');
    cluster.propose('n0', 'a');
    cluster.crash('n0');
    cluster.heal();
    cluster.tickAll(60);
    assert.equal(cluster.leader(), 'n1');
    assert.deepEqual(cluster.appliedTexts('n1'), ['a']);
  });
});

describe('RaftCore pre-vote', () => {
  it('lets a partitioned follower rejoin without deposing the leader or bumping terms', () => {
    const cluster = electedCluster(3);
    const term = cluster.core('n0').term;
    cluster.isolate('n2');
    cluster.tick('n2', 100);
    assert.equal(cluster.core('n2').term, term, 'pre-vote keeps the isolated term');
    cluster.heal();
    cluster.tickAll(30);
    assert.equal(cluster.leader(), 'n0');
    assert.equal(cluster.core('n0').term, term);
  });

  it('without pre-vote, the same rejoin forces a new election (the behaviour pre-vote avoids)', () => {
    const cluster = new InstantCluster({
      nodeCount: 3,
      overrides: { preVote: false, checkQuorum: false },
    });
    assert.equal(cluster.elect('n0'), 'n0');
    const term = cluster.core('n0').term;
    cluster.isolate('n2');
    cluster.tick('n2', 100);
    assert.ok(cluster.core('n2').term > term + 1);
    cluster.heal();
    cluster.tickAll(30);
    assert.ok(cluster.core('n0').term > term);
  });

  it('ignores vote requests while a live leader is known (leader lease)', () => {
    const cluster = electedCluster(3);
    const term = cluster.core('n0').term;
    // n2 cannot hear the leader, so it campaigns; n1 heard the leader recently and ignores it.
    cluster.cut('n0', 'n2');
    cluster.tick('n2', 40);
    assert.equal(cluster.leader(), 'n0');
    assert.equal(cluster.core('n1').term, term);
  });
});

describe('RaftCore check-quorum', () => {
  it('steps a leader down after an election timeout without a quorum, refusing proposals', () => {
    const cluster = electedCluster(3);
    cluster.isolate('n0');
    // The first check still sees the answers of the election; the second one steps down.
    cluster.tick('n0', 10);
    assert.equal(cluster.core('n0').role, Role.LEADER);
    cluster.tick('n0', 10);
    assert.equal(cluster.core('n0').role, Role.FOLLOWER);
    assert.equal(cluster.core('n0').propose(new Uint8Array([1])).status, 'NOT_LEADER');
  });

  it('keeps a leader that hears from a quorum', () => {
    const cluster = electedCluster(5);
    cluster.isolate('n3');
    cluster.isolate('n4');
    cluster.tickAll(50);
    assert.equal(cluster.leader(), 'n0');
  });

  it('lets the majority side elect a new leader while the old one steps down', () => {
    const cluster = electedCluster(5);
    cluster.isolate('n0');
    cluster.tickAll(60);
    const leader = cluster.leader();
    assert.ok(leader !== null && leader !== 'n0');
    assert.notEqual(cluster.core('n0').role, Role.LEADER);
    cluster.heal();
    cluster.tickAll(10);
    assert.equal(cluster.core('n0').inspect().leaderId, leader);
  });
});

describe('RaftCore replication', () => {
  it('repairs a follower with a long divergent tail in a few rounds (fast backtracking)', () => {
    const cluster = electedCluster(3);
    cluster.propose('n0', 'base');
    // n0 leads alone and appends entries no one else gets (they never commit).
    cluster.isolate('n0');
    for (let i = 0; i < 50; i++) cluster.core('n0').propose(new Uint8Array([i]));
    cluster.stabilize();
    // Meanwhile n1 and n2 elect n1 and commit 50 entries of a later term.
    cluster.crash('n0');
    cluster.heal();
    cluster.tickAll(30);
    const leader = cluster.leader();
    assert.ok(leader === 'n1' || leader === 'n2');
    for (let i = 0; i < 50; i++) cluster.core(leader).propose(new Uint8Array([100 + i]));
    cluster.stabilize();
    // A fresh leader starts probing n0 at its own last index, far past the divergence point.
    const other = leader === 'n1' ? 'n2' : 'n1';
    assert.equal(cluster.core(leader).transferLeadership(other).status, 'STARTED');
    cluster.stabilize();
    assert.equal(cluster.leader(), other);
    cluster.restart('n0');
    cluster.recordDelivered = true;
    cluster.tickAll(3);
    const rejects = cluster.delivered.filter((m) => m.type === MessageType.APP_RESP && m.reject);
    assert.ok(rejects.length >= 1 && rejects.length <= 2, `took ${rejects.length} rejections`);
    const leaderLast = cluster.core(other).inspect().lastIndex;
    assert.equal(cluster.core('n0').inspect().lastIndex, leaderLast);
    assert.equal(cluster.core('n0').termAt(leaderLast), cluster.core(other).term);
    assert.deepEqual(cluster.appliedTexts('n0'), cluster.appliedTexts(other));
  });

  it('bounds the appends in flight to one follower', () => {
    const cluster = new InstantCluster({ nodeCount: 3, overrides: { maxInflightAppends: 4 } });
    assert.equal(cluster.elect('n0'), 'n0');
    cluster.dropType(MessageType.APP_RESP);
    cluster.recordDelivered = true;
    for (let i = 0; i < 20; i++) {
      cluster.core('n0').propose(new Uint8Array([i]));
      cluster.stabilize();
    }
    const appendsToN1 = cluster.delivered.filter(
      (m) => m.type === MessageType.APP && m.to === 'n1' && m.entries.length > 0,
    );
    assert.equal(appendsToN1.length, 4);
    cluster.heal();
    cluster.tickAll(4);
    assert.equal(cluster.core('n1').inspect().lastIndex, cluster.core('n0').inspect().lastIndex);
  });

  it('recovers from lost appends through heartbeats', () => {
    const cluster = electedCluster(3);
    cluster.dropType(MessageType.APP);
    for (let i = 0; i < 5; i++) cluster.core('n0').propose(new Uint8Array([i]));
    cluster.stabilize();
    cluster.heal();
    cluster.tickAll(6);
    for (const id of cluster.ids) assert.equal(cluster.appliedTexts(id).length, 5);
  });

  it('refuses proposals past maxUncommittedEntries', () => {
    const cluster = new InstantCluster({ nodeCount: 3, overrides: { maxUncommittedEntries: 3 } });
    assert.equal(cluster.elect('n0'), 'n0');
    cluster.isolate('n0');
    const statuses = [1, 2, 3, 4].map(
      (i) => cluster.core('n0').propose(new Uint8Array([i])).status,
    );
    assert.deepEqual(statuses, ['OK', 'OK', 'OK', 'LEADER_PENDING_FULL']);
  });
});

describe('RaftCore commit rule', () => {
  it('commits an earlier term entry only through an entry of the current term', () => {
    const storage = new MemoryStorage();
    storage.append([entry(1, 1), entry(2, 1)]);
    storage.setHardState({ term: 1, vote: null, commit: 0 });
    const core = new RaftCore({
      id: 'n0',
      peers: ['n0', 'n1', 'n2'],
      storage,
      prng: createPrng(1),
    });
    core.campaign();
    const grant = (type: MessageType, term: number) =>
      core.step(message({ type, from: 'n1', to: 'n0', term }));
    grant(MessageType.PRE_VOTE_RESP, 2);
    grant(MessageType.VOTE_RESP, 2);
    assert.equal(core.role, Role.LEADER);
    const ready = core.ready();
    assert.ok(ready !== null);
    storage.append(ready.entries);
    core.advance(ready);
    // n1 acknowledges index 2 (term 1): a quorum holds it, but it is not of term 2.
    core.step(message({ type: MessageType.APP_RESP, from: 'n1', to: 'n0', term: 2, index: 2 }));
    assert.equal(core.commitIndex, 0);
    core.step(message({ type: MessageType.APP_RESP, from: 'n1', to: 'n0', term: 2, index: 3 }));
    assert.equal(core.commitIndex, 3);
  });

  it('does not count its own unpersisted entries towards the quorum', () => {
    const cluster = electedCluster(3);
    const leader = cluster.core('n0');
    leader.propose(new Uint8Array([7]));
    const ready = leader.ready();
    assert.ok(ready !== null);
    const last = leader.inspect().lastIndex;
    leader.step(
      message({ type: MessageType.APP_RESP, from: 'n1', to: 'n0', term: 1, index: last }),
    );
    assert.ok(leader.commitIndex < last, 'one follower alone is not a quorum of 3');
    cluster.node('n0').storage.append(ready.entries);
    leader.advance(ready);
    assert.equal(leader.commitIndex, last);
  });
});

describe('RaftCore Ready contract', () => {
  it('puts a vote grant in the same Ready as the hard state that records it', () => {
    const storage = new MemoryStorage();
    const core = new RaftCore({
      id: 'n1',
      peers: ['n0', 'n1', 'n2'],
      storage,
      prng: createPrng(2),
    });
    core.step(message({ type: MessageType.VOTE, from: 'n0', to: 'n1', term: 1 }));
    const ready = core.ready();
    assert.ok(ready !== null);
    assert.deepEqual(ready.hardState, { term: 1, vote: 'n0', commit: 0 });
    assert.equal(ready.mustSync, true);
    assert.equal(ready.messages[0]?.type, MessageType.VOTE_RESP);
    assert.equal(ready.messages[0]?.reject, false);
  });

  it('puts an append acknowledgement in the same Ready as the entries it acknowledges', () => {
    const storage = new MemoryStorage();
    const core = new RaftCore({
      id: 'n1',
      peers: ['n0', 'n1', 'n2'],
      storage,
      prng: createPrng(3),
    });
    core.step(
      message({ type: MessageType.APP, from: 'n0', to: 'n1', term: 1, entries: [entry(1, 1)] }),
    );
    const ready = core.ready();
    assert.ok(ready !== null);
    assert.equal(ready.entries.length, 1);
    assert.equal(ready.messages[0]?.type, MessageType.APP_RESP);
    assert.equal(ready.messages[0]?.index, 1);
  });

  it('asserts when ready() is called again before advance()', () => {
    const core = new RaftCore({
      id: 'n0',
      peers: ['n0', 'n1', 'n2'],
      storage: new MemoryStorage(),
      prng: createPrng(4),
    });
    core.campaign();
    assert.ok(core.ready() !== null);
    assert.throws(() => core.ready(), AssertionError);
  });

  it('restarts from storage with its term, vote and log, and replays committed entries', () => {
    const cluster = electedCluster(3);
    cluster.propose('n0', 'a');
    cluster.propose('n0', 'b');
    const before = cluster.core('n1').inspect();
    cluster.crash('n1');
    cluster.restart('n1');
    const after = cluster.core('n1').inspect();
    assert.equal(after.term, before.term);
    assert.equal(after.lastIndex, before.lastIndex);
    cluster.tickAll(3);
    assert.deepEqual(cluster.appliedTexts('n1'), ['a', 'b']);
  });
});

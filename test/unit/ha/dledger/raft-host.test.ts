// RaftHost's answers to proposals, on three hosts wired by hand (in-memory storage that completes
// its writes at once, a message queue the test drains, ticks called by the test): COMMITTED only
// after apply; refusals at once (NOT_LEADER with the leader, BUSY when the pending queue is full);
// QUORUM_LOST when check-quorum deposes the leader; an async apply holds the answer; a failed write
// answers STORAGE_FAILED and reports the error; close() answers CLOSED.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPrng } from '../../../../common/prng.js';
import type { ProposeOutcome, RaftLogStore } from '../../../../ha/dledger/host-types.js';
import { RaftHost, type RaftHostOptions } from '../../../../ha/dledger/raft-host.js';
import { MemoryStorage } from '../../../../ha/raft/log-storage.js';
import { type Entry, EntryType, type Message, Role } from '../../../../ha/raft/messages.js';

class MemoryLogStore extends MemoryStorage implements RaftLogStore {
  failure: Error | null = null;

  save(
    entries: readonly Entry[],
    hardState: Parameters<RaftLogStore['save']>[1],
    _sync: boolean,
    done: (error: Error | null) => void,
  ): void {
    if (this.failure !== null) {
      done(this.failure);
      return;
    }
    this.append(entries);
    if (hardState !== null) this.setHardState(hardState);
    done(null);
  }
}

const ids = ['n0', 'n1', 'n2'];

class Group {
  readonly hosts = new Map<string, RaftHost>();
  readonly stores = new Map<string, MemoryLogStore>();
  readonly applied = new Map<string, string[]>();
  readonly queue: Message[] = [];
  readonly cut = new Set<string>();

  constructor(overrides: Partial<RaftHostOptions> = {}) {
    ids.forEach((id, i) => {
      const store = new MemoryLogStore();
      const applied: string[] = [];
      this.stores.set(id, store);
      this.applied.set(id, applied);
      const host = new RaftHost({
        id,
        peers: ids,
        storage: store,
        transport: { send: (m) => this.queue.push(m) },
        scheduler: { repeat: () => () => undefined },
        prng: createPrng(7 + i),
        apply: (entries) => {
          for (const e of entries) {
            if (e.type === EntryType.NORMAL) applied.push(new TextDecoder().decode(e.data));
          }
        },
        ...overrides,
      });
      host.start();
      this.hosts.set(id, host);
    });
  }

  host(id: string): RaftHost {
    return this.hosts.get(id) as RaftHost;
  }

  /** Deliver queued messages until none are left (links to cut nodes drop them). */
  drain(): void {
    for (let steps = 0; this.queue.length > 0; steps++) {
      assert.ok(steps < 100_000, 'message storm');
      const m = this.queue.shift() as Message;
      if (this.cut.has(m.from) || this.cut.has(m.to)) continue;
      this.host(m.to).deliver(m);
    }
  }

  elect(id: string): RaftHost {
    this.host(id).campaign();
    this.drain();
    assert.equal(this.host(id).role, Role.LEADER);
    return this.host(id);
  }
}

function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

describe('RaftHost', () => {
  it('answers COMMITTED after every step of the contract, and refuses on a follower', async () => {
    const group = new Group();
    const leader = group.elect('n0');
    const answer = leader.propose(text('hello'));
    group.drain();
    const outcome = await answer;
    assert.equal(outcome.status, 'COMMITTED');
    assert.equal(outcome.term, leader.term);
    assert.deepEqual(group.applied.get('n0'), ['hello']);
    assert.ok((group.stores.get('n1')?.lastIndex() ?? 0) >= outcome.index);
    const refused = await group.host('n1').propose(text('x'));
    assert.deepEqual(refused, { status: 'NOT_LEADER', index: 0, term: 0, leaderId: 'n0' });
  });

  it('answers BUSY at once when the pending-proposal queue is full', async () => {
    const group = new Group({ maxPendingProposals: 2 });
    const leader = group.elect('n1');
    const first = leader.propose(text('a'));
    const second = leader.propose(text('b'));
    const third = await leader.propose(text('c'));
    assert.equal(third.status, 'BUSY');
    assert.equal(leader.status().pendingProposals, 2);
    group.drain();
    assert.deepEqual(
      (await Promise.all([first, second])).map((o) => o.status),
      ['COMMITTED', 'COMMITTED'],
    );
    assert.equal(leader.status().pendingProposals, 0);
  });

  it('answers QUORUM_LOST when check-quorum deposes a cut-off leader', async () => {
    const roles: string[] = [];
    const group = new Group({ onRoleChange: (role) => roles.push(role) });
    const leader = group.elect('n2');
    group.cut.add('n2');
    const answer = leader.propose(text('lost'));
    for (let i = 0; i < 40 && leader.role === Role.LEADER; i++) {
      leader.tick();
      group.drain();
    }
    const outcome = await answer;
    assert.equal(outcome.status, 'QUORUM_LOST');
    assert.ok(outcome.index > 0, 'the entry was appended: the outcome is unknown, not refused');
    assert.ok(roles.includes(Role.FOLLOWER));
  });

  it('holds the answer until an asynchronous apply settles', async () => {
    const releases: (() => void)[] = [];
    const group = new Group({
      apply: () =>
        new Promise<void>((resolve) => {
          releases.push(resolve);
        }),
    });
    const leader = group.elect('n0');
    let outcome: ProposeOutcome | null = null;
    leader.submit(text('slow'), (o) => {
      outcome = o;
    });
    group.drain();
    assert.equal(outcome, null, 'no answer while apply is pending');
    // Each release lets a host's next batch through (the NOOP of the new term comes first).
    for (let i = 0; i < 10 && outcome === null; i++) {
      assert.ok(releases.length > 0, 'an apply is pending');
      for (const release of releases.splice(0)) release();
      await new Promise((resolve) => setImmediate(resolve));
      group.drain();
    }
    assert.equal((outcome as ProposeOutcome | null)?.status, 'COMMITTED');
  });

  it('restarts with a state machine ahead of the stored commit without applying twice', () => {
    const store = new MemoryLogStore();
    const entries = [1, 2, 3].map((index) => ({
      index,
      term: 1,
      type: EntryType.NORMAL,
      data: text(`e${index}`),
    }));
    store.append(entries);
    // The commit index 3 was written without a sync and lost; the store had applied through 3.
    store.setHardState({ term: 1, vote: 'n0', commit: 1 });
    const applied: number[] = [];
    const host = new RaftHost({
      id: 'n0',
      peers: ['n0'],
      storage: store,
      transport: { send: () => undefined },
      scheduler: { repeat: () => () => undefined },
      prng: createPrng(1),
      apply: (batch) => {
        for (const e of batch) applied.push(e.index);
      },
      raft: { appliedIndex: 3 },
    });
    host.start();
    host.campaign();
    assert.equal(host.role, Role.LEADER);
    assert.deepEqual(applied, [4], 'only the new leader NOOP is applied; 2 and 3 are skipped');
  });

  it('stops with STORAGE_FAILED when a write fails, and answers CLOSED after close()', async () => {
    const fatal: Error[] = [];
    const group = new Group({ onFatal: (error) => fatal.push(error) });
    const leader = group.elect('n0');
    (group.stores.get('n0') as MemoryLogStore).failure = new Error('disk gone');
    const outcome = await leader.propose(text('never'));
    assert.equal(outcome.status, 'STORAGE_FAILED');
    assert.equal(fatal[0]?.message, 'disk gone');
    assert.equal(leader.status().isClosed, true);
    const follower = group.host('n1');
    follower.close();
    assert.equal((await follower.propose(text('x'))).status, 'CLOSED');
  });
});

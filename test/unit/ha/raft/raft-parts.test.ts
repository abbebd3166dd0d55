// The small pure parts of the core: quorum arithmetic (differential, against a naive count, with
// fast-check), the in-flight window, follower progress, configuration validation, and the log's
// handling of unstable entries that a new leader replaces while they are being persisted.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AssertionError } from '../../../../common/assert.js';
import { ErrorCode, MqError } from '../../../../common/errors.js';
import { createPrng } from '../../../../common/prng.js';
import { MemoryStorage } from '../../../../ha/raft/log-storage.js';
import { type Entry, EntryType } from '../../../../ha/raft/messages.js';
import { Inflights, Progress, ProgressState } from '../../../../ha/raft/progress.js';
import { committedIndex, quorumSize, VoteResult, voteResult } from '../../../../ha/raft/quorum.js';
import { resolveRaftConfig } from '../../../../ha/raft/raft-config.js';
import { RaftLog } from '../../../../ha/raft/raft-log.js';

function entry(index: number, term: number): Entry {
  return { index, term, type: EntryType.NORMAL, data: new Uint8Array([index & 255]) };
}

const LIMITS = { maxEntries: 100, maxBytes: 1 << 20 };

describe('quorum', () => {
  it('matches a naive count for the committed index (differential)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 9 }), (matches) => {
        const quorum = Math.floor(matches.length / 2) + 1;
        let naive = 0;
        for (const candidate of matches) {
          const holders = matches.filter((m) => m >= candidate).length;
          if (holders >= quorum && candidate > naive) naive = candidate;
        }
        assert.equal(committedIndex([...matches]), naive);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('decides votes like DLedger isQuorum', () => {
    assert.equal(quorumSize(3), 2);
    assert.equal(quorumSize(4), 3);
    assert.equal(quorumSize(5), 3);
    assert.equal(voteResult(3, 2, 0), VoteResult.WON);
    assert.equal(voteResult(3, 1, 1), VoteResult.PENDING);
    assert.equal(voteResult(3, 1, 2), VoteResult.LOST);
    assert.equal(voteResult(5, 2, 2), VoteResult.PENDING);
    assert.equal(voteResult(5, 2, 3), VoteResult.LOST);
  });
});

describe('Inflights and Progress', () => {
  it('bounds the window, frees acknowledged appends in order, and refuses overflow', () => {
    const inflights = new Inflights(3);
    inflights.add(5);
    inflights.add(9);
    inflights.add(12);
    assert.equal(inflights.isFull(), true);
    assert.throws(() => inflights.add(13), AssertionError);
    inflights.freeLE(9);
    assert.equal(inflights.count, 1);
    inflights.add(20);
    inflights.add(21);
    assert.equal(inflights.isFull(), true);
    inflights.freeLE(100);
    assert.equal(inflights.count, 0);
  });

  it('probes one append at a time and streams in REPLICATE state', () => {
    const progress = new Progress(11, 2);
    assert.equal(progress.state, ProgressState.PROBE);
    progress.sentEntries(3, 13);
    assert.equal(progress.isPaused(), true);
    assert.equal(progress.maybeUpdate(13), true);
    progress.becomeReplicate();
    progress.sentEntries(2, 15);
    progress.sentEntries(2, 17);
    assert.equal(progress.isPaused(), true);
    assert.equal(progress.next, 18);
    // A rejection of an append past the match falls back to probing at the hint.
    assert.equal(progress.maybeDecreaseTo(15, 14), true);
    assert.equal(progress.state, ProgressState.PROBE);
    assert.equal(progress.next, 15);
    // A stale rejection (not of the append just probed) is ignored.
    assert.equal(progress.maybeDecreaseTo(11, 10), false);
  });
});

describe('resolveRaftConfig', () => {
  const base = {
    id: 'n0',
    peers: ['n0', 'n1', 'n2'],
    storage: new MemoryStorage(),
    prng: createPrng(1),
  };

  function rejects(overrides: object, pattern: RegExp): void {
    assert.throws(
      () => resolveRaftConfig({ ...base, ...overrides }),
      (error: unknown) =>
        error instanceof MqError &&
        error.code === ErrorCode.CONFIG_INVALID &&
        pattern.test(error.message),
    );
  }

  it('fills the defaults', () => {
    const config = resolveRaftConfig(base);
    assert.equal(config.electionTicks, 10);
    assert.equal(config.heartbeatTicks, 2);
    assert.equal(config.preVote, true);
    assert.equal(config.checkQuorum, true);
    assert.equal(config.preferredLeaderId, null);
  });

  it('rejects an id outside the peers, duplicate peers and a bad preferred leader', () => {
    rejects({ id: 'n9' }, /node id "n9" is not among the peers/);
    rejects({ peers: ['n0', 'n1', 'n1'] }, /duplicate id/);
    rejects({ preferredLeaderId: 'n7' }, /preferred leader "n7"/);
  });

  it('rejects heartbeats not shorter than the election timeout, and non-positive bounds', () => {
    rejects({ heartbeatTicks: 10 }, /heartbeatTicks 10 must be below electionTicks 10/);
    rejects({ maxInflightAppends: 0 }, /"maxInflightAppends" must be a positive integer/);
    rejects({ electionTicks: 2.5 }, /"electionTicks" must be a positive integer/);
  });
});

describe('RaftLog', () => {
  function logWith(stored: Entry[], commit: number): { log: RaftLog; storage: MemoryStorage } {
    const storage = new MemoryStorage();
    storage.append(stored);
    storage.setHardState({ term: stored.at(-1)?.term ?? 0, vote: null, commit });
    return { log: new RaftLog(storage, 0), storage };
  }

  it('appends, detects conflicts and never truncates committed entries', () => {
    const { log } = logWith([entry(1, 1), entry(2, 1), entry(3, 2)], 2);
    assert.equal(log.maybeAppend(1, 1, 3, [entry(2, 1), entry(3, 3), entry(4, 3)]), 4);
    assert.equal(log.term(3), 3);
    assert.equal(log.committed, 3);
    assert.equal(log.maybeAppend(4, 2, 4, []), -1, 'previous term mismatch');
    assert.throws(() => log.maybeAppend(0, 0, 4, [entry(1, 9)]), AssertionError);
  });

  it('finds the backtracking hint by term', () => {
    const { log } = logWith([entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 2), entry(5, 4)], 0);
    assert.deepEqual(log.findConflictByTerm(5, 3), { index: 4, term: 2 });
    assert.deepEqual(log.findConflictByTerm(5, 1), { index: 2, term: 1 });
    assert.deepEqual(log.findConflictByTerm(9, 4), { index: 5, term: 4 });
  });

  it('keeps entries unstable when a new leader replaced them during their write', () => {
    const { log, storage } = logWith([entry(1, 1)], 1);
    log.append([entry(2, 2), entry(3, 2), entry(4, 2)]);
    const handedOut = log.unstableEntries();
    // While the host writes them, a leader of term 3 replaces entries from index 3 on.
    log.maybeAppend(2, 2, 1, [entry(3, 3)]);
    storage.append(handedOut);
    log.stableTo(handedOut);
    assert.equal(log.stableLastIndex(), 2, 'only the prefix that still matches is stable');
    assert.deepEqual(
      log.unstableEntries().map((e) => [e.index, e.term]),
      [[3, 3]],
    );
    assert.equal(log.lastIndex(), 3);
  });

  it('slices across stored and unstable entries within the byte limit', () => {
    const { log } = logWith([entry(1, 1), entry(2, 1)], 0);
    log.append([entry(3, 1), entry(4, 1)]);
    assert.deepEqual(
      log.slice(1, 5, LIMITS).map((e) => e.index),
      [1, 2, 3, 4],
    );
    assert.deepEqual(
      log.slice(2, 5, { maxEntries: 100, maxBytes: 1 }).map((e) => e.index),
      [2],
    );
  });
});

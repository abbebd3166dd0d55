// What a controller-mode master proposes for its SyncStateSet (sync-state-set-check.ts), driven by
// figures and an injected time: a replica that has not caught up for haMaxTimeSlaveNotCatchup
// leaves the set, one that has acknowledged what the master had written at the previous check
// (and at least its epoch's start) joins it, and an unchanged set proposes nothing.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SyncStateSetCheck } from '../../../broker/sync-state-set-check.js';

const progress = (replicaAckedOffset: number, slaveCount = 1, slaveBrokerId = 2) => ({
  slaveCount,
  slaveBrokerId,
  replicaAckedOffset,
});

describe('SyncStateSet check', () => {
  it('shrinks after haMaxTimeSlaveNotCatchup without catching up, and grows back once caught up', () => {
    const check = new SyncStateSetCheck({
      selfId: 1,
      maxNotCaughtUpMs: 1000,
      epochStartOffset: 100,
      nowMs: 0,
      wroteOffset: 500,
    });
    // Caught up: it acknowledged what the master had at the previous check.
    assert.equal(check.check([1, 2], progress(500), 800, 100), undefined);
    // Behind from now on, but within the allowance.
    assert.equal(check.check([1, 2], progress(600), 1200, 900), undefined);
    assert.equal(check.check([1, 2], progress(700), 1600, 1100), undefined);
    // More than 1000 ms since it last caught up (at 100): out.
    assert.deepEqual(check.check([1, 2], progress(800), 2000, 1200), [1]);
    // Disconnected replicas never join.
    assert.equal(check.check([1], progress(2000, 0), 2000, 1300), undefined);
    // It acknowledged everything the master had at the previous check: back in.
    assert.deepEqual(check.check([1], progress(2000), 2100, 1400), [1, 2]);
  });

  it('does not add a replica that has not reached the start of the epoch', () => {
    const check = new SyncStateSetCheck({
      selfId: 1,
      maxNotCaughtUpMs: 1000,
      epochStartOffset: 1000,
      nowMs: 0,
      wroteOffset: 900,
    });
    assert.equal(check.check([1], progress(950), 1000, 100), undefined);
    assert.deepEqual(check.check([1], progress(1000), 1000, 200), [1, 2]);
  });

  it('always keeps the master itself', () => {
    const check = new SyncStateSetCheck({
      selfId: 3,
      maxNotCaughtUpMs: 10,
      epochStartOffset: 0,
      nowMs: 0,
      wroteOffset: 0,
    });
    assert.deepEqual(check.check([2], progress(0, 0), 0, 1000), [3]);
  });
});

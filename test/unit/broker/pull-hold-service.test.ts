// Long-polling holds with a manual clock: arrivals wake only the pulls they satisfy, deadlines
// wake the rest, closed connections drop theirs, the bound refuses further holds, and every held
// pull is woken exactly once.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type HeldPull,
  PullHoldService,
  type WakeReason,
} from '../../../broker/pull-hold-service.js';
import { ManualClock } from '../../../common/clock.js';

function setup(maxHeld = 10) {
  const clock = new ManualClock();
  const holds = new PullHoldService({ clock, maxHeld });
  const woken: Array<[string, WakeReason]> = [];
  const pull = (name: string, p: Partial<HeldPull>): HeldPull => ({
    topic: 'T',
    queueId: 0,
    queueOffset: 0,
    deadlineMs: clock.monotonicMs() + 15_000,
    channelId: 1,
    wake: (reason) => woken.push([name, reason]),
    ...p,
  });
  return { clock, holds, woken, pull };
}

describe('PullHoldService', () => {
  it('wakes the pulls of a queue whose offset the new max passes', () => {
    const { holds, woken, pull } = setup();
    assert.ok(holds.hold(pull('a', { queueOffset: 5 })));
    assert.ok(holds.hold(pull('b', { queueOffset: 6 })));
    assert.ok(holds.hold(pull('other-queue', { queueOffset: 5, queueId: 1 })));
    assert.equal(holds.notifyMessageArriving('T', 0, 6), 1);
    assert.deepEqual(woken, [['a', 'ARRIVED']]);
    assert.equal(holds.notifyMessageArriving('T', 0, 7), 1);
    assert.deepEqual(woken.at(-1), ['b', 'ARRIVED']);
    assert.equal(holds.size, 1);
  });

  it('answers pulls at their deadline and not before', () => {
    const { clock, holds, woken, pull } = setup();
    holds.hold(pull('short', { deadlineMs: 1000 }));
    holds.hold(pull('long', { deadlineMs: 15_000 }));
    clock.advance(999);
    assert.equal(holds.expire(), 0);
    clock.advance(1);
    assert.equal(holds.expire(), 1);
    assert.deepEqual(woken, [['short', 'TIMEOUT']]);
    clock.advance(20_000);
    holds.expire();
    assert.deepEqual(woken.at(-1), ['long', 'TIMEOUT']);
    assert.equal(holds.size, 0);
  });

  it('drops the pulls of a closed connection and wakes all at shutdown', () => {
    const { holds, woken, pull } = setup();
    holds.hold(pull('c1', { channelId: 1 }));
    holds.hold(pull('c2', { channelId: 2 }));
    holds.hold(pull('c2b', { channelId: 2, queueId: 3 }));
    assert.equal(holds.onChannelClosed(2), 2);
    assert.equal(holds.wakeAll(), 1);
    assert.deepEqual(woken, [
      ['c2', 'CLOSED'],
      ['c2b', 'CLOSED'],
      ['c1', 'SHUTDOWN'],
    ]);
    assert.equal(holds.notifyMessageArriving('T', 0, 100), 0, 'woken once, then forgotten');
  });

  it('refuses holds beyond maxHeld', () => {
    const { holds, pull } = setup(2);
    assert.ok(holds.hold(pull('1', {})));
    assert.ok(holds.hold(pull('2', {})));
    assert.equal(holds.hold(pull('3', {})), false);
    holds.notifyMessageArriving('T', 0, 1);
    assert.ok(holds.hold(pull('4', {})), 'room again after wake-ups');
  });
});

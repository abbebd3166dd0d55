// ConfirmedReads: where reads end while a master's replica must confirm, and the long-poll
// wake-ups it holds back until then (bounded, in CommitLog order).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfirmedReads } from '../../../engine/read/confirmed-reads.js';

function setup(capacity = 8) {
  let confirmed = 0;
  const announced: string[] = [];
  const reads = new ConfirmedReads({
    capacity,
    confirmed: () => confirmed,
    notify: (topic, queueId, maxOffset) => announced.push(`${topic}:${queueId}:${maxOffset}`),
  });
  return {
    reads,
    announced,
    confirm: (offset: number) => {
      confirmed = offset;
      reads.confirmedTo(offset);
    },
  };
}

describe('ConfirmedReads', () => {
  it('does not bound reads and announces at once while inactive', () => {
    const { reads, announced } = setup();
    assert.equal(reads.readEnd(), undefined);
    reads.arrived('T', 0, 1, 100);
    assert.deepEqual(announced, ['T:0:1']);
  });

  it('holds arrivals above the confirmed offset and announces them in order once confirmed', () => {
    const { reads, announced, confirm } = setup();
    reads.setActive(true);
    confirm(100);
    assert.equal(reads.readEnd(), 100);
    reads.arrived('T', 0, 1, 100);
    reads.arrived('T', 1, 1, 200);
    reads.arrived('T', 0, 2, 300);
    assert.deepEqual(announced, ['T:0:1'], 'only the confirmed one is announced');
    assert.equal(reads.waiting, 2);
    confirm(250);
    assert.deepEqual(announced, ['T:0:1', 'T:1:1']);
    confirm(300);
    assert.deepEqual(announced, ['T:0:1', 'T:1:1', 'T:0:2']);
    assert.equal(reads.waiting, 0);
  });

  it('keeps CommitLog order: a confirmed arrival behind a waiting one waits too', () => {
    const { reads, announced, confirm } = setup();
    reads.setActive(true);
    reads.arrived('T', 0, 1, 300);
    confirm(200);
    reads.arrived('T', 1, 1, 150);
    assert.deepEqual(
      announced,
      [],
      'the older arrival still waits, so the newer one waits behind it',
    );
    confirm(300);
    assert.deepEqual(announced, ['T:0:1', 'T:1:1']);
  });

  it('announces everything waiting when reads stop being bounded', () => {
    const { reads, announced } = setup();
    reads.setActive(true);
    reads.arrived('T', 0, 1, 100);
    reads.arrived('T', 0, 2, 200);
    reads.setActive(false);
    assert.deepEqual(announced, ['T:0:1', 'T:0:2']);
    assert.equal(reads.readEnd(), undefined);
  });

  it('drops the oldest wake-up past its capacity and counts it', () => {
    const { reads, announced, confirm } = setup(2);
    reads.setActive(true);
    for (let i = 1; i <= 3; i++) reads.arrived('T', 0, i, i * 100);
    assert.equal(reads.waiting, 2);
    assert.equal(reads.dropped, 1);
    confirm(300);
    assert.deepEqual(announced, ['T:0:2', 'T:0:3']);
  });
});

// The put tracker: puts complete in order, visibility follows the wrote position, SYNC_FLUSH puts
// wait for the flushed position and time out with FLUSH_DISK_TIMEOUT, and a failed pipeline fails
// every pending put; a stalled writer's unwritten puts are answered once, early.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeHostAddress } from '../../../common/host-address.js';
import type { PutResult } from '../../../engine/put/put-result.js';
import { type PendingPut, PutTracker } from '../../../engine/put/put-tracker.js';

function setup(capacity = 10) {
  const visible: number[] = [];
  const results: Array<PutResult | undefined> = [];
  const tracker = new PutTracker({
    capacity,
    storeHost: encodeHostAddress('127.0.0.1:10911'),
    onVisible: (p) => visible.push(p.queueOffset),
  });
  const add = (
    waitFlush: boolean,
    deadlineMs = Number.POSITIVE_INFINITY,
    replica?: { deadlineMs: number } | 'UNAVAILABLE',
  ) => {
    const i = results.length;
    results.push(undefined);
    const put: PendingPut = {
      resolve: (r) => {
        results[i] = r;
      },
      topic: 'T',
      queueId: 0,
      inQueue: true,
      uniqKey: `u${i}`,
      length: 100,
      waitFlush,
      deadlineMs,
      waitReplica: typeof replica === 'object',
      replicaDeadlineMs:
        typeof replica === 'object' ? replica.deadlineMs : Number.POSITIVE_INFINITY,
      status: replica === 'UNAVAILABLE' ? 'SLAVE_NOT_AVAILABLE' : 'PUT_OK',
      queueOffset: -1,
      commitLogOffset: -1,
    };
    tracker.add(put);
  };
  return { tracker, visible, results, add };
}

describe('PutTracker', () => {
  it('answers unwritten puts of a stalled writer once, and still matches the later completions', () => {
    const { tracker, visible, results, add } = setup();
    let resolutions = 0;
    for (let i = 0; i < 4; i++) add(false);
    tracker.appended(0, 0);
    tracker.wroteTo(100);
    tracker.appended(1, 100);
    assert.equal(tracker.answerUnwritten('SERVICE_NOT_AVAILABLE', 'E_DISK_FULL: full'), 3);
    assert.equal(tracker.answerUnwritten('SERVICE_NOT_AVAILABLE', 'again'), 0);
    assert.deepEqual(
      results.map((r) => r?.status),
      ['PUT_OK', 'SERVICE_NOT_AVAILABLE', 'SERVICE_NOT_AVAILABLE', 'SERVICE_NOT_AVAILABLE'],
    );
    const answered = results.map((r) => r);
    // The writer's retry succeeds: its completions still land on the right puts.
    for (let i = 2; i < 4; i++) tracker.appended(i, i * 100);
    tracker.wroteTo(400);
    assert.deepEqual(visible, [0, 1, 2, 3]);
    assert.equal(tracker.size, 0);
    for (const [i, r] of results.entries()) if (r !== answered[i]) resolutions++;
    assert.equal(resolutions, 0, 'an answered put was answered again');
    assert.equal(results[1]?.reason, 'E_DISK_FULL: full');
  });

  it('acknowledges ASYNC puts once written, in order', () => {
    const { tracker, visible, results, add } = setup();
    for (let i = 0; i < 3; i++) add(false);
    for (let i = 0; i < 3; i++) tracker.appended(i, i * 100);
    tracker.wroteTo(200);
    assert.deepEqual(visible, [0, 1]);
    assert.deepEqual(
      results.map((r) => r?.status),
      ['PUT_OK', 'PUT_OK', undefined],
    );
    assert.equal(results[1]?.msgId, '7F00000100002A9F0000000000000064');
    tracker.wroteTo(300);
    assert.equal(results[2]?.status, 'PUT_OK');
    assert.equal(tracker.size, 0);
  });

  it('holds SYNC puts until flushed, and a later ASYNC put behind them', () => {
    const { tracker, results, add } = setup();
    add(true, 1000);
    add(false);
    tracker.appended(0, 0);
    tracker.appended(1, 100);
    tracker.wroteTo(200);
    assert.deepEqual(
      results.map((r) => r?.status),
      [undefined, undefined],
    );
    tracker.flushedTo(100);
    assert.deepEqual(
      results.map((r) => r?.status),
      ['PUT_OK', 'PUT_OK'],
    );
  });

  it('times out SYNC puts whose flush did not come, then keeps going', () => {
    const { tracker, results, add } = setup();
    add(true, 1000);
    add(true, 2000);
    tracker.appended(0, 0);
    tracker.appended(1, 100);
    tracker.wroteTo(200);
    tracker.expire(999);
    assert.equal(results.filter((r) => r !== undefined).length, 0);
    tracker.expire(1500);
    assert.equal(results[0]?.status, 'FLUSH_DISK_TIMEOUT');
    assert.equal(results[0]?.queueOffset, 0, 'a timed-out put still reports where it was stored');
    tracker.flushedTo(200);
    assert.equal(results[1]?.status, 'PUT_OK');
  });

  it('holds SYNC_MASTER puts until a slave acknowledges them, or times out', () => {
    const { tracker, results, add } = setup();
    add(false, Number.POSITIVE_INFINITY, { deadlineMs: 3000 });
    add(false, Number.POSITIVE_INFINITY, { deadlineMs: 3001 });
    add(false, Number.POSITIVE_INFINITY, 'UNAVAILABLE');
    for (let i = 0; i < 3; i++) tracker.appended(i, i * 100);
    tracker.wroteTo(300);
    assert.equal(results.filter((r) => r !== undefined).length, 0);
    tracker.replicatedTo(100);
    assert.equal(results[0]?.status, 'PUT_OK');
    tracker.expire(3001);
    assert.equal(results[1]?.status, 'FLUSH_SLAVE_TIMEOUT');
    assert.equal(
      results[2]?.status,
      'SLAVE_NOT_AVAILABLE',
      'no slave: stored, reported as not replicated',
    );
  });

  it('reports a flush timeout before a slave timeout', () => {
    const { tracker, results, add } = setup();
    add(true, 1000, { deadlineMs: 1000 });
    tracker.appended(0, 0);
    tracker.wroteTo(100);
    tracker.expire(1000);
    assert.equal(results[0]?.status, 'FLUSH_DISK_TIMEOUT');
  });

  it('is bounded and fails everything pending when the pipeline dies', () => {
    const { tracker, results, add } = setup(2);
    add(false);
    add(false);
    assert.equal(tracker.hasRoom(1), false);
    tracker.appended(0, 0);
    tracker.failAll('UNKNOWN_ERROR', 'writer exited');
    assert.deepEqual(
      results.map((r) => r?.status),
      ['UNKNOWN_ERROR', 'UNKNOWN_ERROR'],
    );
    assert.equal(tracker.hasRoom(2), true);
  });

  it('answers puts a role change overtook FLUSH_SLAVE_TIMEOUT with the offsets of those that have them', () => {
    const { tracker, results, add } = setup();
    add(false, Number.POSITIVE_INFINITY, { deadlineMs: 1000 });
    add(false, Number.POSITIVE_INFINITY, { deadlineMs: 1000 });
    tracker.appended(7, 300);
    tracker.wroteTo(400);
    tracker.failAll('FLUSH_SLAVE_TIMEOUT', 'the store became SLAVE');
    assert.equal(results[0]?.status, 'FLUSH_SLAVE_TIMEOUT');
    assert.equal(results[0]?.queueOffset, 7);
    assert.equal(results[0]?.commitLogOffset, 300);
    assert.equal(typeof results[0]?.msgId, 'string', 'stored: clients get its id');
    assert.deepEqual(
      [results[1]?.status, results[1]?.msgId, results[1]?.reason],
      ['FLUSH_SLAVE_TIMEOUT', undefined, 'the store became SLAVE'],
      'no offsets: no id',
    );
  });
});

// Expiry of old segments: the policy in isolation, then a real store whose oldest segments are
// aged on disk, deleted, and no longer readable while everything newer still is.

import assert from 'node:assert/strict';
import { readdirSync, utimesSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { expiredSegments, isDeleteHour } from '../../../engine/clean/clean-policy.js';
import { openStore } from '../../../engine/index.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';

const policy = {
  fileReservedTime: 48,
  deleteWhen: '04;16',
  diskMaxUsedSpaceRatio: 75,
  maxSegmentsPerRun: 10,
};
const HOUR = 3600_000;

describe('clean policy', () => {
  const now = 1_700_000_000_000;
  const segments = [0, 1, 2, 3].map((i) => ({
    start: i * 100,
    lastModifiedMs: now - (100 - i * 30) * HOUR,
  }));

  it('deletes only expired segments, oldest first, never the newest', () => {
    assert.equal(isDeleteHour('04;16', 16), true);
    assert.deepEqual(
      expiredSegments(policy, {
        segments,
        nowMs: now,
        hourOfDay: 4,
        diskUsedPercent: 10,
        manual: false,
      }),
      [0, 100],
    );
    const allOld = segments.map((s) => ({ ...s, lastModifiedMs: now - 1000 * HOUR }));
    assert.deepEqual(
      expiredSegments(policy, {
        segments: allOld,
        nowMs: now,
        hourOfDay: 4,
        diskUsedPercent: 10,
        manual: false,
      }),
      [0, 100, 200],
    );
  });

  it('runs only at the deleteWhen hours unless the disk is over the ratio', () => {
    assert.deepEqual(
      expiredSegments(policy, {
        segments,
        nowMs: now,
        hourOfDay: 9,
        diskUsedPercent: 10,
        manual: false,
      }),
      [],
    );
    assert.deepEqual(
      expiredSegments(policy, {
        segments,
        nowMs: now,
        hourOfDay: 9,
        diskUsedPercent: 80,
        manual: false,
      }),
      [0, 100],
    );
  });

  it('never deletes segments younger than the reserve time, even with a full disk', () => {
    const young = segments.map((s) => ({ ...s, lastModifiedMs: now - HOUR }));
    assert.deepEqual(
      expiredSegments(policy, {
        segments: young,
        nowMs: now,
        hourOfDay: 4,
        diskUsedPercent: 99,
        manual: true,
      }),
      [],
    );
  });
});

describe('clean service on a real store', () => {
  const dir = makeTmpDir();
  after(() => dir.remove());

  it('deletes aged segments and their queue units, keeping newer messages readable', async () => {
    const options = {
      storePathRootDir: dir.path,
      threads: false,
      mappedFileSizeCommitLog: 64 * 1024,
      mappedFileSizeConsumeQueue: 20 * 50,
      maxMessageSize: 4096,
      tailCacheBytes: 512 * 1024,
      maxHashSlotNum: 64,
      maxIndexNum: 1024,
      fileReservedTime: 1,
    };
    const store = await openStore(options);
    const body = Buffer.alloc(2000, 1);
    for (let i = 0; i < 120; i++)
      assert.equal((await store.putMessage({ topic: 'T', queueId: 0, body })).status, 'PUT_OK');
    const segments = readdirSync(`${dir.path}/commitlog`).sort();
    assert.ok(segments.length >= 4);
    const old = (Date.now() - 2 * HOUR) / 1000;
    for (const name of segments.slice(0, 2)) utimesSync(`${dir.path}/commitlog/${name}`, old, old);
    await store.close();
    const reopened = await openStore(options);
    const deleted = reopened.cleanNow();
    assert.equal(deleted, 2);
    assert.equal(readdirSync(`${dir.path}/commitlog`).length, segments.length - 2);
    const min = reopened.getMinOffsetInQueue('T', 0);
    assert.ok(min > 0, 'the queue minimum moved past the deleted messages');
    assert.equal(
      (await reopened.getMessage({ topic: 'T', queueId: 0, queueOffset: 0, maxMsgNums: 1 })).status,
      'OFFSET_TOO_SMALL',
    );
    const rest = await reopened.getMessage({
      topic: 'T',
      queueId: 0,
      queueOffset: min,
      maxMsgNums: 500,
    });
    assert.equal(rest.status, 'FOUND');
    assert.equal(rest.messages.length, 120 - min);
    assert.ok(Number(reopened.runtimeInfo()['commitLogMinOffset']) > 0);
    await reopened.close();
  });
});

// Pull reads of back-to-back records: one read per run of records into one buffer per pull,
// served as views of it, with every record still checked (a damaged one ends the pull before it),
// on real files.

import assert from 'node:assert/strict';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { openStore } from '../../../engine/index.js';
import { joinRecords } from '../../../engine/read/record-run.js';
import { smallStoreOptions } from '../../harness/small-store.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';

const dirs: Array<{ remove: () => void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});

const options = { ...smallStoreOptions, threads: false };
const fromStart = { topic: 'Runs', queueId: 0, queueOffset: 0, maxMsgNums: 32 };

/** A store (reopened, so reads come from the files) with queue 0 interleaved with queue 1. */
async function storeWithRuns(root: string) {
  const store = await openStore({ storePathRootDir: root, ...options });
  const offsets: number[] = [];
  for (const [queueId, count] of [
    [0, 6],
    [1, 3],
    [0, 6],
  ] as const) {
    for (let i = 0; i < count; i++) {
      const body = Buffer.from(`queue ${queueId} message ${i} `.repeat(8));
      const put = await store.putMessage({ topic: 'Runs', queueId, body });
      if (queueId === 0) offsets.push(put.commitLogOffset ?? -1);
    }
  }
  await store.close();
  return { offsets, reopen: () => openStore({ storePathRootDir: root, ...options }) };
}

describe('StoreReader runs of records', () => {
  it('serves every record of a queue in order, a run as one uncopied body', async () => {
    const dir = makeTmpDir();
    dirs.push(dir);
    const { reopen } = await storeWithRuns(dir.path);
    const store = await reopen();
    try {
      const got = await store.getMessage({ ...fromStart, rawOnly: true });
      assert.equal(got.status, 'FOUND');
      assert.equal(got.records.length, 12);
      assert.equal(got.nextBeginOffset, 12);
      const firstRun = got.records.slice(0, 6);
      const joined = joinRecords(firstRun);
      assert.deepEqual(joined, Buffer.concat(firstRun));
      assert.equal(joined.buffer, firstRun[0]?.buffer, 'one run is served without a copy');
      const all = joinRecords(got.records);
      assert.deepEqual(all, Buffer.concat(got.records));
      assert.equal(all.buffer, firstRun[0]?.buffer, 'two runs are read into one buffer');
      const decoded = await store.getMessage(fromStart);
      assert.deepEqual(
        decoded.messages.map((m) => m.queueOffset),
        Array.from({ length: 12 }, (_, i) => i),
      );
    } finally {
      await store.close();
    }
  });

  it('ends a pull before a damaged record of a run and refuses that record next', async () => {
    const dir = makeTmpDir();
    dirs.push(dir);
    const { offsets, reopen } = await storeWithRuns(dir.path);
    const fd = openSync(`${dir.path}/commitlog/00000000000000000000`, 'r+');
    const record = Buffer.alloc((offsets[4] ?? 0) - (offsets[3] ?? 0));
    readSync(fd, record, 0, record.byteLength, offsets[3] ?? 0);
    // A byte of record 3's body: its BODYCRC no longer matches.
    const bodyAt = record.indexOf('queue 0 message 3');
    assert.ok(bodyAt > 0);
    writeSync(fd, Buffer.from('#'), 0, 1, (offsets[3] ?? 0) + bodyAt);
    closeSync(fd);
    const store = await reopen();
    try {
      const get = (queueOffset: number) =>
        store.getMessage({ ...fromStart, queueOffset, rawOnly: true });
      const first = await get(0);
      assert.equal(first.records.length, 3);
      assert.equal(first.nextBeginOffset, 3);
      await assert.rejects(
        get(3),
        (e: unknown) => (e as { code?: string }).code === 'E_CORRUPT_RECORD',
      );
      const after = await get(4);
      assert.equal(after.records.length, 8);
    } finally {
      await store.close();
    }
  });
});

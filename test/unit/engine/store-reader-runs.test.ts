// Pull reads of back-to-back records: one read per run of records into one buffer per pull,
// served as views of it, with every record still checked (a damaged one ends the pull before it),
// on real files.

import assert from 'node:assert/strict';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { readInt64Buffer } from '../../../common/bytes.js';
import { RecordField } from '../../../common/message-codec.js';
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

type Store = Awaited<ReturnType<typeof openStore>>;

/** Runs `use` on a reopened store with runs, after `damage` (if any) changed its files. */
async function withRuns(
  use: (store: Store) => Promise<void>,
  damage?: (root: string, offsets: readonly number[]) => void,
): Promise<void> {
  const dir = makeTmpDir();
  dirs.push(dir);
  const { offsets, reopen } = await storeWithRuns(dir.path);
  damage?.(dir.path, offsets);
  const store = await reopen();
  try {
    await use(store);
  } finally {
    await store.close();
  }
}

/** Changes a byte of record 3's body in the file: its BODYCRC no longer matches. */
function damageRecord3(root: string, offsets: readonly number[]): void {
  const fd = openSync(`${root}/commitlog/00000000000000000000`, 'r+');
  const record = Buffer.alloc((offsets[4] ?? 0) - (offsets[3] ?? 0));
  readSync(fd, record, 0, record.byteLength, offsets[3] ?? 0);
  const bodyAt = record.indexOf('queue 0 message 3');
  assert.ok(bodyAt > 0);
  writeSync(fd, Buffer.from('#'), 0, 1, (offsets[3] ?? 0) + bodyAt);
  closeSync(fd);
}

describe('StoreReader runs of records', () => {
  it('serves every record of a queue in order, a run as one uncopied body', async () => {
    await withRuns(async (store) => {
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
    });
  });

  it('counts only the records it serves towards maxBytes', async () => {
    await withRuns(async (store) => {
      const size = (await store.getMessage({ ...fromStart, rawOnly: true })).records[0]?.length;
      assert.ok(size !== undefined);
      const odd = await store.getMessage({
        ...fromStart,
        rawOnly: true,
        maxBytes: 3 * size,
        recordFilter: (record) => readInt64Buffer(record, RecordField.QUEUEOFFSET) % 2 === 1,
      });
      assert.equal(odd.records.length, 3, 'the three odd offsets the byte cap allows');
      assert.equal(odd.nextBeginOffset, 6);
    });
  });

  it('ends a pull before a damaged record of a run and refuses that record next', async () => {
    await withRuns(async (store) => {
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
    }, damageRecord3);
  });
});

// Pull reads of 64 KiB and more go into pooled buffers that a released result gives back: the
// next large read reuses the buffer and still serves exactly the stored records; small reads and
// unreleased results never share a buffer. On real files (a reopened store) and the tail cache.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openStore } from '../../../engine/index.js';
import { MIN_POOLED_BYTES, ReadBufferPool } from '../../../engine/read/read-buffer-pool.js';
import { smallStoreOptions } from '../../harness/small-store.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';

const dirs: Array<{ remove: () => void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});

const options = { ...smallStoreOptions, threads: false };
const BODY_BYTES = 2048;
const MESSAGES = 96;

/** Message i's body: its number, then a byte that differs from its neighbours'. */
function bodyOf(i: number): Buffer {
  const body = Buffer.alloc(BODY_BYTES, i % 251);
  body.write(`message ${i} `);
  return body;
}

type Store = Awaited<ReturnType<typeof openStore>>;

/** Runs `use` on a store holding MESSAGES messages in queue 0, reopened when `fromFiles`. */
async function withMessages(fromFiles: boolean, use: (store: Store) => Promise<void>) {
  const dir = makeTmpDir();
  dirs.push(dir);
  let store = await openStore({ storePathRootDir: dir.path, ...options });
  for (let i = 0; i < MESSAGES; i++)
    await store.putMessage({ topic: 'Pooled', queueId: 0, body: bodyOf(i) });
  if (fromFiles) {
    await store.close();
    store = await openStore({ storePathRootDir: dir.path, ...options });
  }
  try {
    await use(store);
  } finally {
    await store.close();
  }
}

const read = (store: Store, queueOffset: number, maxMsgNums: number) =>
  store.getMessage({ topic: 'Pooled', queueId: 0, queueOffset, maxMsgNums, rawOnly: true });

describe('ReadBufferPool', () => {
  it('hands a released buffer out again, keeps at most maxFree, never pools small reads', () => {
    const pool = new ReadBufferPool(1);
    assert.equal(pool.isPooled(MIN_POOLED_BYTES - 1), false);
    assert.equal(pool.isPooled(MIN_POOLED_BYTES), true);
    const first = pool.acquire(MIN_POOLED_BYTES);
    const second = pool.acquire(MIN_POOLED_BYTES * 2);
    assert.notEqual(first.buffer, second.buffer);
    pool.release(first);
    pool.release(second);
    assert.equal(pool.freeCount, 1, 'one kept, the other left to the collector');
    assert.equal(pool.acquire(MIN_POOLED_BYTES), first);
    assert.equal(pool.freeCount, 0);
    assert.equal(pool.acquire(100).length, 100);
    assert.throws(() => pool.release(Buffer.alloc(100)), /did not give/);
  });
});

describe('StoreReader pooled reads', () => {
  for (const fromFiles of [true, false]) {
    const source = fromFiles ? 'segment files' : 'the tail cache';
    it(`reuses a released read buffer and serves the stored records from ${source}`, async () => {
      await withMessages(fromFiles, async (store) => {
        const first = await read(store, 0, 48);
        assert.equal(first.status, 'FOUND');
        assert.equal(first.records.length, 48);
        assert.ok(first.release !== undefined, 'a read of about 100 KiB is pooled');
        const firstBuffer = first.records[0]?.buffer;
        first.release();
        first.release();
        const second = await read(store, 48, 48);
        assert.equal(second.records[0]?.buffer, firstBuffer, 'the released buffer is reused');
        assert.equal(second.records.length, 48);
        second.records.forEach((record, i) => {
          assert.ok(record.includes(bodyOf(48 + i)), `record ${48 + i} holds its own body`);
        });
        const third = await read(store, 0, 48);
        assert.notEqual(third.records[0]?.buffer, firstBuffer, 'held by the unreleased read');
        const small = await read(store, 0, 4);
        assert.equal(small.status, 'FOUND');
        assert.equal(small.release, undefined, 'a small read is not pooled');
      });
    });
  }
});

// The public surface of petrelmq/engine as a gateway uses it: one rule for a closed store, input
// validation with reasons, string bodies, waiting for room after OS_PAGE_CACHE_BUSY, a storeHost
// that differs between stores and put results that narrow on their status. (A write that fails
// no longer ends the writer thread: it stalls and retries, tested in storage-fault.test.ts.)

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  ErrorCode,
  type MessageStore,
  MqError,
  openStore,
  type PutResult,
  PutStatus,
} from '../../../engine/index.js';
import { defaultStoreHost } from '../../../engine/options.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';

const dirs: Array<{ remove: () => void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});

function tmp(): string {
  const d = makeTmpDir('petrel-api-');
  dirs.push(d);
  return d.path;
}

const small = {
  mappedFileSizeCommitLog: 64 * 1024,
  mappedFileSizeConsumeQueue: 20 * 100,
  maxMessageSize: 4096,
  appendRingBytes: 1024 * 1024,
  tailCacheBytes: 512 * 1024,
  maxHashSlotNum: 64,
  maxIndexNum: 512,
};

const isCode = (code: string) => (error: unknown) =>
  error instanceof MqError && error.code === code;

/** The queue offset of a stored put; narrowing on status makes it a number. */
function offsetOf(put: PutResult): number {
  if (put.status !== PutStatus.PUT_OK) assert.fail(`put failed: ${put.status} ${put.reason}`);
  return put.queueOffset;
}

for (const threads of [true, false]) {
  describe(`petrelmq/engine public surface (threads: ${threads})`, () => {
    it('treats every message and queue call on a closed store the same: E_STORE_CLOSED', async () => {
      const store = await openStore({ storePathRootDir: tmp(), threads, ...small });
      const body = Buffer.from('before close');
      // Puts in flight when close() begins still complete.
      const inFlight = Array.from({ length: 20 }, () =>
        store.putMessage({ topic: 'T', queueId: 0, body }),
      );
      await store.close();
      for (const put of await Promise.all(inFlight)) assert.equal(put.status, 'PUT_OK');
      const closed = isCode(ErrorCode.STORE_CLOSED);
      await assert.rejects(store.putMessage({ topic: 'T', queueId: 0, body }), closed);
      await assert.rejects(store.putMessages([{ topic: 'T', queueId: 0, body }]), closed);
      await assert.rejects(
        store.getMessage({ topic: 'T', queueId: 0, queueOffset: 0, maxMsgNums: 1 }),
        closed,
      );
      await assert.rejects(store.lookMessageByOffset(0), closed);
      await assert.rejects(store.queryMessage({ topic: 'T', key: 'k', maxNum: 1 }), closed);
      await assert.rejects(store.searchOffsetByTimestamp('T', 0, 0), closed);
      await assert.rejects(store.whenWritable(), closed);
      assert.throws(() => store.getMaxOffsetInQueue('T', 0), closed);
      assert.throws(() => store.getMinOffsetInQueue('T', 0), closed);
      assert.throws(() => store.getQueueIdsOfTopic('T'), closed);
      assert.throws(() => store.cleanNow(), closed);
      // Figures stay readable, and a second close is a no-op.
      assert.ok(store.getMaxPhyOffset() > 0);
      assert.equal(store.runtimeInfo()['commitLogMaxOffset'], store.getMaxPhyOffset());
      await store.close();
    });

    it('refuses an out-of-range getMessage with E_INVALID_ARGUMENT naming the field', async () => {
      const store = await openStore({ storePathRootDir: tmp(), threads, ...small });
      try {
        const get = (fields: Record<string, number>) =>
          store.getMessage({ topic: 'T', queueId: 0, queueOffset: 0, maxMsgNums: 1, ...fields });
        const cases: Array<[Record<string, number>, RegExp]> = [
          [{ maxMsgNums: 0 }, /maxMsgNums must be a positive integer, got 0/],
          [{ maxMsgNums: -3 }, /maxMsgNums must be a positive integer, got -3/],
          [{ maxMsgNums: 1.5 }, /maxMsgNums must be a positive integer, got 1.5/],
          [{ queueId: -1 }, /queueId must be an integer within 0\.\.2147483647, got -1/],
          [
            { queueId: 2 ** 31 },
            /queueId must be an integer within 0\.\.2147483647, got 2147483648/,
          ],
          [{ queueOffset: Number.NaN }, /queueOffset must be an integer, got NaN/],
        ];
        for (const [fields, reason] of cases) {
          await assert.rejects(
            get(fields),
            (e: unknown) => isCode(ErrorCode.INVALID_ARGUMENT)(e) && reason.test(String(e)),
            JSON.stringify(fields),
          );
        }
        const put = await store.putMessage({ topic: 'T', queueId: 2 ** 31, body: 'x' });
        assert.equal(put.status, 'MESSAGE_ILLEGAL');
        assert.match(put.reason ?? '', /queueId must be an integer within 0\.\.2147483647/);
      } finally {
        await store.close();
      }
    });

    it('stores a string body as its UTF-8 bytes and says what a non-byte body is', async () => {
      const store = await openStore({ storePathRootDir: tmp(), threads, ...small });
      try {
        const text = 'żółw 🐢 order-42';
        const put = await store.putMessage({ topic: 'T', queueId: 0, body: text });
        const got = await store.getMessage({
          topic: 'T',
          queueId: 0,
          queueOffset: offsetOf(put),
          maxMsgNums: 1,
        });
        assert.equal(got.status, 'FOUND');
        assert.deepEqual(got.messages[0]?.body, Buffer.from(text, 'utf8'));
        const empty = await store.putMessage({ topic: 'T', queueId: 0, body: '' });
        assert.deepEqual(
          [empty.status, empty.reason],
          ['MESSAGE_ILLEGAL', 'the message body is empty'],
        );
        const numeric = await store.putMessage({
          topic: 'T',
          queueId: 0,
          body: 42 as unknown as string,
        });
        assert.equal(numeric.status, 'MESSAGE_ILLEGAL');
        assert.match(
          numeric.reason ?? '',
          /must be a Uint8Array \(or Buffer\) or a string, got number/,
        );
        const batch = await store.putMessages([
          { topic: 'T', queueId: 0, body: 'one' },
          { topic: 'T', queueId: 0, body: Buffer.from('two') },
        ]);
        assert.deepEqual(
          batch.map((r) => r.status),
          ['PUT_OK', 'PUT_OK'],
        );
      } finally {
        await store.close();
      }
    });

    it('derives a storeHost per store directory, so two stores give different msgIds', async () => {
      const [a, b] = [tmp(), tmp()];
      const first = await openStore({ storePathRootDir: a, threads, ...small });
      const second = await openStore({ storePathRootDir: b, threads, ...small });
      try {
        assert.equal(first.options.storeHost, defaultStoreHost(a));
        assert.notEqual(first.options.storeHost, second.options.storeHost);
        assert.match(first.options.storeHost, /^127\.\d+\.\d+\.\d+:\d+$/);
        const [p1, p2] = await Promise.all([
          first.putMessage({ topic: 'T', queueId: 0, body: 'x' }),
          second.putMessage({ topic: 'T', queueId: 0, body: 'x' }),
        ]);
        assert.equal(p1.commitLogOffset, p2.commitLogOffset, 'same offset in both logs');
        assert.notEqual(p1.msgId, p2.msgId);
      } finally {
        await first.close();
        await second.close();
      }
      await assert.rejects(
        openStore({ storePathRootDir: tmp(), threads, ...small, haListenPort: 0 }),
        (e: unknown) =>
          isCode(ErrorCode.STORE_OPTIONS_INVALID)(e) &&
          /needs the broker's HA sender/.test(String(e)),
        'no replication without the broker',
      );
      const set = await openStore({
        storePathRootDir: a,
        threads,
        ...small,
        storeHost: '10.0.0.7:9000',
      });
      assert.equal(set.options.storeHost, '10.0.0.7:9000');
      await set.close();
    });
  });
}

describe('whenWritable after OS_PAGE_CACHE_BUSY (worker threads)', () => {
  async function fillUntilBusy(store: MessageStore): Promise<Array<Promise<PutResult>>> {
    const body = Buffer.alloc(1000, 7);
    const accepted: Array<Promise<PutResult>> = [];
    for (let i = 0; i < 10_000; i++) {
      const put = store.putMessage({ topic: 'Busy', queueId: 0, body });
      // A refusal resolves in the same turn; an accepted put waits for the writer.
      const settled = await Promise.race([put, Promise.resolve(undefined)]);
      if (settled?.status === 'OS_PAGE_CACHE_BUSY') return accepted;
      accepted.push(put);
    }
    return assert.fail('the store never pushed back');
  }

  it('resolves once puts are accepted again, and the next put is stored', async () => {
    const store = await openStore({
      storePathRootDir: tmp(),
      threads: true,
      ...small,
      appendRingBytes: 128 * 1024,
      maxPendingPuts: 40,
    });
    try {
      const accepted = await fillUntilBusy(store);
      assert.ok(accepted.length > 0);
      await store.whenWritable();
      assert.ok(Number(store.runtimeInfo()['putsInFlight']) <= 20, 'at most half in flight');
      const next = await store.putMessage({ topic: 'Busy', queueId: 0, body: 'after the wait' });
      assert.equal(offsetOf(next), accepted.length);
      for (const put of await Promise.all(accepted)) assert.equal(put.status, 'PUT_OK');
    } finally {
      await store.close();
    }
  });

  it('rejects a pending wait with E_STORE_CLOSED when the store closes first', async () => {
    const store = await openStore({
      storePathRootDir: tmp(),
      threads: true,
      ...small,
      appendRingBytes: 128 * 1024,
      maxPendingPuts: 40,
    });
    const accepted = await fillUntilBusy(store);
    const wait = store.whenWritable();
    const closing = store.close();
    await assert.rejects(wait, isCode(ErrorCode.STORE_CLOSED));
    await closing;
    for (const put of await Promise.all(accepted)) assert.equal(put.status, 'PUT_OK');
  });
});

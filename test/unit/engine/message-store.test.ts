// The embedded store, in-thread and on worker threads: puts, gets, restarts, key queries and bad
// input, on real files in a temporary directory.

import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { crc32 } from '../../../common/bytes.js';
import { openStore } from '../../../engine/index.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';

const dirs: Array<{ remove: () => void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});

function tmp(): string {
  const d = makeTmpDir();
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

describe('MessageStore on worker threads, a main thread behind its writer', () => {
  it('reads units the writer wrote before this thread heard of them (no false offset overflow)', async () => {
    const store = await openStore({ storePathRootDir: tmp(), threads: true, ...small });
    try {
      const body = Buffer.from('x');
      const first = await store.putMessage({ topic: 'Ahead', queueId: 0, body });
      const firstEnd = Number(store.runtimeInfo()['commitLogMaxOffset']);
      const puts = [1, 2, 3].map(() => store.putMessage({ topic: 'Ahead', queueId: 0, body }));
      // Block this thread until the writer has written all four: the completions wait in the
      // ring, as when a slave serves the newest messages before the master's main thread has
      // processed them.
      const end = firstEnd + 3 * (firstEnd - (first.commitLogOffset ?? 0));
      const until = Date.now() + 5000;
      while (Number(store.runtimeInfo()['commitLogMaxOffset']) < end && Date.now() < until);
      const got = await store.getMessage({
        topic: 'Ahead',
        queueId: 0,
        queueOffset: 4,
        maxMsgNums: 1,
      });
      assert.equal(got.status, 'OFFSET_OVERFLOW_ONE', 'offset 4 is the end, not beyond it');
      assert.equal(got.nextBeginOffset, 4);
      await Promise.all(puts);
    } finally {
      await store.close();
    }
  });
});

describe('MessageStore on worker threads, large records', () => {
  it('serves records the writer pwrote from the append ring, before and after a reopen', async () => {
    const root = tmp();
    const options = { storePathRootDir: root, threads: true, ...small, maxMessageSize: 20_000 };
    const sizes = [9000, 100, 16_000, 8192, 50, 12_000, 20_000, 300];
    const bodies = sizes.map((size, i) => Buffer.alloc(size, 0x61 + i));
    const read = async (s: Awaited<ReturnType<typeof openStore>>) => {
      const got = await s.getMessage({ topic: 'Big', queueId: 0, queueOffset: 0, maxMsgNums: 32 });
      return got.messages.map((m) => Buffer.from(m.body));
    };
    const store = await openStore(options);
    try {
      // Eight rounds cross several 64 KiB segments.
      for (let round = 0; round < 8; round++) {
        const results = await Promise.all(
          bodies.map((body) => store.putMessage({ topic: 'Big', queueId: 1 + round, body })),
        );
        assert.ok(results.every((r) => r.status === 'PUT_OK'));
      }
      await Promise.all(bodies.map((body) => store.putMessage({ topic: 'Big', queueId: 0, body })));
      assert.deepEqual(await read(store), bodies);
    } finally {
      await store.close();
    }
    const reopened = await openStore(options);
    try {
      assert.deepEqual(await read(reopened), bodies);
    } finally {
      await reopened.close();
    }
  });
});

for (const threads of [false, true]) {
  describe(`MessageStore (threads: ${threads})`, () => {
    it('closes every file it opened: a process can open and close stores without end', async () => {
      const root = tmp();
      const openFiles = () => readdirSync('/proc/self/fd').length;
      const reopen = async () => {
        const store = await openStore({ storePathRootDir: root, threads, ...small });
        for (let i = 0; i < 400; i++)
          await store.putMessage({
            topic: 'Fds',
            queueId: i & 3,
            body: Buffer.alloc(300),
            keys: `k${i}`,
          });
        await store.close();
      };
      await reopen();
      const baseline = openFiles();
      for (let round = 0; round < 3; round++) await reopen();
      assert.equal(openFiles(), baseline, 'descriptors left open by close()');
    });

    for (const flushDiskType of ['ASYNC_FLUSH', 'SYNC_FLUSH'] as const) {
      it(`puts and gets messages across segments and a restart (${flushDiskType})`, async () => {
        const root = tmp();
        let store = await openStore({
          storePathRootDir: root,
          threads,
          flushDiskType,
          ...small,
        });
        const bodies: Buffer[] = [];
        const results = [];
        for (let i = 0; i < 300; i++) {
          const body = Buffer.from(`message-${i}-${'x'.repeat(i % 700)}`);
          bodies.push(body);
          results.push(
            store.putMessage({
              topic: 'TopicTest',
              queueId: i % 3,
              body,
              tags: i % 2 === 0 ? 'even' : 'odd',
              keys: [`key-${i}`],
            }),
          );
        }
        const settled = await Promise.all(results);
        for (const [i, r] of settled.entries()) {
          assert.equal(r.status, 'PUT_OK', `put ${i}: ${r.reason}`);
          assert.equal(r.queueOffset, Math.floor(i / 3));
          assert.equal(r.msgId?.length, 32);
        }
        assert.ok(store.getMaxPhyOffset() > 64 * 1024, 'the log spans more than one segment');
        const check = async () => {
          for (let q = 0; q < 3; q++) {
            assert.equal(store.getMaxOffsetInQueue('TopicTest', q), 100);
            const got = await store.getMessage({
              topic: 'TopicTest',
              queueId: q,
              queueOffset: 0,
              maxMsgNums: 1000,
            });
            assert.equal(got.status, 'FOUND');
            assert.equal(got.messages.length, 100);
            assert.equal(got.nextBeginOffset, 100);
            got.messages.forEach((m, k) => {
              assert.deepEqual(m.body, bodies[k * 3 + q]);
              assert.equal(m.queueOffset, k);
              assert.equal(m.properties['KEYS'], `key-${k * 3 + q}`);
            });
          }
        };
        await check();
        await store.close();
        store = await openStore({ storePathRootDir: root, threads, flushDiskType, ...small });
        assert.equal(store.recoveryReport.abnormal, false);
        assert.equal(store.recoveryReport.fastPath, true);
        await check();
        const more = await store.putMessage({
          topic: 'TopicTest',
          queueId: 0,
          body: Buffer.from('after restart'),
        });
        assert.equal(more.status, 'PUT_OK');
        assert.equal(more.queueOffset, 100);
        await store.close();
      });
    }

    it('answers a full append ring with OS_PAGE_CACHE_BUSY and stores only what it accepted', async () => {
      const store = await openStore({
        storePathRootDir: tmp(),
        threads,
        ...small,
        appendRingBytes: 128 * 1024,
        maxPendingPuts: 40,
      });
      const body = Buffer.alloc(1000, 7);
      const results = await Promise.all(
        Array.from({ length: 200 }, () => store.putMessage({ topic: 'Busy', queueId: 0, body })),
      );
      const ok = results.filter((r) => r.status === 'PUT_OK');
      const busy = results.filter((r) => r.status === 'OS_PAGE_CACHE_BUSY');
      assert.equal(ok.length + busy.length, 200);
      // In-thread puts commit synchronously once a batch is full, so only the threaded store fills up.
      if (threads) assert.ok(busy.length > 0, 'the bounded pending table pushed back');
      assert.ok(busy.every((r) => (r.reason ?? '').includes('busy')));
      assert.equal(store.getMaxOffsetInQueue('Busy', 0), ok.length);
      assert.deepEqual(
        ok.map((r) => r.queueOffset),
        ok.map((_, i) => i),
      );
      const again = await store.putMessage({ topic: 'Busy', queueId: 0, body });
      assert.equal(again.status, 'PUT_OK', 'the store accepts puts again once drained');
      await store.close();
    });

    it('refuses to return a message whose body changed on disk (BODY_XXH64)', async () => {
      const root = tmp();
      const store = await openStore({ storePathRootDir: root, threads, ...small });
      const put = await store.putMessage({
        topic: 'Sum',
        queueId: 0,
        body: Buffer.from('checksummed body'),
      });
      await store.close();
      const fd = openSync(`${root}/commitlog/00000000000000000000`, 'r+');
      const record = Buffer.alloc(put.wroteBytes ?? 0);
      readSync(fd, record, 0, record.byteLength, put.commitLogOffset ?? 0);
      const bodyAt = record.indexOf('checksummed');
      writeSync(fd, Buffer.from('C'), 0, 1, (put.commitLogOffset ?? 0) + bodyAt);
      // Keep the record's BODYCRC consistent, so only the end-to-end xxhash can notice.
      const crc = Buffer.alloc(4);
      crc.writeInt32BE(crc32(Buffer.from('Checksummed body')) | 0);
      writeSync(fd, crc, 0, 4, (put.commitLogOffset ?? 0) + 8);
      closeSync(fd);
      const reopened = await openStore({ storePathRootDir: root, threads, ...small });
      await assert.rejects(
        reopened.lookMessageByOffset(put.commitLogOffset ?? 0),
        (e: unknown) => (e as { code?: string }).code === 'E_CHECKSUM_MISMATCH',
      );
      await assert.rejects(
        reopened.getMessage({ topic: 'Sum', queueId: 0, queueOffset: 0, maxMsgNums: 1 }),
        (e: unknown) => (e as { code?: string }).code === 'E_CHECKSUM_MISMATCH',
      );
      await reopened.close();
    });

    it('answers offset statuses as RocketMQ does', async () => {
      const store = await openStore({ storePathRootDir: tmp(), threads, ...small });
      assert.equal(
        (await store.getMessage({ topic: 'T', queueId: 0, queueOffset: 0, maxMsgNums: 1 })).status,
        'NO_MATCHED_LOGIC_QUEUE',
      );
      await store.putMessage({ topic: 'T', queueId: 0, body: Buffer.from('a') });
      assert.equal(
        (await store.getMessage({ topic: 'T', queueId: 0, queueOffset: 1, maxMsgNums: 1 })).status,
        'OFFSET_OVERFLOW_ONE',
      );
      assert.equal(
        (await store.getMessage({ topic: 'T', queueId: 0, queueOffset: 5, maxMsgNums: 1 })).status,
        'OFFSET_OVERFLOW_BADLY',
      );
      const found = await store.getMessage({
        topic: 'T',
        queueId: 0,
        queueOffset: 0,
        maxMsgNums: 1,
      });
      assert.equal(found.status, 'FOUND');
      assert.equal(found.messages[0]?.body.toString(), 'a');
      await store.close();
    });

    it('finds messages by key and by unique key, and offsets by time', async () => {
      const store = await openStore({ storePathRootDir: tmp(), threads, ...small });
      const r1 = await store.putMessage({
        topic: 'Orders',
        queueId: 0,
        body: Buffer.from('one'),
        keys: 'order-1 customer-7',
      });
      const r2 = await store.putMessage({
        topic: 'Orders',
        queueId: 0,
        body: Buffer.from('two'),
        keys: 'order-2 customer-7',
      });
      const byKey = await store.queryMessage({ topic: 'Orders', key: 'customer-7', maxNum: 10 });
      assert.deepEqual(byKey.messages.map((m) => m.body.toString()).sort(), ['one', 'two']);
      const byUniq = await store.queryMessage({
        topic: 'Orders',
        key: r2.uniqKey ?? '',
        maxNum: 10,
      });
      assert.deepEqual(
        byUniq.messages.map((m) => m.body.toString()),
        ['two'],
      );
      assert.equal(
        (await store.queryMessage({ topic: 'Other', key: 'customer-7', maxNum: 10 })).messages
          .length,
        0,
      );
      const m1 = await store.lookMessageByOffset(r1.commitLogOffset ?? -1);
      assert.equal(m1?.body.toString(), 'one');
      assert.equal(await store.searchOffsetByTimestamp('Orders', 0, 0), 0);
      assert.equal(await store.searchOffsetByTimestamp('Orders', 0, Date.now() + 60_000), 2);
      await store.close();
    });

    it('checks a batch whole with the UNIQ_KEYs it stores, then stores it in order', async () => {
      const store = await openStore({ storePathRootDir: tmp(), threads, ...small });
      try {
        // Fits with a one-character key, not with the 32 hex digits the store then adds.
        const long = { p: 'v'.repeat(32_704) };
        const refused = await store.putMessages([
          { topic: 'B', queueId: 0, body: Buffer.from('first') },
          { topic: 'B', queueId: 0, body: Buffer.from('second'), properties: long },
        ]);
        assert.deepEqual(
          refused.map((r) => r.status),
          ['MESSAGE_ILLEGAL', 'PROPERTIES_SIZE_EXCEEDED'],
        );
        assert.equal(store.getMaxOffsetInQueue('B', 0), 0, 'no partial batch');
        const bodies = ['a', 'b', 'c'];
        const stored = await store.putMessages(
          bodies.map((b) => ({ topic: 'B', queueId: 0, body: Buffer.from(b) })),
        );
        assert.deepEqual(
          stored.map((r) => [r.status, r.queueOffset]),
          [
            ['PUT_OK', 0],
            ['PUT_OK', 1],
            ['PUT_OK', 2],
          ],
        );
        const keys = stored.map((r) => r.uniqKey);
        assert.equal(new Set(keys).size, 3, 'one UNIQ_KEY per message');
        const got = await store.getMessage({
          topic: 'B',
          queueId: 0,
          queueOffset: 0,
          maxMsgNums: 3,
        });
        assert.deepEqual(
          got.messages.map((m) => [m.body.toString(), m.properties['UNIQ_KEY']]),
          bodies.map((b, i) => [b, keys[i]]),
        );
      } finally {
        await store.close();
      }
    });

    it('refuses bad messages with a status and a reason, and loses nothing else', async () => {
      const store = await openStore({ storePathRootDir: tmp(), threads, ...small });
      const ok = await store.putMessage({ topic: 'T', queueId: 0, body: Buffer.from('keep me') });
      const bad = [
        await store.putMessage({ topic: 'T', queueId: 0, body: Buffer.alloc(4097) }),
        await store.putMessage({ topic: 'T', queueId: 0, body: Buffer.alloc(0) }),
        await store.putMessage({ topic: 'bad topic!', queueId: 0, body: Buffer.from('x') }),
        await store.putMessage({ topic: 'x'.repeat(128), queueId: 0, body: Buffer.from('x') }),
        await store.putMessage({ topic: 'T', queueId: -1, body: Buffer.from('x') }),
        await store.putMessage({
          topic: 'T',
          queueId: 0,
          body: Buffer.from('x'),
          properties: { a: 'b\u0001c' },
        }),
      ];
      for (const r of bad) {
        assert.equal(r.status, 'MESSAGE_ILLEGAL');
        assert.ok(r.reason && r.reason.length > 0);
      }
      const big = await store.putMessage({
        topic: 'T',
        queueId: 0,
        body: Buffer.from('x'),
        properties: { p: 'v'.repeat(40000) },
      });
      assert.equal(big.status, 'PROPERTIES_SIZE_EXCEEDED');
      const exact = await store.putMessage({ topic: 'T', queueId: 0, body: Buffer.alloc(4096, 1) });
      assert.equal(exact.status, 'PUT_OK');
      const batch = await store.putMessages([
        { topic: 'T', queueId: 0, body: Buffer.from('b1') },
        { topic: 'T', queueId: 0, body: Buffer.alloc(0) },
      ]);
      assert.deepEqual(
        batch.map((r) => r.status),
        ['MESSAGE_ILLEGAL', 'MESSAGE_ILLEGAL'],
      );
      assert.equal(store.getMaxOffsetInQueue('T', 0), 2, 'no partial batch');
      const got = await store.getMessage({
        topic: 'T',
        queueId: 0,
        queueOffset: 0,
        maxMsgNums: 10,
      });
      assert.equal(got.messages[0]?.body.toString(), 'keep me');
      assert.equal(got.messages[0]?.commitLogOffset, ok.commitLogOffset);
      await store.close();
    });
  });
}

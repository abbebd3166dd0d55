// Goal: damage found after a clean stop is never served: a record whose bytes rotted on disk is
// refused with E_CORRUPT_RECORD, the records around it are still served.
// Method: a store (worker threads, real files) takes 200 messages and closes cleanly; the test flips
// 16 bytes in the body of message 100 in the CommitLog segment, reopens the store and reads the
// queue through.

import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { offsetToFileName } from '../../common/bytes.js';
import { MqError } from '../../common/errors.js';
import { decodeRecord } from '../../common/message-codec.js';
import { openStore } from '../../engine/index.js';
import { smallStoreOptions } from '../harness/small-store.js';
import { makeTmpDir } from '../harness/tmp-dir.js';

const options = smallStoreOptions;
const COUNT = 200;
const DAMAGED = 100;

describe('corruption found after a clean stop', () => {
  const dir = makeTmpDir('petrel-corrupt-');
  after(() => dir.remove());

  it('refuses a record whose body rotted on disk with E_CORRUPT_RECORD and serves the rest', async () => {
    const first = await openStore({ storePathRootDir: dir.path, ...options });
    const offsets: number[] = [];
    for (let id = 0; id < COUNT; id++) {
      const put = await first.putMessage({
        topic: 'Rot',
        queueId: 0,
        body: Buffer.alloc(1000, id % 251),
        properties: { id: String(id) },
      });
      assert.equal(put.status, 'PUT_OK');
      offsets.push(put.commitLogOffset ?? -1);
    }
    await first.close();

    // 16 bytes in the middle of message 100's body (the body is the record's last 1000 bytes but
    // the properties: aim well inside the record).
    const at = (offsets[DAMAGED] ?? 0) + 300;
    const fd = openSync(`${dir.path}/commitlog/${offsetToFileName(0)}`, 'r+');
    writeSync(fd, Buffer.alloc(16, 0xee), 0, 16, at);
    closeSync(fd);

    const store = await openStore({ storePathRootDir: dir.path, ...options });
    try {
      const read = (queueOffset: number, maxMsgNums: number) =>
        // rawOnly, as a broker's pull reads: the records as stored, not decoded.
        store.getMessage({ topic: 'Rot', queueId: 0, queueOffset, maxMsgNums, rawOnly: true });
      const before = await read(DAMAGED - 10, 32);
      assert.equal(before.status, 'FOUND');
      assert.equal(before.records.length, 10, 'served up to the damaged record');
      assert.equal(before.nextBeginOffset, DAMAGED, 'the next read starts at the damaged record');
      await assert.rejects(read(DAMAGED, 32), (error: unknown) => {
        assert.ok(error instanceof MqError);
        assert.equal(error.code, 'E_CORRUPT_RECORD');
        assert.match(error.message, /CRC/);
        return true;
      });
      const after = await read(DAMAGED + 1, 32);
      assert.equal(after.status, 'FOUND');
      const next = decodeRecord(after.records[0] ?? Buffer.alloc(0), 0);
      assert.equal(next.properties['id'], String(DAMAGED + 1));
      assert.deepEqual(next.body, Buffer.alloc(1000, (DAMAGED + 1) % 251));
    } finally {
      await store.close();
    }
  });

  for (const damage of ['deleted', 'cut short'] as const) {
    it(`rebuilds a ConsumeQueue ${damage} after a clean stop from the CommitLog, and logs it`, async () => {
      const root = makeTmpDir('petrel-cq-').path;
      try {
        const first = await openStore({ storePathRootDir: root, ...options });
        for (let id = 0; id < COUNT; id++) {
          const put = await first.putMessage({
            topic: 'Lost',
            queueId: id % 2,
            body: Buffer.alloc(500, id % 251),
            properties: { id: String(id), KEYS: `key-${id}` },
          });
          assert.equal(put.status, 'PUT_OK');
        }
        await first.close();
        const dir = `${root}/consumequeue/Lost/1`;
        const [file] = readdirSync(dir);
        if (damage === 'deleted') rmSync(dir, { recursive: true });
        else truncateSync(`${dir}/${file}`, 20 * 7);
        const warnings: string[] = [];
        const logger = { info: () => undefined, warn: (m: string) => warnings.push(m) };
        const store = await openStore({ storePathRootDir: root, ...options }, { logger });
        try {
          assert.equal(store.getMaxOffsetInQueue('Lost', 1), COUNT / 2, 'every unit is back');
          const got = await store.getMessage({
            topic: 'Lost',
            queueId: 1,
            queueOffset: 0,
            maxMsgNums: COUNT,
          });
          assert.deepEqual(
            got.messages.map((m) => Number(m.properties['id'])),
            Array.from({ length: COUNT / 2 }, (_, i) => 2 * i + 1),
          );
          assert.ok(
            warnings.some((w) => /Rebuilt from the CommitLog/.test(w) && w.includes('Lost/1')),
            warnings.join(' | '),
          );
        } finally {
          await store.close();
        }
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }

  it('rebuilds a deleted index after a clean stop, so key queries find messages again', async () => {
    const root = makeTmpDir('petrel-index-').path;
    const inThread = { ...options, threads: false };
    try {
      const first = await openStore({ storePathRootDir: root, ...inThread });
      for (let id = 0; id < 20; id++) {
        const put = await first.putMessage({
          topic: 'Keys',
          queueId: 0,
          body: Buffer.from(`body-${id}`),
          properties: { KEYS: `key-${id}` },
        });
        assert.equal(put.status, 'PUT_OK');
      }
      await first.close();
      rmSync(`${root}/index`, { recursive: true });
      const store = await openStore({ storePathRootDir: root, ...inThread });
      try {
        assert.equal(store.recoveryReport.rebuilt?.indexRebuilt, true);
        const found = await store.queryMessage({ topic: 'Keys', key: 'key-7', maxNum: 4 });
        assert.deepEqual(
          found.messages.map((m) => m.body.toString()),
          ['body-7'],
        );
      } finally {
        await store.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

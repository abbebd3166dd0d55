// The key index: lookups by key through hash collisions and chains, time ranges, rolling over to
// a new file when one is full, reloading from disk, slots that point past the durable entries, and
// a flush that writes dirty slot pages in runs.

import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync, writeSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { javaHashCode } from '../../../common/bytes.js';
import { INDEX_HEADER_BYTES, IndexFile, indexKeyHash } from '../../../engine/index/index-file.js';
import { IndexService } from '../../../engine/index/index-service.js';
import { NodeFileIO } from '../../../engine/io/node-file-io.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';

const io = new NodeFileIO();
const dirs: Array<{ remove: () => void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});
const tmp = () => {
  const d = makeTmpDir();
  dirs.push(d);
  return d.path;
};
const T0 = 1_700_000_000_000;

/** A suffix of 7 characters ('0'..'N') that gives `prefix + suffix` the Java hashCode `target`. */
function suffixHashingTo(prefix: string, target: number): string {
  const mod = 2n ** 32n;
  let residue = BigInt(target >>> 0) - 31n ** 7n * BigInt(javaHashCode(prefix) >>> 0);
  for (let i = 0n; i < 7n; i++) residue -= 48n * 31n ** i;
  residue = ((residue % mod) + mod) % mod;
  let suffix = '';
  for (let i = 6n; i >= 0n; i--) {
    const digit = residue / 31n ** i;
    residue %= 31n ** i;
    suffix += String.fromCharCode(48 + Number(digit));
  }
  return suffix;
}

describe('IndexService', () => {
  it('finds every key through collisions, newest first, and rolls over to new files', () => {
    const root = tmp();
    const index = new IndexService(io, {
      rootDir: root,
      maxHashSlotNum: 7,
      maxIndexNum: 40,
      maxMsgsNumBatch: 64,
    });
    index.load();
    for (let i = 0; i < 100; i++)
      index.putRecord(
        'Orders',
        `u-${i}`,
        `order-${i % 10} all`,
        1000 + i * 100,
        T0 + i * 1000,
        T0 + i,
      );
    index.writePending();
    assert.ok(readdirSync(`${root}/index`).length >= 5, 'files rolled over');
    assert.deepEqual(index.query('Orders', 'u-42', 10, 0, Number.MAX_SAFE_INTEGER), [
      1000 + 42 * 100,
    ]);
    const order3 = index.query('Orders', 'order-3', 64, 0, Number.MAX_SAFE_INTEGER);
    assert.deepEqual(
      order3,
      Array.from({ length: 10 }, (_, k) => 1000 + (93 - k * 10) * 100),
    );
    assert.equal(
      index.query('Orders', 'all', 64, 0, Number.MAX_SAFE_INTEGER).length,
      64,
      'capped at maxMsgsNumBatch',
    );
    assert.deepEqual(index.query('Orders', 'order-3', 64, T0 + 50_000, T0 + 80_000), [
      1000 + 73 * 100,
      1000 + 63 * 100,
      1000 + 53 * 100,
    ]);
    assert.deepEqual(index.query('Other', 'u-42', 10, 0, Number.MAX_SAFE_INTEGER), []);
    index.flush();
    index.close();
    const reloaded = new IndexService(io, {
      rootDir: root,
      maxHashSlotNum: 7,
      maxIndexNum: 40,
      maxMsgsNumBatch: 64,
    });
    reloaded.load();
    assert.deepEqual(reloaded.query('Orders', 'u-7', 10, 0, Number.MAX_SAFE_INTEGER), [
      1000 + 7 * 100,
    ]);
    reloaded.close();
  });

  it('walks a slot back along its chain when it points past the durable entry count', () => {
    const path = `${tmp()}/20260101000000000`;
    const file = new IndexFile(io, path, 4, 100);
    for (let i = 0; i < 6; i++) file.putKey(`T#k${i % 2}`, 100 * i, T0 + i);
    file.flush();
    for (let i = 6; i < 10; i++) file.putKey(`T#k${i % 2}`, 100 * i, T0 + i);
    file.flush();
    file.close();
    // A crash before the last header write: the header still says 7 entries (6 + sentinel).
    const fd = openSync(path, 'r+');
    const count = Buffer.alloc(4);
    count.writeInt32BE(7);
    writeSync(fd, count, 0, 4, INDEX_HEADER_BYTES - 4);
    closeSync(fd);
    const reopened = new IndexFile(io, path, 4, 100);
    const found: number[] = [];
    reopened.query('T#k0', 10, 0, Number.MAX_SAFE_INTEGER, found);
    assert.deepEqual(found, [400, 200, 0]);
    reopened.close();
  });

  it('flushes dirty slot pages with one write per run of adjacent pages, readable after reopening', () => {
    const slotNum = 16 * 1024; // 16 pages of 1024 slots
    const pageOf = (key: string) => Math.floor((indexKeyHash(key) % slotNum) / 1024);
    // One key on each of pages 0, 1, 2 (one run) and 9 (another).
    const keys = new Map<number, string>();
    for (let i = 0; keys.size < 4 && i < 100_000; i++) {
      const key = `T#k${i}`;
      const page = pageOf(key);
      if ([0, 1, 2, 9].includes(page) && !keys.has(page)) keys.set(page, key);
    }
    assert.equal(keys.size, 4, 'keys found for every page');
    const slotTableEnd = INDEX_HEADER_BYTES + slotNum * 4;
    const slotWrites: Array<{ position: number; length: number }> = [];
    const counting = Object.create(io) as NodeFileIO;
    counting.write = (fd, source, offset, length, position) => {
      if (position >= INDEX_HEADER_BYTES && position < slotTableEnd)
        slotWrites.push({ position, length });
      io.write(fd, source, offset, length, position);
    };
    const path = `${tmp()}/20260101000000000`;
    const file = new IndexFile(counting, path, slotNum, 100);
    const ordered = [...keys.values()];
    for (const [i, key] of ordered.entries()) file.putKey(key, 100 * (i + 1), T0);
    file.flush();
    file.close();
    assert.deepEqual(slotWrites, [
      { position: INDEX_HEADER_BYTES, length: 3 * 4096 },
      { position: INDEX_HEADER_BYTES + 9 * 4096, length: 4096 },
    ]);
    const reopened = new IndexFile(io, path, slotNum, 100);
    for (const [i, key] of ordered.entries()) {
      const found: number[] = [];
      reopened.query(key, 10, 0, Number.MAX_SAFE_INTEGER, found);
      assert.deepEqual(found, [100 * (i + 1)], key);
    }
    reopened.close();
  });

  it('indexes a key whose Java hashCode is Integer.MIN_VALUE in slot 0, as RocketMQ does', () => {
    const key = `k${suffixHashingTo('Orders#k', -0x80000000)}`;
    assert.equal(javaHashCode(`Orders#${key}`), -0x80000000);
    assert.equal(indexKeyHash(`Orders#${key}`), 0);
    const root = tmp();
    const options = { rootDir: root, maxHashSlotNum: 7, maxIndexNum: 40, maxMsgsNumBatch: 64 };
    const index = new IndexService(io, options);
    index.load();
    index.putRecord('Orders', 'u-1', key, 4096, T0, T0);
    index.writePending();
    assert.deepEqual(index.query('Orders', key, 10, 0, Number.MAX_SAFE_INTEGER), [4096]);
    index.close();
  });
});

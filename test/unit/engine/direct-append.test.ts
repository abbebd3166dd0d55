// Records the writer pwrites straight from their source (the append ring's slot) instead of copying
// them into the tail cache first: the file holds them, readers take them from the file (the tail
// cache's raised floor keeps them from reading the window), and a storage fault that stalls their
// batch copies them into the window before their sources are released, so the retry still writes
// the right bytes. Real files through the shipped recovery and write path (test/sim/lib/store-boot.ts).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../../../common/clock.js';
import type { AppendResult } from '../../../engine/commitlog/commit-log-writer.js';
import { TailCache } from '../../../engine/commitlog/tail-cache.js';
import { NodeFileIO } from '../../../engine/io/node-file-io.js';
import { resolveStoreOptions } from '../../../engine/options.js';
import { PositionSlot } from '../../../engine/store-positions.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';
import { bootStore, type StoreBoot } from '../../sim/lib/store-boot.js';

/** node:fs, except that CommitLog writes throw EIO while `failing` is set. */
class FailingWritesIO extends NodeFileIO {
  failing = false;
  #paths = new Map<number, string>();

  override open(path: string, o: { create: boolean; readOnly?: boolean }): number {
    const fd = super.open(path, o);
    this.#paths.set(fd, path);
    return fd;
  }

  #check(fd: number): void {
    if (!this.failing || !/\/commitlog\/\d{20}(\.tmp)?$/.test(this.#paths.get(fd) ?? '')) return;
    throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO', syscall: 'write' });
  }

  override write(fd: number, s: Uint8Array, o: number, l: number, p: number): void {
    this.#check(fd);
    super.write(fd, s, o, l, p);
  }

  override writev(fd: number, sources: readonly Uint8Array[], position: number): void {
    this.#check(fd);
    super.writev(fd, sources, position);
  }
}

describe('direct appends (records pwritten from their source)', () => {
  const dirs: Array<{ remove: () => void }> = [];
  after(() => {
    for (const d of dirs) d.remove();
  });

  async function boot(io: FailingWritesIO): Promise<{ store: StoreBoot; root: string }> {
    const dir = makeTmpDir('petrel-direct-');
    dirs.push(dir);
    const options = resolveStoreOptions({
      storePathRootDir: dir.path,
      threads: false,
      mappedFileSizeCommitLog: 64 * 1024,
      maxMessageSize: 16 * 1024,
      tailCacheBytes: 256 * 1024,
      appendRingBytes: 128 * 1024,
    });
    return { store: await bootStore(io, options, new ManualClock(0), false, {}), root: dir.path };
  }

  /** Encodes a message of `bodyBytes` into a buffer of its own. */
  function encoded(store: StoreBoot, bodyBytes: number, fill: number): Buffer {
    const body = Buffer.alloc(bodyBytes, fill);
    const length = store.encoder.prepare({ topic: 'T', queueId: 0, body }, () => 'U', 0);
    assert.equal(typeof length, 'number');
    const source = Buffer.alloc(length as number);
    store.encoder.encodeTo(source, 0);
    return source;
  }

  function append(store: StoreBoot, source: Buffer, direct: boolean): number {
    const out: AppendResult = { queueOffset: 0, commitLogOffset: 0 };
    assert.ok(store.write.append(source, 0, source.byteLength, out, direct));
    return out.commitLogOffset;
  }

  function segmentBytes(root: string, offset: number, length: number): Buffer {
    const file = readFileSync(join(root, 'commitlog', '0'.repeat(20)));
    return file.subarray(offset, offset + length);
  }

  it('writes them with the cached ones, and readers take them from the file', async () => {
    const { store, root } = await boot(new FailingWritesIO());
    const records = [
      encoded(store, 9000, 0x61),
      encoded(store, 100, 0x62),
      encoded(store, 12000, 0x63),
    ];
    const offsets = records.map((r, i) => append(store, r, i !== 1));
    const expected = records.map((r) => Buffer.from(r));
    assert.ok(store.write.commit());
    for (const r of records) r.fill(0xee);
    for (const [i, offset] of offsets.entries()) {
      const want = expected[i] as Buffer;
      assert.deepEqual(segmentBytes(root, offset, want.byteLength), want);
      assert.deepEqual(store.reader.readRecord(offset, want.byteLength), want);
      assert.equal(
        store.reader.lookMessageByOffset(offset)?.body.byteLength,
        [9000, 100, 12000][i],
      );
    }
    const end = (offsets[2] ?? 0) + (expected[2]?.byteLength ?? 0);
    assert.equal(store.positions.get(PositionSlot.WROTE), end);
  });

  it('copies a stalled batch into the tail cache before its sources are released', async () => {
    const io = new FailingWritesIO();
    const { store, root } = await boot(io);
    const first = encoded(store, 9000, 0x71);
    const firstOffset = append(store, first, true);
    const second = encoded(store, 10000, 0x72);
    const secondOffset = append(store, second, true);
    const expected = [Buffer.from(first), Buffer.from(second)];
    io.failing = true;
    assert.equal(store.write.commit(), false, 'the EIO stalls the writer');
    assert.ok(store.write.stalled);
    store.write.releaseSources();
    first.fill(0xee);
    second.fill(0xee);
    io.failing = false;
    assert.ok(store.write.retry(60_000), 'the retry writes the batch');
    assert.equal(store.positions.get(PositionSlot.WROTE), secondOffset + second.byteLength);
    assert.deepEqual(segmentBytes(root, firstOffset, first.byteLength), expected[0]);
    assert.deepEqual(segmentBytes(root, secondOffset, second.byteLength), expected[1]);
    assert.deepEqual(store.reader.readRecord(secondOffset, second.byteLength), expected[1]);
  });
});

describe('TailCache floor', () => {
  it('stops readers below a raised floor and serves them above it', () => {
    const cache = TailCache.create(1024, 256, 0);
    const source = Buffer.alloc(200, 0x41);
    cache.put(0, source, 0, 200);
    cache.put(200, source, 0, 200);
    const target = Buffer.alloc(100);
    const wrote = () => 400;
    assert.ok(cache.tryRead(0, 100, target, 0, wrote));
    cache.raiseFloor(200);
    assert.equal(cache.tryRead(0, 100, target, 0, wrote), false);
    assert.equal(cache.tryRead(150, 100, target, 0, wrote), false);
    assert.ok(cache.tryRead(200, 100, target, 0, wrote));
    assert.equal(TailCache.attach(cache.sab, 0).lowestReadable(400), 200, 'another view sees it');
  });
});

describe('NodeFileIO.writev', () => {
  it('writes more buffers than one pwritev takes, back to back', () => {
    const dir = makeTmpDir('petrel-writev-');
    try {
      const io = new NodeFileIO();
      const fd = io.open(join(dir.path, 'f'), { create: true });
      const sources = Array.from({ length: 2500 }, (_, i) => Buffer.alloc(1 + (i % 7), i & 0xff));
      io.writev(fd, sources, 10);
      io.close(fd);
      const file = readFileSync(join(dir.path, 'f'));
      assert.deepEqual(file.subarray(10), Buffer.concat(sources));
    } finally {
      dir.remove();
    }
  });
});

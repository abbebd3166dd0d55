// FileLogStore over real files: what save() wrote is what open() recovers (entries, term, vote,
// commit), a torn or corrupt tail is cut at the last good record, a replaced divergent suffix is
// moved aside, a torn hard-state slot falls back to the other slot, and a log that lost committed
// entries is refused with E_CORRUPT_RECORD. Faults are injected through FileIO.

import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ErrorCode, MqError } from '../../../../common/errors.js';
import { createPrng } from '../../../../common/prng.js';
import type { FileIO } from '../../../../engine/io/file-io.js';
import { NodeFileIO } from '../../../../engine/io/node-file-io.js';
import {
  ENTRIES_FILE,
  encodeRecord,
  FileLogStore,
  type FileLogStoreOptions,
  HARD_STATE_FILE,
  TRUNCATED_DIR,
} from '../../../../ha/dledger/file-log-store.js';
import { type Entry, EntryType, type HardState } from '../../../../ha/raft/messages.js';
import { makeTmpDir } from '../../../harness/tmp-dir.js';
import { SimFileIO } from '../../../sim/lib/sim-file-io.js';

const io = new NodeFileIO();
const tmp = makeTmpDir('petrel-raftlog-');
after(() => tmp.remove());
let dirCount = 0;

function freshDir(): string {
  return join(tmp.path, `log-${dirCount++}`);
}

function entry(index: number, term: number, text = `e${index}t${term}`): Entry {
  return { index, term, type: EntryType.NORMAL, data: new TextEncoder().encode(text) };
}

function save(store: FileLogStore, entries: Entry[], hardState: HardState | null): void {
  let result: Error | null | undefined;
  store.save(entries, hardState, true, (error) => {
    result = error;
  });
  assert.equal(result, null, 'save completes synchronously over blocking FileIO');
}

function texts(entries: readonly Entry[]): string[] {
  return entries.map((e) => new TextDecoder().decode(e.data));
}

describe('FileLogStore', () => {
  it('recovers entries, term, vote and commit after reopening', () => {
    const dir = freshDir();
    const store = FileLogStore.open({ io, dir });
    assert.deepEqual(store.hardState(), { term: 0, vote: null, commit: 0 });
    save(store, [entry(1, 1), entry(2, 1), entry(3, 2)], { term: 2, vote: 'n1', commit: 2 });
    save(store, [{ index: 4, term: 2, type: EntryType.NOOP, data: new Uint8Array(0) }], null);
    save(store, [], { term: 3, vote: null, commit: 3 });
    store.close();

    const reopened = FileLogStore.open({ io, dir });
    assert.deepEqual(reopened.hardState(), { term: 3, vote: null, commit: 3 });
    assert.equal(reopened.lastIndex(), 4);
    assert.equal(reopened.term(3), 2);
    assert.equal(reopened.recovery.cutBytes, 0);
    const all = reopened.entries(1, 5, 100);
    assert.deepEqual(texts(all.slice(0, 3)), ['e1t1', 'e2t1', 'e3t2']);
    assert.equal(all[3]?.type, EntryType.NOOP);
    assert.deepEqual(
      reopened.entries(2, 5, 2).map((e) => e.index),
      [2, 3],
    );
    reopened.close();
  });

  it('cuts a torn tail at the last whole record and keeps appending after it', () => {
    const dir = freshDir();
    const store = FileLogStore.open({ io, dir });
    save(store, [entry(1, 1), entry(2, 1), entry(3, 1)], { term: 1, vote: 'n0', commit: 1 });
    store.close();
    const path = join(dir, ENTRIES_FILE);
    const goodSize = statSync(path).size;
    // A crash in the middle of the next append: half of record 4 reached the disk.
    const torn = encodeRecord(entry(4, 1, 'a longer record that was torn in half'));
    appendFileSync(path, torn.subarray(0, Math.floor(torn.length / 2)));

    const reopened = FileLogStore.open({ io, dir });
    assert.equal(reopened.lastIndex(), 3);
    assert.equal(reopened.recovery.cutBytes, Math.floor(torn.length / 2));
    assert.equal(statSync(path).size, goodSize, 'the torn bytes are cut from the file');
    save(reopened, [entry(4, 2)], { term: 2, vote: null, commit: 1 });
    reopened.close();
    const again = FileLogStore.open({ io, dir });
    assert.deepEqual(texts(again.entries(1, 5, 10)), ['e1t1', 'e2t1', 'e3t1', 'e4t2']);
    again.close();
  });

  it('cuts at a record whose checksum does not match (a bit flip in the tail)', () => {
    const dir = freshDir();
    const store = FileLogStore.open({ io, dir });
    save(store, [entry(1, 1), entry(2, 1), entry(3, 1)], { term: 1, vote: null, commit: 0 });
    store.close();
    const path = join(dir, ENTRIES_FILE);
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    writeFileSync(path, bytes);
    const reopened = FileLogStore.open({ io, dir });
    assert.equal(reopened.lastIndex(), 2);
    assert.ok(reopened.recovery.cutBytes > 0);
    reopened.close();
  });

  it('refuses a log that lost committed entries with E_CORRUPT_RECORD', () => {
    const dir = freshDir();
    const store = FileLogStore.open({ io, dir });
    save(store, [entry(1, 1), entry(2, 1)], { term: 1, vote: null, commit: 2 });
    store.close();
    const path = join(dir, ENTRIES_FILE);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 3));
    assert.throws(
      () => FileLogStore.open({ io, dir }),
      (error: unknown) =>
        error instanceof MqError &&
        error.code === ErrorCode.CORRUPT_RECORD &&
        /index 2 was committed/.test(error.message),
    );
  });

  it('moves a replaced divergent suffix aside before cutting it', () => {
    const dir = freshDir();
    const reported: { firstIndex: number; count: number; path: string }[] = [];
    const store = FileLogStore.open({ io, dir, onTruncate: (tail) => reported.push(tail) });
    save(store, [entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1)], {
      term: 1,
      vote: null,
      commit: 1,
    });
    // A new leader of term 2 overwrites 3..4 (uncommitted here) with its own entry 3.
    save(store, [entry(2, 1), entry(3, 2)], { term: 2, vote: null, commit: 2 });
    assert.equal(store.lastIndex(), 3);
    assert.equal(reported.length, 1);
    assert.equal(reported[0]?.firstIndex, 3);
    assert.equal(reported[0]?.count, 2);
    const moved = readdirSync(join(dir, TRUNCATED_DIR));
    assert.equal(moved.length, 1);
    assert.equal(
      readFileSync(join(dir, TRUNCATED_DIR, moved[0] as string)).length,
      encodeRecord(entry(3, 1)).length + encodeRecord(entry(4, 1)).length,
    );
    store.close();
    const reopened = FileLogStore.open({ io, dir });
    assert.deepEqual(texts(reopened.entries(1, 4, 10)), ['e1t1', 'e2t1', 'e3t2']);
    reopened.close();
  });

  it('falls back to the other hard-state slot when the newest one is torn', () => {
    const dir = freshDir();
    const store = FileLogStore.open({ io, dir });
    save(store, [entry(1, 1)], { term: 1, vote: 'n2', commit: 0 });
    save(store, [], { term: 5, vote: 'n1', commit: 1 });
    store.close();
    // The first write (synced) went to slot 0, the second to slot 1: tear slot 1.
    const path = join(dir, HARD_STATE_FILE);
    const bytes = readFileSync(path);
    bytes.fill(0, 64 + 20, 64 + 40);
    writeFileSync(path, bytes);
    const reopened = FileLogStore.open({ io, dir });
    assert.deepEqual(reopened.hardState(), { term: 1, vote: 'n2', commit: 0 });
    reopened.close();
  });

  it('never overwrites the last synced hard state with an unsynced one', () => {
    const dir = freshDir();
    const positions: number[] = [];
    const tracing = Object.create(io) as FileIO;
    const store = FileLogStore.open({ io: tracing, dir });
    tracing.write = (fd, source, offset, length, position) => {
      if (length === 64) positions.push(position);
      io.write(fd, source, offset, length, position);
    };
    save(store, [entry(1, 1)], { term: 1, vote: 'n0', commit: 0 });
    const commitOnly = (commit: number) => {
      const { term, vote } = store.hardState();
      store.save([], { term, vote, commit }, false, (error) => assert.equal(error, null));
    };
    commitOnly(1);
    store.save([entry(2, 1), entry(3, 1)], null, true, () => undefined);
    commitOnly(2);
    // The synced term/vote went to slot 0; unsynced commits only ever go to slot 1.
    assert.deepEqual(positions, [0, 64, 64]);
    save(store, [], { term: 2, vote: 'n1', commit: 2 });
    commitOnly(3);
    assert.deepEqual(positions, [0, 64, 64, 64, 0]);
    store.close();
  });

  it('fsyncs entries before the hard state, and both before done()', () => {
    const dir = freshDir();
    const calls: string[] = [];
    const tracing = Object.create(io) as FileIO;
    tracing.write = (fd, source, offset, length, position) => {
      calls.push(`write ${length}`);
      io.write(fd, source, offset, length, position);
    };
    tracing.sync = (fd) => {
      calls.push('sync');
      io.sync(fd);
    };
    const store = FileLogStore.open({ io: tracing, dir });
    calls.length = 0;
    store.save([entry(1, 1)], { term: 1, vote: 'n0', commit: 0 }, true, () => calls.push('done'));
    const recordBytes = encodeRecord(entry(1, 1)).length;
    assert.deepEqual(calls, [`write ${recordBytes}`, 'sync', 'write 64', 'sync', 'done']);
    calls.length = 0;
    // Only the commit index changed: no fsync is needed (a lower commit is recovered safely).
    store.save([], { term: 1, vote: 'n0', commit: 1 }, false, () => calls.push('done'));
    assert.deepEqual(calls, ['write 64', 'done']);
    store.close();
  });

  it('reports a failed write through done() instead of throwing', () => {
    const dir = freshDir();
    const failing = Object.create(io) as FileIO;
    const store = FileLogStore.open({ io: failing, dir });
    failing.sync = () => {
      throw new MqError(ErrorCode.IO_ERROR, 'injected fdatasync failure');
    };
    let result: Error | null = null;
    store.save([entry(1, 1)], null, true, (error) => {
      result = error;
    });
    assert.ok(result !== null && (result as MqError).code === ErrorCode.IO_ERROR);
    store.close();
  });
});

describe('FileLogStore with large entries', () => {
  it('recovers a record larger than the scan buffer', () => {
    const dir = join(tmp.path, 'large');
    const store = FileLogStore.open({ io, dir });
    const big = { index: 2, term: 1, type: EntryType.NORMAL, data: new Uint8Array(3 << 20) };
    big.data.fill(7);
    save(store, [entry(1, 1), big, entry(3, 1)], { term: 1, vote: null, commit: 3 });
    store.close();
    const reopened = FileLogStore.open({ io, dir });
    assert.equal(reopened.lastIndex(), 3);
    assert.equal(reopened.entries(2, 3, 1)[0]?.data.length, 3 << 20);
    reopened.close();
  });
});

describe('FileLogStore recent-entries cache', () => {
  it('serves the same entries from memory and from the file, across a cut', () => {
    const dir = join(tmp.path, 'cache');
    const store = FileLogStore.open({ io, dir, recentCacheBytes: 40 });
    const first = Array.from({ length: 20 }, (_, i) => entry(i + 1, 1));
    save(store, first, { term: 1, vote: null, commit: 5 });
    save(store, [entry(18, 2), entry(19, 2)], { term: 2, vote: null, commit: 5 });
    const cached = texts(store.entries(1, 20, 100));
    store.close();
    const reopened = FileLogStore.open({ io, dir });
    assert.deepEqual(texts(reopened.entries(1, 20, 100)), cached);
    assert.deepEqual(cached.slice(15), ['e16t1', 'e17t1', 'e18t2', 'e19t2']);
    reopened.close();
  });
});

describe('FileLogStore with ASYNC_FLUSH (power loss through a simulated file system)', () => {
  const vote: HardState = { term: 1, vote: 'n0', commit: 0 };
  const entries = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, 1));

  function crashAndReopen(sim: SimFileIO, options: Partial<FileLogStoreOptions> = {}) {
    sim.crash(createPrng(1), 0);
    return FileLogStore.open({ io: sim, dir: '/raft', ...options });
  }

  it('keeps the vote and the entries before it durable, the rest until flush()', () => {
    const sim = new SimFileIO();
    const store = FileLogStore.open({ io: sim, dir: '/raft', flushDiskType: 'ASYNC_FLUSH' });
    save(store, entries(1, 3), vote);
    save(store, entries(4, 10), { ...vote, commit: 8 });
    assert.equal(store.lastIndex(), 10);
    const after = crashAndReopen(sim);
    // Entries 4-10 were never fsynced: lost; the commit on disk did not pass the durable log.
    assert.equal(after.lastIndex(), 3);
    const { term, vote: votedFor, commit } = after.hardState();
    assert.deepEqual([term, votedFor], [1, 'n0']);
    assert.ok(commit <= 3, `commit ${commit} beyond the recovered log`);
  });

  it('flush() makes every written entry and the commit durable', () => {
    const sim = new SimFileIO();
    const store = FileLogStore.open({ io: sim, dir: '/raft', flushDiskType: 'ASYNC_FLUSH' });
    save(store, entries(1, 3), vote);
    save(store, entries(4, 10), { ...vote, commit: 8 });
    store.flush();
    const after = crashAndReopen(sim);
    assert.equal(after.lastIndex(), 10);
    assert.deepEqual(after.hardState(), { term: 1, vote: 'n0', commit: 8 });
  });

  it('SYNC_FLUSH (the default) makes every save durable', () => {
    const sim = new SimFileIO();
    const store = FileLogStore.open({ io: sim, dir: '/raft' });
    save(store, entries(1, 3), vote);
    save(store, entries(4, 10), { ...vote, commit: 8 });
    const after = crashAndReopen(sim);
    assert.equal(after.lastIndex(), 10);
    assert.equal(after.hardState().commit, 8);
  });
});

describe('FileLogStore.flushWith (the fsync on another thread)', () => {
  it('makes the written entries durable through the given fsync, and the commit with them', async () => {
    const sim = new SimFileIO();
    const store = FileLogStore.open({ io: sim, dir: '/raft', flushDiskType: 'ASYNC_FLUSH' });
    const entries = Array.from({ length: 10 }, (_, i) => entry(i + 1, 1));
    save(store, entries.slice(0, 3), { term: 1, vote: 'n0', commit: 0 });
    save(store, entries.slice(3), { term: 1, vote: 'n0', commit: 8 });
    const synced: number[] = [];
    await store.flushWith(async (fd) => {
      synced.push(fd);
      sim.sync(fd);
    });
    assert.equal(synced.length, 1);
    sim.crash(createPrng(2), 0);
    const after = FileLogStore.open({ io: sim, dir: '/raft' });
    assert.equal(after.lastIndex(), 10);
    assert.ok(after.hardState().commit <= 8);
  });
});

// Goal: recovery cuts a damaged tail at the last valid record and never silently drops a record
// from the middle of the log (docs/testing.md R1-R5, R11).
// Method: a child writes with ASYNC_FLUSH (nothing fsynced for a minute) and is killed; each case
// copies that crashed store, damages the copy on disk, opens it and compares what is readable with
// the undamaged copy. A SYNC_FLUSH store checks that damage below the fsynced offset is refused.

import assert from 'node:assert/strict';
import { closeSync, cpSync, existsSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { offsetToFileName } from '../../common/bytes.js';
import { MqError } from '../../common/errors.js';
import { createPrng } from '../../common/prng.js';
import { openStore } from '../../engine/index.js';
import { spawnNode } from '../harness/spawn-process.js';
import { readAllMessages, type StoreContent } from '../harness/store-checker.js';
import { makeTmpDir } from '../harness/tmp-dir.js';

const child = fileURLToPath(new URL('../fixtures/engine/store-child.js', import.meta.url));
const SEGMENT = 1024 * 1024;
const options = {
  threads: false,
  mappedFileSizeCommitLog: SEGMENT,
  mappedFileSizeConsumeQueue: 20 * 1000,
  maxMessageSize: 64 * 1024,
  tailCacheBytes: 4 * 1024 * 1024,
  appendRingBytes: 4 * 1024 * 1024,
  maxHashSlotNum: 1000,
  maxIndexNum: 20_000,
};

interface Crashed {
  dir: string;
  content: StoreContent;
  endOffset: number;
  /** [commitLogOffset, id] of every record, in log order. */
  records: Array<[number, number]>;
}

async function crashedStore(root: string, flushDiskType: string, acks: number): Promise<string> {
  const proc = spawnNode(child, [root, '0', flushDiskType, '8', String(SEGMENT)]);
  await proc.waitForLine(/^ready/, 30_000);
  const deadline = Date.now() + 30_000;
  while (proc.lines.filter((l) => l.startsWith('ack')).length < acks && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  proc.kill('SIGKILL');
  await proc.exited;
  return root;
}

/** Opens a copy of the crashed store to learn what an undamaged recovery reads. */
async function survey(source: string, scratch: string): Promise<Crashed> {
  cpSync(source, scratch, { recursive: true });
  const store = await openStore({ storePathRootDir: scratch, ...options });
  const content = await readAllMessages(store, 'Crash', 4);
  const records: Array<[number, number]> = [];
  for (const [id, [queueId, queueOffset]] of content.found) {
    const got = await store.getMessage({ topic: 'Crash', queueId, queueOffset, maxMsgNums: 1 });
    records.push([got.messages[0]?.commitLogOffset ?? -1, id]);
  }
  records.sort((a, b) => a[0] - b[0]);
  const endOffset = store.recoveryReport.endOffset;
  await store.close();
  return { dir: source, content, endOffset, records };
}

/** Overwrites bytes of a segment; what would run past its end is dropped (a segment never grows). */
function patch(root: string, commitLogOffset: number, bytes: Buffer): void {
  const segment = commitLogOffset - (commitLogOffset % SEGMENT);
  const fd = openSync(`${root}/commitlog/${offsetToFileName(segment)}`, 'r+');
  const length = Math.min(bytes.byteLength, segment + SEGMENT - commitLogOffset);
  writeSync(fd, bytes, 0, length, commitLogOffset - segment);
  closeSync(fd);
}

function readLog(root: string, commitLogOffset: number, length: number): Buffer {
  const segment = commitLogOffset - (commitLogOffset % SEGMENT);
  const fd = openSync(`${root}/commitlog/${offsetToFileName(segment)}`, 'r');
  const out = Buffer.alloc(length);
  readSync(fd, out, 0, length, commitLogOffset - segment);
  closeSync(fd);
  return out;
}

describe('recovery from damaged CommitLog files', () => {
  const tmp = makeTmpDir('petrel-damage-');
  let crashed: Crashed;
  let caseNo = 0;
  const copy = () => {
    const target = `${tmp.path}/case-${caseNo++}`;
    cpSync(crashed.dir, target, { recursive: true });
    return target;
  };
  before(async () => {
    const source = await crashedStore(`${tmp.path}/crashed`, 'ASYNC_FLUSH', 300);
    crashed = await survey(source, `${tmp.path}/survey`);
    assert.ok(crashed.records.length >= 300);
  });
  after(() => tmp.remove());

  const last = () => {
    const [start, id] = crashed.records.at(-1) ?? [0, 0];
    return { start, id, size: crashed.endOffset - start };
  };

  async function expectEndAt(root: string, endOffset: number, lost: number[]): Promise<void> {
    const store = await openStore({ storePathRootDir: root, ...options });
    try {
      assert.equal(store.recoveryReport.endOffset, endOffset);
      assert.ok(
        store.recoveryReport.segmentsVerifiedInParallel >= 2,
        'segment CRCs were checked on the pool',
      );
      const content = await readAllMessages(store, 'Crash', 4);
      for (const [id, where] of crashed.content.found) {
        if (lost.includes(id)) assert.equal(content.found.has(id), false, `message ${id} is gone`);
        else assert.deepEqual(content.found.get(id), where, `message ${id} survived in place`);
      }
      const put = await store.putMessage({
        topic: 'Crash',
        queueId: 0,
        body: Buffer.from('after repair'),
        properties: { id: '999999' },
      });
      assert.equal(put.status, 'PUT_OK');
      // Appends continue at the recovered end (or at the next segment when the tail is too short).
      const nextSegment = endOffset - (endOffset % SEGMENT) + SEGMENT;
      assert.ok(put.commitLogOffset === endOffset || put.commitLogOffset === nextSegment);
    } finally {
      await store.close();
    }
  }

  it('cuts a record torn at every sampled byte of its length (R1)', async () => {
    const { start, id, size } = last();
    const prng = createPrng(7);
    // The last byte and the properties text are outside the body CRC: always cut there too.
    const cuts = [size - 1, size - 8, ...Array.from({ length: 8 }, () => prng.int(1, size - 1))];
    for (const cut of cuts) {
      const root = copy();
      patch(root, start + cut, Buffer.alloc(SEGMENT - ((start + cut) % SEGMENT)));
      await expectEndAt(root, start, [id]);
    }
  });

  it('treats a zero-filled last record as the end of the log (R2)', async () => {
    const { start, id, size } = last();
    const root = copy();
    patch(root, start, Buffer.alloc(size));
    await expectEndAt(root, start, [id]);
  });

  it('cuts a random garbage tail after the last record (R2)', async () => {
    const root = copy();
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + 17) & 0xff;
    patch(root, crashed.endOffset, garbage);
    await expectEndAt(root, crashed.endOffset, []);
  });

  it('rejects a valid-looking copy of an earlier record written past the end (R3)', async () => {
    const root = copy();
    const [firstStart] = crashed.records[0] ?? [0];
    const [secondStart] = crashed.records[1] ?? [0];
    patch(root, crashed.endOffset, readLog(root, firstStart, secondStart - firstStart));
    await expectEndAt(root, crashed.endOffset, []);
  });

  it('refuses to start on a bit flip in the middle of the log, naming file and offset; repair moves aside only the damaged record (R5)', async () => {
    const root = copy();
    const [victim, victimId] = crashed.records[10] ?? [0, 0];
    const byte = readLog(root, victim + 120, 1);
    patch(root, victim + 120, Buffer.from([(byte[0] ?? 0) ^ 0x10]));
    await assert.rejects(openStore({ storePathRootDir: root, ...options }), (error: unknown) => {
      assert.ok(error instanceof MqError);
      assert.equal(error.code, 'E_CORRUPT_RECORD');
      assert.equal(error.details['offset'], victim);
      assert.match(String(error.details['file']), /commitlog\/\d{20}$/);
      return true;
    });
    const warnings: string[] = [];
    const logger = { info: () => undefined, warn: (m: string) => warnings.push(m) };
    const repaired = await openStore(
      { storePathRootDir: root, ...options, repairCorruptRecords: true },
      { logger },
    );
    const [next] = crashed.records[11] ?? [0];
    try {
      assert.equal(repaired.recoveryReport.repaired?.atOffset, victim);
      assert.deepEqual(
        repaired.recoveryReport.repairs.map((r) => [r.atOffset, r.resumedAt, r.bytes]),
        [[victim, next, next - victim]],
        'only the damaged record was moved aside, and recovery went on at the next one',
      );
      assert.ok(
        existsSync(`${root}/damaged`) && readdirSync(`${root}/damaged`).length === 1,
        'the damaged bytes were moved aside',
      );
      assert.ok(
        warnings.some((w) => w.includes(`offsets ${victim}..${next}`) && w.includes('damaged')),
        `the repair was logged: ${warnings.join(' | ')}`,
      );
      const content = await readAllMessages(repaired, 'Crash', 4, { allowGaps: true });
      for (const [, id] of crashed.records) {
        if (id === victimId) continue;
        assert.ok(content.found.has(id), `message ${id} is kept`);
      }
      assert.equal(content.found.has(victimId), false);
    } finally {
      await repaired.close();
    }
    // The patched log opens again without repair: the fillers read as valid records.
    const again = await openStore({ storePathRootDir: root, ...options });
    try {
      const content = await readAllMessages(again, 'Crash', 4, { allowGaps: true });
      assert.equal(content.found.size, crashed.records.length - 1);
    } finally {
      await again.close();
    }
  });

  it('tolerates a segment half-created by a crash while rolling over (R10)', async () => {
    const root = copy();
    const next = crashed.endOffset - (crashed.endOffset % SEGMENT) + SEGMENT;
    const leftover = `${root}/commitlog/${offsetToFileName(next)}.tmp`;
    closeSync(openSync(leftover, 'w'));
    await expectEndAt(root, crashed.endOffset, []);
    assert.equal(existsSync(leftover), false, 'the leftover was removed');
  });

  it('refuses damage below the fsynced offset instead of cutting it as a torn tail', async () => {
    const source = await crashedStore(`${tmp.path}/crashed-sync`, 'SYNC_FLUSH', 100);
    const sync = await survey(source, `${tmp.path}/survey-sync`);
    const root = `${tmp.path}/sync-damaged`;
    cpSync(source, root, { recursive: true });
    const [start] = sync.records.at(-20) ?? [0];
    patch(root, start, Buffer.alloc(16));
    await assert.rejects(
      openStore({ storePathRootDir: root, ...options }),
      (error: unknown) => error instanceof MqError && error.code === 'E_CORRUPT_RECORD',
    );
  });
});

// What an open costs on a store holding one record in a default 1 GiB CommitLog segment (sparse):
// after a crash (SIGKILL) and after a clean close, recovery reads a few MB, not the segment's
// unwritten gigabyte (where it looks for a valid record after the end of the log, and where its
// scan starts). The decision rests on the blocks the file system allocated: a valid record
// written past the end still allocates blocks, so it is still found and refused (E_CORRUPT_RECORD).

import assert from 'node:assert/strict';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ErrorCode, MqError, openStore } from '../../engine/index.js';
import { NodeFileIO } from '../../engine/io/node-file-io.js';
import { SegmentedFile } from '../../engine/mapped/segmented-file.js';
import { spawnNode } from '../harness/spawn-process.js';
import { makeTmpDir } from '../harness/tmp-dir.js';

const child = fileURLToPath(new URL('../fixtures/engine/store-child.js', import.meta.url));
const SEGMENT_BYTES = 1024 * 1024 * 1024;
/** The options of store-child.ts, with its 1 GiB segment. */
const childOptions = {
  threads: false,
  mappedFileSizeCommitLog: SEGMENT_BYTES,
  mappedFileSizeConsumeQueue: 20 * 1000,
  maxMessageSize: 64 * 1024,
  tailCacheBytes: 4 * 1024 * 1024,
  appendRingBytes: 4 * 1024 * 1024,
  maxHashSlotNum: 1000,
  maxIndexNum: 20_000,
};

const dirs: Array<{ remove: () => void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});

/** A FileIO that counts the bytes read from CommitLog segments. */
function countingIo(): { io: NodeFileIO; commitLogBytesRead: () => number } {
  const io = new NodeFileIO();
  const commitLogFds = new Set<number>();
  let bytes = 0;
  const counting = Object.create(io) as NodeFileIO;
  counting.open = (path, options) => {
    const fd = io.open(path, options);
    if (path.includes('/commitlog/')) commitLogFds.add(fd);
    else commitLogFds.delete(fd);
    return fd;
  };
  counting.read = (fd, target, offset, length, position) => {
    const n = io.read(fd, target, offset, length, position);
    if (commitLogFds.has(fd)) bytes += n;
    return n;
  };
  return { io: counting, commitLogBytesRead: () => bytes };
}

/** A store whose writer was killed with SIGKILL right after its first acknowledged put. */
async function crashedAfterOnePut(): Promise<string> {
  const d = makeTmpDir('petrel-recovery-cost-');
  dirs.push(d);
  const proc = spawnNode(child, [d.path, '0', 'SYNC_FLUSH', '1', String(SEGMENT_BYTES)]);
  await proc.waitForLine(/^ack /, 30_000);
  proc.kill('SIGKILL');
  await proc.exited;
  return d.path;
}

describe('recovery of a one-record store in a 1 GiB segment', { timeout: 120_000 }, () => {
  it('reads a few MB after a crash and after a clean close, and keeps the record', async () => {
    const root = await crashedAfterOnePut();
    const afterCrash = countingIo();
    const store = await openStore({ storePathRootDir: root, ...childOptions }, afterCrash);
    assert.equal(store.recoveryReport.abnormal, true);
    assert.ok(store.recoveryReport.recordsScanned >= 1);
    const got = await store.getMessage({
      topic: 'Crash',
      queueId: 0,
      queueOffset: 0,
      maxMsgNums: 1,
    });
    assert.equal(got.status, 'FOUND');
    await store.close();
    const limit = 16 * 1024 * 1024;
    assert.ok(
      afterCrash.commitLogBytesRead() < limit,
      `recovery after the crash read ${afterCrash.commitLogBytesRead()} bytes of the CommitLog`,
    );
    const afterClose = countingIo();
    const reopened = await openStore({ storePathRootDir: root, ...childOptions }, afterClose);
    assert.equal(reopened.recoveryReport.abnormal, false);
    await reopened.close();
    assert.ok(
      afterClose.commitLogBytesRead() < limit,
      `an open after a clean close read ${afterClose.commitLogBytesRead()} bytes of the CommitLog`,
    );
  });

  it('still finds a valid record written far past the end of the log, and refuses to start', async () => {
    const root = await crashedAfterOnePut();
    // Copy the first record 64 MiB further, with its stored physical offset set to match.
    const segment = `${root}/commitlog/00000000000000000000`;
    const fd = openSync(segment, 'r+');
    const size = Buffer.alloc(4);
    readSync(fd, size, 0, 4, 0);
    const record = Buffer.alloc(size.readInt32BE(0));
    readSync(fd, record, 0, record.byteLength, 0);
    const far = 64 * 1024 * 1024;
    // PHYSICALOFFSET sits at byte 28 of the record (after TOTALSIZE .. QUEUEOFFSET).
    record.writeBigInt64BE(BigInt(far), 28);
    writeSync(fd, record, 0, record.byteLength, far);
    closeSync(fd);
    const file = new SegmentedFile(new NodeFileIO(), `${root}/commitlog`, SEGMENT_BYTES);
    file.load();
    assert.equal(file.writtenBound(record.byteLength), SEGMENT_BYTES, 'blocks past the end');
    file.close();
    await assert.rejects(
      openStore({ storePathRootDir: root, ...childOptions }),
      (error: unknown) =>
        error instanceof MqError &&
        error.code === ErrorCode.CORRUPT_RECORD &&
        error.details['validRecordAfter'] === far,
    );
  });
});

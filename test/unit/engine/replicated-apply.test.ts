// Applying committed entries of a replicated log in runs: records that continue each other reach
// the write pipeline together (bounded by chunkBytes), a BLANK record closes a segment on its own,
// and a pipeline without room (BUSY) leaves exactly a prefix applied, so retrying the same entries
// skips it and yields the leader's CommitLog byte for byte. The entries are stamped by a real
// leader store; the pipeline records what it is handed and refuses room on a seeded schedule.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openBrokerStore as openStore } from '../../../engine/internal.js';
import { StoreRole } from '../../../engine/message-store.js';
import type { AppendPipeline } from '../../../engine/put/append-pipeline.js';
import { RecordStamper } from '../../../engine/put/record-stamper.js';
import {
  type ApplyStatus,
  ReplicatedAppend,
  type ReplicateOutcome,
} from '../../../engine/put/replicated-append.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';

const SEGMENT = 64 * 1024;
const CHUNK = 4096;
const dirs: Array<{ remove: () => void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});

/** Stamped entries from a real leader store (applied to itself), and its CommitLog bytes. */
async function stampedLog(count: number): Promise<{ entries: Buffer[]; log: Buffer }> {
  const dir = makeTmpDir('petrel-apply-');
  dirs.push(dir);
  const store = await openStore({
    storePathRootDir: dir.path,
    threads: false,
    mappedFileSizeCommitLog: SEGMENT,
    maxMessageSize: 8192,
    haTransferBatchSize: CHUNK,
  });
  const entries: Buffer[] = [];
  try {
    store.useReplicator({
      replicate(entry: Buffer, settle: (o: ReplicateOutcome) => void) {
        const copy = Buffer.from(entry);
        entries.push(copy);
        setImmediate(() => {
          assert.equal(store.applyStamped([copy]), 'OK');
          settle({ committed: true, appended: true, reason: '' });
        });
      },
    });
    await store.changeRole(StoreRole.MASTER, 1);
    const body = (i: number) => Buffer.alloc(200 + ((i * 389) % 2500), i % 251);
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const r = await store.putMessage({ topic: 'Run', queueId: i % 2, body: body(i) }, 1);
        assert.equal(r.status, 'PUT_OK', r.reason);
      }),
    );
  } finally {
    await store.close();
  }
  const end = store.getMaxPhyOffset();
  const segments = Math.ceil(end / SEGMENT);
  const log = Buffer.concat(
    Array.from({ length: segments }, (_, s) =>
      readFileSync(join(store.options.storePathCommitLog, String(s * SEGMENT).padStart(20, '0'))),
    ),
  ).subarray(0, end);
  return { entries, log };
}

/** Records what it is handed; refuses room when `busy()` says so. */
class RecordingPipeline {
  submissions: Array<{ offset: number; bytes: number }> = [];
  log = Buffer.alloc(0);
  readonly #busy: () => boolean;
  constructor(busy: () => boolean) {
    this.#busy = busy;
  }
  hasRoom(): boolean {
    return !this.#busy();
  }
  submitRaw(offset: number, parts: readonly Buffer[]): boolean {
    assert.equal(offset, this.log.byteLength, 'a submission continues the log');
    const bytes = Buffer.concat(parts);
    this.submissions.push({ offset, bytes: bytes.byteLength });
    this.log = Buffer.concat([this.log, bytes]);
    return true;
  }
}

function applier(chunkBytes: number): ReplicatedAppend {
  return new ReplicatedAppend({
    replicator: { replicate: () => assert.fail('a follower proposes nothing') },
    stamper: new RecordStamper({ segmentBytes: SEGMENT, storedQueueEnd: () => 0 }, 0),
    storeHost: Buffer.alloc(8),
    maxInFlight: 16,
    chunkBytes,
  });
}

describe('replicated apply in runs', () => {
  it('hands contiguous records over together and rebuilds the leader log exactly', async () => {
    const { entries, log } = await stampedLog(150);
    assert.ok(log.byteLength > 2 * SEGMENT, 'the entries span several segments');
    const pipeline = new RecordingPipeline(() => false);
    const result = applier(4 * CHUNK).apply(pipeline as unknown as AppendPipeline, entries, 0);
    assert.deepEqual(result, { status: 'OK', end: log.byteLength });
    assert.ok(pipeline.log.equals(log), 'byte-identical to the leader');
    assert.ok(pipeline.submissions.length < entries.length / 2, 'records went over in runs');
    for (const s of pipeline.submissions) {
      const crossesSegment =
        Math.floor(s.offset / SEGMENT) !== Math.floor((s.offset + s.bytes - 1) / SEGMENT);
      assert.ok(!crossesSegment, 'no submission crosses a segment end');
    }
  });

  it('a BUSY pipeline leaves a prefix applied; retrying the same entries completes the log', async () => {
    const { entries, log } = await stampedLog(120);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pipeline = new RecordingPipeline(() => random() < 0.3);
    const append = applier(CHUNK);
    let end = 0;
    let busy = 0;
    for (let attempt = 0; attempt < 1000 && end < log.byteLength; attempt++) {
      const result: { status: ApplyStatus; end: number } = append.apply(
        pipeline as unknown as AppendPipeline,
        entries,
        end,
      );
      assert.ok(result.status === 'OK' || result.status === 'BUSY', result.status);
      assert.equal(result.end, pipeline.log.byteLength, 'end is what the pipeline holds');
      if (result.status === 'BUSY') busy++;
      end = result.end;
    }
    assert.ok(busy > 0, 'the schedule refused room at least once');
    assert.ok(pipeline.log.equals(log), 'byte-identical to the leader after the retries');
  });
});

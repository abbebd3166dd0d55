// ConsumeQueues and the index rebuilt from the CommitLog when they are missing or damaged after a
// clean stop (testing.md R6). A clean close writes a manifest (<root>/queues.json: every queue's
// max offset and the index's end); the next open reads and removes it, and a queue that loads with
// fewer units than the manifest says (its files deleted or cut), or that does not load at all (a
// short or missing segment), is wiped and dispatched again from the CommitLog, as is an index that
// ends before the manifest's. Without this a deleted ConsumeQueue made its queue silently empty.

import { ErrorCode, MqError } from '../../common/errors.js';
import type { RecordLayout } from '../../common/message-codec.js';
import { ScanStop, scanSegment } from '../commitlog/segment-scan.js';
import type { ConsumeQueueTable } from '../dispatch/consume-queue-table.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { IndexService } from '../index/index-service.js';
import type { FileIO } from '../io/file-io.js';
import type { SegmentedFile } from '../mapped/segmented-file.js';

const MANIFEST = 'queues.json';

export interface QueueManifest {
  /** [topic, queueId, maxOffset] of every queue at the clean close. */
  queues: Array<[string, number, number]>;
  /** End of the records the index covered (-1: none). */
  indexEnd: number;
}

export interface QueueRebuild {
  /** "topic/queueId: why" of each queue rebuilt. */
  queues: string[];
  indexRebuilt: boolean;
  recordsScanned: number;
}

export function writeQueueManifest(io: FileIO, rootDir: string, manifest: QueueManifest): void {
  const temp = `${rootDir}/${MANIFEST}.tmp`;
  const bytes = Buffer.from(JSON.stringify(manifest), 'utf8');
  const fd = io.open(temp, { create: true });
  io.truncate(fd, 0);
  io.write(fd, bytes, 0, bytes.byteLength, 0);
  io.sync(fd);
  io.close(fd);
  io.rename(temp, `${rootDir}/${MANIFEST}`);
  io.syncDir(rootDir);
}

/** Reads and removes the manifest (it speaks only for the clean close that wrote it). */
export function takeQueueManifest(io: FileIO, rootDir: string): QueueManifest | undefined {
  const path = `${rootDir}/${MANIFEST}`;
  if (!io.exists(path)) return undefined;
  const fd = io.open(path, { create: false, readOnly: true });
  const size = io.sizeOf(fd);
  const bytes = Buffer.alloc(size);
  io.read(fd, bytes, 0, size, 0);
  io.close(fd);
  io.unlink(path);
  try {
    return JSON.parse(bytes.toString('utf8')) as QueueManifest;
  } catch {
    return undefined;
  }
}

/**
 * Loads every queue on disk, yielding to the event loop between reads; a queue whose files do not
 * load is wiped and reported damaged.
 */
export async function loadQueues(
  queues: ConsumeQueueTable,
  yieldToLoop: () => Promise<void>,
): Promise<Map<string, string>> {
  const damaged = new Map<string, string>();
  for (const { topic, queueId } of queues.listOnDisk()) {
    try {
      await queues.getOrCreate(topic, queueId).recoverAsync(yieldToLoop);
    } catch (error) {
      if (!(error instanceof MqError) || !isSegmentError(error.code)) throw error;
      queues.reset(topic, queueId);
      damaged.set(`${topic}/${queueId}`, error.message);
    }
  }
  return damaged;
}

function isSegmentError(code: string): boolean {
  return (
    code === ErrorCode.SEGMENT_SIZE_MISMATCH ||
    code === ErrorCode.SEGMENT_GAP ||
    code === ErrorCode.SEGMENT_NAME_INVALID
  );
}

/** Queues with fewer units than the manifest says, and whether the index ends early. */
function compareWithManifest(
  manifest: QueueManifest | undefined,
  queues: ConsumeQueueTable,
  index: IndexService | undefined,
  damaged: Map<string, string>,
): boolean {
  if (manifest === undefined) return false;
  for (const [topic, queueId, maxOffset] of manifest.queues) {
    const have = queues.get(topic, queueId)?.maxOffset ?? 0;
    if (have < maxOffset && !damaged.has(`${topic}/${queueId}`))
      damaged.set(`${topic}/${queueId}`, `${have} of ${maxOffset} units found at open`);
  }
  return index !== undefined && index.indexedEndPhyOffset() < manifest.indexEnd;
}

/**
 * Wipes the damaged queues and dispatches every record from the oldest CommitLog segment to
 * `endOffset` again: intact queues and index files skip what they hold, the damaged ones refill.
 */
export function rebuildFromCommitLog(
  parts: {
    commitLog: SegmentedFile;
    queues: ConsumeQueueTable;
    index: IndexService | undefined;
    dispatcher: Dispatcher;
    /** Queues that did not load (loadQueues). */
    damagedQueues: Map<string, string>;
  },
  manifest: QueueManifest | undefined,
  endOffset: number,
  options: {
    maxRecordBytes: number;
    nowMs: number;
    toRecord: (buf: Buffer, layout: RecordLayout) => Parameters<Dispatcher['dispatch']>[0];
  },
): QueueRebuild | undefined {
  const { commitLog, queues, dispatcher } = parts;
  const damaged = parts.damagedQueues;
  const indexDamaged = compareWithManifest(manifest, queues, parts.index, damaged);
  if (damaged.size === 0 && !indexDamaged) return undefined;
  dispatcher.flush();
  for (const key of damaged.keys()) {
    const slash = key.lastIndexOf('/');
    queues.reset(key.slice(0, slash), Number(key.slice(slash + 1)));
  }
  let recordsScanned = 0;
  for (let offset = commitLog.minOffset(); offset < endOffset; ) {
    const scan = scanSegment(
      commitLog,
      offset,
      { checkCrc: false, maxRecordBytes: options.maxRecordBytes, stopAtOffset: endOffset },
      (buf, _pos, layout) => {
        dispatcher.dispatch(options.toRecord(buf, layout), options.nowMs);
        recordsScanned++;
      },
    );
    if (scan.stop !== ScanStop.BLANK && scan.stop !== ScanStop.SEGMENT_END) break;
    offset = commitLog.segmentStartOf(scan.endOffset - 1) + commitLog.segmentBytes;
  }
  dispatcher.flush();
  return {
    queues: [...damaged].map(([key, why]) => `${key}: ${why}`),
    indexRebuilt: indexDamaged,
    recordsScanned,
  };
}

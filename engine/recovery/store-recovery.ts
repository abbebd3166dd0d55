// Opening a store from disk (RocketMQ: DefaultMessageStore.load + recover): lock, abort marker,
// checkpoint, CommitLog segments, ConsumeQueues, index; then CommitLog recovery, ConsumeQueues cut
// back to the CommitLog end, and a re-dispatch of the records the ConsumeQueues and index may miss.
// After a clean close the checkpoint holds exact offsets and nothing is scanned (the fast path).
// After a crash, scanning starts at the durable ConsumeQueue/index offset, every record is checked
// (CRC when checkCRCOnRecover), and a torn tail is cut at the last valid record.

import { assert } from '../../common/assert.js';
import { readInt64Buffer } from '../../common/bytes.js';
import type { Clock } from '../../common/clock.js';
import {
  MESSAGE_MAGIC_CODE,
  RecordField,
  type RecordLayout,
  storeTimestampPosition,
} from '../../common/message-codec.js';
import { StoreCheckpoint } from '../checkpoint/store-checkpoint.js';
import { acquireStoreLock, type LockProbe, markRunning } from '../checkpoint/store-lock.js';
import {
  type CommitLogRecoveryResult,
  moveAside,
  recoverCommitLog,
} from '../commitlog/commit-log-recovery.js';
import type { SegmentScanResult } from '../commitlog/segment-scan.js';
import { ConsumeQueueTable } from '../dispatch/consume-queue-table.js';
import { Dispatcher } from '../dispatch/dispatcher.js';
import { IndexService } from '../index/index-service.js';
import type { FileIO } from '../io/file-io.js';
import { prepareStoreDirs } from '../io/store-dirs.js';
import { SegmentedFile } from '../mapped/segmented-file.js';
import type { StoreOptions } from '../options.js';
import {
  loadQueues,
  type QueueRebuild,
  rebuildFromCommitLog,
  takeQueueManifest,
} from './queue-rebuild.js';

export interface RecoveryReport {
  abnormal: boolean;
  fastPath: boolean;
  scannedFromOffset: number;
  endOffset: number;
  recordsScanned: number;
  recordsRedispatched: number;
  queueUnitsTruncated: number;
  /** Bytes a slave cut because its master's log differs after them (moved to truncated/). */
  truncated: { fromOffset: number; movedTo: string; bytes: number } | undefined;
  /** Segments whose CRCs were checked ahead on the parallel pool (0: checked in the ordered pass). */
  segmentsVerifiedInParallel: number;
  tornTail: CommitLogRecoveryResult['tornTail'];
  repaired: CommitLogRecoveryResult['repaired'];
  /** Every damaged range moved aside (file, offsets, bytes) and where recovery went on after it. */
  repairs: CommitLogRecoveryResult['repairs'];
  /** ConsumeQueues (and the index) found missing or damaged and rebuilt from the CommitLog. */
  rebuilt: QueueRebuild | undefined;
  durationMs: number;
}

export interface RecoveredStore {
  commitLog: SegmentedFile;
  queues: ConsumeQueueTable;
  index: IndexService | undefined;
  dispatcher: Dispatcher;
  checkpoint: StoreCheckpoint;
  endOffset: number;
  lastStoreTimestamp: number;
  report: RecoveryReport;
  releaseLock: () => void;
}

/** Largest record recovery accepts: the body limit plus the most headers a record can carry. */
export function maxRecordBytes(options: Pick<StoreOptions, 'maxMessageSize'>): number {
  return options.maxMessageSize + 91 + 24 + 255 + 32767;
}

/** One segment to check with CRCs from `fromOffset` (a record boundary) to its end. */
export interface VerifyTask {
  dir: string;
  segmentBytes: number;
  fromOffset: number;
  maxRecordBytes: number;
}

/** Runs verify tasks, possibly in parallel (piscina), returning one scan result per task. */
export type SegmentVerifier = (tasks: VerifyTask[]) => Promise<SegmentScanResult[]>;

export async function recoverStore(
  io: FileIO,
  options: StoreOptions,
  clock: Clock,
  lockProbe: LockProbe,
  verifier?: SegmentVerifier,
  truncateTo?: number,
  /** The writer thread owns the index: load it here only if recovery will index records. */
  indexOnlyToRedispatch = false,
): Promise<RecoveredStore> {
  const started = clock.monotonicMs();
  prepareStoreDirs(io, options);
  const releaseLock = acquireStoreLock(io, options.storePathRootDir, lockProbe);
  try {
    const abnormal = markRunning(io, options.storePathRootDir);
    const manifest = takeQueueManifest(io, options.storePathRootDir);
    const { files, plan } = await openForScan(io, options, abnormal, {
      withIndex: !indexOnlyToRedispatch || truncateTo !== undefined,
    });
    const { commitLog, queues, checkpoint, index } = files;
    const dispatcher = new Dispatcher(queues, index);
    index?.reindexFrom(plan.dispatchFromOffset);
    const verified = await verifyIfAsked(options, verifier, commitLog, plan.scanFromOffset);
    let redispatched = 0;
    const onRecord = (buf: Buffer, _pos: number, layout: RecordLayout) => {
      if (layout.commitLogOffset < plan.dispatchFromOffset) return;
      dispatcher.dispatch(toDispatchRecord(buf, layout), clock.nowMs());
      redispatched++;
    };
    const scan = recoverCommitLog(
      io,
      commitLog,
      {
        scanFromOffset: plan.scanFromOffset,
        durableOffset: plan.durableOffset,
        checkCrc: options.checkCRCOnRecover,
        maxRecordBytes: maxRecordBytes(options),
        repair: options.repairCorruptRecords,
        damagedDir: `${options.storePathRootDir}/damaged`,
        ...(verified === undefined ? {} : { verified }),
      },
      onRecord,
    );
    // Each long synchronous step gets its own turn of the event loop (open must not block it).
    await yieldToLoop();
    const cut =
      truncateTo !== undefined && truncateTo < scan.endOffset
        ? cutForReplica(io, options, files, truncateTo)
        : undefined;
    const endOffset = cut?.endOffset ?? scan.endOffset;
    const rebuilt = rebuildFromCommitLog({ ...files, dispatcher }, manifest, endOffset, {
      maxRecordBytes: maxRecordBytes(options),
      nowMs: clock.nowMs(),
      toRecord: toDispatchRecord,
    });
    dispatcher.flush();
    await yieldToLoop();
    const queueUnitsTruncated = cutLogicsAt(queues, index, endOffset);
    dispatcher.syncLogics();
    await yieldToLoop();
    const lastStoreTimestamp = Math.max(
      scan.lastStoreTimestamp,
      checkpoint.values.physicMsgTimestamp,
    );
    saveRecovered(checkpoint, endOffset, lastStoreTimestamp);
    const report: RecoveryReport = {
      abnormal,
      fastPath: scan.scannedFromOffset === endOffset && scan.recordCount === 0,
      scannedFromOffset: scan.scannedFromOffset,
      endOffset,
      recordsScanned: scan.recordCount,
      recordsRedispatched: redispatched,
      queueUnitsTruncated,
      segmentsVerifiedInParallel: verified?.size ?? 0,
      tornTail: scan.tornTail,
      repaired: scan.repaired,
      repairs: scan.repairs,
      rebuilt,
      truncated: cut?.truncated,
      durationMs: clock.monotonicMs() - started,
    };
    return { ...files, dispatcher, endOffset, lastStoreTimestamp, report, releaseLock };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

/** ConsumeQueues and index follow the recovered CommitLog end; returns the units cut. */
function cutLogicsAt(
  queues: ConsumeQueueTable,
  index: IndexService | undefined,
  endOffset: number,
): number {
  let cut = 0;
  for (const cq of queues.all()) {
    cut += cq.truncateByCommitLogEnd(endOffset);
    // Paired with the dispatcher's check: no unit survives that points past the log's end.
    assert(cq.maxPhysicOffset <= endOffset, 'recovery: a ConsumeQueue points past the log end');
  }
  index?.reindexFrom(endOffset);
  return cut;
}

/**
 * A slave cuts its log where its master's differs (HA TRUNCATE): the bytes from `to` on are moved
 * to truncated/ for the operator; at or below the oldest segment everything is wiped, queues and
 * index included, and the slave starts over empty.
 */
function cutForReplica(
  io: FileIO,
  options: StoreOptions,
  files: Awaited<ReturnType<typeof openFiles>> & { index: IndexService | undefined },
  to: number,
) {
  const { commitLog, queues, index } = files;
  const moved = moveAside(
    io,
    commitLog,
    `${options.storePathRootDir}/truncated`,
    Math.max(to, commitLog.minOffset()),
    `cut to match the master at ${to}`,
  );
  if (to > commitLog.minOffset()) {
    commitLog.truncateFrom(to);
    return {
      endOffset: to,
      truncated: { fromOffset: to, movedTo: moved.movedTo, bytes: moved.bytes },
    };
  }
  while (!commitLog.isEmpty()) commitLog.deleteOldest();
  for (const cq of queues.all()) cq.destroy();
  index?.destroy();
  return { endOffset: 0, truncated: { fromOffset: 0, movedTo: moved.movedTo, bytes: moved.bytes } };
}

/** With two or more segments to scan, checks their CRCs in parallel before the ordered pass. */
async function verifyAhead(
  commitLog: SegmentedFile,
  scanFromOffset: number,
  maxRecordBytes: number,
  verifier: SegmentVerifier,
): Promise<Map<number, SegmentScanResult> | undefined> {
  const first = commitLog.segmentStartOf(scanFromOffset);
  const segments = commitLog.segments().filter((s) => s >= first);
  if (segments.length < 2) return undefined;
  const tasks = segments.map((s) => ({
    dir: commitLog.dir,
    segmentBytes: commitLog.segmentBytes,
    fromOffset: Math.max(s, scanFromOffset),
    maxRecordBytes,
  }));
  const results = await verifier(tasks);
  return new Map(segments.map((s, i) => [s, results[i] as SegmentScanResult]));
}

/** After recovery everything up to the end is durable and dispatched. */
/** CRC checks of the segments to scan, in parallel, when checkCRCOnRecover and a verifier. */
async function verifyIfAsked(
  options: StoreOptions,
  verifier: SegmentVerifier | undefined,
  commitLog: SegmentedFile,
  scanFromOffset: number,
) {
  if (!options.checkCRCOnRecover || verifier === undefined) return undefined;
  return verifyAhead(commitLog, scanFromOffset, maxRecordBytes(options), verifier);
}

/**
 * Opens the store's files and plans the scan. With `withIndex` false (the writer thread owns the
 * index), the index is opened only when the scan will re-dispatch records.
 */
async function openForScan(
  io: FileIO,
  options: StoreOptions,
  abnormal: boolean,
  o: { withIndex: boolean },
) {
  const opened = await openFiles(io, options);
  const plan = planScan(opened.commitLog, opened.checkpoint, abnormal);
  const skipIndex = !o.withIndex && isZeroAt(opened.commitLog, plan.scanFromOffset);
  const files = { ...opened, index: skipIndex ? undefined : await openIndex(io, options) };
  return { files, plan };
}

function saveRecovered(checkpoint: StoreCheckpoint, endOffset: number, timestamp: number): void {
  checkpoint.save({
    physicMsgTimestamp: timestamp,
    logicsMsgTimestamp: timestamp,
    indexMsgTimestamp: timestamp,
    flushedCommitLogOffset: endOffset,
    consumeQueueDurableOffset: endOffset,
    indexDurableOffset: endOffset,
  });
}

/** Lets the event loop run between the steps of a long load (open must not block it). */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function openFiles(io: FileIO, options: StoreOptions) {
  const checkpoint = new StoreCheckpoint(io, `${options.storePathRootDir}/checkpoint`);
  const commitLog = new SegmentedFile(
    io,
    options.storePathCommitLog,
    options.mappedFileSizeCommitLog,
  );
  commitLog.load();
  const queues = new ConsumeQueueTable(
    io,
    options.storePathRootDir,
    options.mappedFileSizeConsumeQueue,
  );
  const damagedQueues = await loadQueues(queues, yieldToLoop);
  return { checkpoint, commitLog, queues, damagedQueues };
}

async function openIndex(io: FileIO, options: StoreOptions): Promise<IndexService | undefined> {
  if (!options.messageIndexEnable) return undefined;
  const index = new IndexService(io, {
    rootDir: options.storePathRootDir,
    maxHashSlotNum: options.maxHashSlotNum,
    maxIndexNum: options.maxIndexNum,
    maxMsgsNumBatch: options.maxMsgsNumBatch,
  });
  await index.loadAsync(yieldToLoop);
  return index;
}

/** Nothing at `offset` (the end of the log after a clean close): a scan from there finds no record. */
function isZeroAt(commitLog: SegmentedFile, offset: number): boolean {
  if (!commitLog.hasSegment(commitLog.segmentStartOf(offset))) return true;
  const header = Buffer.alloc(8);
  const n = commitLog.read(offset, header, 0, 8);
  return n === 8 && header.equals(Buffer.alloc(8));
}

interface ScanPlan {
  scanFromOffset: number;
  dispatchFromOffset: number;
  durableOffset: number;
}

/**
 * With Petrel's exact offsets: scan from the lowest durable offset (the flushed offset after a clean
 * close, so nothing at all). Without them (a new store, or one written by RocketMQ): the third-last
 * segment after a clean close, RocketMQ's checkpoint-timestamp rule after a crash.
 */
function planScan(
  commitLog: SegmentedFile,
  checkpoint: StoreCheckpoint,
  abnormal: boolean,
): ScanPlan {
  const v = checkpoint.values;
  if (checkpoint.hasOffsets) {
    const logics = Math.min(v.consumeQueueDurableOffset, v.indexDurableOffset);
    const from = abnormal ? Math.min(logics, v.flushedCommitLogOffset) : v.flushedCommitLogOffset;
    const clamped = Math.max(from, commitLog.minOffset());
    return {
      scanFromOffset: clamped,
      dispatchFromOffset: clamped,
      durableOffset: v.flushedCommitLogOffset,
    };
  }
  const segments = commitLog.segments();
  if (!abnormal) {
    const start = segments[Math.max(0, segments.length - 3)] ?? 0;
    return { scanFromOffset: start, dispatchFromOffset: start, durableOffset: 0 };
  }
  const minTimestamp = checkpoint.minTimestamp();
  const header = Buffer.alloc(64);
  for (let i = segments.length - 1; i >= 0; i--) {
    const start = segments[i] ?? 0;
    commitLog.read(start, header, 0, 64);
    const isMessage = header.readInt32BE(RecordField.MAGICCODE) === MESSAGE_MAGIC_CODE;
    const tsAt = storeTimestampPosition(header.readInt32BE(RecordField.SYSFLAG));
    const storeTimestamp = isMessage ? readInt64Buffer(header, tsAt) : 0;
    if (isMessage && storeTimestamp !== 0 && storeTimestamp <= minTimestamp) {
      return { scanFromOffset: start, dispatchFromOffset: start, durableOffset: 0 };
    }
  }
  const first = commitLog.minOffset();
  return { scanFromOffset: first, dispatchFromOffset: first, durableOffset: 0 };
}

function toDispatchRecord(buf: Buffer, layout: RecordLayout) {
  return {
    topic: buf.toString('latin1', layout.topicOffset, layout.topicOffset + layout.topicLength),
    queueId: layout.queueId,
    queueOffset: layout.queueOffset,
    commitLogOffset: layout.commitLogOffset,
    size: layout.totalSize,
    sysFlag: layout.sysFlag,
    storeTimestamp: layout.storeTimestamp,
    properties: buf.toString(
      'utf8',
      layout.propertiesOffset,
      layout.propertiesOffset + layout.propertiesLength,
    ),
  };
}

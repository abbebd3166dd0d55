// The CommitLog writer thread: drains encoded records from the append ring, appends them through
// CommitLogWriter (offsets, store time, checksums, tail cache, dispatch), commits each batch with
// one pwrite per segment piece, publishes the wrote position, then posts the batch's offsets to the
// completion ring. Between batches it fdatasyncs ConsumeQueues and the index every
// flushIntervalConsumeQueue and answers index queries. It never fsyncs the CommitLog: the flush
// thread does. A storage fault (ENOSPC, EROFS, EIO) stalls it instead of ending it: the batch stays,
// the fault is published, and the same write is retried until it succeeds (write-stall.ts).

import type { MessagePort } from 'node:worker_threads';
import { receiveMessageOnPort } from 'node:worker_threads';
import { assert } from '../../common/assert.js';
import { systemClock } from '../../common/clock.js';
import { type AppendResult, CommitLogWriter } from '../../engine/commitlog/commit-log-writer.js';
import { TailCache } from '../../engine/commitlog/tail-cache.js';
import type { ConsumeQueue } from '../../engine/consumequeue/consume-queue.js';
import { ConsumeQueueTable } from '../../engine/dispatch/consume-queue-table.js';
import { Dispatcher } from '../../engine/dispatch/dispatcher.js';
import { IndexService } from '../../engine/index/index-service.js';
import { NodeFileIO } from '../../engine/io/node-file-io.js';
import { spaceShortage } from '../../engine/io/space-check.js';
import { SegmentedFile } from '../../engine/mapped/segmented-file.js';
import { WriteStall } from '../../engine/put/write-stall.js';
import { maxRecordBytes } from '../../engine/recovery/store-recovery.js';
import { PositionSlot, StorePositions } from '../../engine/store-positions.js';
import type { WorkerContext } from '../host/worker-side.js';
import { SpscRing } from '../ring/spsc-ring.js';
import {
  COMPLETION_HEADER_BYTES,
  COMPLETION_PAIR_BYTES,
  COMPLETION_RECORD,
  COMPLETIONS_PER_RECORD,
  type IndexQuery,
  type IndexQueryReply,
  QUEUE_ADVANCED_HEADER_BYTES,
  QUEUE_ADVANCED_RECORD,
  RAW_HEADER_BYTES,
  RAW_RECORD,
  type StorageFaultNotice,
  type WriterWorkerData,
} from './store-worker-data.js';

const IDLE_WAIT_MS = 50;
const MAX_RECORDS_PER_DRAIN = 65_536;
// A batch is written once it holds this much: pwrites of a few hundred KiB cost the kernel far
// less per byte than multi-MiB ones, and the main thread hears of completions sooner.
const COMMIT_BATCH_BYTES = 256 * 1024;
/** Thrown inside a ring drain to stop it, leaving the current record in the ring. */
const STALLED = Symbol('stalled');

function openWriterSide(d: WriterWorkerData) {
  const io = new NodeFileIO();
  const o = d.options;
  const commitLog = new SegmentedFile(io, o.storePathCommitLog, o.mappedFileSizeCommitLog);
  commitLog.load();
  const queues = new ConsumeQueueTable(io, o.storePathRootDir, o.mappedFileSizeConsumeQueue);
  for (const q of d.queues) queues.getOrCreate(q.topic, q.queueId).attach(q);
  const index = o.messageIndexEnable
    ? new IndexService(io, {
        rootDir: o.storePathRootDir,
        maxHashSlotNum: o.maxHashSlotNum,
        maxIndexNum: o.maxIndexNum,
        maxMsgsNumBatch: o.maxMsgsNumBatch,
      })
    : undefined;
  index?.load();
  const dispatcher = new Dispatcher(queues, index);
  const tailCache = new TailCache(d.tailCache, d.tailCache.byteLength / 4, d.endOffset);
  const writer = new CommitLogWriter(
    {
      commitLog,
      tailCache,
      dispatcher,
      clock: systemClock,
      maxRecordBytes: maxRecordBytes(o),
    },
    d.endOffset,
  );
  return { io, commitLog, queues, index, dispatcher, writer };
}

class WriterLoop {
  #d: WriterWorkerData;
  #side: ReturnType<typeof openWriterSide>;
  #positions: StorePositions;
  #append: SpscRing;
  #completion: SpscRing;
  #pairs = new Float64Array(2 * COMPLETIONS_PER_RECORD);
  #pairCount = 0;
  #out: AppendResult = { queueOffset: 0, commitLogOffset: 0 };
  #nextLogicsSyncMs: number;
  #minCommitLogOffset = 0;
  #rawInBatch = false;
  #stall: WriteStall;
  /** The batch closes a segment: check free space before the next one is written. */
  #rollInBatch = false;
  #sleeper = new Int32Array(new SharedArrayBuffer(4));

  constructor(d: WriterWorkerData, side: ReturnType<typeof openWriterSide>) {
    this.#d = d;
    this.#side = side;
    this.#positions = new StorePositions(d.positions);
    this.#stall = new WriteStall(this.#positions, (report) => {
      const notice: StorageFaultNotice = { storageFault: report.fault, message: report.message };
      d.queryPort.postMessage(notice);
    });
    this.#append = SpscRing.attach(d.appendRing);
    this.#completion = SpscRing.attach(d.completionRing);
    this.#nextLogicsSyncMs = systemClock.monotonicMs() + d.options.flushIntervalConsumeQueue;
  }

  get stalled(): boolean {
    return this.#stall.stalled;
  }

  /**
   * Drains what the append ring holds now; returns the records appended. A stalled writer appends
   * nothing more: it stops the drain before the next record (which stays in the ring).
   */
  pump(): number {
    const ring = this.#append;
    const writer = this.#side.writer;
    let visited = 0;
    try {
      ring.drain((type, _flags, index, length) => {
        if (this.#stall.stalled) throw STALLED;
        if (type === RAW_RECORD) {
          this.#appendRaw(index, length);
        } else {
          if (!writer.fitsBatch(length) && !this.commit()) throw STALLED;
          if (writer.closeSegmentFor(length)) {
            this.#rollInBatch = true;
            if (!this.commit()) throw STALLED;
          }
          writer.append(ring.buffer, index, length, this.#out);
          this.#addCompletion(this.#out.queueOffset, this.#out.commitLogOffset);
          if (writer.batchBytes >= COMMIT_BATCH_BYTES || this.#pairCount === COMPLETIONS_PER_RECORD)
            this.commit();
        }
        visited++;
      }, MAX_RECORDS_PER_DRAIN);
    } catch (error) {
      if (error !== STALLED) throw error;
    }
    this.commit();
    return visited;
  }

  /** A slave's replicated bytes: [commitLogOffset f64][bytes]; the main thread checked the offset. */
  #appendRaw(index: number, length: number): void {
    const writer = this.#side.writer;
    const bytes = length - RAW_HEADER_BYTES;
    if (!writer.fitsBatch(bytes) && !this.commit()) throw STALLED;
    const offset = this.#append.view.getFloat64(index, true);
    const appended = writer.appendRaw(offset, this.#append.buffer, index + RAW_HEADER_BYTES, bytes);
    assert(appended, 'writer: replicated bytes do not start at the end of the log');
    this.#rawInBatch = true;
  }

  /** The caller commits once the pairs are full (pump), so a stalled commit never drops a pair. */
  #addCompletion(queueOffset: number, commitLogOffset: number): void {
    this.#pairs[2 * this.#pairCount] = queueOffset;
    this.#pairs[2 * this.#pairCount + 1] = commitLogOffset;
    this.#pairCount++;
  }

  /**
   * pwrite the batch, publish wrote, then tell the main thread which records it holds. Returns
   * false when a storage fault stalled the writer: the batch is kept for the next attempt.
   */
  commit(): boolean {
    const writer = this.#side.writer;
    if (writer.batchBytes === 0) return true;
    const advanced = this.#rawInBatch ? new Map<ConsumeQueue, number>() : undefined;
    let end = 0;
    const written = this.#stall.attempt(systemClock.monotonicMs(), () => {
      if (this.#rollInBatch) this.#checkSpace();
      end = writer.commitBatch(
        advanced === undefined ? undefined : (cq) => advanced.set(cq, cq.maxOffset),
      );
    });
    if (!written) return false;
    this.#rollInBatch = false;
    this.#rawInBatch = false;
    this.#positions.set(PositionSlot.WROTE_TIMESTAMP, this.#side.dispatcher.lastStoreTimestamp);
    this.#positions.set(PositionSlot.DISPATCHED, writer.dispatchedPosition);
    this.#positions.set(PositionSlot.WROTE, end);
    if (this.#pairCount > 0) this.#postCompletions();
    if (advanced !== undefined)
      for (const [cq, maxOffset] of advanced) this.#postQueueAdvanced(cq, maxOffset);
    return true;
  }

  /** At a segment roll: refuse to start the next segment on a disk over the full ratio. */
  #checkSpace(): void {
    const shortage = spaceShortage(this.#side.io, this.#d.options.storePathRootDir);
    if (shortage !== undefined) throw shortage;
  }

  /** A stalled writer tries what failed again (its batch, or the logics sync), then drains on. */
  retry(nowMs: number): void {
    if (!this.#stall.retryDue(nowMs)) return;
    const done =
      this.#side.writer.batchBytes > 0
        ? this.commit()
        : this.#stall.attempt(nowMs, () => this.#side.dispatcher.syncLogics());
    if (done) this.pump();
  }

  /** Tells the main thread a queue grew from replicated records (a slave has no put completions). */
  #postQueueAdvanced(cq: ConsumeQueue, maxOffset: number): void {
    const topic = Buffer.from(cq.topic, 'latin1');
    const payloadBytes = QUEUE_ADVANCED_HEADER_BYTES + topic.byteLength;
    const index = this.#reserveCompletion(payloadBytes);
    const view = this.#completion.view;
    view.setUint32(index, cq.queueId, true);
    view.setFloat64(index + 8, maxOffset, true);
    this.#completion.bytes.set(topic, index + QUEUE_ADVANCED_HEADER_BYTES);
    this.#completion.commit(QUEUE_ADVANCED_RECORD);
  }

  #reserveCompletion(payloadBytes: number): number {
    let index = this.#completion.reserve(payloadBytes);
    while (index < 0) {
      assert(
        this.#completion.state === 'OPEN',
        'writer: completion ring closed with puts in flight',
      );
      this.#completion.waitForSpace(payloadBytes, IDLE_WAIT_MS);
      index = this.#completion.reserve(payloadBytes);
    }
    return index;
  }

  #postCompletions(): void {
    const payloadBytes = COMPLETION_HEADER_BYTES + this.#pairCount * COMPLETION_PAIR_BYTES;
    const index = this.#reserveCompletion(payloadBytes);
    const view = this.#completion.view;
    view.setUint32(index, this.#pairCount, true);
    for (let i = 0; i < 2 * this.#pairCount; i++)
      view.setFloat64(index + COMPLETION_HEADER_BYTES + 8 * i, this.#pairs[i] ?? 0, true);
    this.#completion.commit(COMPLETION_RECORD);
    this.#pairCount = 0;
  }

  /** ConsumeQueue and index durability, and index expiry after the main thread deleted segments. */
  maintain(nowMs: number): void {
    const min = this.#positions.get(PositionSlot.MIN_COMMITLOG_OFFSET);
    if (min > this.#minCommitLogOffset) {
      this.#minCommitLogOffset = min;
      this.#side.index?.deleteExpired(min);
    }
    // A stalled writer's retry() retries the logics sync too: a success here must not end the stall.
    if (nowMs < this.#nextLogicsSyncMs || this.#stall.stalled) return;
    this.syncLogics(nowMs);
    this.#nextLogicsSyncMs = nowMs + this.#d.options.flushIntervalConsumeQueue;
  }

  syncLogics(nowMs: number): void {
    const dispatched = this.#positions.get(PositionSlot.DISPATCHED);
    const timestamp = this.#positions.get(PositionSlot.WROTE_TIMESTAMP);
    if (!this.#stall.attempt(nowMs, () => this.#side.dispatcher.syncLogics())) return;
    this.#positions.set(PositionSlot.LOGICS_TIMESTAMP, timestamp);
    this.#positions.set(PositionSlot.LOGICS_DURABLE, dispatched);
  }

  answerQueries(port: MessagePort): void {
    for (
      let received = receiveMessageOnPort(port);
      received !== undefined;
      received = receiveMessageOnPort(port)
    ) {
      const q = received.message as IndexQuery;
      let reply: IndexQueryReply;
      try {
        reply = {
          id: q.id,
          offsets:
            this.#side.index?.query(q.topic, q.key, q.maxNum, q.beginTimestamp, q.endTimestamp) ??
            [],
        };
      } catch (error) {
        reply = { id: q.id, error: error instanceof Error ? error.message : String(error) };
      }
      port.postMessage(reply);
    }
  }

  waitForWork(nowMs: number): void {
    const waitMs = Math.max(1, Math.min(IDLE_WAIT_MS, this.#nextLogicsSyncMs - nowMs));
    // A stalled writer leaves records in the ring: it waits for its retry, not for data.
    if (this.#stall.stalled)
      Atomics.wait(this.#sleeper, 0, 0, Math.min(waitMs, this.#stall.msUntilRetry(nowMs)));
    else this.#append.waitForData(waitMs);
  }

  /** Writes what it can; a batch still failing at close was never acknowledged and is dropped. */
  close(): void {
    while (!this.#stall.stalled && this.pump() > 0);
    if (!this.#stall.stalled) this.syncLogics(systemClock.monotonicMs());
    this.#side.index?.close();
    this.#side.queues.close();
    this.#side.commitLog.close();
  }
}

export async function runWriterLoop(ctx: WorkerContext<WriterWorkerData>): Promise<void> {
  const loop = new WriterLoop(ctx.data, openWriterSide(ctx.data));
  ctx.ready();
  for (;;) {
    const control = ctx.pollControl();
    if (control?.type === 'CLOSE') break;
    loop.answerQueries(ctx.data.queryPort);
    const nowMs = systemClock.monotonicMs();
    if (loop.stalled) loop.retry(nowMs);
    const appended = loop.stalled ? 0 : loop.pump();
    loop.maintain(nowMs);
    if (appended === 0) loop.waitForWork(nowMs);
  }
  loop.close();
  ctx.closed();
}

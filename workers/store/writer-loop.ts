// The CommitLog writer thread: drains encoded records from the append ring, appends them through
// the write path's WriteStage (engine/put/write-path.ts: offsets, store time, checksums, tail cache,
// dispatch, one pwrite per segment piece, the wrote position), then posts the batch's offsets to the
// completion ring. Between batches it fdatasyncs ConsumeQueues and the index every
// flushIntervalConsumeQueue and answers index queries. It never fsyncs the CommitLog: the flush
// thread does. A storage fault (ENOSPC, EROFS, EIO) stalls the WriteStage instead of ending the
// thread: the batch stays, the fault is published, and the same write is retried until it succeeds
// (write-path.ts, write-stall.ts); the records after it wait in the ring.

import type { MessagePort } from 'node:worker_threads';
import { receiveMessageOnPort } from 'node:worker_threads';
import { assert } from '../../common/assert.js';
import { systemClock } from '../../common/clock.js';
import type { AppendResult } from '../../engine/commitlog/commit-log-writer.js';
import { TailCache } from '../../engine/commitlog/tail-cache.js';
import type { ConsumeQueue } from '../../engine/consumequeue/consume-queue.js';
import { ConsumeQueueTable } from '../../engine/dispatch/consume-queue-table.js';
import { Dispatcher } from '../../engine/dispatch/dispatcher.js';
import { IndexService } from '../../engine/index/index-service.js';
import type { FileIO } from '../../engine/io/file-io.js';
import { SegmentedFile } from '../../engine/mapped/segmented-file.js';
import { WriteStage } from '../../engine/put/write-path.js';
import { maxRecordBytes } from '../../engine/recovery/store-recovery.js';
import { StorePositions } from '../../engine/store-positions.js';
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
import { loadWorkerFileIO } from './worker-file-io.js';

const IDLE_WAIT_MS = 50;
const MAX_RECORDS_PER_DRAIN = 65_536;
// A batch is written once it holds this much: pwrites of a few hundred KiB cost the kernel far
// less per byte than multi-MiB ones, and the main thread hears of completions sooner.
const COMMIT_BATCH_BYTES = 256 * 1024;
// While puts stream in (the last drain that found records found at least NAP_MIN_RECORDS), an
// empty drain naps NAP_MS once instead of announcing that the writer waits for data: the main
// thread then pays no futex wake for its next task, and the next drain finds a larger batch. After
// a small drain (one put in flight) or an empty nap the writer waits announced, woken by the next
// put at once, so a lone put is never delayed by a nap and an idle writer does not poll.
const NAP_MIN_RECORDS = 32;
const NAP_MS = 0.1;
// Records this large are pwritten straight from the append ring instead of being copied into the
// tail cache first (readers take them from the file): the copy costs the writer more than a
// pwrite call of its own does.
const DIRECT_WRITE_MIN_BYTES = 8 * 1024;
/** Thrown inside a ring drain to stop it, leaving the current record in the ring. */
const STALLED = Symbol('stalled');

function openWriterSide(d: WriterWorkerData, io: FileIO) {
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
  const tailCache = TailCache.attach(d.tailCache, d.endOffset);
  return { io, commitLog, queues, index, dispatcher, tailCache };
}

class WriterLoop {
  #side: ReturnType<typeof openWriterSide>;
  #stage: WriteStage;
  #append: SpscRing;
  #completion: SpscRing;
  #pairs = new Float64Array(2 * COMPLETIONS_PER_RECORD);
  #pairCount = 0;
  #out: AppendResult = { queueOffset: 0, commitLogOffset: 0 };
  #sleeper = new Int32Array(new SharedArrayBuffer(4));

  constructor(d: WriterWorkerData, side: ReturnType<typeof openWriterSide>) {
    this.#side = side;
    this.#append = SpscRing.attach(d.appendRing);
    this.#completion = SpscRing.attach(d.completionRing);
    this.#stage = new WriteStage(
      {
        commitLog: side.commitLog,
        dispatcher: side.dispatcher,
        index: side.index,
        tailCache: side.tailCache,
        positions: new StorePositions(d.positions),
        clock: systemClock,
        maxRecordBytes: maxRecordBytes(d.options),
        endOffset: d.endOffset,
        logicsIntervalMs: d.options.flushIntervalConsumeQueue,
        onCommitted: (_end, advanced) => this.#committed(advanced),
        space: { io: side.io, rootDir: d.options.storePathRootDir },
        presence: { io: side.io, rootDir: d.options.storePathRootDir },
        onStorageFault: (report) => {
          const notice: StorageFaultNotice = {
            storageFault: report.fault,
            message: report.message,
          };
          d.queryPort.postMessage(notice);
        },
      },
      systemClock.monotonicMs(),
    );
  }

  get stalled(): boolean {
    return this.#stage.stalled;
  }

  /**
   * Drains what the append ring holds now; returns the records appended. A stalled writer appends
   * nothing more: it stops the drain before the next record (which stays in the ring).
   */
  pump(): number {
    const ring = this.#append;
    const stage = this.#stage;
    let visited = 0;
    try {
      ring.drain(
        (type, _flags, index, length) => {
          if (type === RAW_RECORD) {
            this.#appendRaw(index, length);
          } else {
            const direct = length >= DIRECT_WRITE_MIN_BYTES;
            if (!stage.append(ring.buffer, index, length, this.#out, direct)) throw STALLED;
            this.#addCompletion(this.#out.queueOffset, this.#out.commitLogOffset);
            // Committed once the pairs are full, so a stalled commit never drops a pair.
            if (
              stage.batchBytes >= COMMIT_BATCH_BYTES ||
              this.#pairCount === COMPLETIONS_PER_RECORD
            )
              stage.commit();
          }
          visited++;
        },
        MAX_RECORDS_PER_DRAIN,
        // Direct records are written from their ring slots: commit before the ring reuses them.
        () => stage.releaseSources(),
      );
    } catch (error) {
      if (error !== STALLED) throw error;
    }
    stage.commit();
    return visited;
  }

  /** A stalled writer tries what failed again once its backoff is over, then drains on. */
  retry(nowMs: number): void {
    if (this.#stage.retry(nowMs)) this.pump();
  }

  /** A slave's replicated bytes: [commitLogOffset f64][bytes]; the main thread checked the offset. */
  #appendRaw(index: number, length: number): void {
    const offset = this.#append.view.getFloat64(index, true);
    const bytes = length - RAW_HEADER_BYTES;
    const appended = this.#stage.appendRaw(
      offset,
      this.#append.buffer,
      index + RAW_HEADER_BYTES,
      bytes,
    );
    if (!appended && this.#stage.stalled) throw STALLED;
    assert(appended, 'writer: replicated bytes do not start at the end of the log');
  }

  /** The caller commits once the pairs are full (pump). */
  #addCompletion(queueOffset: number, commitLogOffset: number): void {
    assert(this.#pairCount < COMPLETIONS_PER_RECORD, 'writer: completion pairs overflow');
    this.#pairs[2 * this.#pairCount] = queueOffset;
    this.#pairs[2 * this.#pairCount + 1] = commitLogOffset;
    this.#pairCount++;
  }

  /** After a commit published wrote: tell the main thread which records the batch holds. */
  #committed(advanced: ReadonlyMap<ConsumeQueue, number> | undefined): void {
    if (this.#pairCount > 0) this.#postCompletions();
    if (advanced !== undefined)
      for (const [cq, maxOffset] of advanced) this.#postQueueAdvanced(cq, maxOffset);
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
    this.#stage.maintain(nowMs);
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

  /** `streaming`: the last drain that found records found many (then it naps, see NAP_MS). */
  waitForWork(nowMs: number, streaming: boolean): void {
    const waitMs = Math.max(1, Math.min(IDLE_WAIT_MS, this.#stage.nextDueMs - nowMs));
    // A stalled writer leaves records in the ring: it waits for its retry, not for data.
    if (this.#stage.stalled)
      Atomics.wait(this.#sleeper, 0, 0, Math.min(waitMs, this.#stage.msUntilRetry(nowMs)));
    else if (streaming) Atomics.wait(this.#sleeper, 0, 0, NAP_MS);
    else this.#append.waitForData(waitMs);
  }

  /** Writes what it can; a batch still failing at close was never acknowledged and is dropped. */
  close(): void {
    while (!this.#stage.stalled && this.pump() > 0);
    if (!this.#stage.stalled) this.#stage.close();
    this.#side.index?.close();
    this.#side.queues.close();
    this.#side.commitLog.close();
  }
}

export async function runWriterLoop(ctx: WorkerContext<WriterWorkerData>): Promise<void> {
  const io = await loadWorkerFileIO(ctx.data.fileIoModule);
  const loop = new WriterLoop(ctx.data, openWriterSide(ctx.data, io));
  ctx.ready();
  let streaming = false;
  for (;;) {
    const control = ctx.pollControl();
    if (control?.type === 'CLOSE') break;
    loop.answerQueries(ctx.data.queryPort);
    const nowMs = systemClock.monotonicMs();
    if (loop.stalled) loop.retry(nowMs);
    const appended = loop.stalled ? 0 : loop.pump();
    loop.maintain(nowMs);
    if (appended === 0) {
      loop.waitForWork(nowMs, streaming);
      streaming = false;
    } else streaming = appended >= NAP_MIN_RECORDS;
  }
  loop.close();
  ctx.closed();
}

// The CommitLog writer thread: drains encoded records from the append ring, appends them through
// CommitLogWriter (offsets, store time, checksums, tail cache, dispatch), commits each batch with
// one pwrite per segment piece, publishes the wrote position, then posts the batch's offsets to the
// completion ring. Between batches it fdatasyncs ConsumeQueues and the index every
// flushIntervalConsumeQueue and answers index queries. It never fsyncs the CommitLog: the flush
// thread does.

import type { MessagePort } from 'node:worker_threads';
import { receiveMessageOnPort } from 'node:worker_threads';
import { assert } from '../../common/assert.js';
import { systemClock } from '../../common/clock.js';
import { loadBodyHasher } from '../../engine/checksum/body-hasher.js';
import { type AppendResult, CommitLogWriter } from '../../engine/commitlog/commit-log-writer.js';
import { TailCache } from '../../engine/commitlog/tail-cache.js';
import { ConsumeQueueTable } from '../../engine/dispatch/consume-queue-table.js';
import { Dispatcher } from '../../engine/dispatch/dispatcher.js';
import { IndexService } from '../../engine/index/index-service.js';
import { NodeFileIO } from '../../engine/io/node-file-io.js';
import { SegmentedFile } from '../../engine/mapped/segmented-file.js';
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
  type WriterWorkerData,
} from './store-worker-data.js';

const IDLE_WAIT_MS = 50;
const MAX_RECORDS_PER_DRAIN = 65_536;

function openWriterSide(d: WriterWorkerData, hashBody: (body: Uint8Array) => bigint) {
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
    { commitLog, tailCache, dispatcher, clock: systemClock, hashBody },
    d.endOffset,
  );
  return { commitLog, queues, index, dispatcher, writer };
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

  constructor(d: WriterWorkerData, side: ReturnType<typeof openWriterSide>) {
    this.#d = d;
    this.#side = side;
    this.#positions = new StorePositions(d.positions);
    this.#append = SpscRing.attach(d.appendRing);
    this.#completion = SpscRing.attach(d.completionRing);
    this.#nextLogicsSyncMs = systemClock.monotonicMs() + d.options.flushIntervalConsumeQueue;
  }

  /** Drains what the append ring holds now; returns the records appended. */
  pump(): number {
    const ring = this.#append;
    const writer = this.#side.writer;
    const visited = ring.drain((_type, flags, index, length) => {
      if (!writer.fitsBatch(length)) this.commit();
      writer.append(ring.buffer, index, length, flags, this.#out);
      this.#addCompletion(this.#out.queueOffset, this.#out.commitLogOffset);
    }, MAX_RECORDS_PER_DRAIN);
    this.commit();
    return visited;
  }

  #addCompletion(queueOffset: number, commitLogOffset: number): void {
    if (this.#pairCount === COMPLETIONS_PER_RECORD) this.commit();
    this.#pairs[2 * this.#pairCount] = queueOffset;
    this.#pairs[2 * this.#pairCount + 1] = commitLogOffset;
    this.#pairCount++;
  }

  /** pwrite the batch, publish wrote, then tell the main thread which records it holds. */
  commit(): void {
    const writer = this.#side.writer;
    if (writer.batchBytes === 0) return;
    const end = writer.commitBatch();
    this.#positions.set(PositionSlot.WROTE_TIMESTAMP, this.#side.dispatcher.lastStoreTimestamp);
    this.#positions.set(PositionSlot.WROTE, end);
    if (this.#pairCount > 0) this.#postCompletions();
  }

  #postCompletions(): void {
    const payloadBytes = COMPLETION_HEADER_BYTES + this.#pairCount * COMPLETION_PAIR_BYTES;
    let index = this.#completion.reserve(payloadBytes);
    while (index < 0) {
      assert(
        this.#completion.state === 'OPEN',
        'writer: completion ring closed with puts in flight',
      );
      this.#completion.waitForSpace(payloadBytes, IDLE_WAIT_MS);
      index = this.#completion.reserve(payloadBytes);
    }
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
    if (nowMs < this.#nextLogicsSyncMs) return;
    this.syncLogics();
    this.#nextLogicsSyncMs = nowMs + this.#d.options.flushIntervalConsumeQueue;
  }

  syncLogics(): void {
    const wrote = this.#positions.get(PositionSlot.WROTE);
    const timestamp = this.#positions.get(PositionSlot.WROTE_TIMESTAMP);
    this.#side.dispatcher.syncLogics();
    this.#positions.set(PositionSlot.LOGICS_TIMESTAMP, timestamp);
    this.#positions.set(PositionSlot.LOGICS_DURABLE, wrote);
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
    this.#append.waitForData(Math.max(1, Math.min(IDLE_WAIT_MS, this.#nextLogicsSyncMs - nowMs)));
  }

  close(): void {
    while (this.pump() > 0);
    this.syncLogics();
    this.#side.index?.close();
    this.#side.queues.close();
    this.#side.commitLog.close();
  }
}

export async function runWriterLoop(ctx: WorkerContext<WriterWorkerData>): Promise<void> {
  const hasher = await loadBodyHasher();
  const loop = new WriterLoop(ctx.data, openWriterSide(ctx.data, hasher.hash));
  ctx.ready();
  for (;;) {
    const control = ctx.pollControl();
    if (control?.type === 'CLOSE') break;
    loop.answerQueries(ctx.data.queryPort);
    const appended = loop.pump();
    const nowMs = systemClock.monotonicMs();
    loop.maintain(nowMs);
    if (appended === 0) loop.waitForWork(nowMs);
  }
  loop.close();
  ctx.closed();
}

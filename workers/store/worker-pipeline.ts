// The append pipeline behind worker threads (main-thread side). Puts are encoded straight into the
// append ring; the writer thread answers through the completion ring and the shared positions;
// the flush thread publishes the flushed position. The main thread only waits with
// Atomics.waitAsync, and holds a ref on the workers only while puts are in flight, so an idle store
// does not keep its process alive.

import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { ErrorCode, MqError } from '../../common/errors.js';
import { asStorageFault } from '../../engine/io/storage-fault.js';
import type { PipelineContext } from '../../engine/open-store.js';
import type { AppendPipeline, RingOccupancy } from '../../engine/put/append-pipeline.js';
import type { MessageEncoder } from '../../engine/put/message-encoder.js';
import { watchPosition } from '../../engine/put/position-watch.js';
import { maxRecordBytes } from '../../engine/recovery/store-recovery.js';
import { PositionSlot } from '../../engine/store-positions.js';
import { spawnWorker, type WorkerHandle } from '../host/worker-host.js';
import { RECORD_HEADER_BYTES } from '../ring/ring-layout.js';
import { SpscRing } from '../ring/spsc-ring.js';
import {
  APPEND_RECORD,
  COMPLETION_HEADER_BYTES,
  COMPLETION_PAIR_BYTES,
  type FlushWorkerData,
  type IndexQuery,
  type IndexQueryReply,
  QUEUE_ADVANCED_HEADER_BYTES,
  QUEUE_ADVANCED_RECORD,
  type QueueState,
  RAW_HEADER_BYTES,
  RAW_RECORD,
  type StorageFaultNotice,
  type WriterWorkerData,
} from './store-worker-data.js';

const WAIT_SLICE_MS = 100;
const RECORD_OVERHEAD_BYTES = RECORD_HEADER_BYTES + 8;

export async function createWorkerPipeline(context: PipelineContext): Promise<AppendPipeline> {
  const { options, recovered, positions, tailCache } = context;
  const queues: QueueState[] = [...recovered.queues.all()].map((cq) => ({
    topic: cq.topic,
    queueId: cq.queueId,
    maxOffset: cq.maxOffset,
    minOffset: cq.minOffset,
    maxPhysicOffset: cq.maxPhysicOffset,
  }));
  // The workers reopen these files themselves: release the recovery's descriptors.
  recovered.index?.close();
  recovered.queues.close();
  recovered.commitLog.close();
  recovered.checkpoint.close();
  const appendRing = SpscRing.create(options.appendRingBytes);
  // Puts are committed from the event loop: one wake of the writer per task, not per put.
  appendRing.deferWakes();
  const completionRing = SpscRing.create(Math.max(1 << 20, options.appendRingBytes / 8));
  const { port1, port2 } = new MessageChannel();
  const writerData: WriterWorkerData = {
    options: { ...options },
    fileIoModule: context.workerFileIoModule,
    endOffset: recovered.endOffset,
    lastStoreTimestamp: recovered.lastStoreTimestamp,
    queues,
    appendRing: appendRing.sab,
    completionRing: completionRing.sab,
    positions: positions.sab,
    tailCache: tailCache.sab,
    queryPort: port2,
  };
  const readyTimeoutMs = options.workerShutdownTimeoutMs;
  const writer = await spawnWorker({
    entry: new URL('../commitlog-writer-worker.js', import.meta.url),
    workerData: writerData,
    readyTimeoutMs,
    name: 'commitlog-writer',
    transferList: [port2],
  });
  const flushData: FlushWorkerData = {
    options: { ...options },
    fileIoModule: context.workerFileIoModule,
    positions: positions.sab,
  };
  const flusher = await spawnWorker({
    entry: new URL('../flush-worker.js', import.meta.url),
    workerData: flushData,
    readyTimeoutMs,
    name: 'flush',
  }).catch(async (error: unknown) => {
    await writer.close(options.workerShutdownTimeoutMs);
    throw error;
  });
  return new WorkerPipeline(context, {
    appendRing,
    completionRing,
    writer,
    flusher,
    queryPort: port1,
  });
}

interface WorkerParts {
  appendRing: SpscRing;
  completionRing: SpscRing;
  writer: WorkerHandle;
  flusher: WorkerHandle;
  queryPort: MessagePort;
}

class WorkerPipeline implements AppendPipeline {
  #c: PipelineContext;
  #w: WorkerParts;
  #failure: string | undefined;
  #failureCause: Error | undefined;
  #running = true;
  #referenced = true;
  #queries = new Map<
    number,
    { resolve: (offsets: number[]) => void; reject: (error: Error) => void }
  >();
  #nextQueryId = 1;
  #maxRecordBytes: number;
  #loops: Promise<void>[];

  constructor(context: PipelineContext, parts: WorkerParts) {
    this.#c = context;
    this.#w = parts;
    this.#maxRecordBytes = maxRecordBytes(context.options);
    for (const worker of [parts.writer, parts.flusher])
      worker.onExit((error) =>
        this.#fail(`the ${worker.name} thread exited: ${error.message}`, error),
      );
    parts.queryPort.on('message', (reply: IndexQueryReply | StorageFaultNotice) => {
      if ('storageFault' in reply) {
        // Puts the writer completed before it stalled are answered as written, not as refused.
        if (this.#failure === undefined) this.#drainCompletions();
        context.onStorageFault('writer', {
          fault: asStorageFault(reply.storageFault),
          message: reply.message,
        });
      } else this.#onQueryReply(reply);
    });
    parts.queryPort.unref();
    this.#setReferenced(false);
    this.#loops = [this.#completionLoop(), ...this.#watchLoops()];
  }

  ringOccupancy(): RingOccupancy[] {
    const occupancy = (name: string, ring: SpscRing): RingOccupancy => ({
      ring: name,
      usedBytes: ring.capacityBytes - ring.freeBytes(),
      capacityBytes: ring.capacityBytes,
    });
    return [
      occupancy('append', this.#w.appendRing),
      occupancy('completion', this.#w.completionRing),
    ];
  }

  get failure(): string | undefined {
    return this.#failure;
  }

  /** Why queries fail from now on: E_WORKER_EXITED (with the thread's own error as its cause). */
  #failureError(): MqError {
    return new MqError(
      ErrorCode.WORKER_EXITED,
      `The store stopped: ${this.#failure}`,
      {},
      {
        cause: this.#failureCause,
      },
    );
  }

  #fail(reason: string, cause?: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = reason;
    this.#failureCause = cause;
    this.#c.positions.set(PositionSlot.FAILED, 1);
    this.#c.tracker.failAll('UNKNOWN_ERROR', reason);
    for (const q of this.#queries.values()) q.reject(this.#failureError());
    this.#queries.clear();
    this.#setReferenced(false);
  }

  #setReferenced(referenced: boolean): void {
    if (referenced === this.#referenced) return;
    this.#referenced = referenced;
    for (const worker of [this.#w.writer, this.#w.flusher]) {
      if (referenced) worker.ref();
      else worker.unref();
    }
  }

  hasRoom(count: number, bytes: number): boolean {
    if (this.#failure !== undefined || !this.#running) return false;
    // One record's worth of slack: a reservation that would cross the ring's end wastes the rest.
    return (
      this.#w.appendRing.freeBytes() >= bytes + count * RECORD_OVERHEAD_BYTES + this.#maxRecordBytes
    );
  }

  submit(encoder: MessageEncoder, length: number): boolean {
    const ring = this.#w.appendRing;
    const index = ring.reserve(length);
    if (index < 0) return false;
    encoder.encodeTo(ring.buffer, index);
    ring.commit(APPEND_RECORD, 0, length);
    this.#setReferenced(true);
    return true;
  }

  submitRaw(commitLogOffset: number, parts: readonly Buffer[]): boolean {
    const ring = this.#w.appendRing;
    if (this.#failure !== undefined || !this.#running) return false;
    let bytes = 0;
    for (const part of parts) bytes += part.byteLength;
    const index = ring.reserve(RAW_HEADER_BYTES + bytes);
    if (index < 0) return false;
    ring.view.setFloat64(index, commitLogOffset, true);
    let at = index + RAW_HEADER_BYTES;
    for (const part of parts) {
      ring.buffer.set(part, at);
      at += part.byteLength;
    }
    ring.commit(RAW_RECORD, 0, RAW_HEADER_BYTES + bytes);
    return true;
  }

  /** Applies the writer's completions: offsets for each put, then what the wrote position covers. */
  #drainCompletions(): void {
    const { tracker, positions } = this.#c;
    const ring = this.#w.completionRing;
    ring.drain((type, _flags, index, length) => {
      if (type === QUEUE_ADVANCED_RECORD) {
        const topic = ring.buffer.toString(
          'latin1',
          index + QUEUE_ADVANCED_HEADER_BYTES,
          index + length,
        );
        this.#c.onReplicaDispatched(
          topic,
          ring.view.getUint32(index, true),
          ring.view.getFloat64(index + 8, true),
        );
        return;
      }
      const count = ring.view.getUint32(index, true);
      for (let i = 0; i < count; i++) {
        const at = index + COMPLETION_HEADER_BYTES + i * COMPLETION_PAIR_BYTES;
        tracker.appended(ring.view.getFloat64(at, true), ring.view.getFloat64(at + 8, true));
      }
    });
    tracker.wroteTo(positions.get(PositionSlot.WROTE));
    this.#settle();
  }

  #settle(): void {
    const { tracker, positions, clock } = this.#c;
    tracker.flushedTo(positions.get(PositionSlot.FLUSHED));
    tracker.replicatedTo(positions.get(PositionSlot.SLAVE_ACKED));
    tracker.expire(clock.monotonicMs());
    if (tracker.size === 0) this.#setReferenced(false);
  }

  async #completionLoop(): Promise<void> {
    while (this.#running && this.#failure === undefined) {
      this.#drainCompletions();
      await this.#w.completionRing.waitForDataAsync(WAIT_SLICE_MS);
    }
  }

  #watchLoops(): Promise<void>[] {
    const { positions, options } = this.#c;
    const running = () => this.#running && this.#failure === undefined;
    const settle = () => this.#settle();
    const loops: Promise<void>[] = [];
    if (options.flushDiskType === 'SYNC_FLUSH')
      loops.push(watchPosition(positions, PositionSlot.FLUSHED, WAIT_SLICE_MS, running, settle));
    if (options.brokerRole === 'SYNC_MASTER')
      loops.push(
        watchPosition(positions, PositionSlot.SLAVE_ACKED, WAIT_SLICE_MS, running, settle),
      );
    return loops;
  }

  queryIndex(
    topic: string,
    key: string,
    maxNum: number,
    beginTimestamp: number,
    endTimestamp: number,
  ): Promise<number[]> {
    if (this.#failure !== undefined) return Promise.reject(this.#failureError());
    const query: IndexQuery = {
      id: this.#nextQueryId++,
      topic,
      key,
      maxNum,
      beginTimestamp,
      endTimestamp,
    };
    return new Promise((resolve, reject) => {
      this.#queries.set(query.id, { resolve, reject });
      this.#w.queryPort.ref();
      this.#w.queryPort.postMessage(query);
    });
  }

  #onQueryReply(reply: IndexQueryReply): void {
    const pending = this.#queries.get(reply.id);
    this.#queries.delete(reply.id);
    if (this.#queries.size === 0) this.#w.queryPort.unref();
    if (pending === undefined) return;
    if ('error' in reply)
      pending.reject(new MqError(ErrorCode.IO_ERROR, `Index query failed: ${reply.error}`));
    else pending.resolve(reply.offsets);
  }

  async close(): Promise<void> {
    const { options, positions } = this.#c;
    // The store waited for puts in flight; hold the process until the threads have closed.
    this.#setReferenced(true);
    this.#running = false;
    this.#w.appendRing.close();
    const writerClosed = await this.#w.writer.close(options.workerShutdownTimeoutMs);
    positions.set(PositionSlot.FLUSH_WAKE, positions.get(PositionSlot.FLUSH_WAKE) + 1);
    const flusherClosed = await this.#w.flusher.close(options.workerShutdownTimeoutMs);
    // The loops wait with Atomics.waitAsync, which holds no handle: wake them so they see the end.
    this.#w.completionRing.close();
    positions.wake(PositionSlot.FLUSHED);
    positions.wake(PositionSlot.SLAVE_ACKED);
    this.#w.queryPort.close();
    await Promise.all(this.#loops);
    if (writerClosed.outcome !== 'CLOSED' || flusherClosed.outcome !== 'CLOSED') {
      this.#fail(
        `a store thread did not close cleanly (writer ${writerClosed.outcome}, flush ${flusherClosed.outcome})`,
      );
    }
  }
}

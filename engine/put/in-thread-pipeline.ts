// The append pipeline with no worker threads (`threads: false`): the same writer, dispatcher and
// flusher classes, driven from the event loop. Puts submitted in one turn of the loop share one
// commit (one pwrite, and one fdatasync under SYNC_FLUSH), scheduled with setImmediate.
// Storage faults are handled as on the worker threads: a failed write stalls and is retried
// (write-stall.ts); a failed fdatasync latches the flusher fault and flushing stops.

import type { Clock } from '../../common/clock.js';
import { type AppendResult, CommitLogWriter } from '../commitlog/commit-log-writer.js';
import type { TailCache } from '../commitlog/tail-cache.js';
import type { ConsumeQueue } from '../consumequeue/consume-queue.js';
import { CommitLogFlusher } from '../flush/commit-log-flusher.js';
import { FlushPolicy } from '../flush/flush-policy.js';
import type { FileIO } from '../io/file-io.js';
import { spaceShortage } from '../io/space-check.js';
import { type StorageFault, storageFaultOf } from '../io/storage-fault.js';
import type { StoreOptions } from '../options.js';
import type { RecoveredStore } from '../recovery/store-recovery.js';
import { PositionSlot, type StorePositions } from '../store-positions.js';
import type { AppendPipeline } from './append-pipeline.js';
import type { MessageEncoder } from './message-encoder.js';
import { watchPosition } from './position-watch.js';
import type { PutTracker } from './put-tracker.js';
import { type StallReport, WriteStall } from './write-stall.js';

export interface InThreadPipelineDeps {
  io: FileIO;
  recovered: RecoveredStore;
  options: StoreOptions;
  tailCache: TailCache;
  positions: StorePositions;
  tracker: PutTracker;
  clock: Clock;
  scratchBytes: number;
  onReplicaDispatched: (topic: string, queueId: number, maxOffset: number) => void;
  /** A storage fault (or the recovery from one) of the writer or the flusher. */
  onStorageFault: (source: 'writer' | 'flusher', report: StallReport) => void;
}

export class InThreadPipeline implements AppendPipeline {
  #d: InThreadPipelineDeps;
  #writer: CommitLogWriter;
  #flusher: CommitLogFlusher;
  #policy: FlushPolicy;
  #scratch: Buffer;
  #out: AppendResult = { queueOffset: 0, commitLogOffset: 0 };
  #commitScheduled = false;
  #timers: NodeJS.Timeout[] = [];
  #failure: string | undefined;
  #rawInBatch = false;
  #running = true;
  #replicaLoop: Promise<void> | undefined;
  #stall: WriteStall;
  #retryTimer: NodeJS.Timeout | undefined;
  #rollInBatch = false;
  #flushFailed = false;

  constructor(deps: InThreadPipelineDeps) {
    this.#d = deps;
    const { recovered, options, clock } = deps;
    this.#writer = new CommitLogWriter(
      {
        commitLog: recovered.commitLog,
        tailCache: deps.tailCache,
        dispatcher: recovered.dispatcher,
        clock,
        maxRecordBytes: deps.scratchBytes,
      },
      recovered.endOffset,
    );
    this.#flusher = new CommitLogFlusher(recovered.commitLog, recovered.checkpoint, deps.positions);
    this.#policy = new FlushPolicy(options, clock.monotonicMs());
    this.#scratch = Buffer.allocUnsafe(deps.scratchBytes);
    this.#stall = new WriteStall(deps.positions, (report) => deps.onStorageFault('writer', report));
    this.#every(options.flushIntervalCommitLog, () => this.#asyncFlushRound());
    this.#every(options.flushIntervalConsumeQueue, () => this.#syncLogics());
    if (options.brokerRole === 'SYNC_MASTER') {
      const { positions, tracker } = deps;
      const settle = () => {
        tracker.replicatedTo(positions.get(PositionSlot.SLAVE_ACKED));
        tracker.expire(clock.monotonicMs());
      };
      this.#replicaLoop = watchPosition(
        positions,
        PositionSlot.SLAVE_ACKED,
        100,
        () => this.#running,
        settle,
      );
    }
  }

  get failure(): string | undefined {
    return this.#failure;
  }

  #every(intervalMs: number, run: () => void): void {
    const timer = setInterval(() => this.#guard(run), intervalMs);
    timer.unref();
    this.#timers.push(timer);
  }

  #guard(run: () => void): void {
    if (this.#failure !== undefined) return;
    try {
      run();
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    this.#failure = `the store stopped writing after an I/O error: ${error instanceof Error ? error.message : String(error)}`;
    this.#d.positions.set(PositionSlot.FAILED, 1);
    this.#d.tracker.failAll('UNKNOWN_ERROR', this.#failure);
  }

  hasRoom(): boolean {
    return this.#failure === undefined && !this.#stall.stalled;
  }

  submit(encoder: MessageEncoder, length: number): boolean {
    if (!this.#writer.fitsBatch(length)) this.#commitOrStall();
    if (!this.#stall.stalled && this.#writer.closeSegmentFor(length)) {
      this.#rollInBatch = true;
      this.#commitOrStall();
    }
    if (this.#failure !== undefined || this.#stall.stalled) return false;
    const written = encoder.encodeTo(this.#scratch, 0);
    this.#writer.append(this.#scratch, 0, written, this.#out);
    this.#d.tracker.appended(this.#out.queueOffset, this.#out.commitLogOffset);
    this.#scheduleCommit();
    return true;
  }

  submitRaw(commitLogOffset: number, bytes: Buffer): boolean {
    if (this.#failure !== undefined || this.#stall.stalled) return false;
    if (!this.#writer.fitsBatch(bytes.byteLength)) this.#commitOrStall();
    if (this.#stall.stalled) return false;
    if (!this.#writer.appendRaw(commitLogOffset, bytes, 0, bytes.byteLength)) return false;
    this.#rawInBatch = true;
    this.#scheduleCommit();
    return true;
  }

  #scheduleCommit(): void {
    if (this.#commitScheduled) return;
    this.#commitScheduled = true;
    setImmediate(() => {
      this.#commitScheduled = false;
      if (!this.#stall.stalled) this.#commitOrStall();
    });
  }

  /** Commits now; a storage fault stalls the pipeline and schedules the retry. */
  #commitOrStall(): void {
    this.#guard(() => {
      if (this.#stall.attempt(this.#d.clock.monotonicMs(), () => this.#commit())) return;
      if (this.#retryTimer !== undefined || !this.#running) return;
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#commitOrStall();
      }, this.#stall.msUntilRetry(this.#d.clock.monotonicMs()));
    });
  }

  #commit(): void {
    if (this.#writer.batchBytes === 0) {
      this.#syncFlush();
      return;
    }
    if (this.#rollInBatch) {
      const shortage = spaceShortage(this.#d.io, this.#d.options.storePathRootDir);
      if (shortage !== undefined) throw shortage;
    }
    const advanced = this.#rawInBatch ? new Map<ConsumeQueue, number>() : undefined;
    const end = this.#writer.commitBatch(
      advanced === undefined ? undefined : (cq) => advanced.set(cq, cq.maxOffset),
    );
    this.#rawInBatch = false;
    this.#rollInBatch = false;
    const { positions, tracker } = this.#d;
    positions.set(PositionSlot.DISPATCHED, this.#writer.dispatchedPosition);
    if (advanced !== undefined)
      for (const [cq, max] of advanced) this.#d.onReplicaDispatched(cq.topic, cq.queueId, max);
    positions.set(PositionSlot.WROTE_TIMESTAMP, this.#d.recovered.dispatcher.lastStoreTimestamp);
    positions.set(PositionSlot.WROTE, end);
    tracker.wroteTo(end);
    this.#syncFlush();
  }

  #syncFlush(): void {
    if (this.#policy.isSync) this.#flushTo(this.#d.positions.get(PositionSlot.WROTE));
  }

  /** fdatasync; a failure latches (see flush-loop.ts for why it is not retried). */
  #flushTo(target: number): void {
    if (this.#flushFailed) return;
    try {
      this.#flusher.flushTo(target);
    } catch (error) {
      const fault = storageFaultOf(error);
      if (fault === undefined) throw error;
      this.#flushFailed = true;
      this.#d.positions.set(PositionSlot.FLUSHER_FAULT, fault);
      this.#d.onStorageFault('flusher', {
        fault: fault as StorageFault,
        message: (error as Error).message,
      });
      // Nothing will flush again: end every flush wait now (FLUSH_DISK_TIMEOUT), not at a deadline
      // no timer of this pipeline would reach.
      this.#d.tracker.expire(Number.POSITIVE_INFINITY);
      return;
    }
    this.#d.tracker.flushedTo(target);
  }

  #asyncFlushRound(): void {
    const wrote = this.#d.positions.get(PositionSlot.WROTE);
    if (this.#policy.shouldFlush(wrote, this.#flusher.flushed, this.#d.clock.monotonicMs()))
      this.#flushTo(wrote);
  }

  #syncLogics(): void {
    const { positions, recovered, clock } = this.#d;
    const dispatched = positions.get(PositionSlot.DISPATCHED);
    // A stalled pipeline's retry covers the logics: a success here must not end the stall.
    if (this.#stall.stalled) return;
    if (!this.#stall.attempt(clock.monotonicMs(), () => recovered.dispatcher.syncLogics())) return;
    positions.set(PositionSlot.LOGICS_TIMESTAMP, positions.get(PositionSlot.WROTE_TIMESTAMP));
    positions.set(PositionSlot.LOGICS_DURABLE, dispatched);
    if (this.#flushFailed) return;
    try {
      this.#flusher.saveCheckpoint();
    } catch (error) {
      // An old checkpoint is safe (recovery scans further); the next round writes it again.
      if (storageFaultOf(error) === undefined) throw error;
    }
  }

  async queryIndex(
    topic: string,
    key: string,
    maxNum: number,
    beginTimestamp: number,
    endTimestamp: number,
  ): Promise<number[]> {
    return this.#d.recovered.index?.query(topic, key, maxNum, beginTimestamp, endTimestamp) ?? [];
  }

  /** Writes, flushes and checkpoints what it can; a batch a fault still blocks is dropped (never acknowledged). */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#running = false;
    this.#d.positions.wake(PositionSlot.SLAVE_ACKED);
    await this.#replicaLoop;
    if (this.#failure !== undefined) return;
    this.#commitOrStall();
    if (this.#stall.stalled) return;
    this.#flushTo(this.#d.positions.get(PositionSlot.WROTE));
    this.#guard(() => this.#syncLogics());
  }
}

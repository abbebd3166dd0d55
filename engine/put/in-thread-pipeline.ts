// The append pipeline with no worker threads (`threads: false`): the write path (write-path.ts)
// driven from the event loop. Puts submitted in one turn of the loop share one commit (one pwrite,
// and one fdatasync under SYNC_FLUSH), scheduled with setImmediate; timers run the ASYNC_FLUSH
// rounds and the ConsumeQueue/index sync followed by the checkpoint. Storage faults are handled in
// the write path as on the worker threads; this host only schedules a stalled writer's retry.

import { assert } from '../../common/assert.js';
import type { Clock } from '../../common/clock.js';
import type { AppendResult } from '../commitlog/commit-log-writer.js';
import type { TailCache } from '../commitlog/tail-cache.js';
import type { ConsumeQueue } from '../consumequeue/consume-queue.js';
import type { FileIO } from '../io/file-io.js';
import type { StoreOptions } from '../options.js';
import type { RecoveredStore } from '../recovery/store-recovery.js';
import { PositionSlot, type StorePositions } from '../store-positions.js';
import type { AppendPipeline } from './append-pipeline.js';
import type { MessageEncoder } from './message-encoder.js';
import { watchPosition } from './position-watch.js';
import type { PutTracker } from './put-tracker.js';
import { FlushStage, WriteStage } from './write-path.js';
import type { StallReport } from './write-stall.js';

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
  #write: WriteStage;
  #flush: FlushStage;
  #scratch: Buffer;
  #out: AppendResult = { queueOffset: 0, commitLogOffset: 0 };
  #commitScheduled = false;
  #timers: NodeJS.Timeout[] = [];
  #failure: string | undefined;
  #running = true;
  #replicaLoop: Promise<void> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(deps: InThreadPipelineDeps) {
    this.#d = deps;
    const { recovered, options, clock, positions, tracker } = deps;
    const nowMs = clock.monotonicMs();
    this.#write = new WriteStage(
      {
        commitLog: recovered.commitLog,
        dispatcher: recovered.dispatcher,
        index: recovered.index,
        tailCache: deps.tailCache,
        positions,
        clock,
        maxRecordBytes: deps.scratchBytes,
        endOffset: recovered.endOffset,
        logicsIntervalMs: options.flushIntervalConsumeQueue,
        onCommitted: (end, advanced) => this.#committed(end, advanced),
        space: { io: deps.io, rootDir: options.storePathRootDir },
        presence: { io: deps.io, rootDir: options.storePathRootDir },
        onStorageFault: (report) => deps.onStorageFault('writer', report),
      },
      nowMs,
    );
    this.#flush = new FlushStage(
      {
        commitLog: recovered.commitLog,
        checkpoint: recovered.checkpoint,
        positions,
        policy: options,
        checkpointIntervalMs: options.flushIntervalConsumeQueue,
        presence: { io: deps.io, rootDir: options.storePathRootDir },
        onFlushFault: (report) => {
          deps.onStorageFault('flusher', report);
          // Nothing will flush again: end every flush wait now (FLUSH_DISK_TIMEOUT), not at a
          // deadline no timer of this pipeline would reach.
          tracker.expire(Number.POSITIVE_INFINITY);
        },
      },
      nowMs,
    );
    this.#scratch = Buffer.allocUnsafe(deps.scratchBytes);
    this.#every(options.flushIntervalCommitLog, () => this.#asyncFlushRound());
    this.#every(options.flushIntervalConsumeQueue, () => this.#maintain());
    if (options.brokerRole === 'SYNC_MASTER') {
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
    return this.#failure === undefined && !this.#write.stalled;
  }

  /** False (the put is not taken) while a storage fault stalls the writer. */
  submit(encoder: MessageEncoder, length: number): boolean {
    if (this.#failure !== undefined) return true;
    if (this.#write.stalled) return false;
    const written = encoder.encodeTo(this.#scratch, 0);
    let appended = false;
    this.#guard(() => {
      appended = this.#write.append(this.#scratch, 0, written, this.#out);
    });
    if (this.#failure !== undefined) return true;
    if (!appended) {
      this.#scheduleRetry();
      return false;
    }
    assert(written === length, 'in-thread: the encoder wrote another length than it prepared');
    this.#d.tracker.appended(this.#out.queueOffset, this.#out.commitLogOffset);
    this.#scheduleCommit();
    return true;
  }

  submitRaw(commitLogOffset: number, parts: readonly Buffer[]): boolean {
    if (this.#failure !== undefined) return false;
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    let appended = false;
    this.#guard(() => {
      appended = this.#write.appendRaw(commitLogOffset, bytes, 0, bytes.byteLength);
    });
    if (!appended) {
      if (this.#write.stalled) this.#scheduleRetry();
      return false;
    }
    this.#scheduleCommit();
    return true;
  }

  #scheduleCommit(): void {
    if (this.#commitScheduled) return;
    this.#commitScheduled = true;
    setImmediate(() => {
      this.#commitScheduled = false;
      if (this.#write.stalled) return;
      this.#guard(() => {
        if (!this.#write.commit()) this.#scheduleRetry();
      });
    });
  }

  /** A stalled writer retries after its backoff, until a write succeeds. */
  #scheduleRetry(): void {
    if (this.#retryTimer !== undefined || !this.#running) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#guard(() => {
        if (!this.#write.retry(this.#d.clock.monotonicMs())) this.#scheduleRetry();
      });
    }, this.#write.msUntilRetry(this.#d.clock.monotonicMs()));
  }

  /** After a commit: puts become visible; under SYNC_FLUSH the same turn fdatasyncs (group commit). */
  #committed(end: number, advanced: ReadonlyMap<ConsumeQueue, number> | undefined): void {
    if (advanced !== undefined)
      for (const [cq, max] of advanced) this.#d.onReplicaDispatched(cq.topic, cq.queueId, max);
    const { tracker } = this.#d;
    tracker.wroteTo(end);
    if (this.#flush.policy.isSync) {
      this.#flush.flushTo(end);
      tracker.flushedTo(this.#flush.flushed);
    }
  }

  #asyncFlushRound(): void {
    this.#flush.flushIfDue(this.#d.clock.monotonicMs());
    this.#d.tracker.flushedTo(this.#flush.flushed);
  }

  /** ConsumeQueue/index durability and index expiry, then the checkpoint that relies on them. */
  #maintain(): void {
    const nowMs = this.#d.clock.monotonicMs();
    this.#write.maintain(nowMs);
    if (this.#write.stalled) this.#scheduleRetry();
    this.#flush.checkpointIfDue(nowMs);
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
    let written = false;
    this.#guard(() => {
      written = this.#write.close();
    });
    if (!written) return;
    this.#guard(() => this.#flush.close());
    this.#d.tracker.flushedTo(this.#flush.flushed);
  }
}

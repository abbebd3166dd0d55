// The append pipeline with no worker threads (`threads: false`): the same writer, dispatcher and
// flusher classes, driven from the event loop. Puts submitted in one turn of the loop share one
// commit (one pwrite, and one fdatasync under SYNC_FLUSH), scheduled with setImmediate.

import type { Clock } from '../../common/clock.js';
import { type AppendResult, CommitLogWriter } from '../commitlog/commit-log-writer.js';
import type { TailCache } from '../commitlog/tail-cache.js';
import type { ConsumeQueue } from '../consumequeue/consume-queue.js';
import { CommitLogFlusher } from '../flush/commit-log-flusher.js';
import { FlushPolicy } from '../flush/flush-policy.js';
import type { StoreOptions } from '../options.js';
import type { RecoveredStore } from '../recovery/store-recovery.js';
import { PositionSlot, type StorePositions } from '../store-positions.js';
import type { AppendPipeline } from './append-pipeline.js';
import type { MessageEncoder } from './message-encoder.js';
import { watchPosition } from './position-watch.js';
import type { PutTracker } from './put-tracker.js';

export interface InThreadPipelineDeps {
  recovered: RecoveredStore;
  options: StoreOptions;
  tailCache: TailCache;
  positions: StorePositions;
  tracker: PutTracker;
  clock: Clock;
  scratchBytes: number;
  onReplicaDispatched: (topic: string, queueId: number, maxOffset: number) => void;
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
    return this.#failure === undefined;
  }

  submit(encoder: MessageEncoder, length: number): boolean {
    if (!this.#writer.fitsBatch(length)) this.#guard(() => this.#commit());
    if (this.#writer.closeSegmentFor(length)) this.#guard(() => this.#commit());
    if (this.#failure !== undefined) return true;
    const written = encoder.encodeTo(this.#scratch, 0);
    this.#writer.append(this.#scratch, 0, written, this.#out);
    this.#d.tracker.appended(this.#out.queueOffset, this.#out.commitLogOffset);
    this.#scheduleCommit();
    return true;
  }

  submitRaw(commitLogOffset: number, bytes: Buffer): boolean {
    if (this.#failure !== undefined) return false;
    if (!this.#writer.fitsBatch(bytes.byteLength)) this.#guard(() => this.#commit());
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
      this.#guard(() => this.#commit());
    });
  }

  #commit(): void {
    if (this.#writer.batchBytes === 0) return;
    const advanced = this.#rawInBatch ? new Map<ConsumeQueue, number>() : undefined;
    this.#rawInBatch = false;
    const end = this.#writer.commitBatch(
      advanced === undefined ? undefined : (cq) => advanced.set(cq, cq.maxOffset),
    );
    const { positions, tracker } = this.#d;
    positions.set(PositionSlot.DISPATCHED, this.#writer.dispatchedPosition);
    if (advanced !== undefined)
      for (const [cq, max] of advanced) this.#d.onReplicaDispatched(cq.topic, cq.queueId, max);
    positions.set(PositionSlot.WROTE_TIMESTAMP, this.#d.recovered.dispatcher.lastStoreTimestamp);
    positions.set(PositionSlot.WROTE, end);
    tracker.wroteTo(end);
    if (this.#policy.isSync) {
      this.#flusher.flushTo(end);
      tracker.flushedTo(end);
    }
  }

  #asyncFlushRound(): void {
    const wrote = this.#d.positions.get(PositionSlot.WROTE);
    if (this.#policy.shouldFlush(wrote, this.#flusher.flushed, this.#d.clock.monotonicMs())) {
      this.#flusher.flushTo(wrote);
      this.#d.tracker.flushedTo(wrote);
    }
  }

  #syncLogics(): void {
    const { positions, recovered } = this.#d;
    const dispatched = positions.get(PositionSlot.DISPATCHED);
    recovered.dispatcher.syncLogics();
    positions.set(PositionSlot.LOGICS_TIMESTAMP, positions.get(PositionSlot.WROTE_TIMESTAMP));
    positions.set(PositionSlot.LOGICS_DURABLE, dispatched);
    this.#flusher.saveCheckpoint();
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

  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#running = false;
    this.#d.positions.wake(PositionSlot.SLAVE_ACKED);
    await this.#replicaLoop;
    if (this.#failure !== undefined) return;
    this.#commit();
    const wrote = this.#d.positions.get(PositionSlot.WROTE);
    this.#flusher.flushTo(wrote);
    this.#d.tracker.flushedTo(wrote);
    this.#syncLogics();
  }
}

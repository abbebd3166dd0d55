// The store's write path, one copy for every host: append -> commit (pwrite, dispatch) -> publish
// "wrote" -> fdatasync -> publish "flushed" -> checkpoint. It has no threads, timers or I/O of its
// own: files come in through the SegmentedFile / ConsumeQueue / index objects (built on an
// injected FileIO) and time through `nowMs` arguments. Three hosts drive it:
// - in-thread (`threads: false`, in-thread-pipeline.ts): both stages on the event loop;
// - workers (workers/store/writer-loop.ts, flush-loop.ts): WriteStage on the writer thread and
//   FlushStage on the flush thread, which only move bytes through rings and wake each other;
// - the power-loss simulation (test/sim/store-sim), which crashes it at any file operation.
//
// Ordering it guarantees (and asserts): `wrote` covers only bytes handed to the page cache;
// `flushed` covers only bytes a completed fdatasync made durable; the checkpoint only claims
// offsets below `flushed` and below the fdatasync'ed ConsumeQueue/index position.

import { assert } from '../../common/assert.js';
import type { Clock } from '../../common/clock.js';
import type { StoreCheckpoint } from '../checkpoint/store-checkpoint.js';
import { type AppendResult, CommitLogWriter } from '../commitlog/commit-log-writer.js';
import type { TailCache } from '../commitlog/tail-cache.js';
import type { ConsumeQueue } from '../consumequeue/consume-queue.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import { CommitLogFlusher } from '../flush/commit-log-flusher.js';
import { FlushPolicy, type FlushPolicyOptions } from '../flush/flush-policy.js';
import type { IndexService } from '../index/index-service.js';
import type { SegmentedFile } from '../mapped/segmented-file.js';
import { PositionSlot, type StorePositions } from '../store-positions.js';

/**
 * Deliberate durability bugs, for tests only. `ackBeforeSync` publishes `flushed` (acknowledging
 * SYNC_FLUSH puts) before the fdatasync, which runs one round later; `skipLogicsSync` publishes
 * ConsumeQueues and index as durable (so the checkpoint vouches for them) without their fdatasync;
 * the power-loss simulation must catch both. `skipCheckpointSync` writes the checkpoint without its
 * fdatasync, which must stay harmless: a checkpoint only ever understates what is durable.
 */
export interface WritePathCanaries {
  ackBeforeSync?: boolean;
  skipLogicsSync?: boolean;
  skipCheckpointSync?: boolean;
}

export interface WriteStageDeps {
  commitLog: SegmentedFile;
  dispatcher: Dispatcher;
  index: IndexService | undefined;
  tailCache: TailCache;
  positions: StorePositions;
  clock: Clock;
  maxRecordBytes: number;
  /** Where the log ends (recovery's end offset). */
  endOffset: number;
  /** How often ConsumeQueues and the index are fdatasync'ed (flushIntervalConsumeQueue). */
  logicsIntervalMs: number;
  /**
   * Called after each commit, once `wrote` is published: the host tells its puts (in-thread) or
   * the main thread (completion ring). `advanced` lists the queues replicated records grew.
   */
  onCommitted: (end: number, advanced: ReadonlyMap<ConsumeQueue, number> | undefined) => void;
  canaries?: WritePathCanaries;
}

/** The writer's half: append, commit, publish wrote; ConsumeQueue/index durability and expiry. */
export class WriteStage {
  readonly writer: CommitLogWriter;
  #d: WriteStageDeps;
  #rawInBatch = false;
  #minCommitLogOffset = 0;
  #nextLogicsSyncMs: number;

  constructor(deps: WriteStageDeps, nowMs: number) {
    this.#d = deps;
    this.writer = new CommitLogWriter(
      {
        commitLog: deps.commitLog,
        tailCache: deps.tailCache,
        dispatcher: deps.dispatcher,
        clock: deps.clock,
        maxRecordBytes: deps.maxRecordBytes,
      },
      deps.endOffset,
    );
    this.#nextLogicsSyncMs = nowMs + deps.logicsIntervalMs;
    // Paired with recovery (initialPositions): the log this stage continues ends where it starts.
    assert(
      deps.positions.get(PositionSlot.WROTE) === deps.endOffset,
      'write path: the published wrote position is not where the recovered log ends',
    );
  }

  get batchBytes(): number {
    return this.writer.batchBytes;
  }

  /** When maintain() next has work (the host sleeps no longer than this). */
  get nextDueMs(): number {
    return this.#nextLogicsSyncMs;
  }

  /**
   * Appends one encoded record src[pos .. pos + length) (patched in place), committing first when
   * the batch is full or the record needs a new segment. Its offsets come back through `out`.
   */
  append(src: Buffer, pos: number, length: number, out: AppendResult): void {
    if (!this.writer.fitsBatch(length)) this.commit();
    if (this.writer.closeSegmentFor(length)) this.commit();
    this.writer.append(src, pos, length, out);
  }

  /** A slave's replicated bytes; false (nothing appended) when they do not continue the log. */
  appendRaw(commitLogOffset: number, src: Buffer, pos: number, length: number): boolean {
    if (!this.writer.fitsBatch(length)) this.commit();
    if (!this.writer.appendRaw(commitLogOffset, src, pos, length)) return false;
    this.#rawInBatch = true;
    return true;
  }

  /** pwrites the batch and its ConsumeQueue units, then publishes dispatched, its time and wrote. */
  commit(): void {
    const writer = this.writer;
    if (writer.batchBytes === 0) return;
    const p = this.#d.positions;
    const before = p.get(PositionSlot.WROTE);
    const advanced = this.#rawInBatch ? new Map<ConsumeQueue, number>() : undefined;
    const end = writer.commitBatch(
      advanced === undefined ? undefined : (cq) => advanced.set(cq, cq.maxOffset),
    );
    this.#rawInBatch = false;
    assert(end > before, 'write path: a commit did not advance the wrote position');
    assert(writer.dispatchedPosition <= end, 'write path: dispatched beyond what was written');
    p.set(PositionSlot.WROTE_TIMESTAMP, this.#d.dispatcher.lastStoreTimestamp);
    p.set(PositionSlot.DISPATCHED, writer.dispatchedPosition);
    p.set(PositionSlot.WROTE, end);
    this.#d.onCommitted(end, advanced);
  }

  /** fdatasyncs the ConsumeQueues and the index, then publishes what they now hold durably. */
  syncLogics(): void {
    const p = this.#d.positions;
    const dispatched = p.get(PositionSlot.DISPATCHED);
    const timestamp = p.get(PositionSlot.WROTE_TIMESTAMP);
    if (this.#d.canaries?.skipLogicsSync !== true) this.#d.dispatcher.syncLogics();
    p.set(PositionSlot.LOGICS_TIMESTAMP, timestamp);
    p.set(PositionSlot.LOGICS_DURABLE, dispatched);
  }

  /** Index expiry after segments were deleted, and ConsumeQueue/index durability when due. */
  maintain(nowMs: number): void {
    const min = this.#d.positions.get(PositionSlot.MIN_COMMITLOG_OFFSET);
    if (min > this.#minCommitLogOffset) {
      this.#minCommitLogOffset = min;
      this.#d.index?.deleteExpired(min);
    }
    if (nowMs < this.#nextLogicsSyncMs) return;
    this.syncLogics();
    this.#nextLogicsSyncMs = nowMs + this.#d.logicsIntervalMs;
  }

  /** Commits what is left and makes the ConsumeQueues and index durable (a clean close). */
  close(): void {
    this.commit();
    this.syncLogics();
  }
}

export interface FlushStageDeps {
  commitLog: SegmentedFile;
  checkpoint: StoreCheckpoint;
  positions: StorePositions;
  policy: FlushPolicyOptions;
  /** How often the checkpoint is written (flushIntervalConsumeQueue). */
  checkpointIntervalMs: number;
  canaries?: WritePathCanaries;
}

/** The flusher's half: fdatasync by the flush policy, publish flushed, write the checkpoint. */
export class FlushStage {
  readonly policy: FlushPolicy;
  #d: FlushStageDeps;
  #flusher: CommitLogFlusher;
  #nextCheckpointMs: number;
  #owedSync: { from: number; to: number } | undefined;

  constructor(deps: FlushStageDeps, nowMs: number) {
    this.#d = deps;
    this.#flusher = new CommitLogFlusher(deps.commitLog, deps.checkpoint, deps.positions);
    this.policy = new FlushPolicy(deps.policy, nowMs);
    this.#nextCheckpointMs = nowMs + deps.checkpointIntervalMs;
  }

  get flushed(): number {
    return this.#flusher.flushed;
  }

  get nextCheckpointMs(): number {
    return this.#nextCheckpointMs;
  }

  /** True when everything written is flushed (a SYNC_FLUSH flusher may sleep). */
  get idle(): boolean {
    return this.#d.positions.get(PositionSlot.WROTE) === this.flushed;
  }

  /** One round of the flush service: fdatasync when the policy says so, checkpoint when due. */
  round(nowMs: number): void {
    this.flushIfDue(nowMs);
    this.checkpointIfDue(nowMs);
  }

  checkpointIfDue(nowMs: number): void {
    if (nowMs < this.#nextCheckpointMs) return;
    this.saveCheckpoint();
    this.#nextCheckpointMs = nowMs + this.#d.checkpointIntervalMs;
  }

  /** fdatasyncs up to the wrote position when the flush policy says so. */
  flushIfDue(nowMs: number): void {
    const wrote = this.#d.positions.get(PositionSlot.WROTE);
    if (this.policy.shouldFlush(wrote, this.flushed, nowMs)) this.flushTo(wrote);
  }

  /** fdatasyncs everything below `target` (a record boundary), then publishes `flushed`. */
  flushTo(target: number): void {
    if (this.#owedSync !== undefined) {
      this.#d.commitLog.sync(this.#owedSync.from, this.#owedSync.to);
      this.#owedSync = undefined;
    }
    if (this.#d.canaries?.ackBeforeSync === true && target > this.flushed) {
      this.#owedSync = { from: this.flushed, to: target };
      this.#flusher.publishUnsynced(target);
      return;
    }
    this.#flusher.flushTo(target);
  }

  /** Writes the checkpoint from durable positions; a follower view then drops deleted segments. */
  saveCheckpoint(): void {
    const p = this.#d.positions;
    assert(
      p.get(PositionSlot.LOGICS_DURABLE) <= p.get(PositionSlot.WROTE),
      'write path: ConsumeQueues durable beyond the wrote position',
    );
    this.#flusher.saveCheckpoint(this.#d.canaries?.skipCheckpointSync !== true);
    const commitLog = this.#d.commitLog;
    if (commitLog.followsWriter) commitLog.forgetBelow(this.flushed - commitLog.segmentBytes);
  }

  /** Flushes everything written and writes the checkpoint (a clean close). */
  close(): void {
    this.flushTo(this.#d.positions.get(PositionSlot.WROTE));
    this.saveCheckpoint();
  }
}

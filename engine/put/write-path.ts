// The store's write path, one copy for every host: append -> commit (pwrite, dispatch) -> publish
// "wrote" -> fdatasync -> publish "flushed" -> checkpoint. It has no threads, timers or I/O of its
// own: files come in through the SegmentedFile / ConsumeQueue / index objects (built on an
// injected FileIO) and time through `nowMs` arguments. Three hosts drive it:
// - in-thread (`threads: false`, in-thread-pipeline.ts): both stages on the event loop;
// - workers (workers/store/writer-loop.ts, flush-loop.ts): WriteStage on the writer thread and
//   FlushStage on the flush thread, which only move bytes through rings and wake each other;
// - the power-loss simulation (test/sim/store-power-loss-sim.test.ts), which crashes it at any
//   file operation.
//
// Ordering it guarantees (and asserts): `wrote` covers only bytes handed to the page cache;
// `flushed` covers only bytes a completed fdatasync made durable; the checkpoint only claims
// offsets below `flushed` and below the fdatasync'ed ConsumeQueue/index position.
//
// Storage faults (ENOSPC, EROFS, EIO; storage-fault.ts) are handled here, for every host: a failed
// pwrite or ConsumeQueue/index sync stalls the WriteStage, which keeps its batch and retries the
// same write with backoff (write-stall.ts); free space is checked before a batch that rolls to a
// new segment (space-check.ts), and the store directory's marker before each batch and each
// flush is published (store-presence.ts: nothing is acknowledged into files that lost their name).
// A failed fdatasync latches the FlushStage (FLUSHER_FAULT): the kernel may have dropped the dirty
// pages, so a later success would prove nothing, and nothing is flushed again until the store is
// reopened. A failed checkpoint write is tolerated (an old checkpoint only understates what is
// durable) and written again next round.

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
import type { FileIO } from '../io/file-io.js';
import { spaceShortage } from '../io/space-check.js';
import { storageFaultOf } from '../io/storage-fault.js';
import { storeDirGone } from '../io/store-presence.js';
import type { SegmentedFile } from '../mapped/segmented-file.js';
import { PositionSlot, type StorePositions } from '../store-positions.js';
import { type StallReport, WriteStall } from './write-stall.js';

/**
 * Deliberate durability bugs, for tests only. `ackBeforeSync` publishes `flushed` (acknowledging
 * SYNC_FLUSH puts) before the fdatasync, which runs one round later; `skipLogicsSync` publishes
 * ConsumeQueues and index as durable (so the checkpoint vouches for them) without their fdatasync;
 * `checkpointAheadOfFlush` writes the checkpoint with the wrote position as the flushed one (it
 * vouches for CommitLog bytes no fdatasync covered); the power-loss simulation must catch all three.
 * `skipCheckpointSync` writes the checkpoint without its fdatasync, which must stay harmless: a
 * checkpoint only ever understates what is durable.
 */
export interface WritePathCanaries {
  ackBeforeSync?: boolean;
  skipLogicsSync?: boolean;
  skipCheckpointSync?: boolean;
  checkpointAheadOfFlush?: boolean;
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
  /** Where free space is checked before a segment roll (the store's root); unchecked without. */
  space?: { io: FileIO; rootDir: string };
  /**
   * The store's root, checked before each commit (store-presence.ts): a batch is not published
   * once the store directory was removed. Unchecked without.
   */
  presence?: { io: FileIO; rootDir: string };
  /** A storage fault stalled the writer, or (fault NONE) writes succeed again. */
  onStorageFault?: (report: StallReport) => void;
  canaries?: WritePathCanaries;
}

/** The writer's half: append, commit, publish wrote; ConsumeQueue/index durability and expiry. */
export class WriteStage {
  readonly writer: CommitLogWriter;
  #d: WriteStageDeps;
  #rawInBatch = false;
  /** The batch closes a segment: free space is checked before the next one is written. */
  #rollInBatch = false;
  #minCommitLogOffset = 0;
  #nextLogicsSyncMs: number;
  #stall: WriteStall;

  constructor(deps: WriteStageDeps, nowMs: number) {
    this.#d = deps;
    this.#stall = new WriteStall(deps.positions, (report) => deps.onStorageFault?.(report));
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

  /** A storage fault stopped the writer: it appends nothing until retry() succeeds. */
  get stalled(): boolean {
    return this.#stall.stalled;
  }

  /** Milliseconds until a stalled writer's next retry (the host's wait is bounded by it). */
  msUntilRetry(nowMs: number): number {
    return this.#stall.msUntilRetry(nowMs);
  }

  /**
   * Appends one encoded record src[pos .. pos + length) (patched in place), committing first when
   * the batch is full or the record needs a new segment. Its offsets come back through `out`.
   * `direct`: the record is pwritten from src, not copied into the tail cache; the caller keeps
   * src unchanged until it calls releaseSources().
   * False (nothing appended) when the writer is stalled, or a commit it needed first stalled it.
   */
  append(src: Buffer, pos: number, length: number, out: AppendResult, direct = false): boolean {
    if (this.stalled) return false;
    if (!this.writer.fitsBatch(length) && !this.commit()) return false;
    if (this.writer.closeSegmentFor(length)) {
      this.#rollInBatch = true;
      if (!this.commit()) return false;
    }
    if (direct) this.writer.appendDirect(src, pos, length, out);
    else this.writer.append(src, pos, length, out);
    return true;
  }

  /**
   * Called before the sources of `direct` appends are released or reused: commits the batch, or,
   * when a storage fault keeps it, copies those records into the tail cache, which the retry then
   * writes from.
   */
  releaseSources(): void {
    if (!this.writer.hasDirect) return;
    if (this.stalled || !this.commit()) this.writer.copyDirectToCache();
  }

  /**
   * A slave's replicated bytes; false (nothing appended) when they do not continue the log, or
   * when the writer is stalled (check `stalled` to tell the two apart).
   */
  appendRaw(commitLogOffset: number, src: Buffer, pos: number, length: number): boolean {
    if (this.stalled) return false;
    if (!this.writer.fitsBatch(length) && !this.commit()) return false;
    if (!this.writer.appendRaw(commitLogOffset, src, pos, length)) return false;
    this.#rawInBatch = true;
    return true;
  }

  /**
   * pwrites the batch and its ConsumeQueue units, then publishes dispatched, its time and wrote.
   * False when a storage fault stalled the writer: the batch is kept for the next attempt (writes
   * are idempotent: pwrite at fixed offsets, units re-written from the same buffers).
   */
  commit(): boolean {
    const writer = this.writer;
    if (writer.batchBytes === 0) return true;
    const p = this.#d.positions;
    const before = p.get(PositionSlot.WROTE);
    const advanced = this.#rawInBatch ? new Map<ConsumeQueue, number>() : undefined;
    let end = 0;
    const written = this.#stall.attempt(this.#d.clock.monotonicMs(), () => {
      checkPresence(this.#d.presence);
      if (this.#rollInBatch) this.#checkSpace();
      end = writer.commitBatch(
        advanced === undefined ? undefined : (cq) => advanced.set(cq, cq.maxOffset),
      );
    });
    if (!written) return false;
    this.#rawInBatch = false;
    this.#rollInBatch = false;
    assert(end > before, 'write path: a commit did not advance the wrote position');
    assert(writer.dispatchedPosition <= end, 'write path: dispatched beyond what was written');
    p.set(PositionSlot.WROTE_TIMESTAMP, this.#d.dispatcher.lastStoreTimestamp);
    p.set(PositionSlot.DISPATCHED, writer.dispatchedPosition);
    p.set(PositionSlot.WROTE, end);
    this.#d.onCommitted(end, advanced);
    return true;
  }

  /** At a segment roll: refuse to start the next segment on a disk over the full ratio. */
  #checkSpace(): void {
    const space = this.#d.space;
    if (space === undefined) return;
    const shortage = spaceShortage(space.io, space.rootDir);
    if (shortage !== undefined) throw shortage;
  }

  /**
   * A stalled writer tries what failed again (its batch, or the logics sync) once its backoff is
   * over. True when the writer is no longer stalled (the host then appends again).
   */
  retry(nowMs: number): boolean {
    if (!this.#stall.retryDue(nowMs)) return !this.stalled;
    return this.writer.batchBytes > 0 ? this.commit() : this.syncLogics();
  }

  /**
   * fdatasyncs the ConsumeQueues and the index, then publishes what they now hold durably. False
   * when a storage fault stalled the writer (nothing published).
   */
  syncLogics(): boolean {
    const p = this.#d.positions;
    const dispatched = p.get(PositionSlot.DISPATCHED);
    const timestamp = p.get(PositionSlot.WROTE_TIMESTAMP);
    const synced = this.#stall.attempt(this.#d.clock.monotonicMs(), () => {
      if (this.#d.canaries?.skipLogicsSync !== true) this.#d.dispatcher.syncLogics();
    });
    if (!synced) return false;
    p.set(PositionSlot.LOGICS_TIMESTAMP, timestamp);
    p.set(PositionSlot.LOGICS_DURABLE, dispatched);
    return true;
  }

  /** Index expiry after segments were deleted, and ConsumeQueue/index durability when due. */
  maintain(nowMs: number): void {
    const min = this.#d.positions.get(PositionSlot.MIN_COMMITLOG_OFFSET);
    if (min > this.#minCommitLogOffset) {
      this.#minCommitLogOffset = min;
      this.#d.index?.deleteExpired(min);
    }
    // A stalled writer's retry() retries the logics sync too: a success here must not end the stall.
    if (nowMs < this.#nextLogicsSyncMs || this.stalled) return;
    this.syncLogics();
    this.#nextLogicsSyncMs = nowMs + this.#d.logicsIntervalMs;
  }

  /**
   * Commits what is left and makes the ConsumeQueues and index durable (a clean close). A batch a
   * storage fault still blocks was never acknowledged and is dropped: false, and the host flushes
   * nothing more. A failed logics sync only leaves the checkpoint where it was.
   */
  close(): boolean {
    if (!this.commit()) return false;
    this.syncLogics();
    return true;
  }
}

/** Throws a MISSING storage fault when the store directory is gone (store-presence.ts). */
function checkPresence(presence: { io: FileIO; rootDir: string } | undefined): void {
  if (presence === undefined) return;
  const gone = storeDirGone(presence.io, presence.rootDir);
  if (gone !== undefined) throw gone;
}

export interface FlushStageDeps {
  commitLog: SegmentedFile;
  checkpoint: StoreCheckpoint;
  positions: StorePositions;
  policy: FlushPolicyOptions;
  /** How often the checkpoint is written (flushIntervalConsumeQueue). */
  checkpointIntervalMs: number;
  /** As WriteStageDeps.presence: checked after each fdatasync, before `flushed` is published. */
  presence?: { io: FileIO; rootDir: string };
  /** The fdatasync failed: FLUSHER_FAULT is set and nothing is flushed again (see the top). */
  onFlushFault?: (report: StallReport) => void;
  canaries?: WritePathCanaries;
}

/** The flusher's half: fdatasync by the flush policy, publish flushed, write the checkpoint. */
export class FlushStage {
  readonly policy: FlushPolicy;
  #d: FlushStageDeps;
  #flusher: CommitLogFlusher;
  #nextCheckpointMs: number;
  #owedSync: { from: number; to: number } | undefined;
  #failed = false;

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

  /** A failed fdatasync latched: this stage flushes and checkpoints no more. */
  get failed(): boolean {
    return this.#failed;
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
    if (this.#failed) return;
    const wrote = this.#d.positions.get(PositionSlot.WROTE);
    if (this.policy.shouldFlush(wrote, this.flushed, nowMs)) this.flushTo(wrote);
  }

  /**
   * fdatasyncs everything below `target` (a record boundary), then publishes `flushed`. A storage
   * fault latches the stage (false); anything else is a bug and is rethrown.
   */
  flushTo(target: number): boolean {
    if (this.#failed) return false;
    try {
      this.#syncTo(target);
      return true;
    } catch (error) {
      const fault = storageFaultOf(error);
      if (fault === undefined) throw error;
      this.#failed = true;
      this.#d.positions.set(PositionSlot.FLUSHER_FAULT, fault);
      this.#d.onFlushFault?.({ fault, message: (error as Error).message });
      return false;
    }
  }

  #syncTo(target: number): void {
    if (this.#owedSync !== undefined) {
      this.#d.commitLog.sync(this.#owedSync.from, this.#owedSync.to);
      this.#owedSync = undefined;
    }
    if (this.#d.canaries?.ackBeforeSync === true && target > this.flushed) {
      this.#owedSync = { from: this.flushed, to: target };
      this.#flusher.publishUnsynced(target);
      return;
    }
    this.#flusher.flushTo(target, () => checkPresence(this.#d.presence));
  }

  /** Writes the checkpoint from durable positions; a follower view then drops deleted segments. */
  saveCheckpoint(): void {
    const p = this.#d.positions;
    assert(
      p.get(PositionSlot.LOGICS_DURABLE) <= p.get(PositionSlot.WROTE),
      'write path: ConsumeQueues durable beyond the wrote position',
    );
    if (!this.#failed) {
      try {
        const canaries = this.#d.canaries;
        this.#flusher.saveCheckpoint(
          canaries?.skipCheckpointSync !== true,
          canaries?.checkpointAheadOfFlush === true ? p.get(PositionSlot.WROTE) : this.flushed,
        );
      } catch (error) {
        // An old checkpoint is safe (recovery scans further); the next round writes it again.
        if (storageFaultOf(error) === undefined) throw error;
      }
    }
    const commitLog = this.#d.commitLog;
    if (commitLog.followsWriter) commitLog.forgetBelow(this.flushed - commitLog.segmentBytes);
  }

  /** Flushes everything written and writes the checkpoint (a clean close). */
  close(): void {
    if (this.flushTo(this.#d.positions.get(PositionSlot.WROTE))) this.saveCheckpoint();
  }
}

// fdatasync of the CommitLog and the checkpoint (the flush service's I/O). It holds its own
// descriptors, so it runs on the flush worker or in-thread alike. Durability order: the segments
// holding [flushed, target) are fdatasync'ed before `flushed` is published, and the checkpoint is
// written only with offsets that are already durable.

import { assert } from '../../common/assert.js';
import type { StoreCheckpoint } from '../checkpoint/store-checkpoint.js';
import type { SegmentedFile } from '../mapped/segmented-file.js';
import { PositionSlot, type StorePositions } from '../store-positions.js';

export class CommitLogFlusher {
  #commitLog: SegmentedFile;
  #checkpoint: StoreCheckpoint;
  #positions: StorePositions;
  #flushed: number;
  #flushCount = 0;
  #monotonicMs: () => number;

  constructor(
    commitLog: SegmentedFile,
    checkpoint: StoreCheckpoint,
    positions: StorePositions,
    monotonicMs: () => number = () => performance.now(),
  ) {
    this.#monotonicMs = monotonicMs;
    this.#commitLog = commitLog;
    this.#checkpoint = checkpoint;
    this.#positions = positions;
    this.#flushed = positions.get(PositionSlot.FLUSHED);
  }

  get flushed(): number {
    return this.#flushed;
  }

  get flushCount(): number {
    return this.#flushCount;
  }

  /**
   * fdatasyncs everything below `target` (a record boundary the writer published), then publishes
   * it; `beforePublish` may still refuse (throw) between the two.
   */
  flushTo(target: number, beforePublish?: () => void): void {
    if (target <= this.#flushed) return;
    assert(
      target <= this.#positions.get(PositionSlot.WROTE),
      'flusher: target beyond the wrote position',
    );
    const timestamp = this.#positions.get(PositionSlot.WROTE_TIMESTAMP);
    const startMs = this.#monotonicMs();
    this.#commitLog.sync(this.#flushed, target);
    const micros = Math.round((this.#monotonicMs() - startMs) * 1000);
    beforePublish?.();
    this.#flushed = target;
    this.#flushCount++;
    const p = this.#positions;
    p.set(PositionSlot.FLUSH_TOTAL_MICROS, p.get(PositionSlot.FLUSH_TOTAL_MICROS) + micros);
    p.set(PositionSlot.FLUSH_COUNT, p.get(PositionSlot.FLUSH_COUNT) + 1);
    this.#positions.set(PositionSlot.FLUSHED_TIMESTAMP, timestamp);
    this.#positions.set(PositionSlot.FLUSHED, target);
  }

  /** Test-only canary (WritePathCanaries.ackBeforeSync): publishes `target` with no fdatasync. */
  publishUnsynced(target: number): void {
    this.#flushed = target;
    this.#positions.set(
      PositionSlot.FLUSHED_TIMESTAMP,
      this.#positions.get(PositionSlot.WROTE_TIMESTAMP),
    );
    this.#positions.set(PositionSlot.FLUSHED, target);
  }

  /**
   * Writes the checkpoint from durable positions (flushed here; ConsumeQueue/index by the writer).
   * `claimedFlushed` is for a test-only canary (WritePathCanaries.checkpointAheadOfFlush).
   */
  saveCheckpoint(sync = true, claimedFlushed = this.#flushed): void {
    const p = this.#positions;
    const flushed = claimedFlushed;
    const previous = this.#checkpoint.values;
    this.#checkpoint.save(
      {
        physicMsgTimestamp: Math.max(
          previous.physicMsgTimestamp,
          p.get(PositionSlot.FLUSHED_TIMESTAMP),
        ),
        logicsMsgTimestamp: Math.max(
          previous.logicsMsgTimestamp,
          p.get(PositionSlot.LOGICS_TIMESTAMP),
        ),
        indexMsgTimestamp: Math.max(
          previous.indexMsgTimestamp,
          p.get(PositionSlot.LOGICS_TIMESTAMP),
        ),
        // A record boundary: on a slave the flushed bytes may end inside a replicated record.
        flushedCommitLogOffset: Math.min(flushed, p.get(PositionSlot.DISPATCHED)),
        consumeQueueDurableOffset: Math.min(flushed, p.get(PositionSlot.LOGICS_DURABLE)),
        indexDurableOffset: Math.min(flushed, p.get(PositionSlot.LOGICS_DURABLE)),
      },
      sync,
    );
  }
}

// The flush thread: fdatasyncs the CommitLog by the flush policy (SYNC_FLUSH: as soon as anything
// is unflushed, so all puts waiting at that moment share one fdatasync; ASYNC_FLUSH: every
// flushIntervalCommitLog when enough pages are dirty) and publishes the flushed position. It also
// owns the checkpoint file, written every flushIntervalConsumeQueue from durable positions only.
// A failed fdatasync is not retried: the kernel may have dropped the dirty pages, so a later success
// would prove nothing. The thread publishes the fault (flushed stops; the store refuses writes until
// reopened, and recovery checks the log) and keeps running; a failed checkpoint write is retried.

import { systemClock } from '../../common/clock.js';
import { StoreCheckpoint } from '../../engine/checkpoint/store-checkpoint.js';
import { CommitLogFlusher } from '../../engine/flush/commit-log-flusher.js';
import { FlushPolicy } from '../../engine/flush/flush-policy.js';
import { NodeFileIO } from '../../engine/io/node-file-io.js';
import { type StorageFault, storageFaultOf } from '../../engine/io/storage-fault.js';
import { SegmentedFile } from '../../engine/mapped/segmented-file.js';
import { PositionSlot, StorePositions } from '../../engine/store-positions.js';
import type { WorkerContext } from '../host/worker-side.js';
import type { FlushWorkerData } from './store-worker-data.js';

const SYNC_IDLE_WAIT_MS = 50;

export function runFlushLoop(ctx: WorkerContext<FlushWorkerData>): void {
  const o = ctx.data.options;
  const io = new NodeFileIO();
  const positions = new StorePositions(ctx.data.positions);
  const commitLog = new SegmentedFile(io, o.storePathCommitLog, o.mappedFileSizeCommitLog, {
    followsWriter: true,
  });
  commitLog.load();
  const checkpoint = new StoreCheckpoint(io, `${o.storePathRootDir}/checkpoint`);
  const flusher = new CommitLogFlusher(commitLog, checkpoint, positions);
  const policy = new FlushPolicy(o, systemClock.monotonicMs());
  let nextCheckpointMs = systemClock.monotonicMs() + o.flushIntervalConsumeQueue;
  let failed = false;
  /** Runs `io`; a storage fault returns false (anything else is a bug and ends the thread). */
  const tolerate = (io: () => void, onFault: (fault: StorageFault) => void): boolean => {
    try {
      io();
      return true;
    } catch (error) {
      const fault = storageFaultOf(error);
      if (fault === undefined) throw error;
      onFault(fault);
      return false;
    }
  };
  const latch = (fault: StorageFault) => {
    failed = true;
    positions.set(PositionSlot.FLUSHER_FAULT, fault);
  };
  ctx.ready();
  while (ctx.pollControl()?.type !== 'CLOSE') {
    const wrote = positions.get(PositionSlot.WROTE);
    const nowMs = systemClock.monotonicMs();
    if (!failed && policy.shouldFlush(wrote, flusher.flushed, nowMs))
      tolerate(() => flusher.flushTo(wrote), latch);
    if (nowMs >= nextCheckpointMs) {
      if (!failed)
        tolerate(
          () => flusher.saveCheckpoint(),
          () => undefined,
        );
      nextCheckpointMs = nowMs + o.flushIntervalConsumeQueue;
      commitLog.forgetBelow(flusher.flushed - o.mappedFileSizeCommitLog);
    }
    if (policy.isSync && !failed) {
      if (positions.get(PositionSlot.WROTE) === flusher.flushed)
        Atomics.wait(
          positions.slots,
          PositionSlot.WROTE,
          BigInt(flusher.flushed),
          SYNC_IDLE_WAIT_MS,
        );
    } else {
      const wake = positions.slots[PositionSlot.FLUSH_WAKE] ?? 0n;
      Atomics.wait(
        positions.slots,
        PositionSlot.FLUSH_WAKE,
        wake,
        Math.max(1, Math.min(policy.intervalMs, nextCheckpointMs - nowMs)),
      );
    }
  }
  if (!failed && tolerate(() => flusher.flushTo(positions.get(PositionSlot.WROTE)), latch))
    tolerate(
      () => flusher.saveCheckpoint(),
      () => undefined,
    );
  checkpoint.close();
  commitLog.close();
  ctx.closed();
}

// The flush thread, host of the write path's FlushStage (engine/put/write-path.ts): fdatasyncs the
// CommitLog by the flush policy (SYNC_FLUSH: as soon as anything
// is unflushed, so all puts waiting at that moment share one fdatasync; ASYNC_FLUSH: every
// flushIntervalCommitLog when enough pages are dirty) and publishes the flushed position. It also
// owns the checkpoint file, written every flushIntervalConsumeQueue from durable positions only.
// A failed fdatasync latches the stage (FLUSHER_FAULT; flushed stops, the store refuses writes
// until reopened, and recovery checks the log); the thread keeps running. A failed checkpoint
// write is retried next round (write-path.ts).

import { systemClock } from '../../common/clock.js';
import { StoreCheckpoint } from '../../engine/checkpoint/store-checkpoint.js';
import { SegmentedFile } from '../../engine/mapped/segmented-file.js';
import { FlushStage } from '../../engine/put/write-path.js';
import { PositionSlot, StorePositions } from '../../engine/store-positions.js';
import type { WorkerContext } from '../host/worker-side.js';
import type { FlushWorkerData } from './store-worker-data.js';
import { loadWorkerFileIO } from './worker-file-io.js';

const SYNC_IDLE_WAIT_MS = 50;

export async function runFlushLoop(ctx: WorkerContext<FlushWorkerData>): Promise<void> {
  const o = ctx.data.options;
  const io = await loadWorkerFileIO(ctx.data.fileIoModule);
  const positions = new StorePositions(ctx.data.positions);
  const commitLog = new SegmentedFile(io, o.storePathCommitLog, o.mappedFileSizeCommitLog, {
    followsWriter: true,
  });
  commitLog.load();
  const checkpoint = new StoreCheckpoint(io, `${o.storePathRootDir}/checkpoint`);
  const stage = new FlushStage(
    {
      commitLog,
      checkpoint,
      positions,
      policy: o,
      checkpointIntervalMs: o.flushIntervalConsumeQueue,
      presence: { io, rootDir: o.storePathRootDir },
    },
    systemClock.monotonicMs(),
  );
  ctx.ready();
  while (ctx.pollControl()?.type !== 'CLOSE') {
    const nowMs = systemClock.monotonicMs();
    stage.round(nowMs);
    // A latched SYNC_FLUSH stage never becomes idle: it sleeps like an ASYNC_FLUSH one.
    if (stage.policy.isSync && !stage.failed) {
      if (stage.idle)
        Atomics.wait(positions.slots, PositionSlot.WROTE, BigInt(stage.flushed), SYNC_IDLE_WAIT_MS);
    } else {
      const wake = positions.slots[PositionSlot.FLUSH_WAKE] ?? 0n;
      Atomics.wait(
        positions.slots,
        PositionSlot.FLUSH_WAKE,
        wake,
        Math.max(1, Math.min(stage.policy.intervalMs, stage.nextCheckpointMs - nowMs)),
      );
    }
  }
  stage.close();
  checkpoint.close();
  commitLog.close();
  ctx.closed();
}

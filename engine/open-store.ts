// Assembles a MessageStore: options, recovery, shared positions and tail cache, the reader, the
// clean service, and an append pipeline (in-thread here; the worker pipeline is supplied by the
// composition root in engine/index.ts, which may use workers/).

import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import type { LockProbe } from './checkpoint/store-lock.js';
import { type BodyHasher, loadBodyHasher } from './checksum/body-hasher.js';
import { CleanService } from './clean/clean-service.js';
import { TailCache } from './commitlog/tail-cache.js';
import { ConsumeQueueTable } from './dispatch/consume-queue-table.js';
import type { FileIO } from './io/file-io.js';
import { NodeFileIO } from './io/node-file-io.js';
import { SegmentedFile } from './mapped/segmented-file.js';
import { MessageStore } from './message-store.js';
import { resolveStoreOptions, type StoreOptions } from './options.js';
import type { AppendPipeline } from './put/append-pipeline.js';
import { InThreadPipeline } from './put/in-thread-pipeline.js';
import type { PutTracker } from './put/put-tracker.js';
import { StoreReader } from './read/store-reader.js';
import { maxRecordBytes, type RecoveredStore, recoverStore } from './recovery/store-recovery.js';
import { PositionSlot, StorePositions } from './store-positions.js';

export interface StoreDeps {
  io?: FileIO;
  clock?: Clock;
  lockProbe?: LockProbe;
}

export interface PipelineContext {
  options: Readonly<StoreOptions>;
  recovered: RecoveredStore;
  positions: StorePositions;
  tailCache: TailCache;
  tracker: PutTracker;
  hasher: BodyHasher;
  clock: Clock;
  io: FileIO;
}

/** Builds a worker-backed pipeline; it takes ownership of the recovered writer-side objects. */
export type WorkerPipelineFactory = (context: PipelineContext) => Promise<AppendPipeline>;

const defaultLockProbe: LockProbe = {
  ownPid: process.pid,
  isAlive: (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
};

export async function assembleStore(
  input: Partial<StoreOptions> & { storePathRootDir: string },
  deps: StoreDeps,
  workerPipeline: WorkerPipelineFactory | undefined,
): Promise<MessageStore> {
  const options = resolveStoreOptions(input);
  const io = deps.io ?? new NodeFileIO();
  const clock = deps.clock ?? systemClock;
  const hasher = await loadBodyHasher();
  const recovered = recoverStore(io, options, clock, deps.lockProbe ?? defaultLockProbe);
  const positions = new StorePositions();
  for (const slot of [PositionSlot.WROTE, PositionSlot.FLUSHED, PositionSlot.LOGICS_DURABLE])
    positions.set(slot, recovered.endOffset);
  for (const slot of [
    PositionSlot.WROTE_TIMESTAMP,
    PositionSlot.FLUSHED_TIMESTAMP,
    PositionSlot.LOGICS_TIMESTAMP,
  ])
    positions.set(slot, recovered.lastStoreTimestamp);
  const tailCache = TailCache.create(
    options.tailCacheBytes,
    options.tailCacheBytes / 4,
    recovered.endOffset,
  );
  const threaded = options.threads && workerPipeline !== undefined;
  const views = threaded
    ? openFollowerViews(io, options, recovered)
    : { commitLog: recovered.commitLog, queues: recovered.queues };
  const reader = new StoreReader({
    commitLog: views.commitLog,
    queues: views.queues,
    tailCache,
    positions,
    maxRecordBytes: maxRecordBytes(options),
    hashBodyHex: hasher.hex,
  });
  const clean = new CleanService({
    io,
    clock,
    commitLog: views.commitLog,
    queues: views.queues,
    positions,
    rootDir: options.storePathRootDir,
    policy: {
      fileReservedTime: options.fileReservedTime,
      deleteWhen: options.deleteWhen,
      diskMaxUsedSpaceRatio: options.diskMaxUsedSpaceRatio,
      maxSegmentsPerRun: 10,
    },
    intervalMs: options.cleanResourceInterval,
    onMinOffset: (min) => {
      if (!threaded) recovered.index?.deleteExpired(min);
    },
  });
  const onVisible = threaded
    ? (put: { topic: string; queueId: number; queueOffset: number; inQueue: boolean }) => {
        if (put.inQueue)
          views.queues.getOrCreate(put.topic, put.queueId).raiseMaxOffset(put.queueOffset + 1);
      }
    : () => {};
  const store = new MessageStore(
    {
      options,
      io,
      clock,
      hasher,
      positions,
      reader,
      report: recovered.report,
      clean,
      releaseLock: recovered.releaseLock,
    },
    onVisible,
  );
  const context: PipelineContext = {
    options,
    recovered,
    positions,
    tailCache,
    tracker: store.tracker,
    hasher,
    clock,
    io,
  };
  store.attachPipeline(
    threaded && workerPipeline !== undefined
      ? await workerPipeline(context)
      : new InThreadPipeline({ ...context, scratchBytes: maxRecordBytes(options) }),
  );
  clean.start();
  return store;
}

/** The main thread's own views of files the writer worker owns (reads, expiry). */
function openFollowerViews(io: FileIO, options: StoreOptions, recovered: RecoveredStore) {
  const commitLog = new SegmentedFile(
    io,
    options.storePathCommitLog,
    options.mappedFileSizeCommitLog,
    { followsWriter: true },
  );
  commitLog.load();
  const queues = new ConsumeQueueTable(
    io,
    options.storePathRootDir,
    options.mappedFileSizeConsumeQueue,
    { followsWriter: true },
  );
  for (const cq of recovered.queues.all()) {
    queues.getOrCreate(cq.topic, cq.queueId).attach({
      maxOffset: cq.maxOffset,
      minOffset: cq.minOffset,
      maxPhysicOffset: cq.maxPhysicOffset,
    });
  }
  return { commitLog, queues };
}

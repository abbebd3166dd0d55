// Assembles a MessageStore: options, recovery, shared positions and tail cache, the reader, the
// clean service, and an append pipeline (in-thread here; the worker pipeline is supplied by the
// composition root in engine/index.ts, which may use workers/).

import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { ErrorCode, MqError } from '../common/errors.js';
import type { EpochEntry } from './checkpoint/epoch-file.js';
import { loadEpochStarts, recordEpochStart } from './checkpoint/master-epochs.js';
import type { LockProbe } from './checkpoint/store-lock.js';
import { loadBodyHasher } from './checksum/body-hasher.js';
import { CleanService, type CleanServiceDeps } from './clean/clean-service.js';
import { TailCache } from './commitlog/tail-cache.js';
import { ConsumeQueueTable } from './dispatch/consume-queue-table.js';
import type { HaSenderHandle } from './ha-sender-handle.js';
import type { FileIO } from './io/file-io.js';
import { NodeFileIO } from './io/node-file-io.js';
import { StorageFault } from './io/storage-fault.js';
import { SegmentedFile } from './mapped/segmented-file.js';
import { DefaultMessageStore } from './message-store.js';
import { resolveStoreOptions, type StoreOptions } from './options.js';
import type { AppendPipeline } from './put/append-pipeline.js';
import { InThreadPipeline } from './put/in-thread-pipeline.js';
import type { PutTracker } from './put/put-tracker.js';
import type { StallReport } from './put/write-stall.js';
import { StoreReader } from './read/store-reader.js';
import type { QueueManifest } from './recovery/queue-rebuild.js';
import {
  maxRecordBytes,
  type RecoveredStore,
  recoverStore,
  type SegmentVerifier,
} from './recovery/store-recovery.js';
import { StoreHealth } from './store-health.js';
import { PositionSlot, StorePositions } from './store-positions.js';

/** What openStore takes besides options. A gateway leaves them all out, or sets `logger`. */
export interface StoreDeps {
  /** Internal (tests, simulation): the file system. */
  io?: FileIO;
  /** Internal (tests, simulation): time. */
  clock?: Clock;
  /** Internal (tests): who owns a lock file. */
  lockProbe?: LockProbe;
  /** Checks CRCs of several segments in parallel during recovery (piscina in engine/index.ts). */
  verifySegments?: SegmentVerifier;
  /** A slave cuts its CommitLog here at open, because its master's log differs after it. */
  truncateCommitLogTo?: number;
  /**
   * With threads: a module exporting `createFileIO(): FileIO` that the writer and flush threads use
   * instead of node:fs (tests; `io` above is the main thread's). Its files must be the same files.
   */
  workerFileIoModule?: string;
  /** Where the store reports events worth an operator's attention (HA connections); no-op by default. */
  logger?: StoreLogger;
  /**
   * Starts a master's HA sender (sockets, maybe a worker). The broker injects it, so an embedder
   * that never replicates loads no socket code; without it the store serves no slaves.
   */
  haSender?: HaSenderFactory;
  /**
   * Controller mode: this store's epoch entries (the epoch file), its own epoch last. The HA
   * sender then runs RocketMQ 5's epoch handshake with joining replicas.
   */
  epochEntries?: readonly EpochEntry[];
}

export interface StoreLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface PipelineContext {
  options: Readonly<StoreOptions>;
  recovered: RecoveredStore;
  positions: StorePositions;
  tailCache: TailCache;
  tracker: PutTracker;
  clock: Clock;
  io: FileIO;
  /** The worker threads' file layer module (StoreDeps.workerFileIoModule); node:fs when undefined. */
  workerFileIoModule: string | undefined;
  /** A queue grew from replicated records (a slave): update views and wake long polls. */
  onReplicaDispatched: (topic: string, queueId: number, maxOffset: number) => void;
  /** The writer's or flusher's storage fault, with its error text (or the recovery from it). */
  onStorageFault: (source: 'writer' | 'flusher', report: StallReport) => void;
}

/** Builds a worker-backed pipeline; it takes ownership of the recovered writer-side objects. */
export type WorkerPipelineFactory = (context: PipelineContext) => Promise<AppendPipeline>;

/** What a master's HA sender needs; the composition root starts it (on a worker with threads). */
export interface HaSenderContext {
  options: Readonly<StoreOptions>;
  positions: StorePositions;
  tailCache: TailCache;
  epochStarts: readonly number[];
  epochEntries: readonly EpochEntry[] | undefined;
  clock: Clock;
  logger: StoreLogger;
}

export type HaSenderFactory = (context: HaSenderContext) => Promise<HaSenderHandle>;

const silentLogger: StoreLogger = {
  info: (_message: string) => undefined,
  warn: (_message: string) => undefined,
};

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
): Promise<DefaultMessageStore> {
  const options = resolveStoreOptions(input);
  refuseHaWithoutSender(options, deps);
  const io = deps.io ?? new NodeFileIO();
  const clock = deps.clock ?? systemClock;
  const hasher = await loadBodyHasher();
  const threaded = options.threads && workerPipeline !== undefined;
  const { recovered, epochStarts, positions, tailCache } = await recoverForOpen(
    io,
    options,
    clock,
    deps,
    threaded,
  );
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
  // The write path deletes index files below MIN_COMMITLOG_OFFSET (write-path.ts, maintain).
  const onMinOffset = () => undefined;
  const health = new StoreHealth(positions);
  const clean = createCleanService(io, clock, options, {
    ...views,
    positions,
    onMinOffset,
    health,
  });
  const onVisible = queueViewUpdater(threaded, views.queues);
  const parts = {
    options,
    io,
    clock,
    hasher,
    positions,
    reader,
    report: recovered.report,
    clean,
    health,
    closeFiles: () => closeFiles(threaded ? views : recovered),
    queueManifest: () => manifestOf(views.queues, threaded ? undefined : recovered.index),
    releaseLock: recovered.releaseLock,
  };
  const store = new DefaultMessageStore(parts, onVisible);
  const onReplicaDispatched = (topic: string, queueId: number, maxOffset: number) => {
    if (threaded) views.queues.getOrCreate(topic, queueId).raiseMaxOffset(maxOffset);
    store.notifyArrival(topic, queueId, maxOffset);
  };
  const shared = {
    options,
    recovered,
    positions,
    tailCache,
    clock,
    io,
    workerFileIoModule: deps.workerFileIoModule,
    epochStarts,
    onReplicaDispatched,
    onStorageFault: (source: 'writer' | 'flusher', report: StallReport) => {
      health.noteDetail(source, report);
      if (source === 'writer' && report.fault !== StorageFault.NONE) store.answerStalledPuts();
    },
  };
  const logger = deps.logger ?? silentLogger;
  await attachWriters(store, shared, threaded ? workerPipeline : undefined, deps, logger);
  clean.start();
  return store;
}

/**
 * With threads the main thread's queue views learn new units from completions; in-thread the
 * writer updates the very ConsumeQueue objects the reader uses.
 */
function queueViewUpdater(threaded: boolean, queues: ConsumeQueueTable) {
  return (put: { topic: string; queueId: number; queueOffset: number; inQueue: boolean }) => {
    if (threaded && put.inQueue)
      queues.getOrCreate(put.topic, put.queueId).raiseMaxOffset(put.queueOffset + 1);
  };
}

/** What a clean close leaves for the next open to check the queues against (queue-rebuild.ts). */
function manifestOf(
  queues: ConsumeQueueTable,
  index: { indexedEndPhyOffset(): number } | undefined,
): QueueManifest {
  return {
    queues: [...queues.all()].map((cq) => [cq.topic, cq.queueId, cq.maxOffset]),
    // With threads the index lives with the writer: not checked.
    indexEnd: index?.indexedEndPhyOffset() ?? -1,
  };
}

/** Closes the files this thread holds: its follower views with threads, every store file in-thread. */
function closeFiles(files: {
  commitLog: SegmentedFile;
  queues: ConsumeQueueTable;
  index?: { close(): void } | undefined;
  checkpoint?: { close(): void };
}): void {
  files.commitLog.close();
  files.queues.close();
  files.index?.close();
  files.checkpoint?.close();
}

/** A master's HA port without the broker's HA sender would promise replication and do none. */
function refuseHaWithoutSender(options: StoreOptions, deps: StoreDeps): void {
  if (options.haListenPort < 0 || options.brokerRole === 'SLAVE' || deps.haSender !== undefined)
    return;
  const problem = `haListenPort ${options.haListenPort} needs the broker's HA sender: Master/Slave replication runs in mqbroker; an embedded store keeps haListenPort -1`;
  throw new MqError(ErrorCode.STORE_OPTIONS_INVALID, `Invalid store options: ${problem}`, {
    problems: [problem],
  });
}

/** Attaches the append pipeline (workers or in-thread) and, on a master with an HA port, the HA sender. */
async function attachWriters(
  store: DefaultMessageStore,
  shared: Omit<PipelineContext, 'tracker'> & { epochStarts: readonly number[] },
  workerPipeline: WorkerPipelineFactory | undefined,
  deps: Pick<StoreDeps, 'haSender' | 'epochEntries'>,
  logger: StoreLogger,
): Promise<void> {
  const { haSender, epochEntries } = deps;
  const { options, positions, tailCache, clock, epochStarts } = shared;
  const context: PipelineContext = { ...shared, tracker: store.tracker };
  const pipeline =
    workerPipeline !== undefined
      ? await workerPipeline(context)
      : new InThreadPipeline({ ...context, scratchBytes: maxRecordBytes(options) });
  store.attachPipeline(pipeline);
  if (haSender !== undefined && options.brokerRole !== 'SLAVE' && options.haListenPort >= 0) {
    store.attachHaSender(
      await haSender({ options, positions, tailCache, epochStarts, epochEntries, clock, logger }),
    );
  }
}

function createCleanService(
  io: FileIO,
  clock: Clock,
  options: StoreOptions,
  parts: Pick<CleanServiceDeps, 'commitLog' | 'queues' | 'positions' | 'onMinOffset' | 'health'>,
): CleanService {
  const policy = {
    fileReservedTime: options.fileReservedTime,
    deleteWhen: options.deleteWhen,
    diskMaxUsedSpaceRatio: options.diskMaxUsedSpaceRatio,
    maxSegmentsPerRun: 10,
  };
  return new CleanService({
    io,
    clock,
    rootDir: options.storePathRootDir,
    policy,
    intervalMs: options.cleanResourceInterval,
    ...parts,
  });
}

/** Recovery, this run's epoch (a master), and the shared positions and tail cache it starts from. */
async function recoverForOpen(
  io: FileIO,
  options: StoreOptions,
  clock: Clock,
  deps: StoreDeps,
  threaded: boolean,
) {
  const lockProbe = deps.lockProbe ?? defaultLockProbe;
  const recovered = await recoverStore(
    io,
    options,
    clock,
    lockProbe,
    deps.verifySegments,
    deps.truncateCommitLogTo,
    threaded,
  );
  const rebuilt = recovered.report.rebuilt;
  if (rebuilt !== undefined)
    deps.logger?.warn(
      `Rebuilt from the CommitLog (${rebuilt.recordsScanned} records scanned): ${[...rebuilt.queues, ...(rebuilt.indexRebuilt ? ['the index: it ended before the last clean close'] : [])].join('; ')}`,
    );
  for (const r of recovered.report.repairs) {
    deps.logger?.warn(
      `Repair moved damaged CommitLog bytes aside: offsets ${r.atOffset}..${r.resumedAt} (${r.bytes} bytes, ${r.reason}) to "${r.movedTo}"; ${r.resumedAt > r.atOffset ? `recovery went on at the valid record at ${r.resumedAt}` : 'no valid record followed: the log was cut there'}`,
    );
  }
  const root = options.storePathRootDir;
  const epochStarts =
    options.brokerRole === 'SLAVE'
      ? loadEpochStarts(io, root)
      : recordEpochStart(io, root, recovered.endOffset);
  const positions = initialPositions(recovered);
  const tailCache = TailCache.create(
    options.tailCacheBytes,
    options.tailCacheBytes / 4,
    recovered.endOffset,
  );
  return { recovered, epochStarts, positions, tailCache };
}

/** Positions at open: everything recovered is written, flushed and dispatched. */
export function initialPositions(recovered: RecoveredStore): StorePositions {
  const positions = new StorePositions();
  for (const slot of [
    PositionSlot.WROTE,
    PositionSlot.FLUSHED,
    PositionSlot.LOGICS_DURABLE,
    PositionSlot.DISPATCHED,
  ])
    positions.set(slot, recovered.endOffset);
  for (const slot of [
    PositionSlot.WROTE_TIMESTAMP,
    PositionSlot.FLUSHED_TIMESTAMP,
    PositionSlot.LOGICS_TIMESTAMP,
  ])
    positions.set(slot, recovered.lastStoreTimestamp);
  return positions;
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

// One boot of the simulated store: the shipped recovery (recoverStore) on a PowerLossDisk mount,
// then the shipped write path (WriteStage + FlushStage), tracker, reader and clean service wired
// as the store's hosts wire them. `inlineSync` is the in-thread host (a SYNC_FLUSH commit
// fdatasyncs in the same turn); otherwise the flush runs as its own step, as on the flush thread.

import type { ManualClock } from '../../../common/clock.js';
import { encodeHostAddress } from '../../../common/host-address.js';
import { CleanService } from '../../../engine/clean/clean-service.js';
import { TailCache } from '../../../engine/commitlog/tail-cache.js';
import type { FileIO } from '../../../engine/io/file-io.js';
import { initialPositions } from '../../../engine/open-store.js';
import type { StoreOptions } from '../../../engine/options.js';
import { MessageEncoder } from '../../../engine/put/message-encoder.js';
import { PutTracker } from '../../../engine/put/put-tracker.js';
import { FlushStage, type WritePathCanaries, WriteStage } from '../../../engine/put/write-path.js';
import { StoreReader } from '../../../engine/read/store-reader.js';
import {
  maxRecordBytes,
  type RecoveredStore,
  recoverStore,
} from '../../../engine/recovery/store-recovery.js';
import { StoreHealth } from '../../../engine/store-health.js';
import type { StorePositions } from '../../../engine/store-positions.js';

export interface StoreBoot {
  io: FileIO;
  recovered: RecoveredStore;
  positions: StorePositions;
  tracker: PutTracker;
  write: WriteStage;
  flush: FlushStage;
  reader: StoreReader;
  clean: CleanService;
  encoder: MessageEncoder;
  scratch: Buffer;
}

const probe = { ownPid: 1, isAlive: () => false };

export async function bootStore(
  io: FileIO,
  options: StoreOptions,
  clock: ManualClock,
  inlineSync: boolean,
  canaries: WritePathCanaries,
): Promise<StoreBoot> {
  const recovered = await recoverStore(io, options, clock, probe);
  const positions = initialPositions(recovered);
  const tailCache = TailCache.create(
    options.tailCacheBytes,
    options.tailCacheBytes / 4,
    recovered.endOffset,
  );
  const storeHost = encodeHostAddress(options.storeHost);
  const tracker = new PutTracker({ capacity: 1 << 16, storeHost, onVisible: () => undefined });
  const nowMs = clock.monotonicMs();
  const flush = new FlushStage(
    {
      commitLog: recovered.commitLog,
      checkpoint: recovered.checkpoint,
      positions,
      policy: options,
      checkpointIntervalMs: options.flushIntervalConsumeQueue,
      presence: { io, rootDir: options.storePathRootDir },
      canaries,
    },
    nowMs,
  );
  const write = new WriteStage(
    {
      commitLog: recovered.commitLog,
      dispatcher: recovered.dispatcher,
      index: recovered.index,
      tailCache,
      positions,
      clock,
      maxRecordBytes: maxRecordBytes(options),
      endOffset: recovered.endOffset,
      logicsIntervalMs: options.flushIntervalConsumeQueue,
      presence: { io, rootDir: options.storePathRootDir },
      canaries,
      onCommitted: (end) => {
        tracker.wroteTo(end);
        if (inlineSync && flush.policy.isSync) {
          flush.flushTo(end);
          tracker.flushedTo(flush.flushed);
        }
      },
    },
    nowMs,
  );
  const reader = new StoreReader({
    commitLog: recovered.commitLog,
    queues: recovered.queues,
    tailCache,
    positions,
    maxRecordBytes: maxRecordBytes(options),
    hashBodyHex: () => '',
  });
  const clean = new CleanService({
    io,
    clock,
    commitLog: recovered.commitLog,
    queues: recovered.queues,
    positions,
    health: new StoreHealth(positions),
    rootDir: options.storePathRootDir,
    policy: {
      fileReservedTime: options.fileReservedTime,
      deleteWhen: options.deleteWhen,
      diskMaxUsedSpaceRatio: options.diskMaxUsedSpaceRatio,
      maxSegmentsPerRun: 10,
    },
    intervalMs: options.cleanResourceInterval,
    onMinOffset: () => undefined,
  });
  const encoder = new MessageEncoder({
    maxMessageSize: options.maxMessageSize,
    storeHost,
    bornHost: storeHost,
    hasher: undefined,
  });
  const scratch = Buffer.alloc(maxRecordBytes(options));
  return { io, recovered, positions, tracker, write, flush, reader, clean, encoder, scratch };
}

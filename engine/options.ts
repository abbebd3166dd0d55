// StoreOptions: what the embedded engine takes. Names follow RocketMQ's MessageStoreConfig so that
// its documentation maps onto ours; the unit of each field is stated next to it. config/ maps
// broker .properties files onto this shape; the engine never reads .properties itself.

import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { ErrorCode, MqError } from '../common/errors.js';
import { Limits } from '../common/limits.js';

export const FlushDiskType = { ASYNC_FLUSH: 'ASYNC_FLUSH', SYNC_FLUSH: 'SYNC_FLUSH' } as const;
export type FlushDiskType = (typeof FlushDiskType)[keyof typeof FlushDiskType];

export const BrokerRole = {
  ASYNC_MASTER: 'ASYNC_MASTER',
  SYNC_MASTER: 'SYNC_MASTER',
  SLAVE: 'SLAVE',
} as const;
export type BrokerRole = (typeof BrokerRole)[keyof typeof BrokerRole];

export interface StoreOptions {
  /** Root of the store: commitlog/, consumequeue/, index/, checkpoint, abort, lock. */
  storePathRootDir: string;
  /** CommitLog directory; defaults to <storePathRootDir>/commitlog. */
  storePathCommitLog: string;
  flushDiskType: FlushDiskType;
  /** Role of this store's broker: a SLAVE store refuses puts (its CommitLog is fed by replication). */
  brokerRole: BrokerRole;
  /** CommitLog segment size, bytes (1 GiB). */
  mappedFileSizeCommitLog: number;
  /** ConsumeQueue segment size, bytes; a multiple of 20 (300,000 units). */
  mappedFileSizeConsumeQueue: number;
  /** Largest stored record, bytes (4 MiB). */
  maxMessageSize: number;
  /** ASYNC_FLUSH period, ms. */
  flushIntervalCommitLog: number;
  /** ASYNC_FLUSH: minimum dirty 4 KiB pages for a periodic flush. */
  flushCommitLogLeastPages: number;
  /** ASYNC_FLUSH: flush whatever is dirty at least this often, ms. */
  flushCommitLogThoroughInterval: number;
  /** ConsumeQueue and index flush period, ms. */
  flushIntervalConsumeQueue: number;
  /** SYNC_FLUSH: how long a put waits for its fdatasync before FLUSH_DISK_TIMEOUT, ms. */
  syncFlushTimeout: number;
  /** Verify BODYCRC of every record while recovering. */
  checkCRCOnRecover: boolean;
  /** Build the key index (UNIQ_KEY and KEYS). */
  messageIndexEnable: boolean;
  /** Index file hash slots. */
  maxHashSlotNum: number;
  /** Index file entries. */
  maxIndexNum: number;
  /** Most results of one key query. */
  maxMsgsNumBatch: number;
  /** Retention of CommitLog segments, hours. */
  fileReservedTime: number;
  /** Hours of the day (e.g. "04" or "04;16") when expired segments are deleted. */
  deleteWhen: string;
  /** Disk usage, percent, above which expired segments are deleted at any hour. */
  diskMaxUsedSpaceRatio: number;
  /** Clean service period, ms. */
  cleanResourceInterval: number;
  /** Run the CommitLog writer and flush service on worker threads. */
  threads: boolean;
  /** Append ring capacity (main thread -> writer), bytes; a power of two. */
  appendRingBytes: number;
  /** Shared tail cache (newest CommitLog bytes readable without a syscall), bytes; a power of two. */
  tailCacheBytes: number;
  /** Most puts waiting for their write or flush at once; beyond it puts get OS_PAGE_CACHE_BUSY. */
  maxPendingPuts: number;
  /**
   * Address written into STOREHOST and broker message ids (msgId = host + CommitLog offset).
   * Default: derived from the store directory's absolute path (127.x.y.z:port, see
   * defaultStoreHost), so two stores on one host do not hand out the same msgIds.
   */
  storeHost: string;
  /** Start even if a record in the middle of the log is corrupt, moving the damaged bytes aside. */
  repairCorruptRecords: boolean;
  /** Worker start and stop deadline, ms. */
  workerShutdownTimeoutMs: number;
  /** Master: port slaves replicate from (RocketMQ's haListenPort); -1 = no HA server, 0 = any free port. */
  haListenPort: number;
  /** Master: address the HA server binds. */
  haListenHost: string;
  /** Most bytes per HA frame. */
  haTransferBatchSize: number;
  /** Heartbeat and offset-report period on an idle HA connection, ms. */
  haSendHeartbeatInterval: number;
  /** An HA connection silent this long is closed, ms. */
  haHousekeepingInterval: number;
  /** SYNC_MASTER: a slave further behind than this many bytes does not count (SLAVE_NOT_AVAILABLE). */
  haSlaveFallbehindMax: number;
  /** SYNC_MASTER: how long a put waits for a slave before FLUSH_SLAVE_TIMEOUT, ms. */
  slaveTimeout: number;
  /** Most slaves connected at once. */
  haMaxSlaves: number;
}

export const defaultStoreOptions: Omit<
  StoreOptions,
  'storePathRootDir' | 'storePathCommitLog' | 'storeHost'
> = {
  flushDiskType: 'ASYNC_FLUSH',
  brokerRole: 'ASYNC_MASTER',
  mappedFileSizeCommitLog: 1024 * 1024 * 1024,
  mappedFileSizeConsumeQueue: 300_000 * 20,
  maxMessageSize: Limits.maxMessageSizeBytes,
  flushIntervalCommitLog: 500,
  flushCommitLogLeastPages: 4,
  flushCommitLogThoroughInterval: 10_000,
  flushIntervalConsumeQueue: 1000,
  syncFlushTimeout: 5000,
  checkCRCOnRecover: true,
  messageIndexEnable: true,
  maxHashSlotNum: 5_000_000,
  maxIndexNum: 20_000_000,
  maxMsgsNumBatch: 64,
  fileReservedTime: 72,
  deleteWhen: '04',
  diskMaxUsedSpaceRatio: 75,
  cleanResourceInterval: 10_000,
  threads: true,
  appendRingBytes: 32 * 1024 * 1024,
  tailCacheBytes: 64 * 1024 * 1024,
  maxPendingPuts: 65_536,
  repairCorruptRecords: false,
  workerShutdownTimeoutMs: 10_000,
  haListenPort: -1,
  haListenHost: '0.0.0.0',
  haTransferBatchSize: 32 * 1024,
  haSendHeartbeatInterval: 5000,
  haHousekeepingInterval: 20_000,
  haSlaveFallbehindMax: 256 * 1024 * 1024,
  slaveTimeout: 3000,
  haMaxSlaves: 8,
};

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/**
 * The storeHost of a store that sets none: a loopback address and port taken from a SHA-256 of
 * the store directory's absolute path (24 + 16 bits), so stores in different directories get
 * different broker message ids (a clash between two stores is a 1 in 2^40 chance). A gateway
 * whose ids must name a reachable host sets storeHost itself.
 */
export function defaultStoreHost(storePathRootDir: string): string {
  const hash = createHash('sha256').update(resolve(storePathRootDir)).digest();
  const port = 1024 + (hash.readUInt16BE(3) % (65536 - 1024));
  return `127.${hash[0]}.${hash[1]}.${hash[2]}:${port}`;
}

/** Fills defaults and checks ranges; throws E_STORE_OPTIONS_INVALID listing every problem. */
export function resolveStoreOptions(
  input: Partial<StoreOptions> & { storePathRootDir: string },
): Readonly<StoreOptions> {
  const known = new Set([
    ...Object.keys(defaultStoreOptions),
    'storePathRootDir',
    'storePathCommitLog',
    'storeHost',
  ]);
  const problems: string[] = [];
  for (const key of Object.keys(input))
    if (!known.has(key)) problems.push(`unknown option "${key}"`);
  const options: StoreOptions = {
    ...defaultStoreOptions,
    storePathCommitLog: `${input.storePathRootDir}/commitlog`,
    storeHost:
      typeof input.storePathRootDir === 'string' ? defaultStoreHost(input.storePathRootDir) : '',
    ...input,
  };
  checkStoreOptions(options, problems);
  if (problems.length > 0) {
    throw new MqError(
      ErrorCode.STORE_OPTIONS_INVALID,
      `Invalid store options: ${problems.join('; ')}`,
      { problems },
    );
  }
  return Object.freeze(options);
}

function checkStoreOptions(o: StoreOptions, problems: string[]): void {
  const positive = (name: keyof StoreOptions, value: number) => {
    if (!Number.isSafeInteger(value) || value <= 0)
      problems.push(`${name} must be a positive integer, got ${value}`);
  };
  if (typeof o.storePathRootDir !== 'string' || o.storePathRootDir === '')
    problems.push('storePathRootDir is required');
  if (!Object.values(FlushDiskType).includes(o.flushDiskType))
    problems.push(`flushDiskType must be ASYNC_FLUSH or SYNC_FLUSH, got "${o.flushDiskType}"`);
  if (!Object.values(BrokerRole).includes(o.brokerRole))
    problems.push(`brokerRole must be ASYNC_MASTER, SYNC_MASTER or SLAVE, got "${o.brokerRole}"`);
  for (const key of [
    'mappedFileSizeCommitLog',
    'mappedFileSizeConsumeQueue',
    'maxMessageSize',
    'flushIntervalCommitLog',
    'flushCommitLogThoroughInterval',
    'flushIntervalConsumeQueue',
    'syncFlushTimeout',
    'maxHashSlotNum',
    'maxIndexNum',
    'maxMsgsNumBatch',
    'cleanResourceInterval',
    'maxPendingPuts',
    'workerShutdownTimeoutMs',
    'haTransferBatchSize',
    'haSendHeartbeatInterval',
    'haHousekeepingInterval',
    'haSlaveFallbehindMax',
    'slaveTimeout',
    'haMaxSlaves',
  ] as const) {
    positive(key, o[key]);
  }
  if (o.mappedFileSizeConsumeQueue % 20 !== 0)
    problems.push('mappedFileSizeConsumeQueue must be a multiple of 20');
  if (o.mappedFileSizeCommitLog % 4096 !== 0)
    problems.push('mappedFileSizeCommitLog must be a multiple of 4096');
  if (o.maxMessageSize + 8 > o.mappedFileSizeCommitLog)
    problems.push('maxMessageSize must leave room for the end-of-file record in a segment');
  if (!isPowerOfTwo(o.appendRingBytes)) problems.push('appendRingBytes must be a power of two');
  if (!isPowerOfTwo(o.tailCacheBytes)) problems.push('tailCacheBytes must be a power of two');
  // The largest record: the body limit plus the most headers a record can carry.
  const recordMax = o.maxMessageSize + 91 + 24 + 255 + 32767;
  if (o.appendRingBytes < 2 * (recordMax + 64))
    problems.push(
      `appendRingBytes must hold two of the largest records (${2 * (recordMax + 64)} bytes)`,
    );
  if (o.tailCacheBytes / 4 < recordMax + 8)
    problems.push(
      `tailCacheBytes must be at least ${4 * (recordMax + 8)} bytes: a writer batch (a quarter of it) holds the largest record`,
    );
  if (!Number.isInteger(o.haListenPort) || o.haListenPort < -1 || o.haListenPort > 65535)
    problems.push(`haListenPort must be -1 (off) or a port, got ${o.haListenPort}`);
  if (!/^\d{1,2}(;\d{1,2})*$/.test(o.deleteWhen))
    problems.push(`deleteWhen must be hours like "04" or "04;16", got "${o.deleteWhen}"`);
  if (!(o.diskMaxUsedSpaceRatio >= 10 && o.diskMaxUsedSpaceRatio <= 95))
    problems.push('diskMaxUsedSpaceRatio must be within 10..95');
  if (!(o.fileReservedTime > 0)) problems.push('fileReservedTime must be positive (hours)');
  if (typeof o.threads !== 'boolean') problems.push('threads must be a boolean');
}

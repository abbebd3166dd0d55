// Store keys: every field of the engine's StoreOptions (engine/options.ts), under the same name
// and with the same default (a test holds the two together), plus the store paths. The names are
// RocketMQ MessageStoreConfig's, in its units: ms for intervals, hours for fileReservedTime,
// percent for ratios, plain bytes for sizes. Keys marked Petrel-only are not known to RocketMQ.
// RocketMQ: store/src/main/java/org/apache/rocketmq/store/config/MessageStoreConfig.java.

import {
  bool,
  hours,
  type InferConfig,
  int,
  oneOf,
  parseHostPort,
  type Schema,
  size,
  str,
} from './schema.js';

const MIB = 1024 * 1024;

function checkDeleteWhen(value: string): string | undefined {
  const bad = value.split(';').find((h) => Number(h) > 23);
  return bad === undefined ? undefined : `hour ${bad} is not within 0..23`;
}

function checkHostPort(value: string): string | undefined {
  const parsed = parseHostPort(value);
  return parsed.ok ? undefined : parsed.reason;
}

export const storeSchema = {
  storePathRootDir: str({
    hostDefault: { describe: '`<home>/store`', resolve: (host) => `${host.homeDir}/store` },
    doc: 'Store root: commitlog/, consumequeue/, index/, checkpoint, abort, lock and config/. Relative paths resolve against the working directory, as in RocketMQ.',
  }),
  storePathCommitLog: str({
    optional: true,
    doc: 'CommitLog directory; unset means `<storePathRootDir>/commitlog`. Petrel takes one directory (RocketMQ 4.9 also accepts a comma-separated list).',
  }),
  flushDiskType: oneOf(['ASYNC_FLUSH', 'SYNC_FLUSH'], {
    default: 'ASYNC_FLUSH',
    doc: 'ASYNC_FLUSH acknowledges a put once written and flushes periodically; SYNC_FLUSH acknowledges after fdatasync.',
  }),
  brokerRole: oneOf(['ASYNC_MASTER', 'SYNC_MASTER', 'SLAVE'], {
    default: 'ASYNC_MASTER',
    doc: 'ASYNC_MASTER replicates in the background; SYNC_MASTER acknowledges a put once a slave has it; SLAVE copies its master and refuses puts. Ignored in DLedger mode, where Raft decides the role.',
  }),
  mappedFileSizeCommitLog: size({
    default: 1024 * MIB,
    doc: 'CommitLog segment size; a multiple of 4096. Master and slaves must use the same value.',
  }),
  mappedFileSizeConsumeQueue: size({
    default: 300_000 * 20,
    doc: 'ConsumeQueue segment size; a multiple of the 20-byte unit (other values are rounded up, as RocketMQ does, with a warning).',
  }),
  maxMessageSize: size({
    default: 4 * MIB,
    doc: 'Largest message body accepted and stored.',
  }),
  flushIntervalCommitLog: int({
    min: 1,
    unit: 'ms',
    default: 500,
    doc: 'ASYNC_FLUSH: how often the flush service runs.',
  }),
  flushCommitLogLeastPages: int({
    min: 0,
    unit: 'pages',
    default: 4,
    doc: 'ASYNC_FLUSH: dirty 4 KiB pages needed before a periodic flush writes anything.',
  }),
  flushCommitLogThoroughInterval: int({
    min: 1,
    unit: 'ms',
    default: 10_000,
    doc: 'ASYNC_FLUSH: flush whatever is dirty at least this often.',
  }),
  flushIntervalConsumeQueue: int({
    min: 1,
    unit: 'ms',
    default: 1000,
    doc: 'ConsumeQueue and index flush period.',
  }),
  syncFlushTimeout: int({
    min: 1,
    unit: 'ms',
    default: 5000,
    doc: 'SYNC_FLUSH: how long a put waits for its flush before FLUSH_DISK_TIMEOUT.',
  }),
  checkCRCOnRecover: bool({
    default: true,
    doc: 'Verify the body CRC of every record while recovering the CommitLog.',
  }),
  messageIndexEnable: bool({
    default: true,
    doc: 'Build the key index (UNIQ_KEY and KEYS) used by message queries.',
  }),
  maxHashSlotNum: int({ min: 1, default: 5_000_000, doc: 'Hash slots per index file.' }),
  maxIndexNum: int({ min: 1, default: 20_000_000, doc: 'Entries per index file.' }),
  maxMsgsNumBatch: int({ min: 1, default: 64, doc: 'Most results of one key query.' }),
  fileReservedTime: hours({
    min: 1,
    default: 72,
    doc: 'How long CommitLog segments are kept after their last write.',
  }),
  deleteWhen: str({
    default: '04',
    pattern: /^\d{1,2}(;\d{1,2})*$/,
    accepts: 'hours of the day like "04" or "04;16"',
    check: checkDeleteWhen,
    doc: 'Hours of the day at which expired segments are deleted.',
  }),
  diskMaxUsedSpaceRatio: int({
    min: 10,
    max: 95,
    clamp: true,
    unit: 'percent',
    default: 75,
    doc: 'Disk usage above which expired segments are deleted at any hour.',
  }),
  cleanResourceInterval: int({
    min: 1,
    unit: 'ms',
    default: 10_000,
    doc: 'How often the clean service checks for expired segments.',
  }),
  threads: bool({
    default: true,
    petrelOnly: true,
    doc: 'Run the CommitLog writer and flush service on worker threads (false: in the main thread).',
  }),
  appendRingBytes: size({
    default: 32 * MIB,
    petrelOnly: true,
    doc: 'Append ring between the main thread and the writer; a power of two holding at least two of the largest records (maxMessageSize plus 33,137 bytes of headers).',
  }),
  tailCacheBytes: size({
    default: 64 * MIB,
    petrelOnly: true,
    doc: 'Shared cache of the newest CommitLog bytes; a power of two of at least four of the largest records (maxMessageSize plus 33,137 bytes of headers).',
  }),
  maxPendingPuts: int({
    min: 1,
    default: 65_536,
    petrelOnly: true,
    doc: 'Most puts waiting for their write or flush at once; beyond it puts fail fast with OS_PAGE_CACHE_BUSY.',
  }),
  storeHost: str({
    default: '127.0.0.1:10911',
    defaultDoc: 'brokerIP1:listenPort (embedded: a 127.x.y.z:port derived from storePathRootDir)',
    check: checkHostPort,
    accepts: 'host:port',
    petrelOnly: true,
    doc: 'Address written into each record (STOREHOST) and message ids. In a broker it follows brokerIP1:listenPort unless set.',
  }),
  repairCorruptRecords: bool({
    default: false,
    petrelOnly: true,
    doc: 'Start even if a record in the middle of the CommitLog is corrupt: only the damaged bytes are moved aside, what follows them is kept.',
  }),
  workerShutdownTimeoutMs: int({
    min: 1,
    unit: 'ms',
    default: 10_000,
    petrelOnly: true,
    doc: 'Deadline for store workers to start and to stop.',
  }),
  haListenPort: int({
    min: -1,
    max: 65535,
    default: -1,
    defaultDoc: 'listenPort+1 in a broker; -1 (no HA server) for an embedded store',
    doc: 'Port a master accepts slave connections on. Unset means listenPort+1 (RocketMQ always uses listenPort+1; Petrel keeps an explicit value).',
  }),
  haSendHeartbeatInterval: int({
    min: 1,
    unit: 'ms',
    default: 5000,
    doc: 'Slave: how often it reports its offset to the master when idle.',
  }),
  haHousekeepingInterval: int({
    min: 1,
    unit: 'ms',
    default: 20_000,
    doc: 'An HA connection silent for this long is closed.',
  }),
  haTransferBatchSize: size({
    default: 32 * 1024,
    doc: 'Most CommitLog bytes per HA frame.',
  }),
  haSlaveFallbehindMax: size({
    default: 256 * 1024 * 1024,
    doc: 'SYNC_MASTER: a slave further behind than this is not waited for (SLAVE_NOT_AVAILABLE).',
  }),
  slaveTimeout: int({
    min: 1,
    unit: 'ms',
    default: 3000,
    doc: 'SYNC_MASTER: how long a put waits for a slave before FLUSH_SLAVE_TIMEOUT.',
  }),
  haMaxSlaves: int({
    min: 1,
    max: 64,
    default: 8,
    petrelOnly: true,
    doc: 'Most slaves a master serves at once; more are refused at connect.',
  }),
  haListenHost: str({
    default: '0.0.0.0',
    defaultDoc: 'bindAddress in a broker',
    petrelOnly: true,
    doc: "Address the master's HA server binds. Unset in a broker means bindAddress, the address the remoting port binds.",
  }),
} satisfies Schema;

export type StoreConfig = InferConfig<typeof storeSchema>;

/** Keys older RocketMQ 4.x releases used (up to 4.5.1), read as their current names. */
export const storeRenamedKeys: Readonly<Record<string, keyof StoreConfig>> = {
  mapedFileSizeCommitLog: 'mappedFileSizeCommitLog',
  mapedFileSizeConsumeQueue: 'mappedFileSizeConsumeQueue',
};

/** The ConsumeQueue unit: commitLogOffset (8) + size (4) + tagsCode (8) bytes. */
export const CONSUME_QUEUE_UNIT_BYTES = 20;
/** CommitLog segments are whole 4 KiB pages (the flush service counts pages). */
export const COMMIT_LOG_PAGE_BYTES = 4096;

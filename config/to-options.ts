// From a loaded config to what components take. The engine's StoreOptions already use RocketMQ's
// names and units, so the store slice is a copy of those fields (the compiler checks that every
// field is given); storePathCommitLog, storeHost and the other derived values were settled by
// validate.ts. printEffectiveConfig renders any loaded config back as .properties text with the
// source of each value (what `mqbroker -p` prints).

import type { StoreOptions } from '../engine/options.js';
import { type ConfigSource, formatSource } from './config-error.js';
import type { BrokerConfig, LoadedConfig } from './load.js';
import { escapePropertiesKey, escapePropertiesValue } from './properties.js';
import { secretKeys } from './security-schema.js';

/** The embedded store's options of a broker config, as a frozen plain object. */
export function toStoreOptions(config: BrokerConfig): Readonly<StoreOptions> {
  const options: StoreOptions = {
    storePathRootDir: config.storePathRootDir,
    // validate() always fills it; the fallback keeps the type honest.
    storePathCommitLog: config.storePathCommitLog ?? `${config.storePathRootDir}/commitlog`,
    flushDiskType: config.flushDiskType,
    brokerRole: config.brokerRole,
    mappedFileSizeCommitLog: config.mappedFileSizeCommitLog,
    mappedFileSizeConsumeQueue: config.mappedFileSizeConsumeQueue,
    maxMessageSize: config.maxMessageSize,
    flushIntervalCommitLog: config.flushIntervalCommitLog,
    flushCommitLogLeastPages: config.flushCommitLogLeastPages,
    flushCommitLogThoroughInterval: config.flushCommitLogThoroughInterval,
    flushIntervalConsumeQueue: config.flushIntervalConsumeQueue,
    syncFlushTimeout: config.syncFlushTimeout,
    checkCRCOnRecover: config.checkCRCOnRecover,
    messageIndexEnable: config.messageIndexEnable,
    maxHashSlotNum: config.maxHashSlotNum,
    maxIndexNum: config.maxIndexNum,
    maxMsgsNumBatch: config.maxMsgsNumBatch,
    fileReservedTime: config.fileReservedTime,
    deleteWhen: config.deleteWhen,
    diskMaxUsedSpaceRatio: config.diskMaxUsedSpaceRatio,
    cleanResourceInterval: config.cleanResourceInterval,
    threads: config.threads,
    appendRingBytes: config.appendRingBytes,
    tailCacheBytes: config.tailCacheBytes,
    maxPendingPuts: config.maxPendingPuts,
    storeHost: config.storeHost,
    repairCorruptRecords: config.repairCorruptRecords,
    workerShutdownTimeoutMs: config.workerShutdownTimeoutMs,
    // Only a master serves slaves; a slave replicates through its own HA client.
    haListenPort: config.brokerRole === 'SLAVE' ? -1 : config.haListenPort,
    haListenHost: config.haListenHost,
    haTransferBatchSize: config.haTransferBatchSize,
    haSendHeartbeatInterval: config.haSendHeartbeatInterval,
    haHousekeepingInterval: config.haHousekeepingInterval,
    haSlaveFallbehindMax: config.haSlaveFallbehindMax,
    slaveTimeout: config.slaveTimeout,
    haMaxSlaves: config.haMaxSlaves,
  };
  return Object.freeze(options);
}

/**
 * Renders every key as `key=value  # source`, in schema order; unset optional keys are shown
 * commented out, and so are secrets (aclSecretKey, key passwords), whose values are never printed.
 * The value part reads back unchanged with parseProperties.
 */
export function printEffectiveConfig<T extends object>(loaded: LoadedConfig<T>): string {
  const values = loaded.config as Record<string, unknown>;
  const sources = loaded.sources as Record<string, ConfigSource | undefined>;
  const keys = Object.keys(loaded.schema);
  const width = Math.max(...keys.map((k) => k.length));
  const lines: string[] = [];
  for (const key of keys) {
    const spec = loaded.schema[key];
    const source = sources[key];
    if (spec === undefined || source === undefined) continue;
    const value = values[key];
    const origin = formatSource(source);
    if (value === undefined) {
      lines.push(`#${escapePropertiesKey(key)}=  # unset (${origin})`);
      continue;
    }
    if (secretKeys.has(key)) {
      lines.push(`#${escapePropertiesKey(key)}=  # set, not printed: a secret (${origin})`);
      continue;
    }
    const text = `${escapePropertiesKey(key)}=${escapePropertiesValue(spec.format(value))}`;
    lines.push(`${text.padEnd(width + 12)}  # ${origin}`);
  }
  return `${lines.join('\n')}\n`;
}

// The broker's state managers (topics, subscription groups, consumer offsets) loaded from their
// files under <storePathRootDir>/config/, and the topic table as the broker registers it.

import { join } from 'node:path';
import type { Clock } from '../common/clock.js';
import { isReadable, isWriteable, PermName } from '../common/topic-rules.js';
import type { BrokerConfig } from '../config/load.js';
import type { FileIO } from '../engine/io/file-io.js';
import type { Logger } from '../protocol/index.js';
import { JsonStateFile } from '../server/config-file.js';
import {
  ConsumerOffsetManager,
  parseOffsetTable,
  renderOffsetTable,
} from './consumer-offset-manager.js';
import { DeferredStateFile } from './deferred-state-file.js';
import {
  parseSubscriptionGroupWrapper,
  renderSubscriptionGroupWrapper,
  SubscriptionGroupManager,
} from './subscription-group-manager.js';
import {
  parseTopicConfigWrapper,
  renderTopicConfigWrapper,
  TopicConfigManager,
  type TopicConfigWrapper,
} from './topic-config-manager.js';

/** The loaded state managers of a broker (state files under <storePathRootDir>/config/). */
export interface Managers {
  topics: TopicConfigManager;
  groups: SubscriptionGroupManager;
  offsets: ConsumerOffsetManager;
  /** topics.json and subscriptionGroup.json, written shortly after changes (close() writes them). */
  stateFiles: DeferredStateFile<unknown>[];
}

/** How soon a changed topic or group table reaches its file. */
const STATE_SAVE_DELAY_MS = 200;
const STATE_SAVE_RETRY_MS = 5_000;

export function loadManagers(
  config: BrokerConfig,
  clock: Clock,
  io: FileIO,
  scheduleQueues: number,
  logger: Logger,
): Managers {
  const dir = join(config.storePathRootDir, 'config');
  const deferred = {
    delayMs: STATE_SAVE_DELAY_MS,
    retryMs: STATE_SAVE_RETRY_MS,
    onError: (path: string, error: unknown) =>
      logger.error('Saving a state file failed; retrying', {
        path,
        error: error instanceof Error ? error.message : String(error),
      }),
  };
  const topicFile = new DeferredStateFile(
    new JsonStateFile({
      io,
      path: join(dir, 'topics.json'),
      parse: parseTopicConfigWrapper,
      render: renderTopicConfigWrapper,
    }),
    deferred,
  );
  const groupFile = new DeferredStateFile(
    new JsonStateFile({
      io,
      path: join(dir, 'subscriptionGroup.json'),
      parse: parseSubscriptionGroupWrapper,
      render: renderSubscriptionGroupWrapper,
    }),
    deferred,
  );
  const topics = new TopicConfigManager({
    clock,
    store: topicFile,
    clusterName: config.brokerClusterName,
    brokerName: config.brokerName,
    autoCreateTopicEnable: config.autoCreateTopicEnable,
    defaultTopicQueueNums: config.defaultTopicQueueNums,
    clusterTopicEnable: config.clusterTopicEnable,
    brokerTopicEnable: config.brokerTopicEnable,
    scheduleQueueNums: Math.max(18, scheduleQueues),
    ...(config.traceTopicEnable ? { traceTopic: config.msgTraceTopicName } : {}),
  });
  const groups = new SubscriptionGroupManager({
    clock,
    store: groupFile,
    autoCreateSubscriptionGroup: config.autoCreateSubscriptionGroup,
  });
  const offsets = new ConsumerOffsetManager(
    new JsonStateFile({
      io,
      path: join(dir, 'consumerOffset.json'),
      parse: parseOffsetTable,
      render: renderOffsetTable,
    }),
  );
  topics.load();
  groups.load();
  offsets.load();
  return {
    topics,
    groups,
    offsets,
    stateFiles: [topicFile, groupFile] as DeferredStateFile<unknown>[],
  };
}

/**
 * The topics as registered: a broker without read or write permission registers its own. A store
 * that cannot take writes (disk full, read-only, I/O errors) registers without write permission,
 * so producers route to other brokers until it can again.
 */
export function registeredTopics(
  config: BrokerConfig,
  topics: TopicConfigManager,
  writability: StoreWritability,
  only?: readonly string[],
): TopicConfigWrapper {
  const wrapper = only === undefined ? topics.snapshot() : someTopics(topics, only);
  // The NameServer re-reads topics only when the data version moves: each change of the store's
  // writability moves it (without rewriting topics.json, which a full disk would refuse).
  wrapper.dataVersion = {
    timestamp: wrapper.dataVersion.timestamp,
    counter: wrapper.dataVersion.counter + writability.changes,
  };
  const perm = writability.writable
    ? config.brokerPermission
    : config.brokerPermission & ~PermName.WRITE;
  if (isReadable(perm) && isWriteable(perm)) return wrapper;
  for (const topic of Object.values(wrapper.topicConfigTable)) topic.perm = perm;
  return wrapper;
}

/** The named topics only, with the table's data version (an incremental registration). */
function someTopics(topics: TopicConfigManager, names: readonly string[]): TopicConfigWrapper {
  const topicConfigTable: TopicConfigWrapper['topicConfigTable'] = {};
  for (const name of names) {
    const config = topics.get(name);
    if (config !== undefined) topicConfigTable[name] = { ...config };
  }
  return { topicConfigTable, dataVersion: { ...topics.dataVersion } };
}

/** Whether the store takes writes, and how often that changed. */
export interface StoreWritability {
  writable: boolean;
  /** Times `writable` changed. */
  changes: number;
}

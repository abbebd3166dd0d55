// The broker's topics: queue counts, permissions and flags of every topic it serves, with a data
// version the NameServers compare on registration. Kept in <storePathRootDir>/config/topics.json.
//
// RocketMQ: broker/.../topic/TopicConfigManager.java (system topics, createTopicInSendMessageMethod,
// createTopicInSendMessageBackMethod, updateTopicConfig), common/.../TopicConfig.java,
// common/.../protocol/body/TopicConfigSerializeWrapper.java.
//
// File: {"dataVersion":{"counter":3,"timestamp":...},"topicConfigTable":{"T":{"order":false,
//        "perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":"T",
//        "topicSysFlag":0,"writeQueueNums":4}}}
//
// Auto-creation (a send to an unknown topic) follows TBW102's rules: the request names a template
// topic (normally TBW102) that must exist with the INHERIT permission; the new topic gets
// min(the client's queue count, the template's write queues) queues and the template's
// permission without INHERIT. Petrel also requires autoCreateTopicEnable for it, whatever the
// template (Java would let any inheritable topic, e.g. the cluster topic, serve as one).

import { assert } from '../common/assert.js';
import type { Clock } from '../common/clock.js';
import {
  isInherited,
  MAX_QUEUE_NUMS,
  PermName,
  replyTopicOf,
  SystemTopic,
  topicNameProblem,
} from '../common/topic-rules.js';
import {
  type DataVersion,
  dataVersionToJson,
  decodeDataVersion,
  decodeTopicConfig,
  parseFastjson,
  sameDataVersion,
  type TopicConfig,
  topicConfigToJson,
} from '../protocol/index.js';

export interface TopicConfigWrapper {
  topicConfigTable: Record<string, TopicConfig>;
  dataVersion: DataVersion;
}

/** Where the table is kept (a JsonStateFile in a broker, memory in tests). */
export interface StateStore<T> {
  load(): T | undefined;
  save(value: T): void;
  /** A store that writes later takes the value lazily: one snapshot per write, not per change. */
  saveLater?(snapshot: () => T): void;
}

/** Saves through saveLater when the store has it, else now. */
export function saveState<T>(store: StateStore<T>, snapshot: () => T): void {
  if (store.saveLater !== undefined) store.saveLater(snapshot);
  else store.save(snapshot());
}

export function parseTopicConfigWrapper(text: string): TopicConfigWrapper {
  const root = parseFastjson(text) as Record<string, unknown>;
  const table: Record<string, TopicConfig> = {};
  const raw = (root['topicConfigTable'] ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(raw)) {
    table[name] = decodeTopicConfig(value, `topicConfigTable.${name}`);
  }
  const version = root['dataVersion'] ?? { timestamp: 0, counter: 0 };
  return { topicConfigTable: table, dataVersion: decodeDataVersion(version, 'dataVersion') };
}

export function renderTopicConfigWrapper(wrapper: TopicConfigWrapper): string {
  const table: Record<string, unknown> = {};
  for (const name of Object.keys(wrapper.topicConfigTable).sort()) {
    const config = wrapper.topicConfigTable[name];
    if (config !== undefined) table[name] = topicConfigToJson(config);
  }
  const json = { dataVersion: dataVersionToJson(wrapper.dataVersion), topicConfigTable: table };
  return `${JSON.stringify(json, null, 2)}\n`;
}

export interface TopicConfigManagerOptions {
  clock: Clock;
  store: StateStore<TopicConfigWrapper>;
  clusterName: string;
  brokerName: string;
  autoCreateTopicEnable: boolean;
  defaultTopicQueueNums: number;
  clusterTopicEnable: boolean;
  brokerTopicEnable: boolean;
  /** Queues of SCHEDULE_TOPIC_XXXX: one per delay level. */
  scheduleQueueNums: number;
  /** The message trace topic to create (traceTopicEnable), if any. */
  traceTopic?: string;
}

export function newTopicConfig(
  topicName: string,
  queueNums: number,
  perm: number = PermName.READ | PermName.WRITE,
): TopicConfig {
  return {
    topicName,
    readQueueNums: queueNums,
    writeQueueNums: queueNums,
    perm,
    topicFilterType: 'SINGLE_TAG',
    topicSysFlag: 0,
    order: false,
  };
}

export type EnsureResult = { config: TopicConfig; created: boolean };

export class TopicConfigManager {
  readonly #o: TopicConfigManagerOptions;
  readonly #table = new Map<string, TopicConfig>();
  #dataVersion: DataVersion = { timestamp: 0, counter: 0 };

  constructor(options: TopicConfigManagerOptions) {
    this.#o = options;
  }

  /** Reads the file, then adds the system topics the config asks for. */
  load(): void {
    const loaded = this.#o.store.load();
    if (loaded !== undefined) {
      for (const [name, config] of Object.entries(loaded.topicConfigTable)) {
        this.#table.set(name, config);
      }
      this.#dataVersion = { ...loaded.dataVersion };
    }
    let changed = false;
    for (const config of this.#systemTopics()) {
      const current = this.#table.get(config.topicName);
      if (current !== undefined && current.perm === config.perm) continue;
      this.#table.set(config.topicName, config);
      changed = true;
    }
    if (!this.#o.autoCreateTopicEnable && this.#table.delete(SystemTopic.DEFAULT_TOPIC)) {
      changed = true;
    }
    if (changed || loaded === undefined) this.#commit();
  }

  #systemTopics(): TopicConfig[] {
    const o = this.#o;
    const rw = PermName.READ | PermName.WRITE;
    const topics = [
      newTopicConfig(SystemTopic.SELF_TEST_TOPIC, 1),
      newTopicConfig(SystemTopic.OFFSET_MOVED_EVENT, 1),
      newTopicConfig(SystemTopic.SCHEDULE_TOPIC, o.scheduleQueueNums),
      newTopicConfig(o.clusterName, 16, PermName.INHERIT | (o.clusterTopicEnable ? rw : 0)),
      newTopicConfig(o.brokerName, 1, PermName.INHERIT | (o.brokerTopicEnable ? rw : 0)),
      // Replies of request/reply messages go to <cluster>_REPLY_TOPIC (RocketMQ 4.6+).
      newTopicConfig(replyTopicOf(o.clusterName), 1),
    ];
    if (o.traceTopic !== undefined) topics.push(newTopicConfig(o.traceTopic, 1));
    if (o.autoCreateTopicEnable) {
      topics.push(
        newTopicConfig(SystemTopic.DEFAULT_TOPIC, o.defaultTopicQueueNums, rw | PermName.INHERIT),
      );
    }
    return topics;
  }

  get dataVersion(): DataVersion {
    return { ...this.#dataVersion };
  }

  get(topic: string): TopicConfig | undefined {
    return this.#table.get(topic);
  }

  get size(): number {
    return this.#table.size;
  }

  /** A copy of the whole table (registration, GET_ALL_TOPIC_CONFIG). */
  snapshot(): TopicConfigWrapper {
    const topicConfigTable: Record<string, TopicConfig> = {};
    for (const [name, config] of this.#table) topicConfigTable[name] = { ...config };
    return { topicConfigTable, dataVersion: this.dataVersion };
  }

  /** UPDATE_AND_CREATE_TOPIC: stores `config` as given (validated by the caller). */
  update(config: TopicConfig): void {
    assert(topicNameProblem(config.topicName) === undefined, 'topic name is valid');
    assert(config.readQueueNums >= 0 && config.writeQueueNums >= 0, 'queue counts');
    this.#table.set(config.topicName, { ...config });
    this.#commit();
  }

  /** A new data version with the table unchanged: the NameServers then take the next registration
   * in full (RocketMQ does this when brokerPermission changes). */
  touch(): void {
    this.#commit();
  }

  delete(topic: string): boolean {
    if (!this.#table.delete(topic)) return false;
    this.#commit();
    return true;
  }

  /**
   * A send to an unknown topic: creates it from the template topic when auto-creation is on and
   * the template inherits (see the header comment); undefined otherwise.
   */
  createForSend(
    topic: string,
    defaultTopic: string,
    clientQueueNums: number,
  ): EnsureResult | undefined {
    const existing = this.#table.get(topic);
    if (existing !== undefined) return { config: existing, created: false };
    if (!this.#o.autoCreateTopicEnable) return undefined;
    const template = this.#table.get(defaultTopic);
    if (template === undefined || !isInherited(template.perm)) return undefined;
    const queueNums = Math.max(
      1,
      Math.min(clientQueueNums, template.writeQueueNums, MAX_QUEUE_NUMS),
    );
    const config: TopicConfig = {
      ...newTopicConfig(topic, queueNums, template.perm & ~PermName.INHERIT),
      topicFilterType: template.topicFilterType,
    };
    this.#table.set(topic, config);
    this.#commit();
    return { config, created: true };
  }

  /** Retry and dead-letter topics: created on demand with a fixed queue count and permission. */
  ensure(topic: string, queueNums: number, perm: number): EnsureResult {
    const existing = this.#table.get(topic);
    if (existing !== undefined) return { config: existing, created: false };
    assert(queueNums >= 1 && queueNums <= MAX_QUEUE_NUMS, 'queue count in range');
    const config = newTopicConfig(topic, queueNums, perm);
    this.#table.set(topic, config);
    this.#commit();
    return { config, created: true };
  }

  /**
   * A slave takes its master's table whole when the master's version differs (SlaveSynchronize);
   * returns whether anything was replaced.
   */
  replaceFromMaster(wrapper: TopicConfigWrapper): boolean {
    if (sameDataVersion(wrapper.dataVersion, this.#dataVersion)) return false;
    this.#table.clear();
    for (const [name, config] of Object.entries(wrapper.topicConfigTable))
      this.#table.set(name, { ...config });
    this.#dataVersion = { ...wrapper.dataVersion };
    this.#o.store.save(this.snapshot());
    return true;
  }

  #commit(): void {
    const now = this.#o.clock.nowMs();
    this.#dataVersion = { timestamp: now, counter: this.#dataVersion.counter + 1 };
    saveState(this.#o.store, () => this.snapshot());
  }
}

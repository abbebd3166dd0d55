// Consumer groups the broker knows, with their settings: may they consume, how many times a
// message is retried before the dead-letter topic, which broker a slow consumer is sent to.
// Kept in <storePathRootDir>/config/subscriptionGroup.json. Groups are created on first use when
// autoCreateSubscriptionGroup is on (the default), as in RocketMQ.
//
// RocketMQ: broker/.../subscription/SubscriptionGroupManager.java,
// common/.../subscription/SubscriptionGroupConfig.java.

import { assert } from '../common/assert.js';
import type { Clock } from '../common/clock.js';
import {
  asObject,
  type DataVersion,
  dataVersionToJson,
  decodeDataVersion,
  parseFastjson,
  readBoolean,
  readInteger,
  readString,
  sameDataVersion,
} from '../protocol/index.js';
import { type StateStore, saveState } from './topic-config-manager.js';

export interface SubscriptionGroupConfig {
  groupName: string;
  consumeEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeBroadcastEnable: boolean;
  retryQueueNums: number;
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  notifyConsumerIdsChangedEnable: boolean;
}

export interface SubscriptionGroupWrapper {
  subscriptionGroupTable: Record<string, SubscriptionGroupConfig>;
  dataVersion: DataVersion;
}

/** Groups at most; a further one is not created (the request gets SUBSCRIPTION_GROUP_NOT_EXIST). */
export const MAX_SUBSCRIPTION_GROUPS = 100_000;

export function defaultSubscriptionGroup(groupName: string): SubscriptionGroupConfig {
  return {
    groupName,
    consumeEnable: true,
    consumeFromMinEnable: true,
    consumeBroadcastEnable: true,
    retryQueueNums: 1,
    retryMaxTimes: 16,
    brokerId: 0,
    whichBrokerWhenConsumeSlowly: 1,
    notifyConsumerIdsChangedEnable: true,
  };
}

/** A SubscriptionGroupConfig from JSON (request bodies, the file); missing fields take defaults. */
export function decodeSubscriptionGroupConfig(
  value: unknown,
  path: string,
): SubscriptionGroupConfig {
  const o = asObject(value, path);
  const d = defaultSubscriptionGroup(readString(o, 'groupName', path));
  return {
    groupName: d.groupName,
    consumeEnable: readBoolean(o, 'consumeEnable', path, d.consumeEnable),
    consumeFromMinEnable: readBoolean(o, 'consumeFromMinEnable', path, d.consumeFromMinEnable),
    consumeBroadcastEnable: readBoolean(
      o,
      'consumeBroadcastEnable',
      path,
      d.consumeBroadcastEnable,
    ),
    retryQueueNums: readInteger(o, 'retryQueueNums', path, d.retryQueueNums),
    retryMaxTimes: readInteger(o, 'retryMaxTimes', path, d.retryMaxTimes),
    brokerId: readInteger(o, 'brokerId', path, d.brokerId),
    whichBrokerWhenConsumeSlowly: readInteger(
      o,
      'whichBrokerWhenConsumeSlowly',
      path,
      d.whichBrokerWhenConsumeSlowly,
    ),
    notifyConsumerIdsChangedEnable: readBoolean(
      o,
      'notifyConsumerIdsChangedEnable',
      path,
      d.notifyConsumerIdsChangedEnable,
    ),
  };
}

export function parseSubscriptionGroupWrapper(text: string): SubscriptionGroupWrapper {
  const root = asObject(parseFastjson(text), 'SubscriptionGroupWrapper');
  const table: Record<string, SubscriptionGroupConfig> = {};
  const raw = asObject(root['subscriptionGroupTable'] ?? {}, 'subscriptionGroupTable');
  for (const [name, value] of Object.entries(raw)) {
    table[name] = decodeSubscriptionGroupConfig(value, `subscriptionGroupTable.${name}`);
  }
  const version = root['dataVersion'] ?? { timestamp: 0, counter: 0 };
  return { subscriptionGroupTable: table, dataVersion: decodeDataVersion(version, 'dataVersion') };
}

export function subscriptionGroupWrapperToJson(wrapper: SubscriptionGroupWrapper): object {
  const table: Record<string, SubscriptionGroupConfig> = {};
  for (const name of Object.keys(wrapper.subscriptionGroupTable).sort()) {
    const config = wrapper.subscriptionGroupTable[name];
    if (config !== undefined) table[name] = config;
  }
  return { dataVersion: dataVersionToJson(wrapper.dataVersion), subscriptionGroupTable: table };
}

export function renderSubscriptionGroupWrapper(wrapper: SubscriptionGroupWrapper): string {
  return `${JSON.stringify(subscriptionGroupWrapperToJson(wrapper), null, 2)}\n`;
}

export class SubscriptionGroupManager {
  readonly #clock: Clock;
  readonly #store: StateStore<SubscriptionGroupWrapper>;
  readonly #autoCreate: boolean;
  readonly #table = new Map<string, SubscriptionGroupConfig>();
  #dataVersion: DataVersion = { timestamp: 0, counter: 0 };

  constructor(options: {
    clock: Clock;
    store: StateStore<SubscriptionGroupWrapper>;
    autoCreateSubscriptionGroup: boolean;
  }) {
    this.#clock = options.clock;
    this.#store = options.store;
    this.#autoCreate = options.autoCreateSubscriptionGroup;
  }

  load(): void {
    const loaded = this.#store.load();
    if (loaded === undefined) return;
    for (const [name, config] of Object.entries(loaded.subscriptionGroupTable)) {
      this.#table.set(name, config);
    }
    this.#dataVersion = { ...loaded.dataVersion };
  }

  /** The group's config, created with defaults on first use when auto-creation is on. */
  find(group: string): SubscriptionGroupConfig | undefined {
    const existing = this.#table.get(group);
    if (existing !== undefined || !this.#autoCreate) return existing;
    if (this.#table.size >= MAX_SUBSCRIPTION_GROUPS || group === '') return undefined;
    const config = defaultSubscriptionGroup(group);
    this.#table.set(group, config);
    this.#commit();
    return config;
  }

  /** UPDATE_AND_CREATE_SUBSCRIPTIONGROUP. */
  update(config: SubscriptionGroupConfig): boolean {
    if (!this.#table.has(config.groupName) && this.#table.size >= MAX_SUBSCRIPTION_GROUPS) {
      return false;
    }
    assert(config.groupName !== '', 'group name is not empty');
    this.#table.set(config.groupName, { ...config });
    this.#commit();
    return true;
  }

  /** DELETE_SUBSCRIPTIONGROUP; false when there was no such group. */
  delete(group: string): boolean {
    if (!this.#table.delete(group)) return false;
    this.#commit();
    return true;
  }

  snapshot(): SubscriptionGroupWrapper {
    const subscriptionGroupTable: Record<string, SubscriptionGroupConfig> = {};
    for (const [name, config] of this.#table) subscriptionGroupTable[name] = { ...config };
    return { subscriptionGroupTable, dataVersion: { ...this.#dataVersion } };
  }

  /** A slave takes its master's table whole when the master's version differs. */
  replaceFromMaster(wrapper: SubscriptionGroupWrapper): boolean {
    if (sameDataVersion(wrapper.dataVersion, this.#dataVersion)) return false;
    this.#table.clear();
    for (const [name, config] of Object.entries(wrapper.subscriptionGroupTable))
      this.#table.set(name, { ...config });
    this.#dataVersion = { ...wrapper.dataVersion };
    this.#store.save(this.snapshot());
    return true;
  }

  #commit(): void {
    this.#dataVersion = { timestamp: this.#clock.nowMs(), counter: this.#dataVersion.counter + 1 };
    saveState(this.#store, () => this.snapshot());
  }
}

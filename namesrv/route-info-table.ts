// The NameServer's routing state: which brokers are alive, which broker groups form each cluster,
// and which groups serve each topic with how many queues. A pure class: time comes from an
// injected clock and connections are opaque ids, so tests drive registration, expiry and channel
// loss directly.
//
// RocketMQ: namesrv/.../routeinfo/RouteInfoManager.java (registerBroker, unRegisterBroker,
// pickupTopicRouteData, scanNotActiveBroker, onChannelDestroy, getAllClusterInfo,
// isBrokerTopicConfigChanged), 4.9.8 layout of topicQueueTable (topic -> brokerName -> QueueData).
//
// Tables:
//   topicQueueTable   topic -> brokerName -> QueueData    (only master registrations change it)
//   brokerAddrTable   brokerName -> { cluster, brokerName, brokerAddrs: brokerId -> addr }
//   clusterAddrTable  cluster -> brokerNames
//   brokerLiveTable   brokerAddr -> { lastUpdateMs, dataVersion, haServerAddr, channelId }
//
// Invariants (checked by inspect() in tests):
// - every address in brokerAddrTable is in brokerLiveTable and the other way round;
// - a brokerName is in clusterAddrTable exactly when it is in brokerAddrTable;
// - every brokerName of a QueueData has a BrokerData (removing a broker group's last address
//   removes its QueueData everywhere, and a topic left without queues disappears).

import { assert } from '../common/assert.js';
import type { Clock } from '../common/clock.js';
import { isInherited, isWriteable, PermName } from '../common/topic-rules.js';
import { type RoleEventInput, RoleEventKind } from '../console/role-history.js';
import {
  type BrokerData,
  type ClusterInfo,
  type DataVersion,
  type QueueData,
  sameDataVersion,
  type TopicConfig,
  type TopicRouteData,
} from '../protocol/index.js';

export const MASTER_ID = 0;

export interface BrokerRegistration {
  clusterName: string;
  brokerName: string;
  brokerAddr: string;
  brokerId: number;
  haServerAddr: string;
  /** The broker's topics; undefined for a registration that carries none. */
  topicConfigTable: Readonly<Record<string, TopicConfig>> | undefined;
  dataVersion: DataVersion;
  /** The connection it arrived on (closing it removes the broker at once). */
  channelId: number | undefined;
}

export interface RegisterResult {
  /** For a slave whose master is alive: the master's address and HA address. */
  masterAddr?: string;
  haServerAddr?: string;
}

interface BrokerLiveInfo {
  lastUpdateMs: number;
  dataVersion: DataVersion;
  haServerAddr: string;
  channelId: number | undefined;
  brokerName: string;
}

export interface RouteInfoTableOptions {
  clock: Clock;
  /** A broker not heard from for this long is removed (RocketMQ: 120 s). */
  brokerChannelExpiredTimeMs: number;
  /** Told of every address that joins or leaves a group, and of master changes. */
  onRoleEvent?: (event: RoleEventInput) => void;
}

export class RouteInfoTable {
  readonly #clock: Clock;
  readonly #expiredTimeMs: number;
  readonly #topicQueueTable = new Map<string, Map<string, QueueData>>();
  readonly #brokerAddrTable = new Map<string, BrokerData>();
  readonly #clusterAddrTable = new Map<string, Set<string>>();
  readonly #brokerLiveTable = new Map<string, BrokerLiveInfo>();
  readonly #onRoleEvent: (event: RoleEventInput) => void;

  constructor(options: RouteInfoTableOptions) {
    assert(options.brokerChannelExpiredTimeMs > 0, 'broker expiry is positive');
    this.#clock = options.clock;
    this.#expiredTimeMs = options.brokerChannelExpiredTimeMs;
    this.#onRoleEvent = options.onRoleEvent ?? (() => undefined);
  }

  #emit(
    data: BrokerData,
    id: string,
    brokerAddr: string,
    up: boolean,
    detail: string | null,
  ): void {
    const isMaster = id === String(MASTER_ID);
    const kind = up
      ? isMaster
        ? RoleEventKind.MASTER_UP
        : RoleEventKind.REPLICA_UP
      : isMaster
        ? RoleEventKind.MASTER_GONE
        : RoleEventKind.REPLICA_GONE;
    this.#onRoleEvent({
      kind,
      clusterName: data.cluster,
      brokerName: data.brokerName,
      brokerAddr,
      brokerId: Number(id),
      reason: up ? null : detail,
      wasReplica: up && isMaster && detail === 'promoted',
    });
  }

  /** REGISTER_BROKER: records the broker, its liveness and (for a master) its topics. */
  registerBroker(r: BrokerRegistration): RegisterResult {
    assert(Number.isSafeInteger(r.brokerId), 'brokerId is an integer');
    let names = this.#clusterAddrTable.get(r.clusterName);
    if (names === undefined) {
      names = new Set();
      this.#clusterAddrTable.set(r.clusterName, names);
    }
    names.add(r.brokerName);
    const registerFirst = this.#putBrokerAddr(r);
    const previous = this.#brokerLiveTable.get(r.brokerAddr);
    if (r.topicConfigTable !== undefined && r.brokerId === MASTER_ID) {
      const changed =
        previous === undefined || !sameDataVersion(previous.dataVersion, r.dataVersion);
      if (changed || registerFirst) {
        for (const config of Object.values(r.topicConfigTable)) {
          this.#upsertQueueData(r.brokerName, config);
        }
      }
    }
    this.#brokerLiveTable.set(r.brokerAddr, {
      lastUpdateMs: this.#clock.monotonicMs(),
      dataVersion: { ...r.dataVersion },
      haServerAddr: r.haServerAddr,
      channelId: r.channelId,
      brokerName: r.brokerName,
    });
    return this.#masterOf(r);
  }

  /** Adds brokerAddrs[brokerId] = addr; returns true when this address is new for the id. */
  #putBrokerAddr(r: BrokerRegistration): boolean {
    let data = this.#brokerAddrTable.get(r.brokerName);
    if (data === undefined) {
      data = { cluster: r.clusterName, brokerName: r.brokerName, brokerAddrs: {} };
      this.#brokerAddrTable.set(r.brokerName, data);
    }
    // The same address under another id (a slave re-registered as master) is replaced.
    let wasReplica = false;
    for (const [id, addr] of Object.entries(data.brokerAddrs)) {
      if (addr === r.brokerAddr && id !== String(r.brokerId)) {
        delete data.brokerAddrs[id];
        if (id === String(MASTER_ID)) this.#emit(data, id, addr, false, 'demoted');
        else wasReplica = true;
      }
    }
    const id = String(r.brokerId);
    const old = data.brokerAddrs[id];
    data.brokerAddrs[id] = r.brokerAddr;
    if (old !== r.brokerAddr) {
      if (old !== undefined) this.#emit(data, id, old, false, 'replaced');
      this.#emit(data, id, r.brokerAddr, true, wasReplica ? 'promoted' : null);
    }
    if (old !== undefined && old !== r.brokerAddr) this.#dropAddress(old, null);
    return old === undefined;
  }

  #masterOf(r: BrokerRegistration): RegisterResult {
    if (r.brokerId === MASTER_ID) return {};
    const masterAddr = this.#brokerAddrTable.get(r.brokerName)?.brokerAddrs[String(MASTER_ID)];
    if (masterAddr === undefined) return {};
    const master = this.#brokerLiveTable.get(masterAddr);
    if (master === undefined) return {};
    return { masterAddr, haServerAddr: master.haServerAddr };
  }

  #upsertQueueData(brokerName: string, config: TopicConfig): void {
    let byBroker = this.#topicQueueTable.get(config.topicName);
    if (byBroker === undefined) {
      byBroker = new Map();
      this.#topicQueueTable.set(config.topicName, byBroker);
    }
    byBroker.set(brokerName, {
      brokerName,
      readQueueNums: config.readQueueNums,
      writeQueueNums: config.writeQueueNums,
      perm: config.perm,
      topicSysFlag: config.topicSysFlag,
    });
  }

  /** UNREGISTER_BROKER: removes one address (and the group when it was the last one). */
  unregisterBroker(r: { brokerName: string; brokerAddr: string; brokerId: number }): boolean {
    const data = this.#brokerAddrTable.get(r.brokerName);
    if (data?.brokerAddrs[String(r.brokerId)] !== r.brokerAddr) return false;
    this.#dropAddress(r.brokerAddr, 'unregistered');
    return true;
  }

  /**
   * QUERY_DATA_VERSION: whether the broker's topics changed since its last registration. It also
   * counts as a sign of life, as in RocketMQ.
   */
  isTopicConfigChanged(brokerAddr: string, dataVersion: DataVersion): boolean {
    const live = this.#brokerLiveTable.get(brokerAddr);
    if (live === undefined) return true;
    live.lastUpdateMs = this.#clock.monotonicMs();
    return !sameDataVersion(live.dataVersion, dataVersion);
  }

  dataVersionOf(brokerAddr: string): DataVersion | undefined {
    const live = this.#brokerLiveTable.get(brokerAddr);
    return live === undefined ? undefined : { ...live.dataVersion };
  }

  /** Removes brokers not heard from within the expiry; returns their addresses. */
  scanNotActiveBrokers(): string[] {
    const now = this.#clock.monotonicMs();
    const expired: string[] = [];
    for (const [addr, live] of this.#brokerLiveTable) {
      if (live.lastUpdateMs + this.#expiredTimeMs < now) expired.push(addr);
    }
    for (const addr of expired) this.#dropAddress(addr, 'expired');
    return expired;
  }

  /** A connection closed: removes every broker registered over it; returns their addresses. */
  onChannelClosed(channelId: number): string[] {
    const gone: string[] = [];
    for (const [addr, live] of this.#brokerLiveTable) {
      if (live.channelId === channelId) gone.push(addr);
    }
    for (const addr of gone) this.#dropAddress(addr, 'closed');
    return gone;
  }

  /**
   * RouteInfoManager.onChannelDestroy for one address; `reason` is reported with each role event
   * (null when the caller has reported it already).
   */
  #dropAddress(addr: string, reason: string | null): void {
    const live = this.#brokerLiveTable.get(addr);
    this.#brokerLiveTable.delete(addr);
    for (const [name, data] of this.#brokerAddrTable) {
      for (const [id, a] of Object.entries(data.brokerAddrs)) {
        if (a !== addr) continue;
        delete data.brokerAddrs[id];
        if (reason !== null) this.#emit(data, id, addr, false, reason);
      }
      if (Object.keys(data.brokerAddrs).length === 0) this.#dropBrokerName(name, data.cluster);
    }
    assert(live === undefined || !this.#brokerLiveTable.has(addr), 'address dropped');
  }

  #dropBrokerName(brokerName: string, cluster: string): void {
    this.#brokerAddrTable.delete(brokerName);
    const names = this.#clusterAddrTable.get(cluster);
    names?.delete(brokerName);
    if (names?.size === 0) this.#clusterAddrTable.delete(cluster);
    for (const [topic, byBroker] of this.#topicQueueTable) {
      byBroker.delete(brokerName);
      if (byBroker.size === 0) this.#topicQueueTable.delete(topic);
    }
  }

  /** GET_ROUTEINFO_BY_TOPIC: the route, or undefined when no live broker serves the topic. */
  topicRoute(topic: string): TopicRouteData | undefined {
    const byBroker = this.#topicQueueTable.get(topic);
    if (byBroker === undefined) return undefined;
    const queueDatas: QueueData[] = [];
    const brokerDatas: BrokerData[] = [];
    for (const queueData of byBroker.values()) {
      const data = this.#brokerAddrTable.get(queueData.brokerName);
      if (data === undefined) continue;
      queueDatas.push({ ...queueData });
      brokerDatas.push({ ...data, brokerAddrs: { ...data.brokerAddrs } });
    }
    if (brokerDatas.length === 0) return undefined;
    return { queueDatas, brokerDatas, filterServerTable: {} };
  }

  /**
   * Whether some live master offers the default topic (TBW102) with the INHERIT permission, that
   * is, whether sends to unknown topics would be auto-created.
   */
  hasInheritableDefaultTopic(defaultTopic: string): boolean {
    const route = this.topicRoute(defaultTopic);
    if (route === undefined) return false;
    return route.queueDatas.some((q) => {
      const master = route.brokerDatas.find((b) => b.brokerName === q.brokerName);
      return (
        isInherited(q.perm) &&
        isWriteable(q.perm) &&
        master?.brokerAddrs[String(MASTER_ID)] !== undefined
      );
    });
  }

  clusterInfo(): ClusterInfo {
    const brokerAddrTable: Record<string, BrokerData> = {};
    for (const [name, data] of this.#brokerAddrTable) {
      brokerAddrTable[name] = { ...data, brokerAddrs: { ...data.brokerAddrs } };
    }
    const clusterAddrTable: Record<string, string[]> = {};
    for (const [cluster, names] of this.#clusterAddrTable) {
      clusterAddrTable[cluster] = [...names].sort();
    }
    return { brokerAddrTable, clusterAddrTable };
  }

  allTopics(): string[] {
    return [...this.#topicQueueTable.keys()].sort();
  }

  topicsByCluster(cluster: string): string[] {
    const names = this.#clusterAddrTable.get(cluster);
    if (names === undefined) return [];
    const out: string[] = [];
    for (const [topic, byBroker] of this.#topicQueueTable) {
      if ([...byBroker.keys()].some((name) => names.has(name))) out.push(topic);
    }
    return out.sort();
  }

  /** DELETE_TOPIC_IN_NAMESRV. */
  deleteTopic(topic: string): boolean {
    return this.#topicQueueTable.delete(topic);
  }

  /** WIPE_WRITE_PERM_OF_BROKER: clears the write bit of every queue of a broker group. */
  wipeWritePerm(brokerName: string): number {
    let count = 0;
    for (const byBroker of this.#topicQueueTable.values()) {
      const queueData = byBroker.get(brokerName);
      if (queueData === undefined) continue;
      queueData.perm &= ~PermName.WRITE;
      count++;
    }
    return count;
  }

  /** ADD_WRITE_PERM_OF_BROKER: sets the write bit again on every queue of a broker group. */
  addWritePerm(brokerName: string): number {
    let count = 0;
    for (const byBroker of this.#topicQueueTable.values()) {
      const queueData = byBroker.get(brokerName);
      if (queueData === undefined) continue;
      queueData.perm |= PermName.WRITE;
      count++;
    }
    return count;
  }

  /** A plain snapshot for tests and diagnostics; checks the table invariants. */
  inspect(): { liveBrokers: string[]; clusters: Record<string, string[]>; topics: string[] } {
    const live = new Set(this.#brokerLiveTable.keys());
    const addressed = new Set<string>();
    for (const data of this.#brokerAddrTable.values()) {
      for (const addr of Object.values(data.brokerAddrs)) addressed.add(addr);
      assert(this.#clusterAddrTable.get(data.cluster)?.has(data.brokerName), 'group in cluster');
    }
    for (const addr of addressed) assert(live.has(addr), 'addressed broker is live');
    for (const addr of live) assert(addressed.has(addr), 'live broker is addressed');
    for (const byBroker of this.#topicQueueTable.values()) {
      for (const name of byBroker.keys()) assert(this.#brokerAddrTable.has(name), 'queue broker');
    }
    return {
      liveBrokers: [...live].sort(),
      clusters: this.clusterInfo().clusterAddrTable,
      topics: this.allTopics(),
    };
  }
}

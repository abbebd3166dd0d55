// What a client derives from a topic's route (GET_ROUTEINFO_BY_TOPIC): the queues a producer may
// write to, the queues a consumer may read from, and which broker address serves a group for
// publishing (the master only) or subscribing (the suggested broker, else any broker of the
// group, so consumers keep reading from a slave when the master is gone).
//
// RocketMQ: client/.../impl/factory/MQClientInstance.java (topicRouteData2TopicPublishInfo,
// topicRouteData2TopicSubscribeInfo, findBrokerAddressInPublish, findBrokerAddressInSubscribe,
// topicRouteDataIsChange); common/.../constant/PermName.java.
//
// Everything here is pure: routes in, queue lists and addresses out.

import { assert } from '../common/assert.js';
import type { BrokerData, TopicRouteData } from '../protocol/bodies/topic-route-data.js';
import { compareQueues, type MessageQueue } from './message-queue.js';

export const MASTER_ID = 0;

/** PermName bits. */
export const Perm = { PRIORITY: 8, READ: 4, WRITE: 2, INHERIT: 1 } as const;

export function isWritable(perm: number): boolean {
  return (perm & Perm.WRITE) !== 0;
}

export function isReadable(perm: number): boolean {
  return (perm & Perm.READ) !== 0;
}

/** "RW-" style rendering of a perm, for tables. */
export function formatPerm(perm: number): string {
  return `${isReadable(perm) ? 'R' : '-'}${isWritable(perm) ? 'W' : '-'}${(perm & Perm.INHERIT) !== 0 ? 'X' : '-'}`;
}

/** The queues a producer may send to, and why some groups were left out. */
export interface PublishInfo {
  topic: string;
  /** Writable queues of groups that have a master, sorted by (brokerName, queueId). */
  queues: MessageQueue[];
  /** Groups with writable queues but no master (brokerId 0) in the route. */
  groupsWithoutMaster: string[];
  /** True when the route came from orderTopicConf ("brokerA:4;brokerB:4"). */
  isOrderTopic: boolean;
}

function brokerDataOf(route: TopicRouteData, brokerName: string): BrokerData | undefined {
  return route.brokerDatas.find((b) => b.brokerName === brokerName);
}

function hasMaster(route: TopicRouteData, brokerName: string): boolean {
  return brokerDataOf(route, brokerName)?.brokerAddrs[String(MASTER_ID)] !== undefined;
}

function publishFromOrderConf(
  topic: string,
  route: TopicRouteData,
  orderTopicConf: string,
): PublishInfo {
  const queues: MessageQueue[] = [];
  const groupsWithoutMaster: string[] = [];
  for (const item of orderTopicConf.split(';')) {
    const [brokerName, countText] = item.split(':');
    const count = Number(countText);
    if (brokerName === undefined || brokerName === '' || !Number.isInteger(count)) continue;
    if (!hasMaster(route, brokerName)) {
      groupsWithoutMaster.push(brokerName);
      continue;
    }
    for (let queueId = 0; queueId < count; queueId++) queues.push({ topic, brokerName, queueId });
  }
  return { topic, queues, groupsWithoutMaster, isOrderTopic: true };
}

/**
 * The publish view of a route (topicRouteData2TopicPublishInfo): queues 0..writeQueueNums-1 of
 * every writable queueData whose group has a master. Groups without a master are reported.
 */
export function toPublishInfo(topic: string, route: TopicRouteData): PublishInfo {
  if (route.orderTopicConf !== undefined && route.orderTopicConf !== '') {
    return publishFromOrderConf(topic, route, route.orderTopicConf);
  }
  const queues: MessageQueue[] = [];
  const groupsWithoutMaster: string[] = [];
  for (const queueData of route.queueDatas) {
    if (!isWritable(queueData.perm) || queueData.writeQueueNums <= 0) continue;
    if (!hasMaster(route, queueData.brokerName)) {
      groupsWithoutMaster.push(queueData.brokerName);
      continue;
    }
    for (let queueId = 0; queueId < queueData.writeQueueNums; queueId++) {
      queues.push({ topic, brokerName: queueData.brokerName, queueId });
    }
  }
  queues.sort(compareQueues);
  groupsWithoutMaster.sort();
  return { topic, queues, groupsWithoutMaster, isOrderTopic: false };
}

/** The subscribe view (topicRouteData2TopicSubscribeInfo): readable queues, sorted. */
export function toSubscribeQueues(topic: string, route: TopicRouteData): MessageQueue[] {
  const queues: MessageQueue[] = [];
  for (const queueData of route.queueDatas) {
    if (!isReadable(queueData.perm)) continue;
    for (let queueId = 0; queueId < queueData.readQueueNums; queueId++) {
      queues.push({ topic, brokerName: queueData.brokerName, queueId });
    }
  }
  return queues.sort(compareQueues);
}

/** The master address of a group, or null (findBrokerAddressInPublish). */
export function findMasterAddress(
  brokerDatas: readonly BrokerData[],
  brokerName: string,
): string | null {
  const data = brokerDatas.find((b) => b.brokerName === brokerName);
  return data?.brokerAddrs[String(MASTER_ID)] ?? null;
}

export interface SubscribeAddress {
  address: string;
  brokerId: number;
  isSlave: boolean;
}

function brokerIdsOf(data: BrokerData): number[] {
  return Object.keys(data.brokerAddrs)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * The address to read a group from (findBrokerAddressInSubscribe with onlyThisBroker=false):
 * the suggested broker id; else, for a slave id, the next slave; else any broker of the group,
 * lowest id first. Null when the group has no address at all.
 */
export function findSubscribeAddress(
  brokerDatas: readonly BrokerData[],
  brokerName: string,
  suggestedBrokerId: number,
): SubscribeAddress | null {
  assert(Number.isInteger(suggestedBrokerId) && suggestedBrokerId >= 0, 'broker id valid');
  const data = brokerDatas.find((b) => b.brokerName === brokerName);
  if (data === undefined) return null;
  const pick = (brokerId: number): SubscribeAddress | null => {
    const address = data.brokerAddrs[String(brokerId)];
    return address === undefined ? null : { address, brokerId, isSlave: brokerId !== MASTER_ID };
  };
  const exact = pick(suggestedBrokerId);
  if (exact !== null) return exact;
  if (suggestedBrokerId !== MASTER_ID) {
    const next = pick(suggestedBrokerId + 1);
    if (next !== null) return next;
  }
  const first = brokerIdsOf(data)[0];
  return first === undefined ? null : pick(first);
}

/**
 * Where to commit a group's consumer offsets: the master if present, else the broker the queue
 * was read from (if it is still in the route), else any broker of the group.
 */
export function findOffsetCommitAddress(
  brokerDatas: readonly BrokerData[],
  brokerName: string,
  readBrokerId: number,
): string | null {
  const master = findMasterAddress(brokerDatas, brokerName);
  if (master !== null) return master;
  return findSubscribeAddress(brokerDatas, brokerName, readBrokerId)?.address ?? null;
}

/** Every broker address in the routes; masters only when `mastersOnly`. Sorted, unique. */
export function brokerAddresses(
  routes: Iterable<TopicRouteData>,
  mastersOnly: boolean,
): { address: string; brokerName: string; brokerId: number }[] {
  const seen = new Map<string, { address: string; brokerName: string; brokerId: number }>();
  for (const route of routes) {
    for (const data of route.brokerDatas) {
      for (const [id, address] of Object.entries(data.brokerAddrs)) {
        const brokerId = Number(id);
        if (mastersOnly && brokerId !== MASTER_ID) continue;
        seen.set(address, { address, brokerName: data.brokerName, brokerId });
      }
    }
  }
  return [...seen.values()].sort((a, b) => (a.address < b.address ? -1 : 1));
}

/** A canonical form of a route, so that two fetches compare equal when nothing changed. */
export function canonicalRoute(route: TopicRouteData): string {
  const queueDatas = [...route.queueDatas].sort((a, b) =>
    a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0,
  );
  const brokerDatas = [...route.brokerDatas]
    .sort((a, b) => (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0))
    .map((b) => ({
      brokerName: b.brokerName,
      cluster: b.cluster,
      brokerAddrs: brokerIdsOf(b).map((id) => [id, b.brokerAddrs[String(id)]]),
    }));
  return JSON.stringify({ o: route.orderTopicConf ?? '', queueDatas, brokerDatas });
}

/** True when the routes differ in anything a client acts on (topicRouteDataIsChange). */
export function isRouteChanged(
  previous: TopicRouteData | undefined,
  next: TopicRouteData,
): boolean {
  return previous === undefined || canonicalRoute(previous) !== canonicalRoute(next);
}

// TopicRouteData: the JSON body of a GET_ROUTEINFO_BY_TOPIC (105) response, telling clients
// which brokers serve a topic, with how many queues and which permissions.
//
// RocketMQ: common/.../protocol/route/{TopicRouteData,QueueData,BrokerData}.java (tag
// rocketmq-all-4.9.7); namesrv/.../processor/DefaultRequestProcessor.getRouteInfoByTopic;
// ali-ons: lib/mq_client_api.js (getTopicRouteInfoFromNameServer: JSON2.parse, then sorts
// queueDatas and brokerDatas by brokerName).
//
//   {"brokerDatas":[{"brokerAddrs":{"0":"10.0.0.1:10911","1":"10.0.0.2:10911"},
//                    "brokerName":"broker-a","cluster":"DefaultCluster"}],
//    "filterServerTable":{},
//    "queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,
//                   "writeQueueNums":4}]}
//
// brokerAddrs is keyed by brokerId (0 = master). A Java NameServer answering a request older
// than V4_9_4 writes those keys unquoted ({0:"..."}); we read both and always write standard
// JSON with sorted map keys, as 4.9.4+ does (BrowserCompatible, MapSortField): ali-ons (JSON2)
// and every Java client read it. Old servers call topicSysFlag "topicSynFlag"; both are read.

import {
  arrayOf,
  asObject,
  bodyError,
  decodeJsonBody,
  encodeJsonBody,
  type JsonObject,
  readArray,
  readInteger,
  readOptionalString,
  readRecord,
  readString,
  sortedRecord,
  stringItem,
} from './json-body.js';

export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  /** PermName bits: READ 4, WRITE 2, INHERIT 1. */
  perm: number;
  topicSysFlag: number;
}

export interface BrokerData {
  cluster: string;
  brokerName: string;
  /** brokerId (decimal text; "0" is the master) to "ip:port". */
  brokerAddrs: Record<string, string>;
}

export interface TopicRouteData {
  /** "brokerA:4;brokerB:4" for ordered topics; absent otherwise. */
  orderTopicConf?: string;
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
  /** brokerAddr to filter server addresses (obsolete; normally empty). */
  filterServerTable: Record<string, string[]>;
}

export function decodeQueueData(value: unknown, path: string): QueueData {
  const o = asObject(value, path);
  const sysFlagKey = Object.hasOwn(o, 'topicSysFlag') ? 'topicSysFlag' : 'topicSynFlag';
  return {
    brokerName: readString(o, 'brokerName', path),
    readQueueNums: readInteger(o, 'readQueueNums', path),
    writeQueueNums: readInteger(o, 'writeQueueNums', path),
    perm: readInteger(o, 'perm', path),
    topicSysFlag: readInteger(o, sysFlagKey, path, 0),
  };
}

export function decodeBrokerData(value: unknown, path: string): BrokerData {
  const o = asObject(value, path);
  const brokerAddrs = readRecord(o, 'brokerAddrs', path, stringItem);
  for (const brokerId of Object.keys(brokerAddrs)) {
    if (!/^-?\d+$/.test(brokerId))
      throw bodyError(`${path}.brokerAddrs`, `key "${brokerId}" is not a broker id`);
  }
  return {
    cluster: readString(o, 'cluster', path),
    brokerName: readString(o, 'brokerName', path),
    brokerAddrs,
  };
}

/** Throws MqError E_BODY_MALFORMED when the body is not a TopicRouteData. */
export function decodeTopicRouteData(body: Uint8Array | null): TopicRouteData {
  const path = 'TopicRouteData';
  const o = asObject(decodeJsonBody(body, path), path);
  const route: TopicRouteData = {
    queueDatas: readArray(o, 'queueDatas', path, decodeQueueData),
    brokerDatas: readArray(o, 'brokerDatas', path, decodeBrokerData),
    filterServerTable: readRecord(o, 'filterServerTable', path, arrayOf(stringItem)),
  };
  const orderTopicConf = readOptionalString(o, 'orderTopicConf', path);
  if (orderTopicConf !== undefined) route.orderTopicConf = orderTopicConf;
  return route;
}

function compareBrokerIds(a: string, b: string): number {
  return Number(a) - Number(b);
}

export function brokerDataToJson(data: BrokerData): JsonObject {
  return {
    brokerAddrs: sortedRecord(data.brokerAddrs, compareBrokerIds),
    brokerName: data.brokerName,
    cluster: data.cluster,
  };
}

export function queueDataToJson(data: QueueData): JsonObject {
  return {
    brokerName: data.brokerName,
    perm: data.perm,
    readQueueNums: data.readQueueNums,
    topicSysFlag: data.topicSysFlag,
    writeQueueNums: data.writeQueueNums,
  };
}

/** Standard JSON, fastjson property order, sorted map keys (Java 4.9.4+ for new clients). */
export function encodeTopicRouteData(route: TopicRouteData): Buffer {
  return encodeJsonBody({
    brokerDatas: route.brokerDatas.map(brokerDataToJson),
    filterServerTable: sortedRecord(route.filterServerTable),
    orderTopicConf: route.orderTopicConf,
    queueDatas: route.queueDatas.map(queueDataToJson),
  });
}

// Small JSON bodies made of one list or one string map.
//
// RocketMQ (tag rocketmq-all-4.9.7):
//   common/.../protocol/body/TopicList.java      {"brokerAddr":"...","topicList":["TopicA",...]}
//     GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206), GET_TOPICS_BY_CLUSTER (224),
//     GET_SYSTEM_TOPIC_LIST_FROM_NS (304), GET_UNIT_TOPIC_LIST (311) ...
//   common/.../protocol/header/GetConsumerListByGroupResponseBody.java
//                                                {"consumerIdList":["10.0.0.5@12345",...]}
//     GET_CONSUMER_LIST_BY_GROUP (38); ali-ons parses it with JSON2 and reads consumerIdList.
//   common/.../protocol/body/KVTable.java         {"table":{"k":"v",...}}
//     GET_KVLIST_BY_NAMESPACE (219), REGISTER_BROKER response (ORDER_TOPIC_CONFIG namespace).

import {
  asObject,
  decodeJsonBody,
  encodeJsonBody,
  readArray,
  readOptionalString,
  readRecord,
  stringItem,
} from './json-body.js';

export interface TopicList {
  topicList: string[];
  brokerAddr?: string;
}

export interface ConsumerList {
  consumerIdList: string[];
}

export interface KVTable {
  table: Record<string, string>;
}

/** Throws MqError E_BODY_MALFORMED when the body is not a TopicList. */
export function decodeTopicList(body: Uint8Array | null): TopicList {
  const o = asObject(decodeJsonBody(body, 'TopicList'), 'TopicList');
  const list: TopicList = { topicList: readArray(o, 'topicList', 'TopicList', stringItem) };
  const brokerAddr = readOptionalString(o, 'brokerAddr', 'TopicList');
  if (brokerAddr !== undefined) list.brokerAddr = brokerAddr;
  return list;
}

export function encodeTopicList(list: TopicList): Buffer {
  return encodeJsonBody({ brokerAddr: list.brokerAddr, topicList: list.topicList });
}

/** Throws MqError E_BODY_MALFORMED when the body is not a consumer id list. */
export function decodeConsumerList(body: Uint8Array | null): ConsumerList {
  const path = 'GetConsumerListByGroupResponseBody';
  const o = asObject(decodeJsonBody(body, path), path);
  return { consumerIdList: readArray(o, 'consumerIdList', path, stringItem) };
}

export function encodeConsumerList(list: ConsumerList): Buffer {
  return encodeJsonBody({ consumerIdList: list.consumerIdList });
}

/** Throws MqError E_BODY_MALFORMED when the body is not a KVTable. */
export function decodeKvTable(body: Uint8Array | null): KVTable {
  const o = asObject(decodeJsonBody(body, 'KVTable'), 'KVTable');
  return { table: readRecord(o, 'table', 'KVTable', stringItem) };
}

export function encodeKvTable(table: KVTable): Buffer {
  return encodeJsonBody({ table: table.table });
}

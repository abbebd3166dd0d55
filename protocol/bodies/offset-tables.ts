// Bodies keyed by message queue or queue id: consumer offsets, reset offsets, topic and consume
// statistics, and queue lock requests.
//
// RocketMQ (tag rocketmq-all-4.9.7): common/.../message/MessageQueue.java;
// common/.../protocol/body/{ConsumerOffsetSerializeWrapper,ResetOffsetBody,LockBatchRequestBody,
// LockBatchResponseBody,UnlockBatchRequestBody}.java; common/.../admin/{TopicStatsTable,
// TopicOffset,ConsumeStats,OffsetWrapper}.java.
//
// fastjson writes Map<MessageQueue, V> with object keys, which Java peers need back in that
// form (a string key does not read back as a MessageQueue):
//
//   {"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"T"}:12,...}}
//
// Readers also accept the string keys fastjson writes with WriteNonStringKeyAsString
// ("MessageQueue [topic=T, brokerName=broker-a, queueId=0]") and JSON-in-a-string keys.
// Map<Integer, Long> (ConsumerOffsetSerializeWrapper, GET_ALL_CONSUMER_OFFSET 43) is written by
// Java as {"T@G":{0:12}}; we read that and write standard JSON {"T@G":{"0":12}}, which Java's
// fastjson reads into the same map.

import { JavaMap, parseFastjson } from '../fastjson.js';
import {
  asObject,
  bodyError,
  decodeJsonBody,
  encodeJsonBody,
  integerItem,
  type JsonObject,
  readArray,
  readInteger,
  readNumber,
  readRecord,
  readString,
  recordOf,
} from './json-body.js';

export interface MessageQueue {
  topic: string;
  brokerName: string;
  queueId: number;
}

export interface MessageQueueEntry<T> {
  messageQueue: MessageQueue;
  value: T;
}

export function decodeMessageQueue(value: unknown, path: string): MessageQueue {
  const o = asObject(value, path);
  return {
    topic: readString(o, 'topic', path),
    brokerName: readString(o, 'brokerName', path),
    queueId: readInteger(o, 'queueId', path),
  };
}

/** fastjson's form: properties in alphabetical order. */
export function messageQueueToJson(queue: MessageQueue): JsonObject {
  return { brokerName: queue.brokerName, queueId: queue.queueId, topic: queue.topic };
}

const TO_STRING_FORM = /^MessageQueue \[topic=(.*), brokerName=(.*), queueId=(-?\d+)\]$/;

function messageQueueFromStringKey(key: string, path: string): MessageQueue {
  const match = TO_STRING_FORM.exec(key);
  if (match !== null) {
    return { topic: match[1] ?? '', brokerName: match[2] ?? '', queueId: Number(match[3]) };
  }
  if (key.startsWith('{')) return decodeMessageQueue(parseFastjson(key), path);
  throw bodyError(path, `key "${key.slice(0, 64)}" is not a message queue`);
}

/** Reads a Map<MessageQueue, V> in any of the forms above. */
export function readMessageQueueTable<T>(
  value: unknown,
  path: string,
  item: (value: unknown, itemPath: string) => T,
): MessageQueueEntry<T>[] {
  if (value === undefined || value === null) return [];
  if (value instanceof JavaMap) {
    return value.entries.map(([key, entry], index) => ({
      messageQueue: decodeMessageQueue(key, `${path}[${index}].key`),
      value: item(entry, `${path}[${index}].value`),
    }));
  }
  const o = asObject(value, path);
  return Object.keys(o).map((key, index) => ({
    messageQueue: messageQueueFromStringKey(key, `${path}[${index}].key`),
    value: item(o[key], `${path}[${index}].value`),
  }));
}

/** Writes a Map<MessageQueue, V> as fastjson does, with object keys. */
export function messageQueueTableToJson<T>(
  entries: readonly MessageQueueEntry<T>[],
  valueToJson: (value: T) => unknown,
): JavaMap {
  return new JavaMap(
    entries.map((e) => [messageQueueToJson(e.messageQueue), valueToJson(e.value)]),
  );
}

function identity<T>(value: T): T {
  return value;
}

/** ResetOffsetBody: new offsets per queue (RESET_CONSUMER_CLIENT_OFFSET 220 and friends). */
export interface ResetOffsetBody {
  offsetTable: MessageQueueEntry<number>[];
}

export function decodeResetOffsetBody(body: Uint8Array | null): ResetOffsetBody {
  const o = asObject(decodeJsonBody(body, 'ResetOffsetBody'), 'ResetOffsetBody');
  return {
    offsetTable: readMessageQueueTable(
      o['offsetTable'],
      'ResetOffsetBody.offsetTable',
      integerItem,
    ),
  };
}

export function encodeResetOffsetBody(body: ResetOffsetBody): Buffer {
  return encodeJsonBody({ offsetTable: messageQueueTableToJson(body.offsetTable, identity) });
}

export interface TopicOffset {
  minOffset: number;
  maxOffset: number;
  lastUpdateTimestamp: number;
}

/** TopicStatsTable: GET_TOPIC_STATS_INFO (202) response body. */
export interface TopicStatsTable {
  offsetTable: MessageQueueEntry<TopicOffset>[];
}

function decodeTopicOffset(value: unknown, path: string): TopicOffset {
  const o = asObject(value, path);
  return {
    minOffset: readInteger(o, 'minOffset', path, 0),
    maxOffset: readInteger(o, 'maxOffset', path, 0),
    lastUpdateTimestamp: readInteger(o, 'lastUpdateTimestamp', path, 0),
  };
}

export function decodeTopicStatsTable(body: Uint8Array | null): TopicStatsTable {
  const path = 'TopicStatsTable';
  const o = asObject(decodeJsonBody(body, path), path);
  return {
    offsetTable: readMessageQueueTable(o['offsetTable'], `${path}.offsetTable`, decodeTopicOffset),
  };
}

export function encodeTopicStatsTable(table: TopicStatsTable): Buffer {
  return encodeJsonBody({
    offsetTable: messageQueueTableToJson(table.offsetTable, (t) => ({
      lastUpdateTimestamp: t.lastUpdateTimestamp,
      maxOffset: t.maxOffset,
      minOffset: t.minOffset,
    })),
  });
}

export interface OffsetWrapper {
  brokerOffset: number;
  consumerOffset: number;
  lastTimestamp: number;
}

/** ConsumeStats: GET_CONSUME_STATS (208) response body. */
export interface ConsumeStats {
  offsetTable: MessageQueueEntry<OffsetWrapper>[];
  consumeTps: number;
}

function decodeOffsetWrapper(value: unknown, path: string): OffsetWrapper {
  const o = asObject(value, path);
  return {
    brokerOffset: readInteger(o, 'brokerOffset', path, 0),
    consumerOffset: readInteger(o, 'consumerOffset', path, 0),
    lastTimestamp: readInteger(o, 'lastTimestamp', path, 0),
  };
}

export function decodeConsumeStats(body: Uint8Array | null): ConsumeStats {
  const path = 'ConsumeStats';
  const o = asObject(decodeJsonBody(body, path), path);
  return {
    offsetTable: readMessageQueueTable(
      o['offsetTable'],
      `${path}.offsetTable`,
      decodeOffsetWrapper,
    ),
    consumeTps: readNumber(o, 'consumeTps', path, 0),
  };
}

export function encodeConsumeStats(stats: ConsumeStats): Buffer {
  return encodeJsonBody({
    consumeTps: stats.consumeTps,
    offsetTable: messageQueueTableToJson(stats.offsetTable, (w) => ({
      brokerOffset: w.brokerOffset,
      consumerOffset: w.consumerOffset,
      lastTimestamp: w.lastTimestamp,
    })),
  });
}

/** ConsumerOffsetSerializeWrapper: "topic@group" to queueId (decimal text) to offset. */
export interface ConsumerOffsetTable {
  offsetTable: Record<string, Record<string, number>>;
}

export function decodeConsumerOffsetTable(body: Uint8Array | null): ConsumerOffsetTable {
  const path = 'ConsumerOffsetSerializeWrapper';
  const o = asObject(decodeJsonBody(body, path), path);
  return {
    offsetTable: readRecord(o, 'offsetTable', path, recordOf(integerItem)),
  };
}

export function encodeConsumerOffsetTable(table: ConsumerOffsetTable): Buffer {
  return encodeJsonBody({ offsetTable: table.offsetTable });
}

/** LOCK_BATCH_MQ (41) / UNLOCK_BATCH_MQ (42) request body. */
export interface LockBatchRequestBody {
  consumerGroup: string;
  clientId: string;
  mqSet: MessageQueue[];
}

export function decodeLockBatchRequestBody(body: Uint8Array | null): LockBatchRequestBody {
  const path = 'LockBatchRequestBody';
  const o = asObject(decodeJsonBody(body, path), path);
  return {
    consumerGroup: readString(o, 'consumerGroup', path),
    clientId: readString(o, 'clientId', path),
    mqSet: readArray(o, 'mqSet', path, decodeMessageQueue),
  };
}

export function encodeLockBatchRequestBody(body: LockBatchRequestBody): Buffer {
  return encodeJsonBody({
    clientId: body.clientId,
    consumerGroup: body.consumerGroup,
    mqSet: body.mqSet.map(messageQueueToJson),
  });
}

/** LOCK_BATCH_MQ response body: the queues now locked by the requester. */
export interface LockBatchResponseBody {
  lockOKMQSet: MessageQueue[];
}

export function decodeLockBatchResponseBody(body: Uint8Array | null): LockBatchResponseBody {
  const path = 'LockBatchResponseBody';
  const o = asObject(decodeJsonBody(body, path), path);
  return { lockOKMQSet: readArray(o, 'lockOKMQSet', path, decodeMessageQueue) };
}

export function encodeLockBatchResponseBody(body: LockBatchResponseBody): Buffer {
  return encodeJsonBody({ lockOKMQSet: body.lockOKMQSet.map(messageQueueToJson) });
}

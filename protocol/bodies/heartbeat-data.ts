// HeartbeatData: the JSON body of HEART_BEAT (34), with which a client registers its producer
// and consumer groups and subscriptions with a broker.
//
// RocketMQ: common/.../protocol/heartbeat/{HeartbeatData,ProducerData,ConsumerData,
// SubscriptionData,ConsumeType,MessageModel}.java and common/.../consumer/ConsumeFromWhere.java
// (tag rocketmq-all-4.9.7); ali-ons: lib/mq_client.js (_prepareHeartbeatData) and
// lib/consumer/mq_push_consumer.js (buildSubscriptionData).
//
//   {"clientID":"10.0.0.5@12345",
//    "consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET",
//       "consumeType":"CONSUME_PASSIVELY","groupName":"CG","messageModel":"CLUSTERING",
//       "subscriptionDataSet":[{"classFilterMode":false,"codeSet":[2598919],
//          "expressionType":"TAG","subString":"TagA","subVersion":1700000000000,
//          "tagsSet":["TagA"],"topic":"T"}],"unitMode":false}],
//    "producerDataSet":[{"groupName":"PG"}]}
//
// ali-ons omits expressionType unless set (it then means TAG) and sends its own property order;
// Java 5.x clients add fields, which are ignored. Enum values are kept as the strings sent.

import { javaHashCode } from '../../common/bytes.js';
import {
  asObject,
  decodeJsonBody,
  encodeJsonBody,
  integerItem,
  type JsonObject,
  readArray,
  readBoolean,
  readInteger,
  readOptionalString,
  readString,
  stringItem,
} from './json-body.js';

export const ConsumeType = {
  CONSUME_ACTIVELY: 'CONSUME_ACTIVELY',
  CONSUME_PASSIVELY: 'CONSUME_PASSIVELY',
} as const;

export const MessageModel = { BROADCASTING: 'BROADCASTING', CLUSTERING: 'CLUSTERING' } as const;

export const ConsumeFromWhere = {
  CONSUME_FROM_LAST_OFFSET: 'CONSUME_FROM_LAST_OFFSET',
  CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST:
    'CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST',
  CONSUME_FROM_MIN_OFFSET: 'CONSUME_FROM_MIN_OFFSET',
  CONSUME_FROM_MAX_OFFSET: 'CONSUME_FROM_MAX_OFFSET',
  CONSUME_FROM_FIRST_OFFSET: 'CONSUME_FROM_FIRST_OFFSET',
  CONSUME_FROM_TIMESTAMP: 'CONSUME_FROM_TIMESTAMP',
} as const;

/** ExpressionType: how subString is interpreted. */
export const ExpressionType = { TAG: 'TAG', SQL92: 'SQL92' } as const;

export interface SubscriptionData {
  topic: string;
  /** "*" or "TagA || TagB" (TAG), or an SQL92 expression. */
  subString: string;
  tagsSet: string[];
  /** Java String.hashCode() of each tag. */
  codeSet: number[];
  subVersion: number;
  classFilterMode: boolean;
  expressionType: string;
  filterClassSource?: string;
}

export interface ConsumerData {
  groupName: string;
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
  subscriptionDataSet: SubscriptionData[];
  unitMode: boolean;
}

export interface ProducerData {
  groupName: string;
}

export interface HeartbeatData {
  clientID: string;
  producerDataSet: ProducerData[];
  consumerDataSet: ConsumerData[];
}

/** What a TAG expression subscribes to (FilterAPI.buildSubscriptionData). */
export interface TagExpression {
  /** "*" when everything matches, else the expression as given. */
  subString: string;
  /** The tags, trimmed, empty ones and duplicates dropped; empty for "*". */
  tagsSet: string[];
  /** Java String.hashCode() of each tag, the codes brokers filter ConsumeQueue entries by. */
  codeSet: number[];
}

/** Parses "TagA || TagB"; null, "" and "*" subscribe to everything. */
export function parseTagExpression(subString: string | null | undefined): TagExpression {
  if (subString === null || subString === undefined || subString === '' || subString === '*') {
    return { subString: '*', tagsSet: [], codeSet: [] };
  }
  const tagsSet: string[] = [];
  for (const part of subString.split('||')) {
    const tag = part.trim();
    if (tag !== '' && !tagsSet.includes(tag)) tagsSet.push(tag);
  }
  const codeSet = [...new Set(tagsSet.map(javaHashCode))];
  return { subString, tagsSet, codeSet };
}

export function decodeSubscription(value: unknown, path: string): SubscriptionData {
  const o = asObject(value, path);
  const data: SubscriptionData = {
    topic: readString(o, 'topic', path),
    subString: readString(o, 'subString', path),
    tagsSet: readArray(o, 'tagsSet', path, stringItem),
    codeSet: readArray(o, 'codeSet', path, integerItem),
    subVersion: readInteger(o, 'subVersion', path, 0),
    classFilterMode: readBoolean(o, 'classFilterMode', path, false),
    expressionType: readOptionalString(o, 'expressionType', path) ?? ExpressionType.TAG,
  };
  const filterClassSource = readOptionalString(o, 'filterClassSource', path);
  if (filterClassSource !== undefined) data.filterClassSource = filterClassSource;
  return data;
}

function decodeConsumer(value: unknown, path: string): ConsumerData {
  const o = asObject(value, path);
  return {
    groupName: readString(o, 'groupName', path),
    consumeType: readString(o, 'consumeType', path),
    messageModel: readString(o, 'messageModel', path),
    consumeFromWhere: readString(o, 'consumeFromWhere', path),
    subscriptionDataSet: readArray(o, 'subscriptionDataSet', path, decodeSubscription),
    unitMode: readBoolean(o, 'unitMode', path, false),
  };
}

function decodeProducer(value: unknown, path: string): ProducerData {
  return { groupName: readString(asObject(value, path), 'groupName', path) };
}

/** Throws MqError E_BODY_MALFORMED when the body is not a HeartbeatData. */
export function decodeHeartbeatData(body: Uint8Array | null): HeartbeatData {
  const path = 'HeartbeatData';
  const o = asObject(decodeJsonBody(body, path), path);
  return {
    clientID: readString(o, 'clientID', path),
    producerDataSet: readArray(o, 'producerDataSet', path, decodeProducer),
    consumerDataSet: readArray(o, 'consumerDataSet', path, decodeConsumer),
  };
}

export function subscriptionToJson(data: SubscriptionData): JsonObject {
  return {
    classFilterMode: data.classFilterMode,
    codeSet: data.codeSet,
    expressionType: data.expressionType,
    filterClassSource: data.filterClassSource,
    subString: data.subString,
    subVersion: data.subVersion,
    tagsSet: data.tagsSet,
    topic: data.topic,
  };
}

/** The body as a Java client writes it (fastjson property order). */
export function encodeHeartbeatData(data: HeartbeatData): Buffer {
  return encodeJsonBody({
    clientID: data.clientID,
    consumerDataSet: data.consumerDataSet.map((consumer) => ({
      consumeFromWhere: consumer.consumeFromWhere,
      consumeType: consumer.consumeType,
      groupName: consumer.groupName,
      messageModel: consumer.messageModel,
      subscriptionDataSet: consumer.subscriptionDataSet.map(subscriptionToJson),
      unitMode: consumer.unitMode,
    })),
    producerDataSet: data.producerDataSet.map((producer) => ({ groupName: producer.groupName })),
  });
}

/** CHECK_CLIENT_CONFIG (46) request body: a consumer asks whether a subscription is acceptable. */
export interface CheckClientRequestBody {
  clientId: string;
  group: string;
  subscriptionData: SubscriptionData | undefined;
}

/** Throws MqError E_BODY_MALFORMED when the body is not a CheckClientRequestBody. */
export function decodeCheckClientRequestBody(body: Uint8Array | null): CheckClientRequestBody {
  const path = 'CheckClientRequestBody';
  const o = asObject(decodeJsonBody(body, path), path);
  const sub = o['subscriptionData'];
  return {
    clientId: readOptionalString(o, 'clientId', path) ?? '',
    group: readOptionalString(o, 'group', path) ?? '',
    subscriptionData:
      sub === undefined || sub === null
        ? undefined
        : decodeSubscription(sub, `${path}.subscriptionData`),
  };
}

export function encodeCheckClientRequestBody(data: CheckClientRequestBody): Buffer {
  return encodeJsonBody({
    clientId: data.clientId,
    group: data.group,
    subscriptionData:
      data.subscriptionData === undefined ? undefined : subscriptionToJson(data.subscriptionData),
  });
}

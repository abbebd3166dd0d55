// Who is connected to a broker for a group: ConsumerConnection (GET_CONSUMER_CONNECTION_LIST 203)
// and ProducerConnection (GET_PRODUCER_CONNECTION_LIST 204), as mqadmin consumerConnection and
// producerConnection print them. fastjson writes the properties in alphabetical order.
//
// RocketMQ (tag rocketmq-all-4.9.7): common/.../protocol/body/{Connection,ConsumerConnection,
// ProducerConnection}.java.

import { decodeSubscription, type SubscriptionData, subscriptionToJson } from './heartbeat-data.js';
import {
  asObject,
  decodeJsonBody,
  encodeJsonBody,
  mapRecord,
  readArray,
  readInteger,
  readOptionalString,
  readRecord,
  readString,
  sortedRecord,
} from './json-body.js';

export interface Connection {
  clientId: string;
  clientAddr: string;
  /** LanguageCode name the client sends on its requests (JAVA, NODE_JS, ...). */
  language: string;
  /** MQVersion ordinal the client sends on its requests. */
  version: number;
}

export interface ConsumerConnection {
  connectionSet: Connection[];
  /** Subscriptions by topic. */
  subscriptionTable: Record<string, SubscriptionData>;
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
}

export interface ProducerConnection {
  connectionSet: Connection[];
}

function decodeConnection(value: unknown, path: string): Connection {
  const o = asObject(value, path);
  return {
    clientId: readString(o, 'clientId', path),
    clientAddr: readString(o, 'clientAddr', path),
    language: readOptionalString(o, 'language', path) ?? 'JAVA',
    version: readInteger(o, 'version', path, 0),
  };
}

function connectionToJson(c: Connection) {
  return {
    clientAddr: c.clientAddr,
    clientId: c.clientId,
    language: c.language,
    version: c.version,
  };
}

export function decodeConsumerConnection(body: Uint8Array | null): ConsumerConnection {
  const path = 'ConsumerConnection';
  const o = asObject(decodeJsonBody(body, path), path);
  return {
    connectionSet: readArray(o, 'connectionSet', path, decodeConnection),
    subscriptionTable: readRecord(o, 'subscriptionTable', path, decodeSubscription),
    consumeType: readOptionalString(o, 'consumeType', path) ?? '',
    messageModel: readOptionalString(o, 'messageModel', path) ?? '',
    consumeFromWhere: readOptionalString(o, 'consumeFromWhere', path) ?? '',
  };
}

export function encodeConsumerConnection(c: ConsumerConnection): Buffer {
  return encodeJsonBody({
    connectionSet: c.connectionSet.map(connectionToJson),
    consumeFromWhere: c.consumeFromWhere,
    consumeType: c.consumeType,
    messageModel: c.messageModel,
    subscriptionTable: mapRecord(sortedRecord(c.subscriptionTable), subscriptionToJson),
  });
}

export function decodeProducerConnection(body: Uint8Array | null): ProducerConnection {
  const path = 'ProducerConnection';
  const o = asObject(decodeJsonBody(body, path), path);
  return { connectionSet: readArray(o, 'connectionSet', path, decodeConnection) };
}

export function encodeProducerConnection(c: ProducerConnection): Buffer {
  return encodeJsonBody({ connectionSet: c.connectionSet.map(connectionToJson) });
}

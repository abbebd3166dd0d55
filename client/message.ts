// The messages users send (Message) and receive (MessageExt), their validation, and the
// properties a producer writes for them.
//
// RocketMQ: common/.../message/Message.java (tags, keys, WAIT, DELAY as properties),
// common/.../message/MessageExt.java, client/.../Validators.java (checkTopic, checkMessage),
// client/.../impl/producer/DefaultMQProducerImpl.java (UNIQ_KEY via MessageClientIDSetter).

import { Limits } from '../common/limits.js';
import { MessageProperty } from '../protocol/message-properties.js';

/** A message to send. */
export interface Message {
  topic: string;
  /** Strings are sent as UTF-8. */
  body: Uint8Array | string;
  /** One tag (brokers filter on its hash, consumers on the string). */
  tags?: string;
  /** Business keys, indexed by the broker for queryMsgByKey. */
  keys?: string | readonly string[];
  /** Delay level 1..18 (1s 5s 10s 30s 1m 2m ... 2h); 0 or absent for none. */
  delayTimeLevel?: number;
  /** User flag, stored as is. */
  flag?: number;
  /** Wait for the flush or replication the broker is configured for. Default true. */
  waitStoreMsgOK?: boolean;
  /** User properties; keys must not contain U+0001 or U+0002. */
  properties?: Readonly<Record<string, string>>;
}

/** A received message. */
export interface MessageExt {
  /** The topic as the user subscribed it (a retried message shows its original topic). */
  topic: string;
  tags: string | undefined;
  keys: string[];
  /**
   * A view of the pull response the message came in (no copy per message): a listener that keeps
   * bodies long after consuming them should copy them (`Buffer.from(body)`) so the response can go.
   */
  body: Buffer;
  properties: Readonly<Record<string, string>>;
  /** UNIQ_KEY when the producer set one, else offsetMsgId (Java's MessageClientExt.getMsgId). */
  msgId: string;
  /** The broker's id for the stored record: store host + commit log offset. */
  offsetMsgId: string;
  brokerName: string;
  /** Queue the message was read from (for a retry, the %RETRY% queue). */
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  reconsumeTimes: number;
  bornTimestamp: number;
  storeTimestamp: number;
  bornHost: string;
  storeHost: string;
  flag: number;
  sysFlag: number;
  storeSize: number;
}

/** The retry topic of a consumer group (MixAll.getRetryTopic). */
export function retryTopicOf(group: string): string {
  return `%RETRY%${group}`;
}

export function isRetryTopic(topic: string): boolean {
  return topic.startsWith('%RETRY%');
}

/** The auto-create template topic (TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC). */
export const AUTO_CREATE_TOPIC_KEY = 'TBW102';

const TOPIC_PATTERN = /^[%|a-zA-Z0-9_-]+$/;

/** Throws TypeError when a topic name is not one RocketMQ accepts (Validators.checkTopic). */
export function checkTopic(topic: string): void {
  if (typeof topic !== 'string' || topic === '') throw new TypeError('Topic is empty');
  if (!TOPIC_PATTERN.test(topic)) {
    throw new TypeError(`Topic "${topic}" has characters outside [%|a-zA-Z0-9_-]`);
  }
  if (Buffer.byteLength(topic) > Limits.maxTopicLengthBytes) {
    throw new TypeError(`Topic "${topic}" is longer than ${Limits.maxTopicLengthBytes} bytes`);
  }
}

/** Throws TypeError when a group name is empty or has illegal characters. */
export function checkGroup(group: string): void {
  if (typeof group !== 'string' || group === '') throw new TypeError('Group name is empty');
  if (!TOPIC_PATTERN.test(group) || group.length > 255) {
    throw new TypeError(`Group "${group}" has characters outside [%|a-zA-Z0-9_-] or is too long`);
  }
}

export function bodyBytesOf(message: Message): Buffer {
  const body = message.body;
  return typeof body === 'string'
    ? Buffer.from(body, 'utf8')
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/**
 * Throws TypeError or RangeError when `message` cannot be sent (Validators.checkMessage):
 * bad topic, empty or oversized body, bad delay level, bad property text.
 */
export function checkMessage(message: Message, maxMessageSizeBytes: number): Buffer {
  checkTopic(message.topic);
  if (message.topic === AUTO_CREATE_TOPIC_KEY) {
    throw new TypeError(`Topic "${message.topic}" is reserved for topic auto-creation`);
  }
  const body = bodyBytesOf(message);
  if (body.length === 0) throw new RangeError('Message body is empty');
  if (body.length > maxMessageSizeBytes) {
    throw new RangeError(
      `Message body of ${body.length} bytes exceeds maxMessageSizeBytes ${maxMessageSizeBytes}`,
    );
  }
  const level = message.delayTimeLevel;
  if (level !== undefined && (!Number.isInteger(level) || level < 0 || level > 18)) {
    throw new RangeError(`delayTimeLevel ${level} is not an integer in 0..18`);
  }
  if (message.flag !== undefined && !Number.isInteger(message.flag)) {
    throw new RangeError(`Message flag ${message.flag} is not an integer`);
  }
  return body;
}

function keysText(keys: string | readonly string[] | undefined): string | undefined {
  if (keys === undefined) return undefined;
  const list = typeof keys === 'string' ? [keys] : [...keys];
  const text = list.filter((k) => k !== '').join(' ');
  return text === '' ? undefined : text;
}

export interface ProducerProperties {
  uniqKey: string;
  /** 16 hex digits of xxhash64 over the body as sent, or null to leave it out. */
  bodyXxh64: string | null;
}

/** The properties a producer sends: user properties, then TAGS, KEYS, WAIT, DELAY, UNIQ_KEY. */
export function buildSendProperties(
  message: Message,
  extra: ProducerProperties,
): Record<string, string> {
  const properties: Record<string, string> = { ...(message.properties ?? {}) };
  if (message.tags !== undefined && message.tags !== '') {
    properties[MessageProperty.TAGS] = message.tags;
  }
  const keys = keysText(message.keys);
  if (keys !== undefined) properties[MessageProperty.KEYS] = keys;
  properties[MessageProperty.WAIT] = message.waitStoreMsgOK === false ? 'false' : 'true';
  if (message.delayTimeLevel !== undefined && message.delayTimeLevel > 0) {
    properties[MessageProperty.DELAY] = String(message.delayTimeLevel);
  }
  properties[MessageProperty.UNIQ_KEY] = extra.uniqKey;
  if (extra.bodyXxh64 !== null) properties[BODY_XXH64_PROPERTY] = extra.bodyXxh64;
  return properties;
}

/** Petrel's end-to-end body checksum property (xxhash64, 16 lowercase hex digits). */
export const BODY_XXH64_PROPERTY = 'BODY_XXH64';

// Validates a message for the store and encodes it as a stored record whose offsets and store time
// are left for the writer (RocketMQ: CommitLog.MessageExtEncoder plus the checks of
// DefaultMessageStore.putMessage). prepare() checks and sizes; encodeTo() writes the record that
// prepare() last accepted, directly into the append ring's memory. The body's CRC32 and xxhash64
// are computed here, on the putting thread: the writer thread is the pipeline's busiest stage.

import { assert } from '../../common/assert.js';
import { crc32 } from '../../common/bytes.js';
import { encodeHostAddress } from '../../common/host-address.js';
import { Limits } from '../../common/limits.js';
import {
  encodeRecord,
  type RecordInput,
  recordLength,
  SysFlag,
} from '../../common/message-codec.js';
import {
  isValidPropertyText,
  MessageProperty,
  NAME_VALUE_SEPARATOR,
  PROPERTY_SEPARATOR,
} from '../../common/message-properties.js';
import type { BodyHasher } from '../checksum/body-hasher.js';

export const TOPIC_PATTERN = /^[%|a-zA-Z0-9_-]+$/;

export interface MessageInput {
  topic: string;
  queueId: number;
  body: Uint8Array;
  tags?: string;
  /** One key, several keys, or a space-separated string (RocketMQ's KEYS property). */
  keys?: string | readonly string[];
  properties?: Readonly<Record<string, string>>;
  flag?: number;
  sysFlag?: number;
  bornTimestamp?: number;
  /** The producer's address, "ip:port" (RocketMQ's BORNHOST); defaults to the store host. */
  bornHost?: string;
  reconsumeTimes?: number;
  preparedTransactionOffset?: number;
}

export type EncodeRejection = {
  status: 'MESSAGE_ILLEGAL' | 'PROPERTIES_SIZE_EXCEEDED';
  reason: string;
};

export interface EncoderOptions {
  maxMessageSize: number;
  storeHost: Uint8Array;
  bornHost: Uint8Array;
  /** Adds the BODY_XXH64 property when the message has none. */
  hasher: BodyHasher | undefined;
}

/** What prepare() accepted, set aside so that a batch is checked whole before any is encoded. */
export interface PreparedRecord {
  input: RecordInput;
  length: number;
  uniqKey: string;
}

export class MessageEncoder {
  #options: EncoderOptions;
  #topicBytes = new Map<string, Buffer>();
  #bornHosts = new Map<string, Uint8Array>();
  #input: RecordInput;
  #length = 0;
  #uniqKey = '';

  constructor(options: EncoderOptions) {
    this.#options = options;
    this.#input = {
      bodyCrc: 0,
      queueId: 0,
      flag: 0,
      queueOffset: 0,
      commitLogOffset: 0,
      sysFlag: 0,
      bornTimestamp: 0,
      bornHost: options.bornHost,
      storeTimestamp: 0,
      storeHost: options.storeHost,
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      body: new Uint8Array(0),
      topic: new Uint8Array(0),
      properties: new Uint8Array(0),
    };
  }

  get uniqKey(): string {
    return this.#uniqKey;
  }

  /** Checks `m`; returns its record length, or why it is refused. */
  prepare(m: MessageInput, uniqKey: () => string, nowMs: number): number | EncodeRejection {
    const topicBytes = this.#topic(m.topic);
    if (typeof topicBytes === 'string') return { status: 'MESSAGE_ILLEGAL', reason: topicBytes };
    if (!Number.isSafeInteger(m.queueId) || m.queueId < 0 || m.queueId > 0x7fffffff) {
      return {
        status: 'MESSAGE_ILLEGAL',
        reason: `queueId must be an integer within 0..2147483647, got ${m.queueId}`,
      };
    }
    if (!(m.body instanceof Uint8Array)) {
      const got = m.body === null ? 'null' : typeof m.body;
      return {
        status: 'MESSAGE_ILLEGAL',
        reason: `the message body must be a Uint8Array (or Buffer) or a string, got ${got}`,
      };
    }
    if (m.body.byteLength === 0)
      return { status: 'MESSAGE_ILLEGAL', reason: 'the message body is empty' };
    if (m.body.byteLength > this.#options.maxMessageSize) {
      return {
        status: 'MESSAGE_ILLEGAL',
        reason: `the message body is ${m.body.byteLength} bytes, above maxMessageSize ${this.#options.maxMessageSize}`,
      };
    }
    const properties = this.#properties(m, uniqKey);
    if (typeof properties !== 'string') return properties;
    const propertiesBytes = Buffer.from(properties, 'utf8');
    if (propertiesBytes.byteLength > Limits.maxPropertiesLengthBytes) {
      return {
        status: 'PROPERTIES_SIZE_EXCEEDED',
        reason: `the properties take ${propertiesBytes.byteLength} bytes, above ${Limits.maxPropertiesLengthBytes}`,
      };
    }
    const bornHost = m.bornHost === undefined ? this.#options.bornHost : this.#bornHost(m.bornHost);
    if (bornHost === undefined)
      return {
        status: 'MESSAGE_ILLEGAL',
        reason: `bornHost "${m.bornHost}" is not an "ip:port" address`,
      };
    const sysFlag = (m.sysFlag ?? 0) & ~(SysFlag.BORNHOST_V6 | SysFlag.STOREHOST_V6);
    const input = this.#input;
    input.bornHost = bornHost;
    input.sysFlag =
      sysFlag |
      (bornHost.byteLength === 20 ? SysFlag.BORNHOST_V6 : 0) |
      (this.#options.storeHost.byteLength === 20 ? SysFlag.STOREHOST_V6 : 0);
    input.queueId = m.queueId;
    input.flag = m.flag ?? 0;
    input.bornTimestamp = m.bornTimestamp ?? nowMs;
    input.reconsumeTimes = m.reconsumeTimes ?? 0;
    input.preparedTransactionOffset = m.preparedTransactionOffset ?? 0;
    input.body = m.body;
    input.bodyCrc = crc32(m.body) | 0;
    input.topic = topicBytes;
    input.properties = propertiesBytes;
    this.#length = recordLength(
      input.sysFlag,
      m.body.byteLength,
      topicBytes.byteLength,
      propertiesBytes.byteLength,
    );
    return this.#length;
  }

  #bornHost(address: string): Uint8Array | undefined {
    let bytes = this.#bornHosts.get(address);
    if (bytes !== undefined) return bytes;
    try {
      bytes = encodeHostAddress(address);
    } catch {
      return undefined;
    }
    if (this.#bornHosts.size > 10_000) this.#bornHosts.clear();
    this.#bornHosts.set(address, bytes);
    return bytes;
  }

  #topic(topic: string): Buffer | string {
    let bytes = this.#topicBytes.get(topic);
    if (bytes !== undefined) return bytes;
    if (typeof topic !== 'string' || topic === '') return 'the topic is empty';
    if (topic.length > Limits.maxTopicLengthBytes)
      return `the topic is ${topic.length} characters, above ${Limits.maxTopicLengthBytes}`;
    if (!TOPIC_PATTERN.test(topic))
      return `the topic "${topic}" has characters outside [%|a-zA-Z0-9_-]`;
    bytes = Buffer.from(topic, 'latin1');
    if (this.#topicBytes.size < 100_000) this.#topicBytes.set(topic, bytes);
    return bytes;
  }

  #properties(m: MessageInput, uniqKey: () => string): string | EncodeRejection {
    let text = '';
    let hasUniqKey = false;
    let hasChecksum = false;
    const user = m.properties ?? {};
    for (const key of Object.keys(user)) {
      const value = user[key] ?? '';
      if (key === '' || !isValidPropertyText(key) || !isValidPropertyText(value)) {
        return {
          status: 'MESSAGE_ILLEGAL',
          reason: `property "${key}" contains a reserved separator character`,
        };
      }
      if (key === MessageProperty.UNIQ_KEY) {
        hasUniqKey = true;
        this.#uniqKey = value;
      }
      if (key === MessageProperty.BODY_XXH64) hasChecksum = true;
      else text += key + NAME_VALUE_SEPARATOR + value + PROPERTY_SEPARATOR;
    }
    if (m.tags !== undefined && m.tags !== '')
      text += `${MessageProperty.TAGS}${NAME_VALUE_SEPARATOR}${m.tags}${PROPERTY_SEPARATOR}`;
    const keys = typeof m.keys === 'string' ? m.keys : m.keys?.join(' ');
    if (keys !== undefined && keys !== '')
      text += `${MessageProperty.KEYS}${NAME_VALUE_SEPARATOR}${keys}${PROPERTY_SEPARATOR}`;
    if (!isValidPropertyText(m.tags ?? '') || !isValidPropertyText(keys ?? '')) {
      return {
        status: 'MESSAGE_ILLEGAL',
        reason: 'tags or keys contain a reserved separator character',
      };
    }
    if (!hasUniqKey) {
      this.#uniqKey = uniqKey();
      text += `${MessageProperty.UNIQ_KEY}${NAME_VALUE_SEPARATOR}${this.#uniqKey}${PROPERTY_SEPARATOR}`;
    }
    const hasher = this.#options.hasher;
    if (hasChecksum) {
      text += `${MessageProperty.BODY_XXH64}${NAME_VALUE_SEPARATOR}${user[MessageProperty.BODY_XXH64]}${PROPERTY_SEPARATOR}`;
    } else if (hasher !== undefined) {
      text += `${MessageProperty.BODY_XXH64}${NAME_VALUE_SEPARATOR}${hasher.hex(m.body)}${PROPERTY_SEPARATOR}`;
    }
    return text;
  }

  /** Hands over the record prepare() last accepted; the next prepare() starts on a fresh one. */
  take(): PreparedRecord {
    const taken = { input: this.#input, length: this.#length, uniqKey: this.#uniqKey };
    this.#input = { ...this.#input };
    return taken;
  }

  /** Makes a record that take() handed over the one encodeTo() writes and uniqKey names. */
  use(record: PreparedRecord): void {
    this.#input = record.input;
    this.#length = record.length;
    this.#uniqKey = record.uniqKey;
  }

  /** Writes the last prepared record at target[pos]; returns its length. */
  encodeTo(target: Buffer, pos: number): number {
    const written = encodeRecord(target, pos, this.#input);
    // Paired with the writer's check (commit-log-writer.ts, append): the record says its own size.
    assert(written === this.#length, 'encoder: wrote another length than prepare() measured');
    assert(target.readInt32BE(pos) === written, 'encoder: TOTALSIZE disagrees with the record');
    return written;
  }
}

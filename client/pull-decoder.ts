// Decodes a pull (or query) response body, a concatenation of stored records, into received
// messages: each record is validated before it is read, compressed bodies are inflated, the
// BODY_XXH64 checksum is verified when asked, and retried messages get their original topic.
//
// RocketMQ: common/.../message/MessageDecoder.java (decodes), client/.../impl/consumer/
// PullAPIWrapper.java (processPullResult: tag filter), client/.../impl/consumer/
// ConsumeMessageConcurrentlyService.java (resetRetryAndNamespace).
//
// A record that does not validate is a wire or storage fault, reported as MqError
// E_CORRUPT_RECORD; a checksum mismatch is E_CHECKSUM_MISMATCH. Neither is ever delivered.

import { inflateSync } from 'node:zlib';
import { int64Hex, readInt64Buffer, toHexUpper } from '../common/bytes.js';
import { ErrorCode, MqError } from '../common/errors.js';
import { decodeHostAddress } from '../common/host-address.js';
import {
  bornHostLength,
  checkRecord,
  emptyLayout,
  RecordCheck,
  RecordField,
  type RecordLayout,
  SysFlag,
  storeHostLength,
} from '../common/message-codec.js';
import { RecentText } from '../common/recent-text.js';
import { decodePropertiesObject, MessageProperty } from '../protocol/message-properties.js';
import type { BodyChecksum } from './body-checksum.js';
import { BODY_XXH64_PROPERTY, type MessageExt } from './message.js';

export interface DecodeOptions {
  brokerName: string;
  /** Verify BODY_XXH64 where present; null to skip. */
  checksum: BodyChecksum | null;
  /** Largest record accepted (and largest inflated body). */
  maxRecordBytes: number;
}

/**
 * Host strings, host hex and topics of one pull's records: its records almost always share their
 * store host and topic and often their born host, so each distinct value is decoded once per pull.
 */
class PullTexts {
  readonly hosts = new RecentText(decodeHostAddress);
  readonly hex = new RecentText(toHexUpper);
  readonly topics = new RecentText((bytes) => bytes.toString('utf8'));
}

function inflateBody(stored: Buffer, maxBytes: number, where: string): Buffer {
  try {
    return inflateSync(stored, { maxOutputLength: maxBytes });
  } catch (cause) {
    throw new MqError(
      ErrorCode.CORRUPT_RECORD,
      `Cannot inflate the compressed body of ${where}`,
      { where },
      { cause },
    );
  }
}

function whereOf(topic: string, layout: Readonly<RecordLayout>, options: DecodeOptions): string {
  return `${topic}@${options.brokerName}:${layout.queueId} offset ${layout.queueOffset}`;
}

/** The body to deliver: `stored` once its BODY_XXH64 (if asked and present) matches, inflated. */
function bodyOf(
  stored: Buffer,
  properties: Readonly<Record<string, string>>,
  topic: string,
  layout: Readonly<RecordLayout>,
  options: DecodeOptions,
): Buffer {
  const expected = properties[BODY_XXH64_PROPERTY];
  if (options.checksum !== null && expected !== undefined) {
    if (!options.checksum.matches(stored, expected)) {
      throw new MqError(
        ErrorCode.CHECKSUM_MISMATCH,
        `Body checksum mismatch in ${whereOf(topic, layout, options)}: BODY_XXH64 ${expected}, body hashes to ${options.checksum.hex(stored)}`,
        { brokerName: options.brokerName, topic, queueOffset: layout.queueOffset },
      );
    }
  }
  return (layout.sysFlag & SysFlag.COMPRESSED) !== 0
    ? inflateBody(stored, options.maxRecordBytes, whereOf(topic, layout, options))
    : stored;
}

/**
 * The message of the checked record at `pos`, read straight from its layout: no intermediate
 * decoded record, host and topic strings shared within the pull.
 */
function toMessageExt(
  buf: Buffer,
  pos: number,
  layout: Readonly<RecordLayout>,
  texts: PullTexts,
  options: DecodeOptions,
): MessageExt {
  const l = layout;
  const bornLength = bornHostLength(l.sysFlag);
  const storeHostAt = pos + RecordField.BORNHOST + bornLength + 8;
  const storeLength = storeHostLength(l.sysFlag);
  const topic = texts.topics.textOf(buf, l.topicOffset, l.topicLength);
  const properties = decodePropertiesObject(
    buf.toString('utf8', l.propertiesOffset, l.propertiesOffset + l.propertiesLength),
  );
  // The body stays a view of the response frame, which nothing else holds or reuses.
  const stored = buf.subarray(l.bodyOffset, l.bodyOffset + l.bodyLength);
  const body = bodyOf(stored, properties, topic, l, options);
  const offsetMsgId = texts.hex.textOf(buf, storeHostAt, storeLength) + int64Hex(l.commitLogOffset);
  const keys = properties[MessageProperty.KEYS];
  return {
    topic: properties[MessageProperty.RETRY_TOPIC] ?? topic,
    tags: properties[MessageProperty.TAGS],
    keys: keys === undefined ? [] : keys.split(' ').filter((k) => k !== ''),
    body,
    properties,
    msgId: properties[MessageProperty.UNIQ_KEY] ?? offsetMsgId,
    offsetMsgId,
    brokerName: options.brokerName,
    queueId: l.queueId,
    queueOffset: l.queueOffset,
    commitLogOffset: l.commitLogOffset,
    reconsumeTimes: buf.readInt32BE(storeHostAt + storeLength),
    bornTimestamp: readInt64Buffer(buf, pos + RecordField.BORNTIMESTAMP),
    storeTimestamp: l.storeTimestamp,
    bornHost: texts.hosts.textOf(buf, pos + RecordField.BORNHOST, bornLength),
    storeHost: texts.hosts.textOf(buf, storeHostAt, storeLength),
    flag: buf.readInt32BE(pos + RecordField.FLAG),
    sysFlag: l.sysFlag,
    storeSize: l.totalSize,
  };
}

/**
 * The messages in `body`, in order.
 * @throws MqError E_CORRUPT_RECORD (a record does not validate or inflate),
 *   E_CHECKSUM_MISMATCH (BODY_XXH64 disagrees with the body).
 */
export function decodeMessages(body: Buffer | null, options: DecodeOptions): MessageExt[] {
  const messages: MessageExt[] = [];
  if (body === null) return messages;
  const layout = emptyLayout();
  const texts = new PullTexts();
  let pos = 0;
  while (pos < body.length) {
    const { check, reason } = checkRecord(
      body,
      pos,
      { available: body.length - pos, checkCrc: false, maxRecordBytes: options.maxRecordBytes },
      layout,
    );
    if (check !== RecordCheck.OK) {
      throw new MqError(
        ErrorCode.CORRUPT_RECORD,
        `Bad record at byte ${pos} of a ${body.length}-byte body from broker ${options.brokerName}: ${check} ${reason}`,
        { brokerName: options.brokerName, position: pos },
      );
    }
    messages.push(toMessageExt(body, pos, layout, texts, options));
    pos += layout.totalSize;
  }
  return messages;
}

/** Client-side tag check (the broker filters by hash; hashes collide). */
export function matchesTags(message: MessageExt, tagsSet: readonly string[]): boolean {
  if (tagsSet.length === 0) return true;
  return message.tags !== undefined && tagsSet.includes(message.tags);
}

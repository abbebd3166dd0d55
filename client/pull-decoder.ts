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
import { int64Hex, toHexUpper } from '../common/bytes.js';
import { ErrorCode, MqError } from '../common/errors.js';
import { decodeHostAddress } from '../common/host-address.js';
import {
  checkRecord,
  type DecodedMessage,
  decodeRecord,
  emptyLayout,
  RecordCheck,
  type RecordLayout,
  SysFlag,
  storeHostSpan,
} from '../common/message-codec.js';
import { RecentText } from '../common/recent-text.js';
import { MessageProperty } from '../protocol/message-properties.js';
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
  readonly topics = new RecentText((bytes) => bytes.toString('utf8'));
  readonly #hex = new RecentText(toHexUpper);

  /** The offset message id: upper-case hex of the store host bytes and the commit log offset. */
  offsetMsgId(buf: Buffer, pos: number, layout: Readonly<RecordLayout>): string {
    const span = storeHostSpan(pos, layout.sysFlag);
    return this.#hex.textOf(buf, span.start, span.length) + int64Hex(layout.commitLogOffset);
  }
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

function whereOf(decoded: DecodedMessage, options: DecodeOptions): string {
  return `${decoded.topic}@${options.brokerName}:${decoded.queueId} offset ${decoded.queueOffset}`;
}

function toMessageExt(
  buf: Buffer,
  pos: number,
  layout: Readonly<RecordLayout>,
  texts: PullTexts,
  options: DecodeOptions,
): MessageExt {
  // The body stays a view of the response frame, which nothing else holds or reuses.
  const decoded = decodeRecord(buf, pos, {
    layout,
    hostOf: texts.hosts.textOf,
    topicOf: texts.topics.textOf,
    bodyView: true,
  });
  const properties = decoded.properties;
  const expected = properties[BODY_XXH64_PROPERTY];
  if (options.checksum !== null && expected !== undefined) {
    if (!options.checksum.matches(decoded.body, expected)) {
      const actual = options.checksum.hex(decoded.body);
      throw new MqError(
        ErrorCode.CHECKSUM_MISMATCH,
        `Body checksum mismatch in ${whereOf(decoded, options)}: BODY_XXH64 ${expected}, body hashes to ${actual}`,
        { brokerName: options.brokerName, topic: decoded.topic, queueOffset: decoded.queueOffset },
      );
    }
  }
  const body =
    (decoded.sysFlag & SysFlag.COMPRESSED) !== 0
      ? inflateBody(decoded.body, options.maxRecordBytes, whereOf(decoded, options))
      : decoded.body;
  const offsetMsgId = texts.offsetMsgId(buf, pos, layout);
  const keys = properties[MessageProperty.KEYS];
  return {
    topic: properties[MessageProperty.RETRY_TOPIC] ?? decoded.topic,
    tags: properties[MessageProperty.TAGS],
    keys: keys === undefined ? [] : keys.split(' ').filter((k) => k !== ''),
    body,
    properties,
    msgId: properties[MessageProperty.UNIQ_KEY] ?? offsetMsgId,
    offsetMsgId,
    brokerName: options.brokerName,
    queueId: decoded.queueId,
    queueOffset: decoded.queueOffset,
    commitLogOffset: decoded.commitLogOffset,
    reconsumeTimes: decoded.reconsumeTimes,
    bornTimestamp: decoded.bornTimestamp,
    storeTimestamp: decoded.storeTimestamp,
    bornHost: decoded.bornHost,
    storeHost: decoded.storeHost,
    flag: decoded.flag,
    sysFlag: decoded.sysFlag,
    storeSize: decoded.storeSize,
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

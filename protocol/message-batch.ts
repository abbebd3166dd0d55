// The body of SEND_BATCH_MESSAGE (320): the batch's messages one after the other, each encoded as
// below. Topic and queue come from the request header; each message has its own flag, body and
// properties (UNIQ_KEY, TAGS, KEYS, ...).
//
// RocketMQ: common/.../message/MessageDecoder.java (encodeMessage, encodeMessages,
// decodeMessage, decodeMessages) (tag rocketmq-all-4.9.7).
//
// One message, big-endian (TOTALSIZE = 22 + bodyLen + propertiesLen):
// +-----------+-----------+-----------+-----------+-----------+--------+-----------+------------+
// | TOTALSIZE | MAGICCODE | BODYCRC   | FLAG      | BODYLEN   | BODY   | PROPSLEN  | PROPERTIES |
// | int32     | int32 (0) | int32 (0) | int32     | int32     | bytes  | int16     | UTF-8      |
// +-----------+-----------+-----------+-----------+-----------+--------+-----------+------------+
//
// Decoding checks every length against TOTALSIZE and the bytes left, so a batch whose sizes
// overflow or disagree is refused as a whole (bad-input suite B11: no partial batch).

import { assert } from '../common/assert.js';

export const BATCH_MESSAGE_FIXED_BYTES = 22;

export interface BatchMessage {
  flag: number;
  body: Buffer;
  /** The properties string (message-properties.ts). */
  properties: string;
}

export type BatchDecodeResult =
  | { ok: true; messages: BatchMessage[] }
  | { ok: false; reason: string };

/** Encodes messages as a batch body (what a Java producer sends). */
export function encodeMessageBatch(messages: readonly BatchMessage[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of messages) {
    const properties = Buffer.from(m.properties, 'utf8');
    assert(properties.length <= 0x7fff, 'batch message properties fit an int16 length');
    const total = BATCH_MESSAGE_FIXED_BYTES + m.body.length + properties.length;
    const head = Buffer.alloc(20);
    head.writeInt32BE(total, 0);
    head.writeInt32BE(m.flag, 12);
    head.writeInt32BE(m.body.length, 16);
    const tail = Buffer.alloc(2);
    tail.writeInt16BE(properties.length, 0);
    parts.push(head, m.body, tail, properties);
  }
  return Buffer.concat(parts);
}

/** Decodes a batch body; refuses it whole (with the reason) if any message is malformed. */
export function decodeMessageBatch(body: Buffer | null, maxMessages: number): BatchDecodeResult {
  if (body === null || body.length === 0) return { ok: false, reason: 'the batch body is empty' };
  const messages: BatchMessage[] = [];
  let pos = 0;
  while (pos < body.length) {
    if (messages.length >= maxMessages) {
      return { ok: false, reason: `the batch holds more than ${maxMessages} messages` };
    }
    const left = body.length - pos;
    if (left < BATCH_MESSAGE_FIXED_BYTES) {
      return { ok: false, reason: `message ${messages.length} is cut short (${left} bytes left)` };
    }
    const total = body.readInt32BE(pos);
    const bodyLength = body.readInt32BE(pos + 16);
    if (total < BATCH_MESSAGE_FIXED_BYTES || total > left || bodyLength < 0) {
      return {
        ok: false,
        reason: `message ${messages.length} has size ${total}, ${left} bytes left`,
      };
    }
    if (BATCH_MESSAGE_FIXED_BYTES + bodyLength > total) {
      return {
        ok: false,
        reason: `message ${messages.length}: body of ${bodyLength} bytes overflows it`,
      };
    }
    const propsAt = pos + 20 + bodyLength;
    const propertiesLength = body.readInt16BE(propsAt);
    if (
      propertiesLength < 0 ||
      BATCH_MESSAGE_FIXED_BYTES + bodyLength + propertiesLength !== total
    ) {
      return { ok: false, reason: `message ${messages.length}: sizes do not add up to ${total}` };
    }
    messages.push({
      flag: body.readInt32BE(pos + 12),
      body: body.subarray(pos + 20, propsAt),
      properties: body.toString('utf8', propsAt + 2, propsAt + 2 + propertiesLength),
    });
    pos += total;
  }
  assert(pos === body.length, 'batch decoding consumed the body exactly');
  return { ok: true, messages };
}

// The body of SEND_BATCH_MESSAGE (320): the messages of a batch, each encoded as below and
// concatenated. Topic and queue come from the request header; each inner message carries its own
// properties (UNIQ_KEY, TAGS, KEYS, ...).
//
// RocketMQ: common/.../message/MessageDecoder.java (encodeMessage, decodeMessages),
// common/.../message/MessageBatch.java.
//
// +------------------+--------------+----------------+-------------+-----------------+
// | totalSize int32  | magic int32  | bodyCRC int32  | flag int32  | bodyLength int32|
// +------------------+--------------+----------------+-------------+-----------------+
// | body ...         | propertiesLength int16 | properties (UTF-8) ...               |
// +------------------+------------------------+--------------------------------------+
// magic and bodyCRC are written as 0, as Java's client does; totalSize counts itself.

import { assert } from '../common/assert.js';
import { Limits } from '../common/limits.js';

export interface BatchEntry {
  body: Uint8Array;
  flag: number;
  properties: string;
}

const FIXED_BYTES = 4 + 4 + 4 + 4 + 4 + 2;

export function encodeBatchBody(entries: readonly BatchEntry[]): Buffer {
  assert(entries.length > 0, 'batch: at least one message');
  const propertyBytes = entries.map((e) => Buffer.from(e.properties, 'utf8'));
  let total = 0;
  for (const [i, entry] of entries.entries()) {
    const props = propertyBytes[i];
    assert(props !== undefined, 'batch: properties encoded');
    if (props.length > Limits.maxPropertiesLengthBytes) {
      throw new RangeError(`Batch message ${i} has properties of ${props.length} bytes`);
    }
    total += FIXED_BYTES + entry.body.byteLength + props.length;
  }
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const [i, entry] of entries.entries()) {
    const props = propertyBytes[i] ?? Buffer.alloc(0);
    const size = FIXED_BYTES + entry.body.byteLength + props.length;
    pos = out.writeInt32BE(size, pos);
    pos = out.writeInt32BE(0, pos);
    pos = out.writeInt32BE(0, pos);
    pos = out.writeInt32BE(entry.flag | 0, pos);
    pos = out.writeInt32BE(entry.body.byteLength, pos);
    out.set(entry.body, pos);
    pos = out.writeInt16BE(props.length, pos + entry.body.byteLength);
    props.copy(out, pos);
    pos += props.length;
  }
  assert(pos === total, 'batch: encoded length matches');
  return out;
}

/** Reads a batch body back (for tests and for brokers that want to check it). */
export function decodeBatchBody(
  body: Buffer,
): { body: Buffer; flag: number; properties: string }[] {
  const out: { body: Buffer; flag: number; properties: string }[] = [];
  let pos = 0;
  while (pos < body.length) {
    if (body.length - pos < FIXED_BYTES) throw new RangeError(`Batch truncated at byte ${pos}`);
    const size = body.readInt32BE(pos);
    const flag = body.readInt32BE(pos + 12);
    const bodyLength = body.readInt32BE(pos + 16);
    const propsPos = pos + 20 + bodyLength;
    if (size < FIXED_BYTES || pos + size > body.length || propsPos + 2 > pos + size) {
      throw new RangeError(`Batch entry at byte ${pos} has inconsistent lengths`);
    }
    const propsLength = body.readInt16BE(propsPos);
    if (propsPos + 2 + propsLength !== pos + size) {
      throw new RangeError(`Batch entry at byte ${pos} has inconsistent lengths`);
    }
    out.push({
      body: Buffer.from(body.subarray(pos + 20, pos + 20 + bodyLength)),
      flag,
      properties: body.toString('utf8', propsPos + 2, propsPos + 2 + propsLength),
    });
    pos += size;
  }
  return out;
}

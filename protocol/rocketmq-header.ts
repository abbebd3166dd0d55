// ROCKETMQ binary header codec (serialize type 1), used by Java clients started with
// -Drocketmq.serialize.type=ROCKETMQ and by some Go and C++ clients.
//
// RocketMQ: remoting/.../protocol/RocketMQSerializable.java (rocketMQProtocolEncode/Decode,
// mapSerialize/mapDeserialize).
//
// Layout, big-endian:
// +-------------+---------------+----------------+---------------+-------------+
// | code int16  | language int8 | version int16  | opaque int32  | flag int32  |
// +-------------+---------------+----------------+---------------+-------------+
// | remarkLen int32 | remark (remarkLen bytes UTF-8; 0 = null remark)          |
// +-----------------+---------------------------------------------------------+
// | extLen int32    | extFields: repeat until extLen bytes are consumed:       |
// |                 |   keyLen int16 | key bytes | valLen int32 | value bytes  |
// +-----------------+---------------------------------------------------------+
// Fixed part 13 bytes; a header is at least 21 bytes (13 + remarkLen field + extLen field).
//
// code and version are Java shorts: values outside int16 wrap as Java's (short) cast does. An
// empty remark is written as length 0 and read back as null, as in Java. Decoding checks every
// length against the bytes left, rejects negative lengths, invalid UTF-8 and trailing bytes,
// and applies the same HeaderLimits as the JSON header.

import { isUtf8 } from 'node:buffer';
import { assert } from '../common/assert.js';
import {
  FrameErrorReason,
  type HeaderLimits,
  languageFromByte,
  languageToByte,
} from './frame-format.js';
import type { CommandDecodeResult, ExtFields, RemotingCommand } from './remoting-command.js';

export const ROCKETMQ_HEADER_FIXED_BYTES = 13;
export const ROCKETMQ_HEADER_MIN_BYTES = ROCKETMQ_HEADER_FIXED_BYTES + 4 + 4;

assert(ROCKETMQ_HEADER_FIXED_BYTES === 2 + 1 + 2 + 4 + 4, 'code, language, version, opaque, flag');

export function encodeRocketMqHeader(command: RemotingCommand): Buffer {
  const remark = command.remark === null ? '' : command.remark;
  const remarkBytes = Buffer.byteLength(remark, 'utf8');
  let extBytes = 0;
  const extKeys = Object.keys(command.extFields);
  for (const key of extKeys) {
    extBytes += 2 + Buffer.byteLength(key, 'utf8') + 4;
    extBytes += Buffer.byteLength(command.extFields[key] ?? '', 'utf8');
  }
  const header = Buffer.allocUnsafe(ROCKETMQ_HEADER_MIN_BYTES + remarkBytes + extBytes);
  header.writeUInt16BE(command.code & 0xffff, 0);
  header.writeUInt8(languageToByte(command.language), 2);
  header.writeUInt16BE(command.version & 0xffff, 3);
  header.writeInt32BE(command.opaque | 0, 5);
  header.writeInt32BE(command.flag | 0, 9);
  header.writeInt32BE(remarkBytes, 13);
  let pos = 17 + header.write(remark, 17, 'utf8');
  header.writeInt32BE(extBytes, pos);
  pos += 4;
  for (const key of extKeys) {
    const keyBytes = header.write(key, pos + 2, 'utf8');
    assert(keyBytes <= 0x7fff, 'extFields key longer than an int16 length');
    header.writeInt16BE(keyBytes, pos);
    pos += 2 + keyBytes;
    const valueBytes = header.write(command.extFields[key] ?? '', pos + 4, 'utf8');
    header.writeInt32BE(valueBytes, pos);
    pos += 4 + valueBytes;
  }
  assert(pos === header.length, 'ROCKETMQ header filled exactly');
  return header;
}

interface Cursor {
  header: Buffer;
  pos: number;
}

/** The UTF-8 string of `length` bytes at the cursor; throws HeaderFailure if it is not one. */
function readString(cursor: Cursor, length: number, maxBytes: number, what: string): string {
  if (length < 0) throw new HeaderFailure(`${what} length ${length} is negative`);
  if (length > maxBytes) throw new HeaderFailure(`${what} of ${length} bytes exceeds ${maxBytes}`);
  if (cursor.pos + length > cursor.header.length) {
    throw new HeaderFailure(`${what} of ${length} bytes runs past the header`);
  }
  const bytes = cursor.header.subarray(cursor.pos, cursor.pos + length);
  if (!isUtf8(bytes)) throw new HeaderFailure(`${what} is not valid UTF-8`);
  cursor.pos += length;
  return bytes.toString('utf8');
}

/** Internal control flow of the decoder; never escapes decodeRocketMqHeader. */
class HeaderFailure extends Error {}

function readExtFields(cursor: Cursor, extLength: number, limits: Readonly<HeaderLimits>) {
  const fields: ExtFields = Object.create(null);
  const end = cursor.pos + extLength;
  let count = 0;
  while (cursor.pos < end) {
    if (++count > limits.maxExtFields) {
      throw new HeaderFailure(`extFields has more than ${limits.maxExtFields} entries`);
    }
    if (cursor.pos + 2 > end) throw new HeaderFailure('extFields key length runs past extLen');
    const keyLength = cursor.header.readInt16BE(cursor.pos);
    cursor.pos += 2;
    const key = readString(cursor, keyLength, limits.maxValueBytes, 'extFields key');
    if (cursor.pos + 4 > end) throw new HeaderFailure('extFields value length runs past extLen');
    const valueLength = cursor.header.readInt32BE(cursor.pos);
    cursor.pos += 4;
    fields[key] = readString(cursor, valueLength, limits.maxValueBytes, 'extFields value');
    if (cursor.pos > end) throw new HeaderFailure('extFields entry runs past extLen');
  }
  return fields;
}

function readBody(header: Buffer, limits: Readonly<HeaderLimits>) {
  const cursor: Cursor = { header, pos: ROCKETMQ_HEADER_FIXED_BYTES };
  const remarkLength = header.readInt32BE(cursor.pos);
  cursor.pos += 4;
  const remarkText = readString(cursor, remarkLength, limits.maxValueBytes, 'remark');
  if (cursor.pos + 4 > header.length) throw new HeaderFailure('extLen runs past the header');
  const extLength = header.readInt32BE(cursor.pos);
  cursor.pos += 4;
  if (extLength < 0 || cursor.pos + extLength > header.length) {
    throw new HeaderFailure(`extLen ${extLength} does not fit the header`);
  }
  const extFields = readExtFields(cursor, extLength, limits);
  if (cursor.pos !== header.length) {
    throw new HeaderFailure(`${header.length - cursor.pos} trailing bytes after extFields`);
  }
  return { remark: remarkLength === 0 ? null : remarkText, extFields };
}

export function decodeRocketMqHeader(
  header: Buffer,
  limits: Readonly<HeaderLimits>,
): CommandDecodeResult {
  const known = header.length >= ROCKETMQ_HEADER_FIXED_BYTES;
  const opaque = known ? header.readInt32BE(5) : null;
  const flag = known ? header.readInt32BE(9) : null;
  try {
    if (header.length < ROCKETMQ_HEADER_MIN_BYTES) {
      throw new HeaderFailure(`ROCKETMQ header of ${header.length} bytes is too short`);
    }
    const { remark, extFields } = readBody(header, limits);
    const command: RemotingCommand = {
      code: header.readInt16BE(0),
      language: languageFromByte(header.readUInt8(2)),
      version: header.readInt16BE(3),
      opaque: opaque ?? 0,
      flag: flag ?? 0,
      remark,
      extFields,
      body: null,
      serializeTypeCurrentRPC: 'ROCKETMQ',
    };
    return { ok: true, command };
  } catch (error) {
    if (!(error instanceof HeaderFailure)) throw error;
    const reason = FrameErrorReason.HEADER_MALFORMED;
    return {
      ok: false,
      error: { reason, message: error.message, opaque, flag, serializeType: 'ROCKETMQ' },
    };
  }
}

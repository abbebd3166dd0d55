// The stored message record, byte-compatible with RocketMQ 4.x (CommitLog and pull-response body
// alike). RocketMQ: common/.../message/MessageDecoder.java, store/.../CommitLog.java.
//
// Record layout (big-endian; host fields are 8 bytes for IPv4, 20 for IPv6 per SYSFLAG bits 4/5):
// +-----------+-----------+---------+---------+------+-------------+----------------+---------+
// | TOTALSIZE | MAGICCODE | BODYCRC | QUEUEID | FLAG | QUEUEOFFSET | PHYSICALOFFSET | SYSFLAG |
// |  int32    |  int32    | int32   | int32   |int32 |   int64     |    int64       |  int32  |
// +-----------+-----------+---------+---------+------+-------------+----------------+---------+
// | BORNTIMESTAMP int64 | BORNHOST 8/20 | STORETIMESTAMP int64 | STOREHOST 8/20 |
// | RECONSUMETIMES int32 | PREPAREDTRANSACTIONOFFSET int64 |
// | BODYLENGTH int32 | BODY | TOPICLENGTH int8 | TOPIC | PROPERTIESLENGTH int16 | PROPERTIES |
//
// The end of a segment holds a BLANK record: TOTALSIZE = bytes left in the segment, MAGICCODE =
// BLANK_MAGIC_CODE; the bytes after those 8 are unspecified.

import { AssertionError, assert } from './assert.js';
import { crc32, int64Hex, readInt64Buffer, toHexUpper, writeInt64Buffer } from './bytes.js';
import { decodeHostAddress } from './host-address.js';
import { decodePropertiesObject } from './message-properties.js';

export const MESSAGE_MAGIC_CODE = -626843481; // 0xdaa320a7 as a Java int
export const BLANK_MAGIC_CODE = -875286124; // 0xcbd43194 as a Java int
export const END_FILE_MIN_BLANK_LENGTH = 8;

export const SysFlag = {
  COMPRESSED: 0x1,
  MULTI_TAGS: 0x2,
  TRANSACTION_PREPARED: 0x4,
  TRANSACTION_COMMIT: 0x8,
  TRANSACTION_ROLLBACK: 0xc,
  BORNHOST_V6: 0x10,
  STOREHOST_V6: 0x20,
} as const;

export const TRANSACTION_TYPE_MASK = 0xc;

export const RecordField = {
  TOTALSIZE: 0,
  MAGICCODE: 4,
  BODYCRC: 8,
  QUEUEID: 12,
  FLAG: 16,
  QUEUEOFFSET: 20,
  PHYSICALOFFSET: 28,
  SYSFLAG: 36,
  BORNTIMESTAMP: 40,
  BORNHOST: 48,
} as const;

/** Fixed bytes of a record besides the two host fields and the variable parts. */
const FIXED_BYTES = 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + 8 + 4 + 8 + 4 + 1 + 2;
assert(FIXED_BYTES === 75);

export function bornHostLength(sysFlag: number): number {
  return (sysFlag & SysFlag.BORNHOST_V6) === 0 ? 8 : 20;
}

export function storeHostLength(sysFlag: number): number {
  return (sysFlag & SysFlag.STOREHOST_V6) === 0 ? 8 : 20;
}

/** Total record length (CommitLog.calMsgLength). */
export function recordLength(
  sysFlag: number,
  bodyBytes: number,
  topicBytes: number,
  propertiesBytes: number,
): number {
  return (
    FIXED_BYTES +
    bornHostLength(sysFlag) +
    storeHostLength(sysFlag) +
    bodyBytes +
    topicBytes +
    propertiesBytes
  );
}

export function storeTimestampPosition(sysFlag: number): number {
  return RecordField.BORNHOST + bornHostLength(sysFlag);
}

export interface RecordInput {
  bodyCrc: number;
  queueId: number;
  flag: number;
  queueOffset: number;
  commitLogOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  /** 8 or 20 bytes (address + port), matching SYSFLAG bit 4. */
  bornHost: Uint8Array;
  storeTimestamp: number;
  /** 8 or 20 bytes (address + port), matching SYSFLAG bit 5. */
  storeHost: Uint8Array;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  body: Uint8Array;
  topic: Uint8Array;
  properties: Uint8Array;
}

/** Writes one record at `pos`; returns its length. The target must have room (asserted). */
export function encodeRecord(target: Buffer, pos: number, r: RecordInput): number {
  assert(
    r.bornHost.byteLength === bornHostLength(r.sysFlag),
    'record: born host length disagrees with sysFlag',
  );
  assert(
    r.storeHost.byteLength === storeHostLength(r.sysFlag),
    'record: store host length disagrees with sysFlag',
  );
  assert(r.topic.byteLength > 0 && r.topic.byteLength < 256, 'record: topic length out of range');
  assert(r.properties.byteLength <= 32767, 'record: properties too long');
  const total = recordLength(
    r.sysFlag,
    r.body.byteLength,
    r.topic.byteLength,
    r.properties.byteLength,
  );
  assert(pos + total <= target.byteLength, 'record: target too small');
  let p = pos;
  p = target.writeInt32BE(total, p);
  p = target.writeInt32BE(MESSAGE_MAGIC_CODE, p);
  p = target.writeInt32BE(r.bodyCrc | 0, p);
  p = target.writeInt32BE(r.queueId, p);
  p = target.writeInt32BE(r.flag | 0, p);
  writeInt64Buffer(target, p, r.queueOffset);
  writeInt64Buffer(target, p + 8, r.commitLogOffset);
  p = target.writeInt32BE(r.sysFlag, p + 16);
  writeInt64Buffer(target, p, r.bornTimestamp);
  target.set(r.bornHost, p + 8);
  p += 8 + r.bornHost.byteLength;
  writeInt64Buffer(target, p, r.storeTimestamp);
  target.set(r.storeHost, p + 8);
  p += 8 + r.storeHost.byteLength;
  p = target.writeInt32BE(r.reconsumeTimes, p);
  writeInt64Buffer(target, p, r.preparedTransactionOffset);
  p = target.writeInt32BE(r.body.byteLength, p + 8);
  target.set(r.body, p);
  p = target.writeUInt8(r.topic.byteLength, p + r.body.byteLength);
  target.set(r.topic, p);
  p = target.writeInt16BE(r.properties.byteLength, p + r.topic.byteLength);
  target.set(r.properties, p);
  p += r.properties.byteLength;
  assert(p - pos === total, 'record: encoded length disagrees with computed length');
  return total;
}

/** Writes the 8-byte BLANK record that closes a segment with `remainingBytes` left in it. */
export function encodeBlankRecord(target: Buffer, pos: number, remainingBytes: number): void {
  assert(remainingBytes >= END_FILE_MIN_BLANK_LENGTH, 'blank: fewer than 8 bytes left');
  target.writeInt32BE(remainingBytes, pos);
  target.writeInt32BE(BLANK_MAGIC_CODE, pos + 4);
}

/** Positions of a record's parts, read from its header without allocating strings. */
export interface RecordLayout {
  totalSize: number;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  sysFlag: number;
  storeTimestamp: number;
  bodyOffset: number;
  bodyLength: number;
  topicOffset: number;
  topicLength: number;
  propertiesOffset: number;
  propertiesLength: number;
}

export function emptyLayout(): RecordLayout {
  return {
    totalSize: 0,
    queueId: 0,
    queueOffset: 0,
    commitLogOffset: 0,
    sysFlag: 0,
    storeTimestamp: 0,
    bodyOffset: 0,
    bodyLength: 0,
    topicOffset: 0,
    topicLength: 0,
    propertiesOffset: 0,
    propertiesLength: 0,
  };
}

export const RecordCheck = {
  OK: 'OK',
  BLANK: 'BLANK',
  TRUNCATED: 'TRUNCATED',
  INVALID: 'INVALID',
} as const;
export type RecordCheck = (typeof RecordCheck)[keyof typeof RecordCheck];

export interface RecordCheckOptions {
  /** Bytes readable from `pos`. */
  available: number;
  /** The record's own PHYSICALOFFSET must equal this (a misdirected copy is rejected). */
  expectedCommitLogOffset?: number;
  checkCrc: boolean;
  maxRecordBytes: number;
}

/**
 * Validates the record at `pos` and fills `out` when it is a message. Returns OK, BLANK (out
 * .totalSize = bytes to the end of the segment), TRUNCATED (the header claims more bytes than are
 * available) or INVALID; `reason` explains INVALID and TRUNCATED.
 */
export function checkRecord(
  buf: Buffer,
  pos: number,
  options: RecordCheckOptions,
  out: RecordLayout,
): { check: RecordCheck; reason: string } {
  if (options.available < 8)
    return { check: RecordCheck.TRUNCATED, reason: 'fewer than 8 bytes left' };
  const total = buf.readInt32BE(pos);
  const magic = buf.readInt32BE(pos + 4);
  if (magic === BLANK_MAGIC_CODE) {
    if (total < END_FILE_MIN_BLANK_LENGTH)
      return { check: RecordCheck.INVALID, reason: `blank record of ${total} bytes` };
    out.totalSize = total;
    return { check: RecordCheck.BLANK, reason: '' };
  }
  if (magic !== MESSAGE_MAGIC_CODE)
    return { check: RecordCheck.INVALID, reason: `bad magic code ${magic}` };
  const minimum = FIXED_BYTES + 16 + 1;
  if (total < minimum || total > options.maxRecordBytes)
    return { check: RecordCheck.INVALID, reason: `total size ${total} out of range` };
  if (total > options.available)
    return {
      check: RecordCheck.TRUNCATED,
      reason: `record of ${total} bytes, ${options.available} available`,
    };
  const reason = readLayout(buf, pos, total, out);
  if (reason !== '') return { check: RecordCheck.INVALID, reason };
  if (
    options.expectedCommitLogOffset !== undefined &&
    out.commitLogOffset !== options.expectedCommitLogOffset
  ) {
    return {
      check: RecordCheck.INVALID,
      reason: `stored physical offset ${out.commitLogOffset} is not its position ${options.expectedCommitLogOffset}`,
    };
  }
  if (options.checkCrc) {
    const crc = crc32(buf.subarray(out.bodyOffset, out.bodyOffset + out.bodyLength)) | 0;
    if (crc !== buf.readInt32BE(pos + RecordField.BODYCRC))
      return { check: RecordCheck.INVALID, reason: 'body CRC mismatch' };
  }
  return { check: RecordCheck.OK, reason: '' };
}

/** Reads the layout of a record known to be `total` bytes; returns '' or why it is inconsistent. */
export function readLayout(buf: Buffer, pos: number, total: number, out: RecordLayout): string {
  const sysFlag = buf.readInt32BE(pos + RecordField.SYSFLAG);
  const bornLength = bornHostLength(sysFlag);
  const storeTsPos = pos + RecordField.BORNHOST + bornLength;
  const bodyLenPos = storeTsPos + 8 + storeHostLength(sysFlag) + 4 + 8;
  if (bodyLenPos + 4 > pos + total) return 'header longer than the record';
  const bodyLength = buf.readInt32BE(bodyLenPos);
  const topicLenPos = bodyLenPos + 4 + bodyLength;
  if (bodyLength < 0 || topicLenPos + 1 > pos + total)
    return `body length ${bodyLength} out of range`;
  const topicLength = buf.readUInt8(topicLenPos);
  const propsLenPos = topicLenPos + 1 + topicLength;
  if (topicLength === 0 || propsLenPos + 2 > pos + total)
    return `topic length ${topicLength} out of range`;
  const propertiesLength = buf.readInt16BE(propsLenPos);
  if (propertiesLength < 0 || propsLenPos + 2 + propertiesLength !== pos + total)
    return 'lengths do not add up to the total size';
  // The record's text (topic, then properties) never ends in a zero byte: a zero there is the tail
  // of a torn write, which the body CRC does not cover.
  const lastTextByte = propertiesLength > 0 ? pos + total - 1 : propsLenPos - 1;
  if (buf[lastTextByte] === 0) return 'topic or properties end in a zero byte (a torn write)';
  out.totalSize = total;
  out.queueId = buf.readInt32BE(pos + RecordField.QUEUEID);
  out.queueOffset = readInt64Buffer(buf, pos + RecordField.QUEUEOFFSET);
  out.commitLogOffset = readInt64Buffer(buf, pos + RecordField.PHYSICALOFFSET);
  out.sysFlag = sysFlag;
  out.storeTimestamp = readInt64Buffer(buf, storeTsPos);
  out.bodyOffset = bodyLenPos + 4;
  out.bodyLength = bodyLength;
  out.topicOffset = topicLenPos + 1;
  out.topicLength = topicLength;
  out.propertiesOffset = propsLenPos + 2;
  out.propertiesLength = propertiesLength;
  return '';
}

/** A fully decoded message (MessageExt), for reads and clients. */
export interface DecodedMessage {
  topic: string;
  queueId: number;
  flag: number;
  queueOffset: number;
  commitLogOffset: number;
  sysFlag: number;
  bodyCrc: number;
  bornTimestamp: number;
  bornHost: string;
  storeTimestamp: number;
  storeHost: string;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  storeSize: number;
  body: Buffer;
  properties: Record<string, string>;
}

/** Positions of a record's store host: where it starts and how many bytes it has (8 or 20). */
export function storeHostSpan(pos: number, sysFlag: number): { start: number; length: number } {
  return {
    start: pos + RecordField.BORNHOST + bornHostLength(sysFlag) + 8,
    length: storeHostLength(sysFlag),
  };
}

/** What a caller decoding many records already knows. */
export interface DecodeWith {
  /** The layout checkRecord filled for this record (so it is not read twice). */
  layout?: Readonly<RecordLayout>;
}

/** Decodes the record at `pos` (which must be a valid message record); the body is copied. */
export function decodeRecord(buf: Buffer, pos: number, using: DecodeWith = {}): DecodedMessage {
  const l = using.layout ?? readValidLayout(buf, pos);
  const body = buf.subarray(l.bodyOffset, l.bodyOffset + l.bodyLength);
  const bornLength = bornHostLength(l.sysFlag);
  const storeHost = storeHostSpan(pos, l.sysFlag);
  const afterStoreHost = storeHost.start + storeHost.length;
  return {
    topic: buf.toString('utf8', l.topicOffset, l.topicOffset + l.topicLength),
    queueId: l.queueId,
    flag: buf.readInt32BE(pos + RecordField.FLAG),
    queueOffset: l.queueOffset,
    commitLogOffset: l.commitLogOffset,
    sysFlag: l.sysFlag,
    bodyCrc: buf.readInt32BE(pos + RecordField.BODYCRC),
    bornTimestamp: readInt64Buffer(buf, pos + RecordField.BORNTIMESTAMP),
    bornHost: decodeHostAddress(
      buf.subarray(pos + RecordField.BORNHOST, pos + RecordField.BORNHOST + bornLength),
    ),
    storeTimestamp: l.storeTimestamp,
    storeHost: decodeHostAddress(buf.subarray(storeHost.start, afterStoreHost)),
    reconsumeTimes: buf.readInt32BE(afterStoreHost),
    preparedTransactionOffset: readInt64Buffer(buf, afterStoreHost + 4),
    storeSize: l.totalSize,
    body: Buffer.from(body),
    properties: decodePropertiesObject(
      buf.toString('utf8', l.propertiesOffset, l.propertiesOffset + l.propertiesLength),
    ),
  };
}

function readValidLayout(buf: Buffer, pos: number): RecordLayout {
  const layout = emptyLayout();
  const reason =
    buf.readInt32BE(pos + 4) === MESSAGE_MAGIC_CODE
      ? readLayout(buf, pos, buf.readInt32BE(pos), layout)
      : 'bad magic code';
  if (reason !== '') throw new AssertionError(`decodeRecord at ${pos}: ${reason}`);
  return layout;
}

/**
 * The broker-assigned message id (offsetMsgId): hex of store host address + port + commit log
 * offset, 32 hex digits for IPv4 (MessageDecoder.createMessageId).
 */
export function createOffsetMessageId(storeHost: Uint8Array, commitLogOffset: number): string {
  return toHexUpper(storeHost) + int64Hex(commitLogOffset);
}

// Reads what dispatch needs from an encoded record: topic, queue id, sysFlag, where the body is,
// and the properties string. Topic names are ASCII (RocketMQ's topic rule), so latin1 decoding
// is exact and cheap.

import { assert } from '../../common/assert.js';
import { bornHostLength, RecordField, storeHostLength } from '../../common/message-codec.js';
import type { DispatchRecord } from '../dispatch/dispatcher.js';

export interface ParsedRecord extends DispatchRecord {
  bodyOffset: number;
  bodyLength: number;
}

/** Where a record's variable-length fields sit (positions in `buf`). */
function fieldPositions(buf: Buffer, pos: number, length: number) {
  const sysFlag = buf.readInt32BE(pos + RecordField.SYSFLAG);
  const bodyLenPos =
    pos + RecordField.BORNHOST + bornHostLength(sysFlag) + 8 + storeHostLength(sysFlag) + 4 + 8;
  const bodyLength = buf.readInt32BE(bodyLenPos);
  const topicLenPos = bodyLenPos + 4 + bodyLength;
  const topicLength = buf.readUInt8(topicLenPos);
  const propsLenPos = topicLenPos + 1 + topicLength;
  const propertiesLength = buf.readInt16BE(propsLenPos);
  assert(propsLenPos + 2 + propertiesLength === pos + length, 'record: lengths do not add up');
  return { sysFlag, bodyLenPos, bodyLength, topicLenPos, propsLenPos, propertiesLength };
}

/** Topic, queue and sysFlag only: what placing a record needs (no properties decoded). */
export function parseRecordRoute(
  buf: Buffer,
  pos: number,
  length: number,
): { topic: string; queueId: number; sysFlag: number } {
  const f = fieldPositions(buf, pos, length);
  return {
    topic: buf.toString('latin1', f.topicLenPos + 1, f.propsLenPos),
    queueId: buf.readInt32BE(pos + RecordField.QUEUEID),
    sysFlag: f.sysFlag,
  };
}

export function parseRecordForDispatch(buf: Buffer, pos: number, length: number): ParsedRecord {
  const f = fieldPositions(buf, pos, length);
  return {
    topic: buf.toString('latin1', f.topicLenPos + 1, f.propsLenPos),
    queueId: buf.readInt32BE(pos + RecordField.QUEUEID),
    queueOffset: 0,
    commitLogOffset: 0,
    size: length,
    sysFlag: f.sysFlag,
    storeTimestamp: 0,
    properties: buf.toString('utf8', f.propsLenPos + 2, f.propsLenPos + 2 + f.propertiesLength),
    bodyOffset: f.bodyLenPos + 4,
    bodyLength: f.bodyLength,
  };
}

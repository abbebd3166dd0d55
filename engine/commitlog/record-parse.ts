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

export function parseRecordForDispatch(buf: Buffer, pos: number, length: number): ParsedRecord {
  const sysFlag = buf.readInt32BE(pos + RecordField.SYSFLAG);
  const bodyLenPos =
    pos + RecordField.BORNHOST + bornHostLength(sysFlag) + 8 + storeHostLength(sysFlag) + 4 + 8;
  const bodyLength = buf.readInt32BE(bodyLenPos);
  const topicLenPos = bodyLenPos + 4 + bodyLength;
  const topicLength = buf.readUInt8(topicLenPos);
  const propsLenPos = topicLenPos + 1 + topicLength;
  const propertiesLength = buf.readInt16BE(propsLenPos);
  assert(propsLenPos + 2 + propertiesLength === pos + length, 'record: lengths do not add up');
  return {
    topic: buf.toString('latin1', topicLenPos + 1, propsLenPos),
    queueId: buf.readInt32BE(pos + RecordField.QUEUEID),
    queueOffset: 0,
    commitLogOffset: 0,
    size: length,
    sysFlag,
    storeTimestamp: 0,
    properties: buf.toString('utf8', propsLenPos + 2, propsLenPos + 2 + propertiesLength),
    bodyOffset: bodyLenPos + 4,
    bodyLength,
  };
}

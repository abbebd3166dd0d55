// Builds stored message records (the pull-response body format) for client tests and the fake
// broker, with the codec the store uses.
import { crc32 } from '../../common/bytes.js';
import { encodeHostAddress } from '../../common/host-address.js';
import { encodeRecord, recordLength } from '../../common/message-codec.js';
import { encodeProperties } from '../../protocol/message-properties.js';

export interface RecordSpec {
  topic: string;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  body: Uint8Array;
  properties?: Record<string, string>;
  sysFlag?: number;
  flag?: number;
  reconsumeTimes?: number;
  bornTimestamp?: number;
  storeTimestamp?: number;
  storeHost?: string;
  bornHost?: string;
}

export function encodeStoredRecord(spec: RecordSpec): Buffer {
  const topic = Buffer.from(spec.topic);
  const properties = Buffer.from(encodeProperties(spec.properties ?? {}));
  const sysFlag = spec.sysFlag ?? 0;
  const out = Buffer.alloc(
    recordLength(sysFlag, spec.body.byteLength, topic.length, properties.length),
  );
  encodeRecord(out, 0, {
    bodyCrc: crc32(spec.body) & 0x7fffffff,
    queueId: spec.queueId,
    flag: spec.flag ?? 0,
    queueOffset: spec.queueOffset,
    commitLogOffset: spec.commitLogOffset,
    sysFlag,
    bornTimestamp: spec.bornTimestamp ?? 1_700_000_000_000,
    bornHost: encodeHostAddress(spec.bornHost ?? '127.0.0.1:50000'),
    storeTimestamp: spec.storeTimestamp ?? 1_700_000_000_001,
    storeHost: encodeHostAddress(spec.storeHost ?? '127.0.0.1:10911'),
    reconsumeTimes: spec.reconsumeTimes ?? 0,
    preparedTransactionOffset: 0,
    body: spec.body,
    topic,
    properties,
  });
  return out;
}

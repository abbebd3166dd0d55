import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32 } from '../../../common/bytes.js';
import { decodeHostAddress, encodeHostAddress } from '../../../common/host-address.js';
import {
  BLANK_MAGIC_CODE,
  checkRecord,
  createOffsetMessageId,
  decodeRecord,
  emptyLayout,
  encodeBlankRecord,
  encodeRecord,
  MESSAGE_MAGIC_CODE,
  type RecordInput,
  recordLength,
  SysFlag,
} from '../../../common/message-codec.js';
import { decodeProperties, encodeProperties } from '../../../common/message-properties.js';

function sample(overrides: Partial<RecordInput> = {}): RecordInput {
  const body = Buffer.from('hello petrel');
  return {
    bodyCrc: crc32(body) | 0,
    queueId: 3,
    flag: 7,
    queueOffset: 41,
    commitLogOffset: 1073741824 * 3 + 17,
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_123,
    bornHost: encodeHostAddress('10.0.0.1:5555'),
    storeTimestamp: 1_700_000_000_456,
    storeHost: encodeHostAddress('192.168.1.9:10911'),
    reconsumeTimes: 2,
    preparedTransactionOffset: 0,
    body,
    topic: Buffer.from('TopicTest'),
    properties: Buffer.from(encodeProperties({ TAGS: 'TagA', KEYS: 'k1 k2' })),
    ...overrides,
  };
}

describe('stored record codec', () => {
  it('lays fields out at RocketMQ offsets with a 91-byte fixed part for IPv4', () => {
    const r = sample();
    const length = recordLength(0, r.body.byteLength, r.topic.byteLength, r.properties.byteLength);
    assert.equal(length, 91 + r.body.byteLength + r.topic.byteLength + r.properties.byteLength);
    const buf = Buffer.alloc(length);
    assert.equal(encodeRecord(buf, 0, r), length);
    assert.equal(buf.readInt32BE(0), length);
    assert.equal(buf.readInt32BE(4), MESSAGE_MAGIC_CODE);
    assert.equal(buf.readUInt32BE(4), 0xdaa320a7);
    assert.equal(buf.readInt32BE(12), 3);
    assert.equal(buf.readBigInt64BE(20), 41n);
    assert.equal(buf.readBigInt64BE(28), BigInt(1073741824 * 3 + 17));
    assert.equal(
      buf.readBigInt64BE(56),
      1_700_000_000_456n,
      'STORETIMESTAMP follows an 8-byte born host',
    );
    assert.equal(buf.readInt32BE(84), r.body.byteLength, 'BODYLENGTH at 84 for IPv4');
  });

  it('round-trips every field, IPv4 and IPv6', () => {
    for (const v6 of [false, true]) {
      const r = v6
        ? sample({
            sysFlag: SysFlag.BORNHOST_V6 | SysFlag.STOREHOST_V6,
            bornHost: encodeHostAddress('[fe80::1]:7000'),
            storeHost: encodeHostAddress('[2001:db8::5]:10911'),
          })
        : sample();
      const buf = Buffer.alloc(
        recordLength(r.sysFlag, r.body.byteLength, r.topic.byteLength, r.properties.byteLength) + 5,
      );
      encodeRecord(buf, 5, r);
      const m = decodeRecord(buf, 5);
      assert.equal(m.topic, 'TopicTest');
      assert.equal(m.queueOffset, 41);
      assert.equal(m.commitLogOffset, 1073741824 * 3 + 17);
      assert.equal(m.bornHost, v6 ? '[fe80:0:0:0:0:0:0:1]:7000' : '10.0.0.1:5555');
      assert.equal(m.storeHost, v6 ? '[2001:db8:0:0:0:0:0:5]:10911' : '192.168.1.9:10911');
      assert.equal(m.reconsumeTimes, 2);
      assert.deepEqual(m.properties, { TAGS: 'TagA', KEYS: 'k1 k2' });
      assert.equal(m.body.toString(), 'hello petrel');
    }
  });

  it('checks records: magic, lengths, position, CRC, truncation, blank', () => {
    const r = sample();
    const length = recordLength(0, r.body.byteLength, r.topic.byteLength, r.properties.byteLength);
    const buf = Buffer.alloc(length + 16);
    encodeRecord(buf, 0, r);
    const opts = {
      available: length,
      expectedCommitLogOffset: r.commitLogOffset,
      checkCrc: true,
      maxRecordBytes: 1 << 20,
    };
    assert.equal(checkRecord(buf, 0, opts, emptyLayout()).check, 'OK');
    assert.equal(
      checkRecord(buf, 0, { ...opts, available: length - 1 }, emptyLayout()).check,
      'TRUNCATED',
    );
    assert.equal(
      checkRecord(buf, 0, { ...opts, expectedCommitLogOffset: 0 }, emptyLayout()).check,
      'INVALID',
    );
    const flipped = Buffer.from(buf);
    flipped[90] = (flipped[90] ?? 0) ^ 1;
    assert.equal(checkRecord(flipped, 0, opts, emptyLayout()).reason, 'body CRC mismatch');
    assert.equal(checkRecord(flipped, 0, { ...opts, checkCrc: false }, emptyLayout()).check, 'OK');
    const badLength = Buffer.from(buf);
    badLength.writeInt32BE(length + 1, 0);
    assert.equal(
      checkRecord(badLength, 0, { ...opts, available: length + 16 }, emptyLayout()).check,
      'INVALID',
    );
    const blank = Buffer.alloc(64);
    encodeBlankRecord(blank, 0, 64);
    assert.equal(blank.readInt32BE(4), BLANK_MAGIC_CODE);
    const layout = emptyLayout();
    assert.equal(checkRecord(blank, 0, { ...opts, available: 64 }, layout).check, 'BLANK');
    assert.equal(layout.totalSize, 64);
    assert.equal(
      checkRecord(Buffer.alloc(16), 0, { ...opts, available: 16 }, emptyLayout()).check,
      'INVALID',
    );
  });

  it('makes offset message ids of 32 hex digits: store address, port, offset', () => {
    const id = createOffsetMessageId(encodeHostAddress('192.168.1.9:10911'), 0x0102030405);
    assert.equal(id, 'C0A80109' + '00002A9F' + '0000000102030405');
    assert.equal(decodeHostAddress(encodeHostAddress('1.2.3.4:65535')), '1.2.3.4:65535');
  });

  it('decodes properties strings with or without a trailing separator', () => {
    assert.deepEqual(
      decodeProperties('a\u0001b\u0002c\u0001d'),
      new Map([
        ['a', 'b'],
        ['c', 'd'],
      ]),
    );
    assert.deepEqual(decodeProperties(''), new Map());
  });
});

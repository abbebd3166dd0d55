// Goal: the properties string and the message ids match Java 4.9.7 and ali-ons. Method:
// hand-written cases with the result Java's string2messageProperties gives (differential
// against its rules), the trailing-separator variants both clients write, and ids checked
// against their byte layouts and ali-ons' decodeMessageId.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../common/clock.js';
import {
  createOffsetMsgId,
  decodeOffsetMsgId,
  decodeUniqId,
  ipToBytes,
  UniqIdGenerator,
} from '../../../protocol/message-id.js';
import {
  decodeProperties,
  decodePropertiesObject,
  encodeProperties,
  MessageProperty,
} from '../../../protocol/message-properties.js';

describe('message properties', () => {
  it('encode as Java 4.9.x (no trailing separator) or as ali-ons (trailing)', () => {
    const properties = { TAGS: 'TagA', KEYS: 'k1 k2', WAIT: 'true', SKIPPED: null };
    assert.equal(
      encodeProperties(properties),
      'TAGS\u0001TagA\u0002KEYS\u0001k1 k2\u0002WAIT\u0001true',
    );
    assert.equal(
      encodeProperties(new Map([['A', 'b']]), { trailingSeparator: true }),
      'A\u0001b\u0002',
    );
    assert.equal(encodeProperties({}), '');
  });

  it('decode with the rules of Java string2messageProperties', () => {
    const cases: [string, [string, string][]][] = [
      [
        'TAGS\u0001TagA\u0002KEYS\u0001k1',
        [
          ['TAGS', 'TagA'],
          ['KEYS', 'k1'],
        ],
      ],
      ['TAGS\u0001null\u0002', [['TAGS', 'null']]],
      ['\u0002\u0002A\u0001b\u0002\u0002', [['A', 'b']]],
      ['NOSEP\u0002A\u0001b', [['A', 'b']]],
      ['\u0001v\u0002K\u0001\u0002X\u0001y', [['X', 'y']]],
      ['K\u0001a\u0001b\u0002', [['K', 'a\u0001b']]],
      ['ab', []],
      ['', []],
    ];
    for (const [input, expected] of cases) {
      assert.deepEqual([...decodeProperties(input)], expected, JSON.stringify(input));
      assert.deepEqual(
        Object.entries(decodePropertiesObject(input)),
        expected,
        `as an object: ${JSON.stringify(input)}`,
      );
    }
  });

  it('decode into an object: a "__proto__" key is an own property, never the prototype', () => {
    const properties = decodePropertiesObject('__proto__\u0001x\u0002A\u0001b');
    assert.equal(Object.getPrototypeOf(properties), Object.prototype);
    assert.deepEqual(Object.keys(properties), ['__proto__', 'A']);
    assert.equal(Object.getOwnPropertyDescriptor(properties, '__proto__')?.value, 'x');
  });

  it('decode each string on its own, whatever keys the strings before it had', () => {
    const strings = [
      'TAGS\u0001a\u0002KEYS\u0001k',
      'TAGX\u0001b\u0002KEYS\u0001l',
      'TAG\u0001c\u0002KEYSS\u0001m',
      'TAGS\u0001d\u0002KEYS\u0001n',
    ];
    assert.deepEqual(strings.map(decodePropertiesObject), [
      { TAGS: 'a', KEYS: 'k' },
      { TAGX: 'b', KEYS: 'l' },
      { TAG: 'c', KEYSS: 'm' },
      { TAGS: 'd', KEYS: 'n' },
    ]);
    const many = Array.from({ length: 40 }, (_, i) => `K${i}\u0001${i}`).join('\u0002');
    assert.equal(decodeProperties(many).get('K39'), '39');
    assert.equal(decodeProperties('K0\u0001x').get('K0'), 'x');
  });

  it('round-trip, and refuse what would not read back', () => {
    const source = new Map([
      [MessageProperty.UNIQ_KEY, 'AC11000100002A9F0000000000000001'],
      [MessageProperty.DELAY, '3'],
      [MessageProperty.SHARDING_KEY, 'k'],
    ]);
    assert.deepEqual(decodeProperties(encodeProperties(source)), source);
    assert.throws(() => encodeProperties({ 'a\u0001b': 'c' }), RangeError);
    assert.throws(() => encodeProperties({ a: 'b\u0002c' }), RangeError);
    assert.throws(() => encodeProperties({ '': 'c' }), RangeError);
  });
});

describe('message ids', () => {
  it('offset msgId: store IP, port and commit log offset in upper-case hex', () => {
    const id = createOffsetMsgId({ host: '10.0.0.1', port: 10911 }, 0x1_0000_0010);
    assert.equal(id, '0A00000100002A9F0000000100000010');
    assert.deepEqual(decodeOffsetMsgId(id), {
      host: '10.0.0.1',
      port: 10911,
      commitLogOffset: 0x1_0000_0010,
    });
    assert.equal(
      createOffsetMsgId({ host: '::ffff:127.0.0.1', port: 1 }, 5).slice(0, 8),
      '7F000001',
    );
    const v6 = createOffsetMsgId({ host: 'fe80::1', port: 10911 }, 9);
    assert.equal(v6.length, 56);
    assert.equal(decodeOffsetMsgId(v6).host, 'fe80:0:0:0:0:0:0:1');
    assert.throws(() => decodeOffsetMsgId('XYZ'), RangeError);
  });

  it('offset msgId decodes as ali-ons decodeMessageId does', () => {
    // ali-ons: address from hex 0..8 (4 bytes) and 8..16 (int32), offset from 16..32 (int64).
    const id = createOffsetMsgId({ host: '192.168.1.103', port: 10911 }, 123456789012);
    const host = Buffer.from(id.slice(0, 8), 'hex');
    const port = Buffer.from(id.slice(8, 16), 'hex').readInt32BE(0);
    const data = Buffer.from(id.slice(16, 32), 'hex');
    const offset = data.readInt32BE(0) * 2 ** 32 + data.readUInt32BE(4);
    assert.equal(`${host[0]}.${host[1]}.${host[2]}.${host[3]}:${port}`, '192.168.1.103:10911');
    assert.equal(offset, 123456789012);
  });

  it('unique ids follow MessageClientIDSetter: ip, pid, hash, ms since month start, counter', () => {
    const start = new Date(2024, 4, 1, 0, 0, 0, 0).getTime();
    const clock = new ManualClock(start + 1234);
    const generator = new UniqIdGenerator({
      ip: '172.17.0.1',
      pid: 0x12345,
      instanceHash: -2,
      clock,
    });
    const first = generator.next();
    assert.match(first, /^[0-9A-F]{32}$/);
    assert.equal(first.slice(0, 20), 'AC1100012345FFFFFFFE');
    assert.deepEqual(decodeUniqId(first), {
      ip: '172.17.0.1',
      pid: 0x2345,
      instanceHash: -2,
      msSinceMonthStart: 1234,
      counter: 0,
    });
    clock.advance(10);
    assert.equal(decodeUniqId(generator.next()).counter, 1);
    const june = new Date(2024, 5, 1, 0, 0, 0, 0).getTime();
    clock.advance(june - start - 1234 - 10 + 7);
    assert.equal(decodeUniqId(generator.next()).msSinceMonthStart, 7, 'restarts each month');
    assert.equal(ipToBytes('::1').length, 16);
    assert.throws(() => ipToBytes('not-an-ip'), RangeError);
  });
});

// Decoding pull bodies: records are validated before reading, compressed bodies are inflated,
// BODY_XXH64 is verified (a mismatch is an error, never a delivery), retried messages show their
// original topic, and batch bodies encode as RocketMQ's MessageDecoder.encodeMessage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import { decodeBatchBody, encodeBatchBody } from '../../../client/batch-codec.js';
import { loadBodyChecksum } from '../../../client/body-checksum.js';
import { decodeMessages, matchesTags } from '../../../client/pull-decoder.js';
import { ErrorCode, MqError } from '../../../common/errors.js';
import { SysFlag } from '../../../common/message-codec.js';
import { createOffsetMsgId, decodeOffsetMsgId } from '../../../protocol/message-id.js';
import { encodeStoredRecord } from '../../harness/stored-records.js';

const options = { brokerName: 'broker-a', checksum: null, maxRecordBytes: 1 << 20 };

describe('client/pull-decoder', () => {
  it('decodes concatenated records with ids, keys, tags and offsets', () => {
    const body = Buffer.concat([
      encodeStoredRecord({
        topic: 'T',
        queueId: 1,
        queueOffset: 7,
        commitLogOffset: 4096,
        body: Buffer.from('one'),
        properties: { TAGS: 'TagA', KEYS: 'k1 k2', UNIQ_KEY: 'AC110001000000000000000000000001' },
      }),
      encodeStoredRecord({
        topic: 'T',
        queueId: 1,
        queueOffset: 8,
        commitLogOffset: 5000,
        body: Buffer.from('two'),
      }),
    ]);
    const [a, b] = decodeMessages(body, options);
    assert.ok(a !== undefined && b !== undefined);
    assert.equal(a.body.toString(), 'one');
    assert.equal(a.tags, 'TagA');
    assert.deepEqual(a.keys, ['k1', 'k2']);
    assert.equal(a.msgId, 'AC110001000000000000000000000001');
    assert.equal(a.brokerName, 'broker-a');
    assert.equal(a.queueOffset, 7);
    assert.equal(decodeOffsetMsgId(a.offsetMsgId).commitLogOffset, 4096);
    assert.equal(b.msgId, b.offsetMsgId);
    assert.equal(decodeOffsetMsgId(b.offsetMsgId).port, 10911);
    assert.deepEqual(decodeMessages(null, options), []);
  });

  it('gives each record the ids and hosts of its own store host, IPv4 or IPv6', () => {
    const hosts = [
      '10.0.0.1:10911',
      '10.0.0.2:10911',
      '10.0.0.1:10911',
      '[fe80:0:0:0:0:0:0:1]:10911',
    ];
    const body = Buffer.concat(
      hosts.map((storeHost, i) =>
        encodeStoredRecord({
          topic: 'T',
          queueId: 0,
          queueOffset: i,
          commitLogOffset: 1000 * i,
          body: Buffer.from('m'),
          storeHost,
          bornHost: `192.168.1.${i}:4000${i}`,
          sysFlag: storeHost.startsWith('[') ? SysFlag.STOREHOST_V6 : 0,
        }),
      ),
    );
    const messages = decodeMessages(body, options);
    assert.deepEqual(
      messages.map((m) => [m.storeHost, m.bornHost]),
      hosts.map((h, i) => [h, `192.168.1.${i}:4000${i}`]),
    );
    messages.forEach((m, i) => {
      const [host, port] = [hosts[i]?.replace(/^\[?(.*?)\]?:\d+$/, '$1') ?? '', 10911];
      assert.equal(m.offsetMsgId, createOffsetMsgId({ host, port }, 1000 * i), `record ${i}`);
    });
  });

  it('inflates compressed bodies', () => {
    const raw = Buffer.alloc(10_000, 'x');
    const body = encodeStoredRecord({
      topic: 'T',
      queueId: 0,
      queueOffset: 0,
      commitLogOffset: 0,
      body: deflateSync(raw),
      sysFlag: 1,
    });
    assert.deepEqual(decodeMessages(body, options)[0]?.body, raw);
  });

  it('shows a retried message under its original topic', () => {
    const body = encodeStoredRecord({
      topic: '%RETRY%G',
      queueId: 0,
      queueOffset: 0,
      commitLogOffset: 0,
      body: Buffer.from('x'),
      properties: { RETRY_TOPIC: 'Orders' },
      reconsumeTimes: 2,
    });
    const [m] = decodeMessages(body, options);
    assert.equal(m?.topic, 'Orders');
    assert.equal(m?.reconsumeTimes, 2);
  });

  it('verifies BODY_XXH64 and refuses a message whose body does not match', async () => {
    const checksum = await loadBodyChecksum();
    const good = Buffer.from('payload');
    const record = (hash: string) =>
      encodeStoredRecord({
        topic: 'T',
        queueId: 0,
        queueOffset: 0,
        commitLogOffset: 0,
        body: good,
        properties: { BODY_XXH64: hash },
      });
    const verifying = { ...options, checksum };
    assert.equal(decodeMessages(record(checksum.hex(good)), verifying).length, 1);
    const bad = record(checksum.hex(Buffer.from('other')));
    assert.throws(
      () => decodeMessages(bad, verifying),
      (e: unknown) => e instanceof MqError && e.code === ErrorCode.CHECKSUM_MISMATCH,
    );
    assert.equal(decodeMessages(bad, options).length, 1, 'verification is optional');
    const upper = checksum.hex(good).toUpperCase();
    assert.equal(decodeMessages(record(upper), verifying).length, 1, 'either case is accepted');
    for (const wrong of [`${checksum.hex(good)}0`, checksum.hex(good).slice(1), 'zz'.repeat(8)]) {
      assert.throws(
        () => decodeMessages(record(wrong), verifying),
        (e: unknown) => e instanceof MqError && e.code === ErrorCode.CHECKSUM_MISMATCH,
      );
    }
  });

  it('matches BODY_XXH64 values as the hex of the hash does, for any hash value', async () => {
    const checksum = await loadBodyChecksum();
    for (let i = 0; i < 200; i++) {
      const body = Buffer.from(`body ${i}`);
      const hex = checksum.hex(body);
      assert.ok(checksum.matches(body, hex) && checksum.matches(body, hex.toUpperCase()));
      const flipped = (Number.parseInt(hex[i % 16] ?? '0', 16) ^ 1).toString(16);
      const other = hex.slice(0, i % 16) + flipped + hex.slice((i % 16) + 1);
      assert.equal(checksum.matches(body, other), false);
    }
  });

  it('reports a damaged record as E_CORRUPT_RECORD', () => {
    const record = encodeStoredRecord({
      topic: 'T',
      queueId: 0,
      queueOffset: 0,
      commitLogOffset: 0,
      body: Buffer.from('x'),
    });
    const truncated = record.subarray(0, record.length - 3);
    const badMagic = Buffer.from(record);
    badMagic.writeInt32BE(7, 4);
    for (const body of [truncated, badMagic]) {
      assert.throws(
        () => decodeMessages(body, options),
        (e: unknown) => e instanceof MqError && e.code === ErrorCode.CORRUPT_RECORD,
      );
    }
  });

  it('re-checks tags on the client (hashes collide)', () => {
    const body = encodeStoredRecord({
      topic: 'T',
      queueId: 0,
      queueOffset: 0,
      commitLogOffset: 0,
      body: Buffer.from('x'),
      properties: { TAGS: 'B' },
    });
    const [m] = decodeMessages(body, options);
    assert.ok(m !== undefined);
    assert.equal(matchesTags(m, []), true);
    assert.equal(matchesTags(m, ['A', 'B']), true);
    assert.equal(matchesTags(m, ['A']), false);
  });
});

describe('client/batch-codec', () => {
  it('round-trips a batch body with RocketMQ entry layout', () => {
    const entries = [
      { body: Buffer.from('first'), flag: 3, properties: 'UNIQ_KEY\u0001A\u0002TAGS\u0001t' },
      { body: Buffer.from(''), flag: 0, properties: '' },
    ];
    const body = encodeBatchBody(entries);
    assert.equal(body.readInt32BE(0), 4 * 5 + 5 + 2 + entries[0]!.properties.length);
    assert.equal(body.readInt32BE(4), 0);
    assert.deepEqual(
      decodeBatchBody(body).map((e) => [e.body.toString(), e.flag, e.properties]),
      entries.map((e) => [e.body.toString(), e.flag, e.properties]),
    );
    assert.throws(() => decodeBatchBody(body.subarray(0, body.length - 1)));
  });
});

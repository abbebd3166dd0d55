// SEND_BATCH_MESSAGE bodies: round trip, and refusal of the whole batch when any size is wrong.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessageBatch, encodeMessageBatch } from '../../../protocol/message-batch.js';

describe('Message batch codec', () => {
  const messages = [
    { flag: 1, body: Buffer.from('one'), properties: 'TAGS\u0001a\u0002UNIQ_KEY\u0001u1' },
    { flag: 0, body: Buffer.from(''), properties: '' },
    { flag: -5, body: Buffer.alloc(1000, 7), properties: 'KEYS\u0001k' },
  ];

  it('reads back what it writes', () => {
    const decoded = decodeMessageBatch(encodeMessageBatch(messages), 10);
    assert.ok(decoded.ok);
    assert.deepEqual(
      decoded.messages.map((m) => [m.flag, m.body.toString('hex'), m.properties]),
      messages.map((m) => [m.flag, m.body.toString('hex'), m.properties]),
    );
  });

  it('refuses truncated, overflowing, inconsistent and too large batches whole', () => {
    const body = encodeMessageBatch(messages);
    assert.equal(decodeMessageBatch(body.subarray(0, body.length - 1), 10).ok, false);
    assert.equal(decodeMessageBatch(Buffer.concat([body, Buffer.alloc(3)]), 10).ok, false);
    const overflow = Buffer.from(body);
    overflow.writeInt32BE(0x7fffffff, 16);
    assert.equal(decodeMessageBatch(overflow, 10).ok, false);
    const disagree = Buffer.from(body);
    disagree.writeInt32BE(disagree.readInt32BE(0) + 1, 0);
    assert.equal(decodeMessageBatch(disagree, 10).ok, false);
    const negative = Buffer.from(body);
    negative.writeInt16BE(-1, 20 + 3);
    assert.equal(decodeMessageBatch(negative, 10).ok, false);
    assert.equal(decodeMessageBatch(body, 2).ok, false);
    assert.equal(decodeMessageBatch(Buffer.alloc(0), 2).ok, false);
    assert.equal(decodeMessageBatch(null, 2).ok, false);
  });
});

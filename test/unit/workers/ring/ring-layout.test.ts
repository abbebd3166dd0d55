import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CACHE_LINE_BYTES,
  CAPACITY_WORD,
  DATA_SIGNAL_WORD,
  DATA_WAITING_WORD,
  HEAD_WORD,
  isValidCapacity,
  MAGIC_WORD,
  MAX_CAPACITY_BYTES,
  MIN_CAPACITY_BYTES,
  maxPayloadBytesFor,
  RECORD_HEADER_BYTES,
  RING_HEADER_BYTES,
  recordBytesFor,
  SPACE_SIGNAL_WORD,
  SPACE_WAITING_WORD,
  STATE_WORD,
  TAIL_WORD,
} from '../../../../workers/ring/ring-layout.js';

const line = (word: number): number => Math.floor((word * 4) / CACHE_LINE_BYTES);

describe('ring layout', () => {
  it('keeps head, tail, state and each wait pair on cache lines of their own', () => {
    const lines = [
      line(HEAD_WORD),
      line(TAIL_WORD),
      line(STATE_WORD),
      line(DATA_WAITING_WORD),
      line(SPACE_WAITING_WORD),
    ];
    assert.equal(new Set(lines).size, lines.length);
    assert.equal(line(MAGIC_WORD), line(STATE_WORD));
    assert.equal(line(CAPACITY_WORD), line(STATE_WORD));
    assert.equal(line(DATA_SIGNAL_WORD), line(DATA_WAITING_WORD));
    assert.equal(line(SPACE_SIGNAL_WORD), line(SPACE_WAITING_WORD));
    assert.equal(HEAD_WORD * 4, 0);
    assert.equal(TAIL_WORD * 4, 64);
    assert.equal(STATE_WORD * 4, 128);
  });

  it('starts the data area on a cache line boundary after every header word', () => {
    assert.equal(RING_HEADER_BYTES % CACHE_LINE_BYTES, 0);
    const lastWord = Math.max(CAPACITY_WORD, DATA_SIGNAL_WORD, SPACE_SIGNAL_WORD, MAGIC_WORD);
    assert.ok(lastWord * 4 + 4 <= RING_HEADER_BYTES);
  });

  it('rounds records up to 8 bytes, header included', () => {
    assert.equal(RECORD_HEADER_BYTES, 8);
    assert.equal(recordBytesFor(0), 8);
    assert.equal(recordBytesFor(1), 16);
    assert.equal(recordBytesFor(8), 16);
    assert.equal(recordBytesFor(9), 24);
    assert.equal(recordBytesFor(MAX_CAPACITY_BYTES - 8), MAX_CAPACITY_BYTES);
  });

  it('accepts only power-of-two capacities in range', () => {
    for (const ok of [MIN_CAPACITY_BYTES, 128, 4096, MAX_CAPACITY_BYTES]) {
      assert.ok(isValidCapacity(ok), String(ok));
    }
    for (const bad of [0, 32, 96, 1000, MIN_CAPACITY_BYTES - 1, MAX_CAPACITY_BYTES * 2, 64.5]) {
      assert.ok(!isValidCapacity(bad), String(bad));
    }
  });

  it('lets one record fill the whole data area', () => {
    assert.equal(maxPayloadBytesFor(64), 56);
    assert.equal(recordBytesFor(maxPayloadBytesFor(1024)), 1024);
    assert.throws(() => maxPayloadBytesFor(100), { name: 'AssertionError' });
  });
});

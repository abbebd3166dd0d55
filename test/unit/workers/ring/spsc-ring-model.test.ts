// Differential test of the SPSC ring against a plain model: random sequences of produce and
// consume steps, from a seed, on rings of several sizes and start positions (some just below 2^32).
// The model keeps its positions as plain numbers, places records with the written rule (a record
// never crosses the end; a WRAP filler goes first when it would), and holds the records in an
// array queue. After every step the ring must agree with the model: the write outcome, the free
// bytes, emptiness, and the exact records drained, in order. A failure names its seed; SEED=<n>
// replays it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPrng, type Prng } from '../../../../common/prng.js';
import { HEAD_WORD, recordBytesFor, TAIL_WORD } from '../../../../workers/ring/ring-layout.js';
import { RingStatus, SpscRing } from '../../../../workers/ring/spsc-ring.js';
import { testSeeds } from '../../../harness/seed.js';

interface ModelRecord {
  type: number;
  flags: number;
  payload: Uint8Array;
  bytes: number;
}

class RingModel {
  readonly capacityBytes: number;
  head: number;
  tail: number;
  readonly queue: (ModelRecord | { wrapBytes: number })[] = [];

  constructor(capacityBytes: number, position: number) {
    this.capacityBytes = capacityBytes;
    this.head = position;
    this.tail = position;
  }

  get usedBytes(): number {
    return this.tail - this.head;
  }

  /**
   * Mirrors reserve(reservedBytes) then commit(record): room is found for the reservation, the
   * tail moves by the committed record only. Returns false when full; a WRAP may stay behind.
   */
  write(record: ModelRecord, reservedBytes: number): boolean {
    const bytesToEnd = this.capacityBytes - (this.tail % this.capacityBytes);
    if (reservedBytes > bytesToEnd) {
      if (this.usedBytes + bytesToEnd > this.capacityBytes) return false;
      this.queue.push({ wrapBytes: bytesToEnd });
      this.tail += bytesToEnd;
    }
    if (this.usedBytes + reservedBytes > this.capacityBytes) return false;
    this.queue.push(record);
    this.tail += record.bytes;
    return true;
  }

  /** Mirrors drain(): pops up to maxRecords records, and the WRAPs on the way. */
  take(maxRecords: number): ModelRecord[] {
    const taken: ModelRecord[] = [];
    for (;;) {
      const next = this.queue[0];
      if (next === undefined || taken.length >= maxRecords) break;
      this.queue.shift();
      if ('wrapBytes' in next) this.head += next.wrapBytes;
      else {
        this.head += next.bytes;
        taken.push(next);
      }
    }
    return taken;
  }
}

function randomPayloadBytes(prng: Prng, maxPayloadBytes: number): number {
  if (prng.chance(0.1)) return 0;
  if (prng.chance(0.05)) return maxPayloadBytes - prng.int(0, 7);
  if (prng.chance(0.2)) return prng.int(0, maxPayloadBytes);
  return prng.int(1, Math.min(40, maxPayloadBytes));
}

function randomRecord(prng: Prng, maxPayloadBytes: number): ModelRecord {
  const payload = new Uint8Array(randomPayloadBytes(prng, maxPayloadBytes));
  for (let i = 0; i < payload.length; i++) payload[i] = prng.int(0, 255);
  const type = prng.int(1, 0xfffe);
  const flags = prng.int(0, 0xffff);
  return { type, flags, payload, bytes: recordBytesFor(payload.length) };
}

/**
 * One produce step: tryWrite, or reserve (sometimes more than needed, sometimes cancelled and
 * reserved again) and commit the record's length. Returns whether the record went in.
 */
function produce(prng: Prng, ring: SpscRing, record: ModelRecord, reserved: number): boolean {
  if (reserved === record.payload.length && prng.chance(0.4)) {
    const status = ring.tryWrite(record.type, record.payload, record.flags);
    assert.notEqual(status, RingStatus.RING_CLOSED);
    return status === RingStatus.OK;
  }
  let index = ring.reserve(reserved);
  if (index >= 0 && prng.chance(0.05)) {
    ring.cancelReservation();
    index = ring.reserve(reserved);
  }
  if (index < 0) return false;
  ring.bytes.set(record.payload, index);
  ring.commit(record.type, record.flags, record.payload.length);
  return true;
}

function checkDrain(prng: Prng, model: RingModel, consumer: SpscRing): void {
  const maxRecords = prng.chance(0.5) ? Number.MAX_SAFE_INTEGER : prng.int(1, 4);
  const expected = model.take(maxRecords);
  let i = 0;
  const visited = consumer.drain((type, flags, payloadIndex, payloadBytes) => {
    const want = expected[i++];
    assert.ok(want !== undefined, 'ring delivered a record the model does not have');
    assert.equal(type, want.type);
    assert.equal(flags, want.flags);
    assert.deepEqual(
      consumer.bytes.subarray(payloadIndex, payloadIndex + payloadBytes),
      want.payload,
    );
  }, maxRecords);
  assert.equal(visited, expected.length);
}

function runSeed(seed: number): void {
  const prng = createPrng(seed);
  const capacityBytes = 2 ** prng.int(6, 11);
  const position = prng.chance(0.5) ? 2 ** 32 - 8 * prng.int(0, 4 * capacityBytes) : 0;
  const sab = SpscRing.create(capacityBytes).sab;
  const words = new Int32Array(sab);
  Atomics.store(words, HEAD_WORD, position | 0);
  Atomics.store(words, TAIL_WORD, position | 0);
  const producer = SpscRing.attach(sab);
  const consumer = SpscRing.attach(sab);
  const model = new RingModel(capacityBytes, position);
  const maxPayloadBytes = SpscRing.maxPayloadBytes(capacityBytes);
  const produceBias = prng.next();
  for (let step = 0; step < 1500; step++) {
    if (prng.chance(produceBias)) {
      const record = randomRecord(prng, maxPayloadBytes);
      const extra = prng.chance(0.3) ? prng.int(1, 64) : 0;
      const reserved = Math.min(record.payload.length + extra, maxPayloadBytes);
      const accepted = produce(prng, producer, record, reserved);
      const expected = model.write(record, recordBytesFor(reserved));
      assert.equal(accepted, expected, `write outcome at step ${step}`);
    } else {
      checkDrain(prng, model, consumer);
    }
    assert.equal(
      producer.freeBytes(),
      capacityBytes - model.usedBytes,
      `free bytes at step ${step}`,
    );
    assert.equal(consumer.isEmpty(), model.usedBytes === 0);
  }
  checkDrain(prng, model, consumer);
  assert.equal(producer.signalsSent + consumer.signalsSent, 0);
}

describe('SpscRing against an array-queue model', () => {
  it('agrees on every step for random operation sequences', () => {
    for (const seed of testSeeds(60, 7100)) {
      try {
        runSeed(seed);
      } catch (error) {
        console.error(`seed=${seed}`);
        throw error;
      }
    }
  });
});

// Byte layout of the SPSC ring shared between two threads through one SharedArrayBuffer.
//
// Everything the two sides agree on lives here, the way thread-stream keeps its `indexes.js`:
// word offsets of the header, the record framing and the state values. spsc-ring.ts is the only
// code that reads or writes these words.
//
// SharedArrayBuffer (header words are Int32, little-endian as every Int32Array on our targets):
//
//   byte 0    +----------------------------------------------------------------+
//             | head: consumer position (u32 counter)  | pad to 64              |  consumer line
//   byte 64   +----------------------------------------------------------------+
//             | tail: producer position (u32 counter)  | pad to 64              |  producer line
//   byte 128  +----------------------------------------------------------------+
//             | state | magic | capacityBytes          | pad to 64              |  rarely written
//   byte 192  +----------------------------------------------------------------+
//             | dataWaiting | dataSignal               | pad to 64              |  consumer sleeps
//   byte 256  +----------------------------------------------------------------+
//             | spaceWaiting | spaceSignal             | pad to 64              |  producer sleeps
//   byte 320  +----------------------------------------------------------------+
//             | data area: capacityBytes, a power of two, records back to back |
//             +----------------------------------------------------------------+
//
// Record in the data area, 8-byte aligned, never split across the end of the data area:
//
//   +--------------------+-------------+--------------+-----------------------+------------+
//   | payloadBytes (u32) | type (u16)  | flags (u16)  | payload               | pad to 8   |
//   +--------------------+-------------+--------------+-----------------------+------------+
//   header fields are little-endian; a record takes recordBytesFor(payloadBytes) bytes.
//
// A record that would cross the end is preceded by a WRAP record that fills the rest of the data
// area (RocketMQ does the same with BLANK_MAGIC_CODE at the end of a CommitLog file); the record
// then starts at index 0.
//
// Positions: head and tail are monotonic byte counters kept as u32 and allowed to wrap around
// 2^32. The data index of a position is `position & (capacityBytes - 1)`, and the bytes in the
// ring are `(tail - head) >>> 0`. Because capacityBytes <= 2^30 < 2^32, that difference is
// never ambiguous; it is asserted to be <= capacityBytes on every use.

import { assert } from '../../common/assert.js';

export const CACHE_LINE_BYTES = 64;

/** Int32 word indexes into the header. */
export const HEAD_WORD = 0;
export const TAIL_WORD = 64 / 4;
export const STATE_WORD = 128 / 4;
export const MAGIC_WORD = STATE_WORD + 1;
export const CAPACITY_WORD = STATE_WORD + 2;
export const DATA_WAITING_WORD = 192 / 4;
export const DATA_SIGNAL_WORD = DATA_WAITING_WORD + 1;
export const SPACE_WAITING_WORD = 256 / 4;
export const SPACE_SIGNAL_WORD = SPACE_WAITING_WORD + 1;

export const RING_HEADER_BYTES = 320;

/** "RING" in ASCII: tells an attached view that the buffer really is a ring. */
export const RING_MAGIC = 0x52494e47;

/** Values of the state word. 0 is never written, so a zeroed buffer is not a ring. */
export const RingStateWord = { OPEN: 1, CLOSING: 2, CLOSED: 3, FAILED: 4 } as const;
export type RingStateWord = (typeof RingStateWord)[keyof typeof RingStateWord];

export const RECORD_HEADER_BYTES = 8;
export const RECORD_ALIGN_BYTES = 8;
export const RECORD_PAYLOAD_BYTES_OFFSET = 0;
export const RECORD_TYPE_OFFSET = 4;
export const RECORD_FLAGS_OFFSET = 6;

/** Reserved record type of the filler record at the end of the data area. */
export const RECORD_TYPE_WRAP = 0xffff;
/** Caller record types; 0 is invalid so that zeroed memory never reads as a record. */
export const RECORD_TYPE_MIN = 1;
export const RECORD_TYPE_MAX = 0xfffe;
export const RECORD_FLAGS_MAX = 0xffff;

export const MIN_CAPACITY_BYTES = 64;
export const MAX_CAPACITY_BYTES = 2 ** 30;

assert(RING_HEADER_BYTES % CACHE_LINE_BYTES === 0, 'ring: header is whole cache lines');
assert(RECORD_ALIGN_BYTES === 8, 'ring: records are 8-byte aligned');
assert(RECORD_HEADER_BYTES % RECORD_ALIGN_BYTES === 0, 'ring: header keeps payload aligned');
assert(TAIL_WORD * 4 - HEAD_WORD * 4 >= CACHE_LINE_BYTES, 'ring: head and tail share no line');
assert(STATE_WORD * 4 - TAIL_WORD * 4 >= CACHE_LINE_BYTES, 'ring: tail and state share no line');
assert(DATA_WAITING_WORD * 4 - CAPACITY_WORD * 4 > 0, 'ring: state line holds three words');
assert(SPACE_SIGNAL_WORD * 4 + 4 <= RING_HEADER_BYTES, 'ring: header words fit the header');
assert(MAX_CAPACITY_BYTES < 2 ** 32, 'ring: u32 position differences are unambiguous');
assert(MIN_CAPACITY_BYTES % RECORD_ALIGN_BYTES === 0, 'ring: capacity holds whole records');
assert(RECORD_TYPE_WRAP > RECORD_TYPE_MAX, 'ring: WRAP is outside caller types');

/** True when capacityBytes is a power of two within the supported range. */
export function isValidCapacity(capacityBytes: number): boolean {
  return (
    Number.isInteger(capacityBytes) &&
    capacityBytes >= MIN_CAPACITY_BYTES &&
    capacityBytes <= MAX_CAPACITY_BYTES &&
    (capacityBytes & (capacityBytes - 1)) === 0
  );
}

/** Bytes a record with this payload takes in the data area, header and padding included. */
export function recordBytesFor(payloadBytes: number): number {
  return (RECORD_HEADER_BYTES + payloadBytes + RECORD_ALIGN_BYTES - 1) & ~(RECORD_ALIGN_BYTES - 1);
}

/**
 * The largest payload a ring of this capacity accepts: one record filling the whole data area.
 * It always fits eventually because the producer wraps to index 0 as soon as a record does not fit
 * before the end (see SpscRing.reserve).
 */
export function maxPayloadBytesFor(capacityBytes: number): number {
  assert(isValidCapacity(capacityBytes), 'ring: capacity is not a supported power of two');
  return capacityBytes - RECORD_HEADER_BYTES;
}

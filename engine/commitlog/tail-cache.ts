// The shared tail cache: the newest CommitLog bytes kept in a SharedArrayBuffer window that mirrors
// the file, so readers on any thread get recent messages without a syscall and the writer turns many
// small appends into one pwrite from it. CommitLog offset p lives at p & (capacity - 1).
//
// Only the writer writes. It writes at offsets >= the published wrote position, which alias the
// oldest `capacity` bytes below it, so a reader may use [p, p + n) only when, after copying,
// p >= wrote + maxBatchBytes - capacity still holds (wrote re-read after the copy): the writer can
// be at most one batch ahead of what it has published.
//
// The writer may also leave records out of the window (it pwrites large ones straight from the
// append ring, saving a copy). It then raises the window's floor, a word after the data area, past
// them before it publishes the wrote position that covers them: the window holds every byte in
// [floor, wrote), and a reader re-reads the floor with wrote after its copy, as above.

import { assert } from '../../common/assert.js';

/** The floor word after the data area. */
const FLOOR_BYTES = 8;

export class TailCache {
  readonly sab: SharedArrayBuffer;
  readonly capacityBytes: number;
  /** Largest span the writer fills before publishing a new wrote position. */
  readonly maxBatchBytes: number;
  readonly bytes: Buffer;
  /** The window holds nothing below this offset (the log end when the store opened). */
  readonly floorOffset: number;
  #mask: number;
  #u8: Uint8Array;
  /** The raised floor: records below it may be missing from the window. */
  #floor: BigInt64Array;

  constructor(sab: SharedArrayBuffer, maxBatchBytes: number, floorOffset: number) {
    const capacity = sab.byteLength - FLOOR_BYTES;
    assert(
      capacity > 0 && (capacity & (capacity - 1)) === 0,
      'tail cache: capacity must be a power of two',
    );
    assert(
      maxBatchBytes > 0 && maxBatchBytes <= capacity / 4,
      'tail cache: batch must be at most a quarter of it',
    );
    this.sab = sab;
    this.capacityBytes = capacity;
    this.maxBatchBytes = maxBatchBytes;
    this.bytes = Buffer.from(sab, 0, capacity);
    this.#u8 = new Uint8Array(sab, 0, capacity);
    this.#floor = new BigInt64Array(sab, capacity, 1);
    this.#mask = capacity - 1;
    this.floorOffset = floorOffset;
  }

  static create(capacityBytes: number, maxBatchBytes: number, floorOffset: number): TailCache {
    const sab = new SharedArrayBuffer(capacityBytes + FLOOR_BYTES);
    return new TailCache(sab, maxBatchBytes, floorOffset);
  }

  /** Another thread's view of a window made by create(capacity, capacity / 4, floorOffset). */
  static attach(sab: SharedArrayBuffer, floorOffset: number): TailCache {
    return new TailCache(sab, (sab.byteLength - FLOOR_BYTES) / 4, floorOffset);
  }

  /**
   * The window no longer holds every byte below `offset` (writer only, before it publishes a wrote
   * position at or past `offset`): records the writer left out of it lie below.
   */
  raiseFloor(offset: number): void {
    assert(offset >= this.#raisedFloor(), 'tail cache: the floor only rises');
    Atomics.store(this.#floor, 0, BigInt(offset));
  }

  #raisedFloor(): number {
    return Number(Atomics.load(this.#floor, 0));
  }

  /** Copies `length` bytes of `source` into the window at CommitLog offset `offset` (writer only). */
  put(offset: number, source: Buffer, sourceOffset: number, length: number): void {
    const at = offset & this.#mask;
    const first = Math.min(length, this.capacityBytes - at);
    // A plain Uint8Array view and set() copy shared memory about twice as fast as Buffer.copy.
    const from = source.byteOffset + sourceOffset;
    this.#u8.set(new Uint8Array(source.buffer, from, first), at);
    if (first < length)
      this.#u8.set(new Uint8Array(source.buffer, from + first, length - first), 0);
  }

  /** Index of `offset` in `bytes` and how many bytes from there are contiguous. */
  locate(offset: number): { index: number; contiguousBytes: number } {
    const index = offset & this.#mask;
    return { index, contiguousBytes: this.capacityBytes - index };
  }

  /** Lowest offset a reader may trust given the wrote position it saw. */
  lowestReadable(wrotePosition: number): number {
    return Math.max(
      this.floorOffset,
      this.#raisedFloor(),
      wrotePosition + this.maxBatchBytes - this.capacityBytes,
    );
  }

  /**
   * Copies [offset, offset + length) into target if the window still holds it; `readWrote`
   * returns the current wrote position (re-read after the copy to detect overwrites).
   */
  tryRead(
    offset: number,
    length: number,
    target: Uint8Array,
    targetOffset: number,
    readWrote: () => number,
  ): boolean {
    if (offset < this.lowestReadable(readWrote()) || offset + length > readWrote()) return false;
    const at = offset & this.#mask;
    const first = Math.min(length, this.capacityBytes - at);
    // As in put(): a plain Uint8Array view of shared memory is cheaper to make and copy from.
    target.set(this.#u8.subarray(at, at + first), targetOffset);
    if (first < length) target.set(this.#u8.subarray(0, length - first), targetOffset + first);
    return offset >= this.lowestReadable(readWrote());
  }
}

// The shared tail cache: the newest CommitLog bytes kept in a SharedArrayBuffer window that mirrors
// the file, so readers on any thread get recent messages without a syscall and the writer turns many
// small appends into one pwrite from it. CommitLog offset p lives at p & (capacity - 1).
//
// Only the writer writes. It writes at offsets >= the published wrote position, which alias the
// oldest `capacity` bytes below it, so a reader may use [p, p + n) only when, after copying,
// p >= wrote + maxBatchBytes - capacity still holds (wrote re-read after the copy): the writer can
// be at most one batch ahead of what it has published.

import { assert } from '../../common/assert.js';

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

  constructor(sab: SharedArrayBuffer, maxBatchBytes: number, floorOffset: number) {
    const capacity = sab.byteLength;
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
    this.bytes = Buffer.from(sab);
    this.#u8 = new Uint8Array(sab);
    this.#mask = capacity - 1;
    this.floorOffset = floorOffset;
  }

  static create(capacityBytes: number, maxBatchBytes: number, floorOffset: number): TailCache {
    return new TailCache(new SharedArrayBuffer(capacityBytes), maxBatchBytes, floorOffset);
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
    return Math.max(this.floorOffset, wrotePosition + this.maxBatchBytes - this.capacityBytes);
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

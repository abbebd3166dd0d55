// Buffers for the large reads of pulls, given back once the response that carries them has been
// written, so the next pull reads into memory that is already mapped. A fresh buffer per pull
// costs more than the read itself: the allocator hands large blocks back to the system when they
// are collected, and every page of the next one faults in again (zeroed by the kernel) while the
// read or copy fills it.
//
// A buffer is reused only after its holder calls release(): a caller that keeps records (or never
// says) just leaves its buffer to the garbage collector. Bounds: at most `maxFree` buffers are
// kept, each of BUFFER_BYTES.

import { assert } from '../../common/assert.js';
import { MAX_PLANNED_BYTES } from './record-run.js';

/** Every pooled buffer holds the largest plan, so any read of at least MIN_POOLED_BYTES fits. */
const BUFFER_BYTES = MAX_PLANNED_BYTES;
/** Smaller reads come from the allocator's own free lists, which they do not outgrow. */
export const MIN_POOLED_BYTES = 64 * 1024;

export class ReadBufferPool {
  readonly #free: Buffer[] = [];
  readonly #maxFree: number;

  constructor(maxFree: number) {
    assert(Number.isInteger(maxFree) && maxFree >= 0, 'read buffer pool: maxFree not negative');
    this.#maxFree = maxFree;
  }

  get freeCount(): number {
    return this.#free.length;
  }

  /** True when a read of `bytes` comes from the pool (and should be released). */
  isPooled(bytes: number): boolean {
    return bytes >= MIN_POOLED_BYTES && bytes <= BUFFER_BYTES;
  }

  /** A buffer of at least `bytes` for a read of that size; its contents are stale. */
  acquire(bytes: number): Buffer {
    if (!this.isPooled(bytes)) return Buffer.allocUnsafe(bytes);
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(BUFFER_BYTES);
  }

  /** Takes back a buffer acquire() gave for a pooled read; nothing may use it afterwards. */
  release(buffer: Buffer): void {
    assert(buffer.byteLength === BUFFER_BYTES, 'read buffer pool: a buffer it did not give');
    assert(!this.#free.includes(buffer), 'read buffer pool: a buffer released twice');
    if (this.#free.length < this.#maxFree) this.#free.push(buffer);
  }
}

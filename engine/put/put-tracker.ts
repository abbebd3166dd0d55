// The main thread's record of puts in flight, oldest first. A put moves through three steps in
// order: appended (the writer gave it offsets), written (the wrote position passed its end: it is
// readable, and an ASYNC_FLUSH put is acknowledged), flushed (a SYNC_FLUSH put is acknowledged, or
// it times out with FLUSH_DISK_TIMEOUT). Puts complete in submission order, so three cursors over
// one bounded array suffice.

import { assert } from '../../common/assert.js';
import { createOffsetMessageId } from '../../common/message-codec.js';
import { type PutResult, PutStatus } from './put-result.js';

export interface PendingPut {
  resolve: (result: PutResult) => void;
  topic: string;
  queueId: number;
  /** False for prepared and rolled-back transaction records, which get no ConsumeQueue unit. */
  inQueue: boolean;
  uniqKey: string;
  length: number;
  waitFlush: boolean;
  deadlineMs: number;
  queueOffset: number;
  commitLogOffset: number;
}

export interface PutTrackerOptions {
  capacity: number;
  storeHost: Uint8Array;
  onVisible: (put: PendingPut) => void;
}

export class PutTracker {
  #options: PutTrackerOptions;
  #entries: Array<PendingPut | undefined> = [];
  #head = 0;
  #written = 0;
  #appended = 0;
  #flushed = 0;

  constructor(options: PutTrackerOptions) {
    assert(options.capacity > 0, 'tracker: capacity must be positive');
    this.#options = options;
  }

  get size(): number {
    return this.#entries.length - this.#head;
  }

  hasRoom(count: number): boolean {
    return this.size + count <= this.#options.capacity;
  }

  add(put: PendingPut): void {
    assert(this.hasRoom(1), 'tracker: over capacity');
    this.#entries.push(put);
  }

  /** Forgets the newest put, which the pipeline did not take (it is resolved by the caller). */
  cancelLast(): void {
    assert(this.#entries.length > this.#appended, 'tracker: the newest put was already appended');
    this.#entries.pop();
  }

  /** The writer assigned offsets to the oldest put that had none. */
  appended(queueOffset: number, commitLogOffset: number): void {
    const put = this.#entries[this.#appended];
    assert(put !== undefined, 'tracker: append result without a pending put');
    put.queueOffset = queueOffset;
    put.commitLogOffset = commitLogOffset;
    this.#appended++;
  }

  /** Everything below `wrote` is written: those puts are visible; ASYNC ones are acknowledged. */
  wroteTo(wrote: number): void {
    while (this.#written < this.#appended) {
      const put = this.#entries[this.#written];
      assert(put !== undefined, 'tracker: hole in written range');
      if (put.commitLogOffset + put.length > wrote) break;
      this.#options.onVisible(put);
      this.#written++;
    }
    this.#drain();
  }

  /** Everything below `flushed` is durable: waiting SYNC_FLUSH puts are acknowledged. */
  flushedTo(flushed: number): void {
    if (flushed > this.#flushed) this.#flushed = flushed;
    this.#drain();
  }

  /** SYNC_FLUSH puts whose deadline passed get FLUSH_DISK_TIMEOUT (they are stored, not confirmed). */
  expire(nowMs: number): void {
    while (this.#head < this.#written) {
      const put = this.#entries[this.#head];
      if (put === undefined || !put.waitFlush || put.deadlineMs > nowMs) break;
      this.#complete(PutStatus.FLUSH_DISK_TIMEOUT);
    }
    this.#drain();
  }

  #drain(): void {
    while (this.#head < this.#written) {
      const put = this.#entries[this.#head];
      assert(put !== undefined, 'tracker: hole in completion range');
      if (put.waitFlush && put.commitLogOffset + put.length > this.#flushed) break;
      this.#complete(PutStatus.PUT_OK);
    }
    this.#compact();
  }

  /** Earliest deadline among puts waiting for a flush, or undefined. */
  nextDeadlineMs(): number | undefined {
    return this.#head < this.#written ? this.#entries[this.#head]?.deadlineMs : undefined;
  }

  /** Fails every pending put (the writer died): unappended ones may or may not be stored. */
  failAll(status: PutStatus, reason: string): void {
    while (this.#head < this.#entries.length) {
      const put = this.#entries[this.#head];
      this.#entries[this.#head] = undefined;
      this.#head++;
      put?.resolve({ status, reason });
    }
    this.#written = this.#appended = this.#head;
    this.#compact();
  }

  #complete(status: PutStatus): void {
    const put = this.#entries[this.#head];
    assert(put !== undefined, 'tracker: completing a missing put');
    this.#entries[this.#head] = undefined;
    this.#head++;
    put.resolve({
      status,
      msgId: createOffsetMessageId(this.#options.storeHost, put.commitLogOffset),
      uniqKey: put.uniqKey,
      queueOffset: put.queueOffset,
      commitLogOffset: put.commitLogOffset,
      wroteBytes: put.length,
    });
  }

  #compact(): void {
    if (this.#head < 1024 || this.#head * 2 < this.#entries.length) return;
    this.#entries.splice(0, this.#head);
    this.#written -= this.#head;
    this.#appended -= this.#head;
    this.#head = 0;
  }
}

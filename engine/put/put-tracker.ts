// The main thread's record of puts in flight, oldest first. A put moves through its steps in order:
// appended (the writer gave it offsets), written (the wrote position passed its end: it is readable,
// and an ASYNC_FLUSH / ASYNC_MASTER put is acknowledged), then, where asked, flushed (SYNC_FLUSH)
// and replicated (SYNC_MASTER: a slave acknowledged its bytes). A wait that passes its deadline
// ends with FLUSH_DISK_TIMEOUT or FLUSH_SLAVE_TIMEOUT: the message is stored, not confirmed; a
// flush timeout wins over a slave timeout, as RocketMQ combines them. Puts complete in submission
// order, so cursors over one bounded array suffice.

import { assert } from '../../common/assert.js';
import { createOffsetMessageId } from '../../common/message-codec.js';
import {
  type PutFailedStatus,
  type PutResult,
  PutStatus,
  type PutWritten,
  type PutWrittenStatus,
} from './put-result.js';

export interface PendingPut {
  resolve: (result: PutResult) => void;
  topic: string;
  queueId: number;
  /** False for prepared and rolled-back transaction records, which get no ConsumeQueue unit. */
  inQueue: boolean;
  uniqKey: string;
  length: number;
  waitFlush: boolean;
  /** SYNC_FLUSH deadline (monotonic ms). */
  deadlineMs: number;
  waitReplica: boolean;
  /** SYNC_MASTER deadline (monotonic ms). */
  replicaDeadlineMs: number;
  /** What success is reported as: PUT_OK, or SLAVE_NOT_AVAILABLE when no slave could be waited for. */
  status: PutWrittenStatus;
  queueOffset: number;
  commitLogOffset: number;
  /**
   * Already answered with a failure while its write was stalled (answerUnwritten): it stays in
   * line, so the writer's completions still match their puts, but is not answered again.
   */
  answered?: boolean;
}

export interface PutTrackerOptions {
  capacity: number;
  storeHost: Uint8Array;
  onVisible: (put: PendingPut) => void;
  /** After one or more puts completed (the store wakes callers waiting for room). */
  onSettled?: () => void;
  /** A slave's acknowledged offset was read (it may not have moved). */
  onReplicated?: (replicated: number) => void;
}

export class PutTracker {
  #options: PutTrackerOptions;
  #entries: Array<PendingPut | undefined> = [];
  #head = 0;
  #written = 0;
  #appended = 0;
  #flushed = 0;
  #replicated = 0;

  constructor(options: PutTrackerOptions) {
    assert(options.capacity > 0, 'tracker: capacity must be positive');
    this.#options = options;
  }

  get size(): number {
    return this.#entries.length - this.#head;
  }

  /** Puts handed to the pipeline that the writer has not given offsets yet. */
  get unappended(): number {
    return this.#entries.length - this.#appended;
  }

  /** Puts with offsets whose bytes are not written yet. */
  get unwritten(): number {
    return this.#appended - this.#written;
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

  /** Everything below `wrote` is written: those puts are visible; unconditional ones complete. */
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

  /** Everything below `flushed` is durable. */
  flushedTo(flushed: number): void {
    if (flushed > this.#flushed) this.#flushed = flushed;
    this.#drain();
  }

  /** A slave acknowledged everything below `replicated`. */
  replicatedTo(replicated: number): void {
    if (replicated > this.#replicated) this.#replicated = replicated;
    this.#drain();
    this.#options.onReplicated?.(this.#replicated);
  }

  /** Ends waits whose deadline passed: FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT. */
  expire(nowMs: number): void {
    for (let i = this.#head; i < this.#written; i++) {
      const put = this.#entries[i];
      assert(put !== undefined, 'tracker: hole in expiry range');
      if (put.deadlineMs > nowMs && put.replicaDeadlineMs > nowMs) break;
      if (put.waitFlush && put.deadlineMs <= nowMs && !this.#isFlushed(put)) {
        put.waitFlush = false;
        put.status = PutStatus.FLUSH_DISK_TIMEOUT;
      }
      if (put.waitReplica && put.replicaDeadlineMs <= nowMs && !this.#isReplicated(put)) {
        put.waitReplica = false;
        if (put.status === PutStatus.PUT_OK) put.status = PutStatus.FLUSH_SLAVE_TIMEOUT;
      }
    }
    this.#drain();
  }

  #isFlushed(put: PendingPut): boolean {
    return put.commitLogOffset + put.length <= this.#flushed;
  }

  #isReplicated(put: PendingPut): boolean {
    return put.commitLogOffset + put.length <= this.#replicated;
  }

  #drain(): void {
    const head = this.#head;
    while (this.#head < this.#written) {
      const put = this.#entries[this.#head];
      assert(put !== undefined, 'tracker: hole in completion range');
      if (put.waitFlush && !this.#isFlushed(put)) break;
      if (put.waitReplica && !this.#isReplicated(put)) break;
      this.#complete(put.status);
    }
    const settled = this.#head !== head;
    this.#compact();
    if (settled) this.#options.onSettled?.();
  }

  /** Earliest deadline among puts still waiting, or undefined. */
  nextDeadlineMs(): number | undefined {
    const put = this.#head < this.#written ? this.#entries[this.#head] : undefined;
    return put === undefined ? undefined : Math.min(put.deadlineMs, put.replicaDeadlineMs);
  }

  /**
   * Answers every put not written yet with a failure now (a storage fault stalled the writer), and
   * returns how many it answered. They stay in line: the writer keeps their records and writes
   * them once it can, so each may still be stored; it is never answered a second time.
   */
  answerUnwritten(status: PutFailedStatus, reason: string): number {
    let answered = 0;
    for (let i = this.#written; i < this.#entries.length; i++) {
      const put = this.#entries[i];
      assert(put !== undefined, 'tracker: hole in unwritten range');
      if (put.answered === true) continue;
      put.answered = true;
      put.resolve({ status, reason });
      answered++;
    }
    return answered;
  }

  /**
   * Ends every pending put: UNKNOWN_ERROR when the writer died (unappended ones may or may not be
   * stored); FLUSH_SLAVE_TIMEOUT when a role change overtook them, with the offsets of those that
   * have them, as any put stored but not confirmed is answered.
   */
  failAll(status: PutFailedStatus, reason: string): void {
    while (this.#head < this.#entries.length) {
      const put = this.#entries[this.#head];
      this.#entries[this.#head] = undefined;
      this.#head++;
      if (put === undefined || put.answered === true) continue;
      if (status === PutStatus.FLUSH_SLAVE_TIMEOUT && put.commitLogOffset >= 0)
        put.resolve(this.#writtenResult(put, status));
      else put.resolve({ status, reason });
    }
    this.#written = this.#appended = this.#head;
    this.#compact();
    this.#options.onSettled?.();
  }

  #complete(status: PutWrittenStatus): void {
    const put = this.#entries[this.#head];
    assert(put !== undefined, 'tracker: completing a missing put');
    this.#entries[this.#head] = undefined;
    this.#head++;
    if (put.answered === true) return;
    put.resolve(this.#writtenResult(put, status));
  }

  #writtenResult(put: PendingPut, status: PutWrittenStatus): PutWritten {
    return {
      status,
      msgId: createOffsetMessageId(this.#options.storeHost, put.commitLogOffset),
      uniqKey: put.uniqKey,
      queueOffset: put.queueOffset,
      commitLogOffset: put.commitLogOffset,
      wroteBytes: put.length,
    };
  }

  #compact(): void {
    if (this.#head < 1024 || this.#head * 2 < this.#entries.length) return;
    this.#entries.splice(0, this.#head);
    this.#written -= this.#head;
    this.#appended -= this.#head;
    this.#head = 0;
  }
}

// The consumer's state for one assigned queue: where to pull next, which pulled messages are not
// yet processed, which of them wait for the listener, and how many the listener holds now.
//
// RocketMQ: client/.../impl/consumer/ProcessQueue.java (msgTreeMap, removeMessage returning the
// offset to commit, dropped flag).
//
// The offset to commit is the lowest unprocessed offset: the first pending message, or the next
// pull offset when nothing is pending. Commits therefore never pass a message still in flight,
// whatever order the listener finishes in, which is what keeps consumption at-least-once across
// rebalances and restarts. Messages filtered out by tag are never pending; the next pull offset
// covers them.
//
// Invariants:
// - pending is filled in increasing offset order, so its first live message has the lowest
//   pending offset (see pending-window.ts).
// - every ready message is pending; an in-flight message is pending unless a move back of the
//   pull offset dropped it (it will be pulled again).
// - a dropped queue accepts no new messages and reports no offsets.

import { assert } from '../common/assert.js';
import type { MessageQueue } from './message-queue.js';
import { PendingWindow } from './pending-window.js';

export interface QueuedMessage {
  queueOffset: number;
}

export class ProcessQueue<M extends QueuedMessage> {
  readonly queue: Readonly<MessageQueue>;
  readonly #maxPending: number;
  readonly #pending = new PendingWindow<M>();
  readonly #ready: M[] = [];
  #nextPullOffset: number;
  #inFlightCount = 0;
  /** Callers of whenNoneInFlight() waiting for the listener to finish (one per queue release). */
  readonly #noneInFlightWaiters: (() => void)[] = [];
  #isDropped = false;
  #lastPulledOffset = -1;
  /** Broker id to pull from next (suggestWhichBrokerId of the last pull). */
  suggestedBrokerId = 0;
  /** Broker id the last pull was served by. */
  lastReadBrokerId = 0;
  /** Orderly consumption: this client holds the queue's lock on its broker. */
  locked = false;
  /** Orderly consumption: monotonic time of the last lock grant or renewal. */
  lastLockMs = 0;

  constructor(queue: Readonly<MessageQueue>, startOffset: number, maxPending: number) {
    assert(Number.isSafeInteger(startOffset) && startOffset >= 0, 'start offset valid');
    assert(Number.isInteger(maxPending) && maxPending > 0, 'maxPending positive');
    this.queue = queue;
    this.#nextPullOffset = startOffset;
    this.#maxPending = maxPending;
  }

  get nextPullOffset(): number {
    return this.#nextPullOffset;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  get readyCount(): number {
    return this.#ready.length;
  }

  get inFlightCount(): number {
    return this.#inFlightCount;
  }

  get isDropped(): boolean {
    return this.#isDropped;
  }

  /** True when the pull loop should wait (flow control: pullThresholdForQueue). */
  get isFull(): boolean {
    return this.#pending.size >= this.#maxPending;
  }

  /** The offset to commit: the lowest unprocessed offset. */
  consumedOffset(): number {
    return this.#pending.firstOffset() ?? this.#nextPullOffset;
  }

  /**
   * Records a pull: `messages` (already filtered by tag, in offset order) become pending and
   * ready, and the next pull starts at `nextBeginOffset`.
   */
  addPulled(messages: readonly M[], nextBeginOffset: number): void {
    assert(Number.isSafeInteger(nextBeginOffset) && nextBeginOffset >= 0, 'next offset valid');
    if (this.#isDropped) return;
    for (const message of messages) {
      assert(message.queueOffset > this.#lastPulledOffset, 'pulled offsets increase');
      assert(message.queueOffset >= this.#nextPullOffset, 'pulled at or after the pull offset');
      assert(message.queueOffset < nextBeginOffset, 'pulled before the next begin offset');
      this.#lastPulledOffset = message.queueOffset;
      this.#pending.push(message);
      this.#ready.push(message);
    }
    this.#nextPullOffset = nextBeginOffset;
  }

  /**
   * Moves the pull position (PULL_OFFSET_MOVED, PULL_NOT_FOUND). Moving back drops pending
   * messages at or after the new offset: they will be pulled again.
   */
  movePullOffset(offset: number): void {
    assert(Number.isSafeInteger(offset) && offset >= 0, 'moved offset valid');
    if (offset < this.#nextPullOffset) {
      this.#pending.dropFrom(offset);
      const kept = this.#ready.filter((m) => m.queueOffset < offset);
      this.#ready.splice(0, this.#ready.length, ...kept);
      this.#lastPulledOffset = Math.min(this.#lastPulledOffset, offset - 1);
    }
    this.#nextPullOffset = offset;
  }

  /** Takes up to `max` ready messages for the listener. */
  takeBatch(max: number): M[] {
    assert(max > 0, 'batch size positive');
    if (this.#isDropped) return [];
    const batch = this.#ready.splice(0, max);
    this.#inFlightCount += batch.length;
    return batch;
  }

  /** The listener is done with `batch`: processed ones leave pending; the rest stay. */
  finish(batch: readonly M[], processed: readonly M[]): void {
    this.#inFlightCount -= batch.length;
    assert(this.#inFlightCount >= 0, 'in-flight count not negative');
    if (this.#inFlightCount === 0) for (const wake of this.#noneInFlightWaiters.splice(0)) wake();
    // Removal is by identity: after a move back, the same offset may be pending again as a new
    // pull.
    for (const message of processed) this.#pending.remove(message);
  }

  /** Resolves once no message of this queue is in the listener (at once when none is). */
  whenNoneInFlight(): Promise<void> {
    if (this.#inFlightCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.#noneInFlightWaiters.push(resolve));
  }

  /** Puts messages that are still pending back in line (a local retry). */
  requeue(messages: readonly M[]): void {
    if (this.#isDropped) return;
    for (const message of messages) {
      if (this.#pending.has(message)) this.#ready.push(message);
    }
    this.#ready.sort((a, b) => a.queueOffset - b.queueOffset);
  }

  /** Stops the queue: it takes no more messages and hands none out. */
  drop(): void {
    this.#isDropped = true;
    this.#ready.length = 0;
  }
}

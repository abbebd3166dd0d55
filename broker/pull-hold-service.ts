// Long polling: a pull that finds no new message and allows suspending is parked here until a
// message arrives in its queue, its suspend time runs out, or its connection closes; then it is
// woken once, and the pull processor runs it again and answers. Pure: time comes from an injected
// clock, and the host calls expire() from a timer and notifyMessageArriving() from the store's
// arrival hook.
//
// RocketMQ: broker/.../longpolling/PullRequestHoldService.java (suspendPullRequest,
// notifyMessageArriving, checkHoldRequest) and ManyPullRequest.java.
//
// Bounds and invariants:
// - at most maxHeld pulls are held; hold() refuses beyond it (the caller answers SYSTEM_BUSY);
// - each held pull is woken exactly once (arrived, timeout, closed or shutdown) and then forgotten;
// - a pull is woken by an arrival only when the queue's new max offset is beyond its offset.

import { assert } from '../common/assert.js';
import type { Clock } from '../common/clock.js';

export type WakeReason = 'ARRIVED' | 'TIMEOUT' | 'CLOSED' | 'SHUTDOWN';

export interface HeldPull {
  topic: string;
  queueId: number;
  /** The offset the pull asked for; an arrival wakes it once the queue's max passes it. */
  queueOffset: number;
  /** Monotonic deadline (clock.monotonicMs) after which it is answered anyway. */
  deadlineMs: number;
  /** The connection it came on; closing the connection drops it. */
  channelId: number;
  wake: (reason: WakeReason) => void;
}

function keyOf(topic: string, queueId: number): string {
  return `${topic}@${queueId}`;
}

export class PullHoldService {
  readonly #clock: Clock;
  readonly #maxHeld: number;
  readonly #byQueue = new Map<string, Set<HeldPull>>();
  #size = 0;

  constructor(options: { clock: Clock; maxHeld: number }) {
    assert(options.maxHeld >= 1, 'at least one pull can be held');
    this.#clock = options.clock;
    this.#maxHeld = options.maxHeld;
  }

  get size(): number {
    return this.#size;
  }

  /** Parks a pull; false when maxHeld pulls are already held. */
  hold(pull: HeldPull): boolean {
    if (this.#size >= this.#maxHeld) return false;
    const key = keyOf(pull.topic, pull.queueId);
    let set = this.#byQueue.get(key);
    if (set === undefined) {
      set = new Set();
      this.#byQueue.set(key, set);
    }
    assert(!set.has(pull), 'a pull is held once');
    set.add(pull);
    this.#size++;
    return true;
  }

  /** A message became readable; wakes the queue's pulls whose offset is below `maxOffset`. */
  notifyMessageArriving(topic: string, queueId: number, maxOffset: number): number {
    const key = keyOf(topic, queueId);
    const set = this.#byQueue.get(key);
    if (set === undefined) return 0;
    const woken: HeldPull[] = [];
    for (const pull of set) if (pull.queueOffset < maxOffset) woken.push(pull);
    for (const pull of woken) this.#release(key, set, pull, 'ARRIVED');
    return woken.length;
  }

  /** Wakes every pull whose deadline has passed; returns how many. */
  expire(): number {
    const now = this.#clock.monotonicMs();
    let count = 0;
    for (const [key, set] of [...this.#byQueue]) {
      for (const pull of [...set]) {
        if (pull.deadlineMs > now) continue;
        this.#release(key, set, pull, 'TIMEOUT');
        count++;
      }
    }
    return count;
  }

  /** A connection closed: its pulls can no longer be answered. */
  onChannelClosed(channelId: number): number {
    return this.#releaseWhere((pull) => pull.channelId === channelId, 'CLOSED');
  }

  /** Broker shutdown: answers every held pull now. */
  wakeAll(): number {
    return this.#releaseWhere(() => true, 'SHUTDOWN');
  }

  #releaseWhere(match: (pull: HeldPull) => boolean, reason: WakeReason): number {
    let count = 0;
    for (const [key, set] of [...this.#byQueue]) {
      for (const pull of [...set]) {
        if (!match(pull)) continue;
        this.#release(key, set, pull, reason);
        count++;
      }
    }
    return count;
  }

  #release(key: string, set: Set<HeldPull>, pull: HeldPull, reason: WakeReason): void {
    const removed = set.delete(pull);
    assert(removed, 'a woken pull was held');
    if (set.size === 0) this.#byQueue.delete(key);
    this.#size--;
    assert(this.#size >= 0, 'held count never negative');
    pull.wake(reason);
  }
}

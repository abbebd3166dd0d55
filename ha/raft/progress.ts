// What a leader knows about one follower's log, and the flow control of appends to it.
//
// States: PROBE (the leader does not know where the follower's log matches; it sends one append at
// a time and backs off on rejection) and REPLICATE (the log matches up to `match`; the leader
// streams appends optimistically, bounded by an in-flight window). No snapshot state: DLedger has
// no snapshots; a follower missing compacted entries is a later concern of the log store.
//
// Invariants (asserted): 0 <= match < next; match never decreases within a term; the in-flight
// window never holds more than its capacity, and its indexes increase.
//
// etcd counterpart: tracker/progress.go and tracker/inflights.go. DLedger counterpart: the per-peer
// EntryDispatcher (COMPARE/TRUNCATE = probe, APPEND = replicate, maxPendingSize = the window) and
// peerWaterMarksByTerm (= match).

import { assert } from '../../common/assert.js';

export const ProgressState = {
  PROBE: 'PROBE',
  REPLICATE: 'REPLICATE',
} as const;
export type ProgressState = (typeof ProgressState)[keyof typeof ProgressState];

/** A bounded FIFO of the last indexes of appends sent but not yet acknowledged. */
export class Inflights {
  readonly #capacity: number;
  readonly #buffer: number[];
  #start = 0;
  #count = 0;

  constructor(capacity: number) {
    assert(Number.isInteger(capacity) && capacity >= 1, 'inflights: capacity must be >= 1');
    this.#capacity = capacity;
    this.#buffer = new Array<number>(capacity).fill(0);
  }

  get count(): number {
    return this.#count;
  }

  isFull(): boolean {
    return this.#count === this.#capacity;
  }

  add(lastIndex: number): void {
    assert(!this.isFull(), 'inflights: add to a full window');
    if (this.#count > 0) {
      const newest = this.#buffer[(this.#start + this.#count - 1) % this.#capacity] as number;
      assert(lastIndex > newest, 'inflights: indexes must increase');
    }
    this.#buffer[(this.#start + this.#count) % this.#capacity] = lastIndex;
    this.#count++;
  }

  /** Free every in-flight append whose last index is <= `index` (it was acknowledged). */
  freeLE(index: number): void {
    while (this.#count > 0 && (this.#buffer[this.#start] as number) <= index) {
      this.#start = (this.#start + 1) % this.#capacity;
      this.#count--;
    }
  }

  reset(): void {
    this.#start = 0;
    this.#count = 0;
  }
}

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = ProgressState.PROBE;
  /** PROBE only: an append is outstanding; wait for its answer or the next heartbeat answer. */
  probeSent = false;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  /** `match` when the previous heartbeat answer arrived: no change since means appends were lost. */
  matchAtHeartbeat = 0;
  /** Highest commit index this follower was told (by appends or heartbeats). */
  sentCommit = 0;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number) {
    assert(next >= 1, 'progress: next must be >= 1');
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  becomeProbe(): void {
    this.state = ProgressState.PROBE;
    this.next = this.match + 1;
    this.probeSent = false;
    this.inflights.reset();
  }

  becomeReplicate(): void {
    this.state = ProgressState.REPLICATE;
    this.next = this.match + 1;
    this.probeSent = false;
    this.inflights.reset();
  }

  /** An append up to `index` was acknowledged; false when the answer is stale. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (index > this.match) {
      this.match = index;
      this.probeSent = false;
      updated = true;
    }
    if (this.next < index + 1) this.next = index + 1;
    assert(this.match < this.next, 'progress: match must stay below next');
    return updated;
  }

  /** An append of entries up to `lastIndex` was sent (`entryCount` may be 0 for a probe). */
  sentEntries(entryCount: number, lastIndex: number): void {
    if (this.state === ProgressState.REPLICATE) {
      if (entryCount > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex);
      }
    } else {
      this.probeSent = true;
    }
  }

  /**
   * The follower rejected an append whose previous index was `rejected`; `hintIndex` is where the
   * leader should probe next. Returns false when the rejection is stale (already superseded).
   */
  maybeDecreaseTo(rejected: number, hintIndex: number): boolean {
    if (this.state === ProgressState.REPLICATE) {
      if (rejected <= this.match) return false;
      this.becomeProbe();
      this.next = Math.max(this.match + 1, Math.min(rejected, hintIndex + 1));
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hintIndex + 1), this.match + 1);
    this.probeSent = false;
    assert(this.next >= 1, 'progress: next below 1');
    return true;
  }

  /** Would an append at `next` tell this follower a higher commit index than it knows? */
  canBumpCommit(committed: number): boolean {
    return this.sentCommit < Math.min(committed, this.next - 1);
  }

  isPaused(): boolean {
    return this.state === ProgressState.PROBE ? this.probeSent : this.inflights.isFull();
  }
}

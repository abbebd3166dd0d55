// Reads bounded by what the replicas confirmed. In controller mode with allAckInSyncStateSet, a
// master lets consumers read only what every SyncStateSet member has acknowledged (RocketMQ 5:
// CommitLog.getConfirmOffset bounds the ConsumeQueue dispatch). A message read before its replica
// had it could be cut when the replica takes over, and the consumer's offset would then skip the
// messages the new master stores at those queue offsets.
//
// While bounded, a put written above the confirmed offset wakes its long-polling pulls only once it
// is confirmed: the wake-ups wait here, in CommitLog order. Bounded: past `capacity` the oldest is
// dropped (a later arrival in its queue still wakes the same pulls; a pull of a queue with no later
// arrival is answered at its suspend timeout instead).

import { assert } from '../../common/assert.js';

export type ArrivalListener = (topic: string, queueId: number, maxOffset: number) => void;

interface Arrival {
  topic: string;
  queueId: number;
  maxOffset: number;
  /** CommitLog offset at which the message ends: confirmed once the replicas reach it. */
  end: number;
}

export class ConfirmedReads {
  readonly #capacity: number;
  readonly #confirmed: () => number;
  readonly #notify: ArrivalListener;
  #active = false;
  #items: Arrival[] = [];
  #head = 0;
  #dropped = 0;

  /** `confirmed` reads the offset every replica acknowledged; `notify` announces an arrival. */
  constructor(options: { capacity: number; confirmed: () => number; notify: ArrivalListener }) {
    assert(options.capacity >= 1, 'confirmed reads: capacity must be positive');
    this.#capacity = options.capacity;
    this.#confirmed = options.confirmed;
    this.#notify = options.notify;
  }

  /** Arrivals waiting for confirmation. */
  get waiting(): number {
    return this.#items.length - this.#head;
  }

  /** Wake-ups dropped because too many waited. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Where reads end now (exclusive CommitLog offset), or undefined when they are not bounded. */
  readEnd(): number | undefined {
    return this.#active ? this.#confirmed() : undefined;
  }

  /** Bounds reads or stops bounding them; stopping announces every waiting arrival. */
  setActive(active: boolean): void {
    this.#active = active;
    if (!active) this.#release(Number.POSITIVE_INFINITY);
  }

  /** A message ending at `end` became readable in its queue (below `maxOffset`). */
  arrived(topic: string, queueId: number, maxOffset: number, end: number): void {
    if (!this.#active || (this.waiting === 0 && end <= this.#confirmed())) {
      this.#notify(topic, queueId, maxOffset);
      return;
    }
    if (this.waiting >= this.#capacity) {
      this.#head++;
      this.#dropped++;
    }
    this.#items.push({ topic, queueId, maxOffset, end });
  }

  /** The replicas acknowledged everything below `confirmed`. */
  confirmedTo(confirmed: number): void {
    if (this.waiting > 0) this.#release(confirmed);
  }

  #release(confirmed: number): void {
    while (this.#head < this.#items.length) {
      const a = this.#items[this.#head];
      assert(a !== undefined, 'confirmed reads: hole in the waiting arrivals');
      if (a.end > confirmed) break;
      this.#head++;
      this.#notify(a.topic, a.queueId, a.maxOffset);
    }
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}

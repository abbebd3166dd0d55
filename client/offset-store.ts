// Consumer offsets held in memory between commits. Each entry keeps the offset to commit (the
// lowest unprocessed offset of its queue) and the last offset known to be committed, so a commit
// round sends only the queues that moved (commit batching) and a failed commit is simply sent
// again next round.
//
// RocketMQ: client/.../consumer/store/RemoteBrokerOffsetStore.java (offsetTable, updateOffset
// with increaseOnly, persistAll every persistConsumerOffsetInterval) and LocalFileOffsetStore.java
// (broadcasting). The I/O (UPDATE_CONSUMER_OFFSET to a broker, or a local file) is done by the
// consumer; this table is pure.

import { assert } from '../common/assert.js';
import { compareQueues, type MessageQueue, queueKey } from './message-queue.js';

interface Entry {
  queue: MessageQueue;
  offset: number;
  committedOffset: number | null;
}

export interface OffsetToCommit {
  queue: MessageQueue;
  offset: number;
}

export class OffsetTable {
  readonly #entries = new Map<string, Entry>();

  /**
   * Sets a queue's offset. With `increaseOnly`, a lower offset is ignored (an acknowledgement
   * that arrives after a later one).
   */
  update(queue: Readonly<MessageQueue>, offset: number, increaseOnly: boolean): void {
    assert(Number.isSafeInteger(offset) && offset >= 0, 'offset valid');
    const key = queueKey(queue);
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.#entries.set(key, { queue: { ...queue }, offset, committedOffset: null });
      return;
    }
    if (increaseOnly && offset < entry.offset) return;
    entry.offset = offset;
  }

  /** Marks an offset as committed (read from or written to the store). */
  markCommitted(queue: Readonly<MessageQueue>, offset: number): void {
    const entry = this.#entries.get(queueKey(queue));
    if (entry !== undefined) entry.committedOffset = offset;
  }

  read(queue: Readonly<MessageQueue>): number | undefined {
    return this.#entries.get(queueKey(queue))?.offset;
  }

  remove(queue: Readonly<MessageQueue>): void {
    this.#entries.delete(queueKey(queue));
  }

  /** Queues whose offset differs from the last committed one, in queue order. */
  dirty(): OffsetToCommit[] {
    const out: OffsetToCommit[] = [];
    for (const entry of this.#entries.values()) {
      if (entry.offset !== entry.committedOffset) {
        out.push({ queue: entry.queue, offset: entry.offset });
      }
    }
    return out.sort((a, b) => compareQueues(a.queue, b.queue));
  }

  /** Every entry, in queue order. */
  entries(): { queue: MessageQueue; offset: number; committedOffset: number | null }[] {
    return [...this.#entries.values()]
      .map((e) => ({ ...e, queue: { ...e.queue } }))
      .sort((a, b) => compareQueues(a.queue, b.queue));
  }

  get size(): number {
    return this.#entries.size;
  }
}

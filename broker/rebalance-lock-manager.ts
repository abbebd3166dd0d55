// Which client of a consumer group may consume a queue in orderly mode. A lock lasts
// rebalanceLockMaxLiveTime after its last renewal (clients renew every 20 s); an expired lock goes
// to the next client that asks. Locks live in memory only: after a broker restart or a failover the
// clients take them again at their next rebalance or renewal. Bounded: at most maxQueueLocks
// entries; a request beyond that locks nothing new.
//
// RocketMQ: broker/.../client/rebalance/RebalanceLockManager.java (tryLockBatch, unlockBatch,
// LockEntry.isExpired with rocketmq.broker.rebalance.lockMaxLiveTime).

import type { Clock } from '../common/clock.js';
import type { MessageQueue } from '../protocol/index.js';

interface LockEntry {
  clientId: string;
  lastUpdateMs: number;
}

export interface LockManagerOptions {
  lockMaxLiveMs: number;
  maxQueueLocks: number;
  clock: Clock;
}

function queueKey(queue: MessageQueue): string {
  return `${queue.topic}\u0001${queue.brokerName}\u0001${queue.queueId}`;
}

export class RebalanceLockManager {
  readonly #options: LockManagerOptions;
  /** group -> queue key -> lock. */
  readonly #groups = new Map<string, Map<string, LockEntry>>();
  #count = 0;

  constructor(options: LockManagerOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#count;
  }

  #isExpired(entry: LockEntry, nowMs: number): boolean {
    return nowMs - entry.lastUpdateMs > this.#options.lockMaxLiveMs;
  }

  /** Locks or renews each queue for `clientId` where free or expired; returns those it holds. */
  tryLockBatch(group: string, queues: readonly MessageQueue[], clientId: string): MessageQueue[] {
    const nowMs = this.#options.clock.monotonicMs();
    let table = this.#groups.get(group);
    const locked: MessageQueue[] = [];
    for (const queue of queues) {
      const key = queueKey(queue);
      const entry = table?.get(key);
      if (entry !== undefined && entry.clientId !== clientId && !this.#isExpired(entry, nowMs)) {
        continue;
      }
      if (entry !== undefined) {
        entry.clientId = clientId;
        entry.lastUpdateMs = nowMs;
      } else {
        if (this.#count >= this.#options.maxQueueLocks) this.#pruneExpired(nowMs);
        if (this.#count >= this.#options.maxQueueLocks) continue;
        if (table === undefined) {
          table = new Map();
          this.#groups.set(group, table);
        }
        table.set(key, { clientId, lastUpdateMs: nowMs });
        this.#count++;
      }
      locked.push(queue);
    }
    return locked;
  }

  /** Releases the queues `clientId` holds; others' locks are left alone. */
  unlockBatch(group: string, queues: readonly MessageQueue[], clientId: string): void {
    const table = this.#groups.get(group);
    if (table === undefined) return;
    for (const queue of queues) {
      const key = queueKey(queue);
      if (table.get(key)?.clientId !== clientId) continue;
      table.delete(key);
      this.#count--;
    }
    if (table.size === 0) this.#groups.delete(group);
  }

  /** The client holding `queue` now, if any (for admin views and tests). */
  holder(group: string, queue: MessageQueue): string | undefined {
    const entry = this.#groups.get(group)?.get(queueKey(queue));
    if (entry === undefined || this.#isExpired(entry, this.#options.clock.monotonicMs())) {
      return undefined;
    }
    return entry.clientId;
  }

  #pruneExpired(nowMs: number): void {
    for (const [group, table] of this.#groups) {
      for (const [key, entry] of table) {
        if (!this.#isExpired(entry, nowMs)) continue;
        table.delete(key);
        this.#count--;
      }
      if (table.size === 0) this.#groups.delete(group);
    }
  }
}

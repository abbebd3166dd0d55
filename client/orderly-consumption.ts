// Orderly consumption (consumeOrderly: true): each owned queue is consumed one batch at a time, in
// offset order, and in clustering mode only while this client holds the queue's lock on its
// broker (LOCK_BATCH_MQ), so one queue is consumed by one client of the group at a time, also
// across rebalances. A failed batch is not skipped: the queue is suspended for
// suspendCurrentQueueTimeMillis and the same messages are consumed again; a message that failed
// maxReconsumeTimes times goes to the group's DLQ, and the queue moves on.
//
// Locks: a new queue is locked before its first pull; all owned queues are renewed every
// lockIntervalMs; a queue whose lock was refused or not renewed within lockMaxLiveMs is neither
// pulled nor consumed until a renewal succeeds; a released queue commits its offset, then unlocks.
//
// RocketMQ: client/.../impl/consumer/ConsumeMessageOrderlyService.java (ConsumeRequest,
// checkReconsumeTimes, tryLockLaterAndReconsume), RebalanceImpl.java (lock, lockAll, unlock),
// ProcessQueue.java (locked, lastLockTimestamp, REBALANCE_LOCK_MAX_LIVE_TIME).

import type { MessageQueue } from '../protocol/bodies/offset-tables.js';
import { lockBatchMQ, unlockBatchMQ } from './broker-api.js';
import type { ClientInstance, Target } from './client-instance.js';
import type { ResolvedPushConsumerOptions } from './consumer-options.js';
import type { MessageExt } from './message.js';
import { formatQueue } from './message-queue.js';
import type { ProcessQueue } from './process-queue.js';
import { findMasterAddress } from './topic-route.js';

export interface OrderlyDeps {
  instance: ClientInstance;
  options: ResolvedPushConsumerOptions;
  clientId: string;
  /** The queues this client owns now. */
  ownedQueues(): Iterable<ProcessQueue<MessageExt>>;
  /** Runs the listener; true when the messages were consumed. */
  consumeBatch(pq: ProcessQueue<MessageExt>, batch: MessageExt[]): Promise<boolean>;
  /** Sends a message to the group's DLQ (CONSUMER_SEND_MSG_BACK with delay level -1). */
  sendToDlq(message: MessageExt): Promise<void>;
  recordOffset(pq: ProcessQueue<MessageExt>): void;
  /** The queue may have work again. */
  notify(pq: ProcessQueue<MessageExt>): void;
  report(error: unknown, what: string): void;
  /** Timers to clear at shutdown. */
  timers: Set<NodeJS.Timeout>;
}

export interface OrderlyStats {
  consumed: number;
  suspended: number;
  deadLettered: number;
}

/** How long a queue waits for its lock before the batch is tried again. */
const LOCK_RETRY_DELAY_MS = 100;

export class OrderlyConsumption {
  readonly #deps: OrderlyDeps;
  readonly #needsLocks: boolean;
  readonly stats: OrderlyStats = { consumed: 0, suspended: 0, deadLettered: 0 };

  constructor(deps: OrderlyDeps) {
    this.#deps = deps;
    this.#needsLocks = deps.options.messageModel === 'CLUSTERING';
  }

  /** Whether `pq` may be pulled and consumed now. */
  holdsLock(pq: ProcessQueue<MessageExt>): boolean {
    if (!this.#needsLocks) return true;
    const ageMs = this.#deps.options.clock.monotonicMs() - pq.lastLockMs;
    return pq.locked && ageMs <= this.#deps.options.lockMaxLiveMs;
  }

  #master(brokerName: string): Target | null {
    const address = findMasterAddress(this.#deps.instance.brokerDatas(), brokerName);
    return address === null ? null : { address, brokerName };
  }

  #body(queues: MessageQueue[]) {
    const o = this.#deps.options;
    return { consumerGroup: o.groupName, clientId: this.#deps.clientId, mqSet: queues };
  }

  /** Locks one queue before it is taken; false when another client holds it or no master answers. */
  async lock(queue: MessageQueue): Promise<boolean> {
    if (!this.#needsLocks) return true;
    const target = this.#master(queue.brokerName);
    if (target === null) return false;
    try {
      const locked = await lockBatchMQ(this.#deps.instance, target, this.#body([queue]));
      return locked.some((q) => q.queueId === queue.queueId && q.topic === queue.topic);
    } catch (error) {
      this.#deps.report(error, `Cannot lock ${formatQueue(queue)}`);
      return false;
    }
  }

  /** Renews the locks of every owned queue, one request per broker group. */
  async renewAll(): Promise<void> {
    if (!this.#needsLocks) return;
    const byBroker = new Map<string, ProcessQueue<MessageExt>[]>();
    for (const pq of this.#deps.ownedQueues()) {
      const list = byBroker.get(pq.queue.brokerName) ?? [];
      list.push(pq);
      byBroker.set(pq.queue.brokerName, list);
    }
    for (const [brokerName, pqs] of byBroker) {
      const target = this.#master(brokerName);
      let locked: MessageQueue[] = [];
      if (target !== null) {
        try {
          const queues = pqs.map((pq) => ({ ...pq.queue }));
          locked = await lockBatchMQ(this.#deps.instance, target, this.#body(queues));
        } catch (error) {
          this.#deps.report(error, `Cannot renew the queue locks on ${brokerName}`);
          continue;
        }
      }
      const held = new Set(locked.map((q) => `${q.topic}@${q.queueId}`));
      const nowMs = this.#deps.options.clock.monotonicMs();
      for (const pq of pqs) {
        const isHeld = held.has(`${pq.queue.topic}@${pq.queue.queueId}`);
        if (isHeld) pq.lastLockMs = nowMs;
        if (isHeld && !pq.locked) this.#deps.notify(pq);
        pq.locked = isHeld;
      }
    }
  }

  /** Releases a queue's lock after its offset was committed. */
  async unlock(queue: MessageQueue): Promise<void> {
    if (!this.#needsLocks) return;
    const target = this.#master(queue.brokerName);
    if (target === null) return;
    try {
      await unlockBatchMQ(this.#deps.instance, target, this.#body([queue]));
    } catch (error) {
      this.#deps.report(error, `Cannot unlock ${formatQueue(queue)}; it expires on the broker`);
    }
  }

  /** Consumes one batch of `pq` (the dispatcher runs one batch per queue at a time). */
  async consume(pq: ProcessQueue<MessageExt>, batch: MessageExt[]): Promise<void> {
    if (!this.holdsLock(pq)) {
      const locked = await this.lock(pq.queue);
      if (locked) {
        pq.locked = true;
        pq.lastLockMs = this.#deps.options.clock.monotonicMs();
      }
      this.#holdThenRetry(pq, batch, [], locked ? 0 : LOCK_RETRY_DELAY_MS);
      return;
    }
    if (await this.#deps.consumeBatch(pq, batch)) {
      this.stats.consumed += batch.length;
      pq.finish(batch, batch);
      this.#deps.recordOffset(pq);
      return;
    }
    const processed: MessageExt[] = [];
    for (const message of batch) {
      if (message.reconsumeTimes < this.#deps.options.maxReconsumeTimes) continue;
      try {
        await this.#deps.sendToDlq(message);
        this.stats.deadLettered++;
        processed.push(message);
      } catch (error) {
        this.#deps.report(error, `Cannot move ${message.msgId} to the DLQ; consuming it again`);
      }
    }
    const again = batch.filter((m) => !processed.includes(m));
    for (const message of again) message.reconsumeTimes++;
    this.stats.suspended++;
    this.#holdThenRetry(pq, batch, processed, this.#deps.options.suspendCurrentQueueTimeMillis);
  }

  /**
   * Keeps the batch in flight (so the queue hands out nothing newer) for `delayMs`, then puts the
   * unprocessed messages back at the head of the queue.
   */
  #holdThenRetry(
    pq: ProcessQueue<MessageExt>,
    batch: MessageExt[],
    processed: MessageExt[],
    delayMs: number,
  ): void {
    const timer = setTimeout(() => {
      this.#deps.timers.delete(timer);
      pq.finish(batch, processed);
      pq.requeue(batch.filter((m) => !processed.includes(m)));
      this.#deps.recordOffset(pq);
      this.#deps.notify(pq);
    }, delayMs);
    this.#deps.timers.add(timer);
  }
}

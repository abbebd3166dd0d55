// Hands ready messages to the listener with two bounds: at most `maxConcurrentBatches` listener
// calls at once for the whole consumer, and at most `maxInFlightPerQueue` messages of one queue
// in the listener at once. Queues with work are served round robin, so one busy queue cannot
// starve the others.
//
// RocketMQ: client/.../impl/consumer/ConsumeMessageConcurrentlyService.java (a thread pool of
// consumeThreadMax, batches of consumeMessageBatchMaxSize). Here the pool is a counter: the
// listener is async, and the bounds are what keep memory and load in check.

import { assert } from '../common/assert.js';
import type { ProcessQueue, QueuedMessage } from './process-queue.js';

export interface DispatcherOptions<M extends QueuedMessage> {
  maxConcurrentBatches: number;
  maxInFlightPerQueue: number;
  batchMaxSize: number;
  /** Orderly consumption: a queue hands out its next batch only once the last one is finished. */
  oneBatchPerQueue?: boolean;
  /** Runs one batch; must not reject (outcomes are handled inside). */
  run(queue: ProcessQueue<M>, batch: M[]): Promise<void>;
}

export class ConsumeDispatcher<M extends QueuedMessage> {
  readonly #options: Readonly<DispatcherOptions<M>>;
  /** Queues that may have work, in service order; a queue appears at most once. */
  readonly #waiting: ProcessQueue<M>[] = [];
  readonly #isWaiting = new Set<ProcessQueue<M>>();
  readonly #idleWaiters: (() => void)[] = [];
  #running = 0;

  constructor(options: DispatcherOptions<M>) {
    assert(options.maxConcurrentBatches > 0, 'maxConcurrentBatches positive');
    assert(options.maxInFlightPerQueue > 0, 'maxInFlightPerQueue positive');
    assert(options.batchMaxSize > 0, 'batchMaxSize positive');
    this.#options = options;
  }

  get runningBatches(): number {
    return this.#running;
  }

  /** A queue got ready messages (or room for more in flight). */
  notify(queue: ProcessQueue<M>): void {
    this.#enqueue(queue);
    this.#pump();
  }

  #enqueue(queue: ProcessQueue<M>): void {
    if (this.#isWaiting.has(queue)) return;
    this.#isWaiting.add(queue);
    this.#waiting.push(queue);
  }

  /** Resolves once no batch is running. */
  whenIdle(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #room(queue: ProcessQueue<M>): number {
    if (this.#options.oneBatchPerQueue === true && queue.inFlightCount > 0) return 0;
    return Math.min(
      this.#options.batchMaxSize,
      this.#options.maxInFlightPerQueue - queue.inFlightCount,
    );
  }

  #pump(): void {
    while (this.#running < this.#options.maxConcurrentBatches && this.#waiting.length > 0) {
      const queue = this.#waiting.shift();
      assert(queue !== undefined, 'dispatcher: waiting queue');
      this.#isWaiting.delete(queue);
      const room = this.#room(queue);
      if (queue.isDropped || queue.readyCount === 0 || room <= 0) continue;
      const batch = queue.takeBatch(room);
      if (queue.readyCount > 0 && this.#room(queue) > 0) this.#enqueue(queue);
      this.#start(queue, batch);
    }
  }

  #start(queue: ProcessQueue<M>, batch: M[]): void {
    this.#running++;
    void this.#options.run(queue, batch).finally(() => {
      this.#running--;
      assert(this.#running >= 0, 'dispatcher: running count not negative');
      if (!queue.isDropped && queue.readyCount > 0) this.notify(queue);
      else this.#pump();
      if (this.#running === 0) {
        for (const resolve of this.#idleWaiters.splice(0)) resolve();
      }
    });
  }
}

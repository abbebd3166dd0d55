// Automatic batching of a producer's sends (like Kafka's linger.ms / batch.size): plain sends of
// one topic that arrive close together leave as one SEND_BATCH_MESSAGE, so the broker decodes
// one request header and writes one response for many messages. Each caller still gets its own
// result: its UNIQ_KEY, the broker's offset id at its position in the batch, and its own queue
// offset (the broker stores a batch in one queue with consecutive offsets).
//
// A topic's pending batch leaves when it reaches batchMaxMessages or batchMaxBytes, or when
// batchMaxDelayMs has passed since its first message (0: at the end of the current turn of the
// event loop, so only sends made in the same turn are combined). A failed batch fails every
// message in it with the same error; the producer's retries apply to the batch as a whole.
//
// Bounds: one pending batch per topic, at most batchMaxMessages and batchMaxBytes each.

import { assert } from '../common/assert.js';

export interface BatcherLimits {
  batchMaxMessages: number;
  batchMaxBytes: number;
  batchMaxDelayMs: number;
}

/** What a batch sends for its messages: the results in message order, or an error for all. */
export type SendBatchFn<M, R> = (topic: string, messages: M[]) => Promise<R[]>;

interface Pending<M, R> {
  messages: M[];
  waiters: { resolve: (result: R) => void; reject: (error: unknown) => void }[];
  bytes: number;
  timer: NodeJS.Timeout | null;
  immediate: NodeJS.Immediate | null;
}

export class SendBatcher<M, R> {
  readonly #limits: Readonly<BatcherLimits>;
  readonly #send: SendBatchFn<M, R>;
  readonly #pending = new Map<string, Pending<M, R>>();
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(limits: Readonly<BatcherLimits>, send: SendBatchFn<M, R>) {
    assert(limits.batchMaxMessages >= 2, 'batching combines at least two messages');
    assert(limits.batchMaxBytes >= 1, 'batchMaxBytes is at least 1');
    assert(limits.batchMaxDelayMs >= 0, 'batchMaxDelayMs is not negative');
    this.#limits = limits;
    this.#send = send;
  }

  /** Batches pending now (one per topic at most). */
  get pendingBatches(): number {
    return this.#pending.size;
  }

  /** Adds a message of `bytes` to its topic's batch; resolves with its own result. */
  add(topic: string, message: M, bytes: number): Promise<R> {
    const open = this.#pending.get(topic);
    if (open !== undefined && open.bytes + bytes > this.#limits.batchMaxBytes) this.flush(topic);
    let batch = this.#pending.get(topic);
    if (batch === undefined) {
      batch = { messages: [], waiters: [], bytes: 0, timer: null, immediate: null };
      this.#pending.set(topic, batch);
      if (this.#limits.batchMaxDelayMs === 0)
        batch.immediate = setImmediate(() => this.flush(topic));
      else batch.timer = setTimeout(() => this.flush(topic), this.#limits.batchMaxDelayMs);
    }
    const promise = new Promise<R>((resolve, reject) => {
      batch.waiters.push({ resolve, reject });
    });
    batch.messages.push(message);
    batch.bytes += bytes;
    if (
      batch.messages.length >= this.#limits.batchMaxMessages ||
      batch.bytes >= this.#limits.batchMaxBytes
    ) {
      this.flush(topic);
    }
    return promise;
  }

  /** Sends the topic's pending batch now (no-op when there is none). */
  flush(topic: string): void {
    const batch = this.#pending.get(topic);
    if (batch === undefined) return;
    this.#pending.delete(topic);
    if (batch.timer !== null) clearTimeout(batch.timer);
    if (batch.immediate !== null) clearImmediate(batch.immediate);
    const { waiters } = batch;
    const sent = this.#send(topic, batch.messages).then(
      (results) => {
        assert(results.length === waiters.length, 'a batch has one result per message');
        for (const [i, waiter] of waiters.entries()) waiter.resolve(results[i] as R);
      },
      (error: unknown) => {
        for (const waiter of waiters) waiter.reject(error);
      },
    );
    this.#inFlight.add(sent);
    void sent.finally(() => this.#inFlight.delete(sent));
  }

  /** Sends every pending batch now and resolves once all batches sent so far are answered. */
  async flushAll(): Promise<void> {
    for (const topic of [...this.#pending.keys()]) this.flush(topic);
    await Promise.allSettled([...this.#inFlight]);
  }
}

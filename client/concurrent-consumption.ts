// Concurrent consumption (the default): a batch goes to the listeners of its messages' topics;
// failed messages are sent back to the broker for a later retry through %RETRY%<group>, or, when
// the send-back fails, consumed again here after localRetryDelayMs. Broadcasting drops failures,
// as RocketMQ does. The orderly counterpart is orderly-consumption.ts.
//
// RocketMQ: client/.../impl/consumer/ConsumeMessageConcurrentlyService.java (processConsumeResult,
// sendMessageBack, submitConsumeRequestLater).

import { MessageModel, type ResolvedPushConsumerOptions } from './consumer-options.js';
import type { MessageExt } from './message.js';
import type { ProcessQueue } from './process-queue.js';
import type { ConsumeContext, MessageListener } from './push-consumer.js';

export interface ConcurrentDeps {
  options: ResolvedPushConsumerOptions;
  listenerOf(message: MessageExt): MessageListener | null;
  /** Runs a listener on messages (with traces); true when it consumed them. */
  callListener(
    listener: MessageListener,
    messages: MessageExt[],
    context: ConsumeContext,
  ): Promise<boolean>;
  sendBack(message: MessageExt, delayLevel: number): Promise<void>;
  recordOffset(pq: ProcessQueue<MessageExt>): void;
  /** The queue has messages ready again. */
  notify(pq: ProcessQueue<MessageExt>): void;
  report(error: unknown, what: string): void;
  /** Local retry timers, cleared by the consumer at shutdown. */
  timers: Set<NodeJS.Timeout>;
}

export interface ConcurrentStats {
  consumed: number;
  failed: number;
  sentBack: number;
  localRetry: number;
  dropped: number;
}

export class ConcurrentConsumption {
  readonly #deps: ConcurrentDeps;
  readonly stats: ConcurrentStats = {
    consumed: 0,
    failed: 0,
    sentBack: 0,
    localRetry: 0,
    dropped: 0,
  };

  constructor(deps: ConcurrentDeps) {
    this.#deps = deps;
  }

  /** Consumes one batch of `pq` and settles it: processed, sent back, or queued to retry here. */
  async consume(pq: ProcessQueue<MessageExt>, batch: MessageExt[]): Promise<void> {
    const context: ConsumeContext = {
      messageQueue: { ...pq.queue },
      delayLevelWhenNextConsume: this.#deps.options.retryDelayLevel,
    };
    const processed: MessageExt[] = [];
    const failed: MessageExt[] = [];
    for (const [listener, messages] of this.#byListener(batch)) {
      const ok =
        listener === null ? false : await this.#deps.callListener(listener, messages, context);
      (ok ? processed : failed).push(...messages);
    }
    this.stats.consumed += processed.length;
    this.stats.failed += failed.length;
    if (failed.length === 0) {
      pq.finish(batch, processed);
      this.#deps.recordOffset(pq);
      return;
    }
    const retryHere = await this.#handleFailures(failed, context);
    pq.finish(batch, [...processed, ...failed.filter((m) => !retryHere.includes(m))]);
    this.#deps.recordOffset(pq);
    if (retryHere.length > 0) this.#retryLater(pq, retryHere);
  }

  /**
   * The batch split by listener, in order of first appearance; the batch itself when one
   * listener takes it all (the usual case: a queue's messages share their topic).
   */
  #byListener(batch: MessageExt[]): [MessageListener | null, MessageExt[]][] {
    const first = batch[0];
    if (first === undefined) return [];
    const listener = this.#deps.listenerOf(first);
    let topic = first.topic;
    let i = 1;
    for (; i < batch.length; i++) {
      const message = batch[i] as MessageExt;
      if (message.topic !== topic && this.#deps.listenerOf(message) !== listener) break;
      topic = message.topic;
    }
    if (i === batch.length) return [[listener, batch]];
    const groups = new Map<MessageListener | null, MessageExt[]>();
    for (const message of batch) {
      const messageListener = this.#deps.listenerOf(message);
      const group = groups.get(messageListener);
      if (group === undefined) groups.set(messageListener, [message]);
      else group.push(message);
    }
    return [...groups];
  }

  /** Sends failed messages back; returns the ones to consume again here. */
  async #handleFailures(failed: MessageExt[], context: ConsumeContext): Promise<MessageExt[]> {
    if (this.#deps.options.messageModel === MessageModel.BROADCASTING) {
      this.stats.dropped += failed.length;
      this.#deps.options.logger.warn('Broadcast messages failed and are dropped', {
        msgIds: failed.map((m) => m.msgId),
      });
      return [];
    }
    const retryHere: MessageExt[] = [];
    for (const message of failed) {
      try {
        await this.#deps.sendBack(message, context.delayLevelWhenNextConsume);
        this.stats.sentBack++;
      } catch (error) {
        this.#deps.report(
          error,
          `Send-back of ${message.msgId} failed; consuming it again locally`,
        );
        message.reconsumeTimes++;
        retryHere.push(message);
      }
    }
    return retryHere;
  }

  #retryLater(pq: ProcessQueue<MessageExt>, messages: MessageExt[]): void {
    this.stats.localRetry += messages.length;
    const timer = setTimeout(() => {
      this.#deps.timers.delete(timer);
      pq.requeue(messages);
      this.#deps.notify(pq);
    }, this.#deps.options.localRetryDelayMs);
    this.#deps.timers.add(timer);
  }
}

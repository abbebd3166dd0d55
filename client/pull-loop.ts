// The pull loop of one owned queue: long-polling PULL_MESSAGE requests, one at a time, from the
// broker the last response suggested (falling back to any broker of the group when that one is
// not in the route), with flow control while the queue holds too many unprocessed messages and a
// pause after a failure. Every wait ends early when the loop is stopped.
//
// RocketMQ: client/.../impl/consumer/DefaultMQPushConsumerImpl.java (pullMessage and its
// PullCallback), PullAPIWrapper.java (pullKernelImpl: FLAG_COMMIT_OFFSET only towards a master,
// updatePullFromWhichNode); ali-ons: lib/consumer/mq_push_consumer.js (pullMessageQueue).

import { ErrorCode, MqError } from '../common/errors.js';
import type { SubscriptionData } from '../protocol/bodies/heartbeat-data.js';
import type { BodyChecksum } from './body-checksum.js';
import { buildPullRequest, PullStatus, PullSysFlag, parsePullResponse } from './broker-api.js';
import type { ClientInstance, Target } from './client-instance.js';
import type { ResolvedPushConsumerOptions } from './consumer-options.js';
import type { MessageExt } from './message.js';
import { formatQueue } from './message-queue.js';
import type { ProcessQueue } from './process-queue.js';
import { decodeMessages, matchesTags } from './pull-decoder.js';
import { findSubscribeAddress } from './topic-route.js';

export interface PullLoopDeps {
  options: ResolvedPushConsumerOptions;
  instance: ClientInstance;
  pq: ProcessQueue<MessageExt>;
  subscription: SubscriptionData;
  checksum: BodyChecksum | null;
  /** The offset to piggy-back on pulls to a master. */
  commitOffset(): number;
  onMessages(): void;
  onOffsetMoved(): void;
  onError(error: unknown, what: string): void;
  onRouteMissing(): void;
  /** Orderly consumption: pull only while this holds (the queue's lock); unset means always. */
  mayPull?(): boolean;
}

/**
 * A broker's answer must hold the queue's messages in increasing offset order within
 * [requested offset, nextBeginOffset); anything else is a wire fault, reported and never consumed.
 */
function checkPulledRange(
  pq: ProcessQueue<MessageExt>,
  messages: readonly MessageExt[],
  nextBeginOffset: number,
): void {
  let previous = pq.nextPullOffset - 1;
  for (const message of messages) {
    const isInRange = message.queueOffset > previous && message.queueOffset < nextBeginOffset;
    if (!isInRange || message.queueId !== pq.queue.queueId) {
      throw new MqError(
        ErrorCode.CORRUPT_RECORD,
        `Pull of ${formatQueue(pq.queue)} from ${pq.nextPullOffset} returned queue ${message.queueId} offset ${message.queueOffset} (next begin offset ${nextBeginOffset})`,
        { brokerName: pq.queue.brokerName, queueOffset: message.queueOffset },
      );
    }
    previous = message.queueOffset;
  }
}

export class PullLoop {
  readonly #deps: PullLoopDeps;
  #isStopped = false;
  #wake: (() => void) | null = null;
  #done: Promise<void> = Promise.resolve();

  constructor(deps: PullLoopDeps) {
    this.#deps = deps;
  }

  /** Resolves when the loop has exited. */
  get done(): Promise<void> {
    return this.#done;
  }

  start(): void {
    this.#done = this.#run().catch((error: unknown) =>
      this.#deps.onError(error, `Pull loop of ${formatQueue(this.#deps.pq.queue)} stopped`),
    );
  }

  stop(): void {
    this.#isStopped = true;
    this.#wake?.();
  }

  get #isActive(): boolean {
    return !this.#isStopped && !this.#deps.pq.isDropped;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = (): void => done();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = wake;
    });
  }

  async #run(): Promise<void> {
    const { options } = this.#deps;
    while (this.#isActive) {
      if (this.#deps.pq.isFull) {
        await this.#sleep(options.pullTimeDelayMsWhenFlowControl);
        continue;
      }
      if (this.#deps.mayPull !== undefined && !this.#deps.mayPull()) {
        await this.#sleep(options.pullTimeDelayMsWhenException);
        continue;
      }
      const ok = await this.#pullOnce();
      if (!ok && this.#isActive) await this.#sleep(options.pullTimeDelayMsWhenException);
    }
  }

  #target(): { target: Target; brokerId: number; isSlave: boolean } | null {
    const { instance, pq } = this.#deps;
    // The queue's own route is the freshest view of its group; others are a fallback.
    const datas = instance.route(pq.queue.topic)?.brokerDatas ?? instance.brokerDatas();
    const found = findSubscribeAddress(datas, pq.queue.brokerName, pq.suggestedBrokerId);
    if (found === null) return null;
    return {
      target: { address: found.address, brokerName: pq.queue.brokerName },
      brokerId: found.brokerId,
      isSlave: found.isSlave,
    };
  }

  /** One pull; false when it failed (the caller waits before the next). */
  async #pullOnce(): Promise<boolean> {
    const { options, instance, pq, subscription } = this.#deps;
    const where = this.#target();
    if (where === null) {
      this.#deps.onRouteMissing();
      this.#deps.onError(
        new Error(`No broker of group ${pq.queue.brokerName} in the route`),
        `Cannot pull ${formatQueue(pq.queue)}`,
      );
      return false;
    }
    const commitOffset = this.#deps.commitOffset();
    const isClustering = options.messageModel === 'CLUSTERING';
    const sysFlag =
      PullSysFlag.SUSPEND |
      PullSysFlag.SUBSCRIPTION |
      (isClustering && !where.isSlave && commitOffset > 0 ? PullSysFlag.COMMIT_OFFSET : 0);
    const request = buildPullRequest({
      consumerGroup: options.groupName,
      queue: pq.queue,
      queueOffset: pq.nextPullOffset,
      maxMsgNums: options.pullBatchSize,
      sysFlag,
      commitOffset,
      suspendTimeoutMs: options.brokerSuspendMaxTimeMs,
      subscription: subscription.subString,
      subVersion: subscription.subVersion,
      expressionType: subscription.expressionType,
    });
    try {
      const response = await instance.invoke(
        where.target,
        request,
        options.consumerTimeoutMsWhenSuspend,
      );
      if (!this.#isActive) return true;
      const pulled = parsePullResponse(where.target, request, response);
      pq.suggestedBrokerId = pulled.suggestWhichBrokerId;
      pq.lastReadBrokerId = where.brokerId;
      return this.#apply(pulled, where.target.address);
    } catch (error) {
      if (this.#isActive) {
        this.#deps.onError(error, `Pull of ${formatQueue(pq.queue)} failed`);
        if (error instanceof MqError && error.code === ErrorCode.CONNECT_FAILED) {
          this.#deps.onRouteMissing();
        }
      }
      return false;
    }
  }

  #apply(pulled: ReturnType<typeof parsePullResponse>, brokerAddr: string): boolean {
    const { options, pq, subscription } = this.#deps;
    switch (pulled.status) {
      case PullStatus.FOUND: {
        const messages = decodeMessages(pulled.body, {
          brokerName: pq.queue.brokerName,
          checksum: this.#deps.checksum,
          maxRecordBytes: options.maxRecordBytes,
        });
        checkPulledRange(pq, messages, pulled.nextBeginOffset);
        const wanted = messages.filter((m) => matchesTags(m, subscription.tagsSet));
        pq.addPulled(wanted, pulled.nextBeginOffset);
        this.#deps.onMessages();
        return true;
      }
      case PullStatus.NO_NEW_MSG:
      case PullStatus.NO_MATCHED_MSG:
        pq.movePullOffset(pulled.nextBeginOffset);
        this.#deps.onMessages();
        return true;
      case PullStatus.OFFSET_ILLEGAL:
        options.logger.warn('Pull offset moved', {
          queue: formatQueue(pq.queue),
          broker: brokerAddr,
          from: pq.nextPullOffset,
          to: pulled.nextBeginOffset,
          minOffset: pulled.minOffset,
          maxOffset: pulled.maxOffset,
        });
        pq.movePullOffset(pulled.nextBeginOffset);
        this.#deps.onOffsetMoved();
        return true;
    }
  }
}

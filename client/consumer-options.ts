// Options of the push and pull consumers, with RocketMQ's names and defaults where RocketMQ has
// them, and the checks that reject a bad value with the option's name.
//
// RocketMQ: client/.../consumer/DefaultMQPushConsumer.java (consumeFromWhere, pullBatchSize 32,
// pullThresholdForQueue 1000, consumeMessageBatchMaxSize 1, consumeThreadMax 20,
// maxReconsumeTimes 16, suspendCurrentQueueTimeMillis, pullTimeDelayMillsWhenException 3000,
// brokerSuspendMaxTimeMillis 15000, consumerTimeoutMillisWhenSuspend 30000, rebalance every
// 20 s); ali-ons: lib/consumer/mq_push_consumer.js (rebalanceInterval 10 s).

import { assert } from '../common/assert.js';
import { AllocateStrategyName } from './allocate-strategy.js';
import {
  boolOption,
  type ClientOptions,
  intOption,
  oneOfOption,
  type ResolvedClientOptions,
  resolveClientOptions,
} from './client-options.js';
import { checkGroup } from './message.js';

export const MessageModel = { CLUSTERING: 'CLUSTERING', BROADCASTING: 'BROADCASTING' } as const;
export type MessageModel = (typeof MessageModel)[keyof typeof MessageModel];

/** Where a queue with no committed offset starts. */
export const ConsumeFromWhere = {
  CONSUME_FROM_LAST_OFFSET: 'CONSUME_FROM_LAST_OFFSET',
  CONSUME_FROM_FIRST_OFFSET: 'CONSUME_FROM_FIRST_OFFSET',
  CONSUME_FROM_TIMESTAMP: 'CONSUME_FROM_TIMESTAMP',
} as const;
export type ConsumeFromWhere = (typeof ConsumeFromWhere)[keyof typeof ConsumeFromWhere];

export interface ConsumerOptions extends ClientOptions {
  /** Consumer group (required). */
  groupName: string;
  /** Check BODY_XXH64 of every received message that has one. Default true. */
  verifyBodyChecksum?: boolean;
  /** Offset commit period. Default 5,000 ms. */
  persistConsumerOffsetIntervalMs?: number;
  /** Long-poll hold asked of the broker. Default 15,000 ms. */
  brokerSuspendMaxTimeMs?: number;
  /** Timeout of a long-polling pull; must exceed the hold by at least 1 s. Default 30,000 ms. */
  consumerTimeoutMsWhenSuspend?: number;
  /** Largest record accepted from a broker. Default 4 MiB + 64 KiB. */
  maxRecordBytes?: number;
}

export interface PushConsumerOptions extends ConsumerOptions {
  messageModel?: MessageModel;
  consumeFromWhere?: ConsumeFromWhere;
  /** For CONSUME_FROM_TIMESTAMP: ms since the epoch. Default: 30 minutes ago. */
  consumeTimestampMs?: number;
  allocateStrategy?: AllocateStrategyName;
  /** Messages asked for per pull. Default 32. */
  pullBatchSize?: number;
  /** Pulled but unprocessed messages per queue before pulling pauses. Default 1,000. */
  pullThresholdForQueue?: number;
  /** Messages per listener call. Default 1. */
  consumeMessageBatchMaxSize?: number;
  /** Listener calls running at once for the whole consumer. Default 20. */
  consumeConcurrency?: number;
  /** Messages of one queue in the listener at once. Default 64. */
  maxInFlightPerQueue?: number;
  /** Deliveries after which a failing message goes to the DLQ. Default 16. */
  maxReconsumeTimes?: number;
  /** Delay level asked for on send-back: 0 lets the broker choose (3 + reconsumeTimes). Default 0. */
  retryDelayLevel?: number;
  /** Wait before consuming a message again here when send-back failed. Default 5,000 ms. */
  localRetryDelayMs?: number;
  /** Rebalance period (also run when the group or a route changes). Default 20,000 ms. */
  rebalanceIntervalMs?: number;
  /** Wait after a failed pull. Default 3,000 ms. */
  pullTimeDelayMsWhenException?: number;
  /** Wait while a queue is over pullThresholdForQueue. Default 50 ms. */
  pullTimeDelayMsWhenFlowControl?: number;
  /** Broadcasting: keep offsets in <dir>/<clientId>/<group>/offsets.json. Default: memory only. */
  offsetStoreDir?: string;
  /** Longest wait for running listener calls at shutdown. Default 10,000 ms. */
  shutdownTimeoutMs?: number;
  /** Errors the consumer meets in the background (pull, commit, checksum), besides the log. */
  onError?: (error: Error) => void;
  /**
   * Orderly consumption: one batch per queue at a time, in offset order, under the queue's lock
   * on its broker (clustering). Default false (concurrent).
   */
  consumeOrderly?: boolean;
  /** Orderly: wait before a failed batch is consumed again. Default 1,000 ms. */
  suspendCurrentQueueTimeMillis?: number;
  /** Orderly: how often the locks of owned queues are renewed. Default 20,000 ms. */
  lockIntervalMs?: number;
  /** Orderly: a lock not renewed for this long is treated as lost. Default 30,000 ms. */
  lockMaxLiveMs?: number;
  /** Write a trace of every consumption to the trace topic (RocketMQ message traces). Default false. */
  enableMsgTrace?: boolean;
  /** The trace topic. Default RMQ_SYS_TRACE_TOPIC. */
  customizedTraceTopic?: string;
}

export interface ResolvedConsumerOptions extends ResolvedClientOptions {
  groupName: string;
  verifyBodyChecksum: boolean;
  persistConsumerOffsetIntervalMs: number;
  brokerSuspendMaxTimeMs: number;
  consumerTimeoutMsWhenSuspend: number;
  maxRecordBytes: number;
}

export interface ResolvedPushConsumerOptions extends ResolvedConsumerOptions {
  messageModel: MessageModel;
  consumeFromWhere: ConsumeFromWhere;
  consumeTimestampMs: number;
  allocateStrategy: AllocateStrategyName;
  pullBatchSize: number;
  pullThresholdForQueue: number;
  consumeMessageBatchMaxSize: number;
  consumeConcurrency: number;
  maxInFlightPerQueue: number;
  maxReconsumeTimes: number;
  retryDelayLevel: number;
  localRetryDelayMs: number;
  rebalanceIntervalMs: number;
  pullTimeDelayMsWhenException: number;
  pullTimeDelayMsWhenFlowControl: number;
  offsetStoreDir: string | null;
  shutdownTimeoutMs: number;
  onError: ((error: Error) => void) | null;
  consumeOrderly: boolean;
  suspendCurrentQueueTimeMillis: number;
  lockIntervalMs: number;
  lockMaxLiveMs: number;
}

export function resolveConsumerOptions(options: ConsumerOptions): ResolvedConsumerOptions {
  checkGroup(options.groupName);
  const base = resolveClientOptions(options);
  const brokerSuspendMaxTimeMs = intOption(
    options.brokerSuspendMaxTimeMs,
    'brokerSuspendMaxTimeMs',
    15_000,
    { min: 0 },
  );
  const consumerTimeoutMsWhenSuspend = intOption(
    options.consumerTimeoutMsWhenSuspend,
    'consumerTimeoutMsWhenSuspend',
    30_000,
    { min: brokerSuspendMaxTimeMs + 1000 },
  );
  return {
    ...base,
    groupName: options.groupName,
    verifyBodyChecksum: boolOption(options.verifyBodyChecksum, 'verifyBodyChecksum', true),
    persistConsumerOffsetIntervalMs: intOption(
      options.persistConsumerOffsetIntervalMs,
      'persistConsumerOffsetIntervalMs',
      5000,
      { min: 10 },
    ),
    brokerSuspendMaxTimeMs,
    consumerTimeoutMsWhenSuspend,
    maxRecordBytes: intOption(options.maxRecordBytes, 'maxRecordBytes', 4 * 1024 * 1024 + 65536, {
      min: 1024,
    }),
  };
}

function intervalOption(value: number | undefined, name: string, fallback: number): number {
  return intOption(value, name, fallback, { min: 1 });
}

export function resolvePushConsumerOptions(
  options: PushConsumerOptions,
): ResolvedPushConsumerOptions {
  const base = resolveConsumerOptions(options);
  const resolved: ResolvedPushConsumerOptions = {
    ...base,
    messageModel: oneOfOption(
      options.messageModel,
      'messageModel',
      Object.values(MessageModel),
      MessageModel.CLUSTERING,
    ),
    consumeFromWhere: oneOfOption(
      options.consumeFromWhere,
      'consumeFromWhere',
      Object.values(ConsumeFromWhere),
      ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET,
    ),
    consumeTimestampMs: intOption(
      options.consumeTimestampMs,
      'consumeTimestampMs',
      Math.floor(base.clock.nowMs()) - 30 * 60_000,
      { min: 0 },
    ),
    allocateStrategy: oneOfOption(
      options.allocateStrategy,
      'allocateStrategy',
      Object.values(AllocateStrategyName),
      AllocateStrategyName.AVERAGELY,
    ),
    pullBatchSize: intOption(options.pullBatchSize, 'pullBatchSize', 32, { min: 1, max: 1024 }),
    pullThresholdForQueue: intOption(options.pullThresholdForQueue, 'pullThresholdForQueue', 1000, {
      min: 1,
      max: 65535,
    }),
    consumeMessageBatchMaxSize: intOption(
      options.consumeMessageBatchMaxSize,
      'consumeMessageBatchMaxSize',
      1,
      { min: 1, max: 1024 },
    ),
    consumeConcurrency: intOption(options.consumeConcurrency, 'consumeConcurrency', 20, {
      min: 1,
      max: 1000,
    }),
    maxInFlightPerQueue: intOption(options.maxInFlightPerQueue, 'maxInFlightPerQueue', 64, {
      min: 1,
    }),
    maxReconsumeTimes: intOption(options.maxReconsumeTimes, 'maxReconsumeTimes', 16, {
      min: 0,
      max: 1000,
    }),
    retryDelayLevel: intOption(options.retryDelayLevel, 'retryDelayLevel', 0, { min: -1, max: 18 }),
    localRetryDelayMs: intervalOption(options.localRetryDelayMs, 'localRetryDelayMs', 5000),
    rebalanceIntervalMs: intOption(options.rebalanceIntervalMs, 'rebalanceIntervalMs', 20_000, {
      min: 10,
    }),
    pullTimeDelayMsWhenException: intervalOption(
      options.pullTimeDelayMsWhenException,
      'pullTimeDelayMsWhenException',
      3000,
    ),
    pullTimeDelayMsWhenFlowControl: intervalOption(
      options.pullTimeDelayMsWhenFlowControl,
      'pullTimeDelayMsWhenFlowControl',
      50,
    ),
    offsetStoreDir: options.offsetStoreDir ?? null,
    shutdownTimeoutMs: intervalOption(options.shutdownTimeoutMs, 'shutdownTimeoutMs', 10_000),
    onError: options.onError ?? null,
    consumeOrderly: boolOption(options.consumeOrderly, 'consumeOrderly', false),
    suspendCurrentQueueTimeMillis: intOption(
      options.suspendCurrentQueueTimeMillis,
      'suspendCurrentQueueTimeMillis',
      1000,
      { min: 10, max: 30_000 },
    ),
    lockIntervalMs: intervalOption(options.lockIntervalMs, 'lockIntervalMs', 20_000),
    lockMaxLiveMs: intervalOption(options.lockMaxLiveMs, 'lockMaxLiveMs', 30_000),
  };
  assert(resolved.consumerTimeoutMsWhenSuspend > resolved.brokerSuspendMaxTimeMs, 'pull timeout');
  return resolved;
}

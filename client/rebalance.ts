// The decisions of a rebalance, kept pure: which queues of a topic this consumer should own,
// what changed against what it owns now, and where a newly owned queue starts.
//
// RocketMQ: client/.../impl/consumer/RebalanceImpl.java (rebalanceByTopic,
// updateProcessQueueTableInRebalance), RebalancePushImpl.java (computePullFromWhereWithException).
//
// Clustering: every consumer of the group allocates the sorted queue list over the sorted
// client-id list with the same strategy, so owners never overlap once their views agree.
// Broadcasting: every consumer owns every queue.

import type { AllocateStrategy } from './allocate-strategy.js';
import { ConsumeFromWhere, MessageModel } from './consumer-options.js';
import { compareQueues, type MessageQueue, queueKey } from './message-queue.js';

export interface TopicView {
  topic: string;
  /** Readable queues of the topic. */
  queues: readonly MessageQueue[];
  /** Client ids of the group (clustering only). */
  clientIds: readonly string[];
}

/** The queues of one topic this consumer should own. */
export function allocateTopic(
  model: MessageModel,
  strategy: AllocateStrategy,
  currentClientId: string,
  view: TopicView,
): MessageQueue[] {
  if (model === MessageModel.BROADCASTING) return [...view.queues].sort(compareQueues);
  return strategy({ currentClientId, queues: view.queues, clientIds: view.clientIds });
}

export interface QueueDiff {
  added: MessageQueue[];
  removed: MessageQueue[];
}

/** What to start and stop to go from `current` to `target` (both for one topic or all). */
export function diffQueues(
  current: readonly MessageQueue[],
  target: readonly MessageQueue[],
): QueueDiff {
  const targetKeys = new Set(target.map(queueKey));
  const currentKeys = new Set(current.map(queueKey));
  return {
    added: target.filter((q) => !currentKeys.has(queueKey(q))).sort(compareQueues),
    removed: current.filter((q) => !targetKeys.has(queueKey(q))).sort(compareQueues),
  };
}

export type StartOffsetPlan =
  | { kind: 'offset'; offset: number }
  | { kind: 'maxOffset' }
  | { kind: 'timestamp' };

/**
 * Where a newly owned queue starts, from its committed offset (null when none is stored):
 * the committed offset if any; else by consumeFromWhere. Retry topics start at 0 for
 * LAST_OFFSET (nothing in them was consumed yet) and at the end for TIMESTAMP, as Java does.
 */
export function planStartOffset(
  consumeFromWhere: ConsumeFromWhere,
  committedOffset: number | null,
  isRetryTopic: boolean,
): StartOffsetPlan {
  if (committedOffset !== null && committedOffset >= 0) {
    return { kind: 'offset', offset: committedOffset };
  }
  switch (consumeFromWhere) {
    case ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET:
      return isRetryTopic ? { kind: 'offset', offset: 0 } : { kind: 'maxOffset' };
    case ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET:
      return { kind: 'offset', offset: 0 };
    case ConsumeFromWhere.CONSUME_FROM_TIMESTAMP:
      return isRetryTopic ? { kind: 'maxOffset' } : { kind: 'timestamp' };
  }
}

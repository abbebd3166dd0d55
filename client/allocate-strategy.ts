// Queue allocation strategies for clustering consumers: every consumer of a group runs the same
// deterministic function over the same sorted inputs, so they agree on who reads which queue
// without talking to each other.
//
// RocketMQ: client/.../consumer/rebalance/AllocateMessageQueueAveragely.java and
// AllocateMessageQueueAveragelyByCircle.java; ali-ons: lib/consumer/rebalance/
// allocate_message_queue_averagely.js.
//
// Averagely: queues are cut into contiguous blocks, one per consumer in client-id order; the
// first (queues % consumers) consumers get one extra queue. A consumer not in the list gets
// nothing; with more consumers than queues, the last ones get nothing.

import { assert } from '../common/assert.js';
import { compareQueues, type MessageQueue } from './message-queue.js';

export interface AllocateInput {
  /** This consumer's client id. */
  currentClientId: string;
  /** All queues of the topic (any order: they are sorted here). */
  queues: readonly MessageQueue[];
  /** Every client id of the group (any order: they are sorted here). */
  clientIds: readonly string[];
}

export type AllocateStrategy = (input: AllocateInput) => MessageQueue[];

function sortedInputs(input: AllocateInput): { queues: MessageQueue[]; clientIds: string[] } {
  const queues = [...input.queues].sort(compareQueues);
  const clientIds = [...new Set(input.clientIds)].sort();
  return { queues, clientIds };
}

export const allocateAveragely: AllocateStrategy = (input) => {
  const { queues, clientIds } = sortedInputs(input);
  const index = clientIds.indexOf(input.currentClientId);
  if (index < 0 || queues.length === 0) return [];
  const consumers = clientIds.length;
  const mod = queues.length % consumers;
  const averageSize =
    queues.length <= consumers
      ? 1
      : mod > 0 && index < mod
        ? Math.floor(queues.length / consumers) + 1
        : Math.floor(queues.length / consumers);
  const startIndex = mod > 0 && index < mod ? index * averageSize : index * averageSize + mod;
  const range = Math.min(averageSize, queues.length - startIndex);
  const result: MessageQueue[] = [];
  for (let i = 0; i < range; i++) {
    const queue = queues[(startIndex + i) % queues.length];
    assert(queue !== undefined, 'allocate: index in range');
    result.push(queue);
  }
  return result;
};

export const allocateAveragelyByCircle: AllocateStrategy = (input) => {
  const { queues, clientIds } = sortedInputs(input);
  const index = clientIds.indexOf(input.currentClientId);
  if (index < 0) return [];
  return queues.filter((_, i) => i % clientIds.length === index);
};

export const AllocateStrategyName = {
  AVERAGELY: 'AVERAGELY',
  AVERAGELY_BY_CIRCLE: 'AVERAGELY_BY_CIRCLE',
} as const;
export type AllocateStrategyName = (typeof AllocateStrategyName)[keyof typeof AllocateStrategyName];

export function allocateStrategyOf(name: AllocateStrategyName): AllocateStrategy {
  return name === AllocateStrategyName.AVERAGELY ? allocateAveragely : allocateAveragelyByCircle;
}

// Message queues: the (topic, brokerName, queueId) triple that producers send to, consumers are
// assigned by rebalance, and offsets are kept for. A string key identifies a queue in maps.
//
// RocketMQ: common/.../message/MessageQueue.java (compareTo orders by topic, brokerName, queueId).

import type { MessageQueue } from '../protocol/bodies/offset-tables.js';

export type { MessageQueue };

/** A stable map key for a queue. Topics and broker names never contain U+0001. */
export function queueKey(queue: Readonly<MessageQueue>): string {
  return `${queue.topic}\u0001${queue.brokerName}\u0001${queue.queueId}`;
}

/** Orders queues as MessageQueue.compareTo: topic, then brokerName, then queueId. */
export function compareQueues(a: Readonly<MessageQueue>, b: Readonly<MessageQueue>): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  if (a.brokerName !== b.brokerName) return a.brokerName < b.brokerName ? -1 : 1;
  return a.queueId - b.queueId;
}

/** "topic@brokerName:queueId", for messages and tables. */
export function formatQueue(queue: Readonly<MessageQueue>): string {
  return `${queue.topic}@${queue.brokerName}:${queue.queueId}`;
}

// Queue selection for sends. The default selector walks the writable queues round robin from a
// random start (so producers spread over groups), and on a retry skips the queues of the group
// that just failed when another group is available. Ordered sends pick a queue with a
// MessageQueueSelector instead (the same key always lands on the same queue while the route is
// stable), and are never moved to another queue on failure, since that would break the order.
//
// RocketMQ: client/.../impl/producer/TopicPublishInfo.java (selectOneMessageQueue with
// lastBrokerName), client/.../producer/selector/SelectMessageQueueByHash.java.

import { assert } from '../common/assert.js';
import { javaHashCode } from '../common/bytes.js';
import type { Prng } from '../common/prng.js';
import type { MessageQueue } from './message-queue.js';

/** Picks the queue for an ordered send; `arg` is what the caller passed to send(). */
export type MessageQueueSelector<A = unknown> = (
  queues: readonly MessageQueue[],
  arg: A,
) => MessageQueue;

/** Java SelectMessageQueueByHash: |hashCode(String(arg))| % queues, for sharding keys. */
export const selectQueueByHash: MessageQueueSelector<unknown> = (queues, arg) => {
  assert(queues.length > 0, 'selectQueueByHash: no queues');
  const hash = Math.abs(javaHashCode(String(arg)));
  const queue = queues[hash % queues.length];
  assert(queue !== undefined, 'selectQueueByHash: index in range');
  return queue;
};

/** Round-robin selection over a publish list, avoiding the group that failed last. */
export class RoundRobinQueueSelector {
  #counter: number;

  constructor(prng: Prng) {
    this.#counter = prng.int(0, 0x7fffffff);
  }

  /**
   * The next queue; when `avoidBrokerName` is given, the next queue of another group if there
   * is one (else the next queue at all).
   */
  select(queues: readonly MessageQueue[], avoidBrokerName: string | null): MessageQueue {
    assert(queues.length > 0, 'select: no queues');
    for (let tried = 0; avoidBrokerName !== null && tried < queues.length; tried++) {
      const queue = this.#next(queues);
      if (queue.brokerName !== avoidBrokerName) return queue;
    }
    return this.#next(queues);
  }

  #next(queues: readonly MessageQueue[]): MessageQueue {
    this.#counter = (this.#counter + 1) & 0x7fffffff;
    const queue = queues[this.#counter % queues.length];
    assert(queue !== undefined, 'select: index in range');
    return queue;
  }
}

// Reads a queue from offset 0 to its end with a PullConsumer: every message the broker serves,
// in queue order. Bounded: at most `maxRounds` pulls of 32.

import type { MessageExt } from '../../client/message.js';
import type { MessageQueue } from '../../client/message-queue.js';
import type { PullConsumer } from '../../client/pull-consumer.js';
import type { SubscriptionExpression } from '../../client/subscription.js';

export async function pullAll(
  consumer: PullConsumer,
  queue: MessageQueue,
  expression: SubscriptionExpression = '*',
  maxRounds = 100,
): Promise<MessageExt[]> {
  const messages: MessageExt[] = [];
  let offset = 0;
  for (let round = 0; round < maxRounds; round++) {
    const r = await consumer.pull(queue, expression, offset, 32);
    messages.push(...r.messages);
    if (r.nextBeginOffset === offset) break;
    offset = r.nextBeginOffset;
  }
  return messages;
}

/** The bodies, as text, of every message of every queue of `topic`. */
export async function pullAllBodies(consumer: PullConsumer, topic: string): Promise<string[]> {
  const bodies: string[] = [];
  for (const queue of await consumer.fetchSubscribeMessageQueues(topic))
    for (const m of await pullAll(consumer, queue)) bodies.push(m.body.toString());
  return bodies;
}

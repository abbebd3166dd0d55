// Messages of a topic stored within a time range: each queue's first offset at or after the start
// (SEARCH_OFFSET_BY_TIMESTAMP), then pulls from there until a message is past the end. Bounded by
// `maxMessages` in all. RocketMQ's dashboard queries by topic and time the same way.
//
// RocketMQ: tools/.../command/message/PrintMessageSubCommand.java (-b/-e times),
// rocketmq-dashboard MessageServiceImpl.queryMessageByTopic.

import type { MessageExt } from './message.js';
import type { PullConsumer } from './pull-consumer.js';

const PULL_BATCH = 32;

export async function queryMsgByTime(
  consumer: PullConsumer,
  topic: string,
  range: { beginMs: number; endMs: number },
  maxMessages: number,
): Promise<MessageExt[]> {
  if (!(range.beginMs <= range.endMs)) throw new TypeError('the time range ends before it begins');
  const found: MessageExt[] = [];
  for (const queue of await consumer.fetchSubscribeMessageQueues(topic)) {
    let offset = await consumer.searchOffset(queue, range.beginMs);
    // Each round moves the offset forward or stops, and `found` only grows: bounded.
    while (found.length < maxMessages) {
      const result = await consumer.pull(queue, '*', offset, PULL_BATCH);
      const inRange = result.messages.filter(
        (m) => m.storeTimestamp >= range.beginMs && m.storeTimestamp <= range.endMs,
      );
      found.push(...inRange.slice(0, maxMessages - found.length));
      const pastEnd = result.messages.some((m) => m.storeTimestamp > range.endMs);
      if (result.pullStatus !== 'FOUND' || pastEnd || result.nextBeginOffset <= offset) break;
      offset = result.nextBeginOffset;
    }
  }
  return found.sort((a, b) => a.storeTimestamp - b.storeTimestamp);
}

// Statistics for admin tools: GET_TOPIC_STATS_INFO (202, the min and max offset of every queue of
// a topic, as `mqadmin topicStatus` shows) and GET_CONSUME_STATS (208, a group's committed offset
// against each queue's max, the lag `mqadmin consumerProgress` shows).
//
// RocketMQ: broker/.../processor/AdminBrokerProcessor.java (getTopicStatsInfo, getConsumeStats),
// common/.../protocol/header/{GetTopicStatsInfoRequestHeader,GetConsumeStatsRequestHeader}.java.

import {
  defineHeader,
  encodeConsumeStats,
  encodeTopicStatsTable,
  field,
  type MessageQueueEntry,
  type OffsetWrapper,
  type RemotingCommand,
  RequestCode,
  ResponseCode,
  type TopicOffset,
} from '../protocol/index.js';
import {
  decodeRequestHeader,
  failure,
  type ProcessorRegistry,
  success,
} from '../server/request-kit.js';
import type { BrokerContext } from './broker-context.js';

interface GetTopicStatsInfoRequestHeader {
  topic: string;
}

const GetTopicStatsInfoRequestHeader = defineHeader<GetTopicStatsInfoRequestHeader>(
  'GetTopicStatsInfoRequestHeader',
  { topic: field.string },
);

interface GetConsumeStatsRequestHeader {
  consumerGroup: string;
  topic?: string;
}

const GetConsumeStatsRequestHeader = defineHeader<GetConsumeStatsRequestHeader>(
  'GetConsumeStatsRequestHeader',
  { consumerGroup: field.string, topic: field.optionalString },
);

export function registerStatsProcessors(server: ProcessorRegistry, ctx: BrokerContext): void {
  server.registerProcessor(RequestCode.GET_TOPIC_STATS_INFO, (r) => topicStats(ctx, r));
  server.registerProcessor(RequestCode.GET_CONSUME_STATS, (r) => consumeStats(ctx, r));
}

/** Store time of the message at `queueOffset`, or 0 when there is none. */
async function storeTimeAt(
  ctx: BrokerContext,
  topic: string,
  queueId: number,
  queueOffset: number,
): Promise<number> {
  if (queueOffset < 0) return 0;
  const got = await ctx.store.getMessage({ topic, queueId, queueOffset, maxMsgNums: 1 });
  return got.messages[0]?.storeTimestamp ?? 0;
}

async function topicStats(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand> {
  const h = decodeRequestHeader(request, GetTopicStatsInfoRequestHeader);
  if (!h.ok) return h.response;
  const topic = h.header.topic;
  const config = ctx.topics.get(topic);
  if (config === undefined) {
    return failure(request, ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist`);
  }
  const offsetTable: MessageQueueEntry<TopicOffset>[] = [];
  for (let queueId = 0; queueId < config.writeQueueNums; queueId++) {
    const maxOffset = ctx.store.getMaxOffsetInQueue(topic, queueId);
    offsetTable.push({
      messageQueue: { topic, brokerName: ctx.config.brokerName, queueId },
      value: {
        minOffset: ctx.store.getMinOffsetInQueue(topic, queueId),
        maxOffset,
        lastUpdateTimestamp: await storeTimeAt(ctx, topic, queueId, maxOffset - 1),
      },
    });
  }
  return success(request, {}, encodeTopicStatsTable({ offsetTable }));
}

/** The topics a group has committed offsets for (ConsumerOffsetManager.whichTopicByConsumer). */
function topicsOfGroup(ctx: BrokerContext, group: string): string[] {
  const suffix = `@${group}`;
  return Object.keys(ctx.offsets.snapshot())
    .filter((key) => key.endsWith(suffix))
    .map((key) => key.slice(0, -suffix.length));
}

async function consumeStats(
  ctx: BrokerContext,
  request: RemotingCommand,
): Promise<RemotingCommand> {
  const h = decodeRequestHeader(request, GetConsumeStatsRequestHeader);
  if (!h.ok) return h.response;
  const group = h.header.consumerGroup;
  const topic = h.header.topic;
  const topics = topic === undefined || topic === '' ? topicsOfGroup(ctx, group) : [topic];
  const offsetTable: MessageQueueEntry<OffsetWrapper>[] = [];
  for (const name of topics) {
    const config = ctx.topics.get(name);
    if (config === undefined) continue;
    for (let queueId = 0; queueId < config.readQueueNums; queueId++) {
      const consumerOffset = Math.max(0, ctx.offsets.query(group, name, queueId));
      offsetTable.push({
        messageQueue: { topic: name, brokerName: ctx.config.brokerName, queueId },
        value: {
          brokerOffset: ctx.store.getMaxOffsetInQueue(name, queueId),
          consumerOffset,
          lastTimestamp: await storeTimeAt(ctx, name, queueId, consumerOffset - 1),
        },
      });
    }
  }
  return success(request, {}, encodeConsumeStats({ offsetTable, consumeTps: 0 }));
}

// The day-to-day admin requests behind mqadmin deleteTopic, deleteSubGroup, consumerConnection,
// producerConnection and resetOffsetByTime: DELETE_TOPIC_IN_BROKER (215), DELETE_SUBSCRIPTIONGROUP
// (207), GET_CONSUMER_CONNECTION_LIST (203), GET_PRODUCER_CONNECTION_LIST (204) and
// INVOKE_BROKER_TO_RESET_OFFSET (222), with RocketMQ's headers and bodies so its Java mqadmin
// works too. UPDATE_BROKER_CONFIG (25) is in broker-config-update.ts.
//
// Differences from RocketMQ 4.x: deleting a topic removes its config, not its ConsumeQueue files
// (they expire with the CommitLog); a reset commits the new offsets on the broker itself (so it
// works with no consumer online) and then tells the group's online consumers with
// RESET_CONSUMER_CLIENT_OFFSET (220), as RocketMQ's Broker2Client does. A slave takes a reset too:
// master and slaves merge offsets by maximum, so a reset backwards must reach every replica of the
// group (Petrel's mqadmin sends it to the slaves, then the master), or the next merge undoes it.
//
// RocketMQ: broker/.../processor/AdminBrokerProcessor.java (deleteTopic, deleteSubscriptionGroup,
// getConsumerConnectionList, getProducerConnectionList, resetOffset), broker/.../client/
// net/Broker2Client.java (resetOffset).

import {
  type Connection,
  createRequest,
  defineHeader,
  encodeConsumerConnection,
  encodeProducerConnection,
  encodeResetOffsetBody,
  field,
  type MessageQueueEntry,
  type RemotingCommand,
  type RemotingConnection,
  RequestCode,
  ResponseCode,
} from '../protocol/index.js';
import {
  decodeRequestHeader,
  failure,
  type ProcessorRegistry,
  success,
} from '../server/request-kit.js';
import type { BrokerContext } from './broker-context.js';
import { clientIdentity } from './client-identity.js';
import type { ClientEntry } from './client-registry.js';

const DeleteTopicRequestHeader = defineHeader<{ topic: string }>('DeleteTopicRequestHeader', {
  topic: field.string,
});

const DeleteSubscriptionGroupRequestHeader = defineHeader<{
  groupName: string;
  removeOffset?: boolean;
}>('DeleteSubscriptionGroupRequestHeader', {
  groupName: field.string,
  removeOffset: field.optionalBool,
});

const GetConsumerConnectionListRequestHeader = defineHeader<{ consumerGroup: string }>(
  'GetConsumerConnectionListRequestHeader',
  { consumerGroup: field.string },
);

const GetProducerConnectionListRequestHeader = defineHeader<{ producerGroup: string }>(
  'GetProducerConnectionListRequestHeader',
  { producerGroup: field.string },
);

interface ResetOffsetRequestHeader {
  topic: string;
  group: string;
  timestamp: number;
  isForce: boolean;
}

const ResetOffsetRequestHeader = defineHeader<ResetOffsetRequestHeader>(
  'ResetOffsetRequestHeader',
  { topic: field.string, group: field.string, timestamp: field.long, isForce: field.bool },
);

export function registerAdminOpsProcessors(server: ProcessorRegistry, ctx: BrokerContext): void {
  server.registerProcessor(RequestCode.DELETE_TOPIC_IN_BROKER, (r) => deleteTopic(ctx, r));
  server.registerProcessor(RequestCode.DELETE_SUBSCRIPTIONGROUP, (r) => deleteGroup(ctx, r));
  server.registerProcessor(RequestCode.GET_CONSUMER_CONNECTION_LIST, (r) =>
    consumerConnections(ctx, r),
  );
  server.registerProcessor(RequestCode.GET_PRODUCER_CONNECTION_LIST, (r) =>
    producerConnections(ctx, r),
  );
  server.registerProcessor(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, (r) => resetOffset(ctx, r));
}

function deleteTopic(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, DeleteTopicRequestHeader);
  if (!h.ok) return h.response;
  const { topic } = h.header;
  if (ctx.topics.delete(topic)) {
    ctx.logger.info('Topic deleted', { topic });
    void ctx.topicsChanged();
  }
  return success(request);
}

function deleteGroup(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, DeleteSubscriptionGroupRequestHeader);
  if (!h.ok) return h.response;
  const { groupName, removeOffset } = h.header;
  const deleted = ctx.groups.delete(groupName);
  const offsetsRemoved = removeOffset === true ? ctx.offsets.removeGroup(groupName) : 0;
  if (deleted || offsetsRemoved > 0) {
    ctx.logger.info('Subscription group deleted', { group: groupName, offsetsRemoved });
  }
  return success(request);
}

function connectionOf(entry: ClientEntry<RemotingConnection>): Connection {
  const identity = clientIdentity(entry.channel);
  return {
    clientId: entry.clientId,
    clientAddr: entry.channel.remoteAddress,
    language: identity.language,
    version: identity.version,
  };
}

function consumerConnections(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, GetConsumerConnectionListRequestHeader);
  if (!h.ok) return h.response;
  const group = ctx.clients.consumerGroup(h.header.consumerGroup);
  if (group === undefined || group.clients.size === 0) {
    const remark = `the consumer group[${h.header.consumerGroup}] not online`;
    return failure(request, ResponseCode.CONSUMER_NOT_ONLINE, remark);
  }
  const body = encodeConsumerConnection({
    connectionSet: [...group.clients.values()].map(connectionOf),
    subscriptionTable: Object.fromEntries(group.subscriptions),
    consumeType: group.consumeType,
    messageModel: group.messageModel,
    consumeFromWhere: group.consumeFromWhere,
  });
  return success(request, {}, body);
}

function producerConnections(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, GetProducerConnectionListRequestHeader);
  if (!h.ok) return h.response;
  const producers = ctx.clients.producers(h.header.producerGroup);
  if (producers.length === 0) {
    const remark = `the producer group[${h.header.producerGroup}] not exist`;
    return failure(request, ResponseCode.SYSTEM_ERROR, remark);
  }
  return success(
    request,
    {},
    encodeProducerConnection({ connectionSet: producers.map(connectionOf) }),
  );
}

async function resetOffset(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand> {
  const h = decodeRequestHeader(request, ResetOffsetRequestHeader);
  if (!h.ok) return h.response;
  const { topic, group, timestamp, isForce } = h.header;
  const queueIds = resetQueueIds(ctx, topic, group);
  if (queueIds.length === 0 && ctx.role.isMaster) {
    return failure(request, ResponseCode.SYSTEM_ERROR, `[reset-offset] topic[${topic}] not exist`);
  }
  const offsetTable: MessageQueueEntry<number>[] = [];
  for (const queueId of queueIds) {
    const found =
      timestamp < 0
        ? ctx.store.getMaxOffsetInQueue(topic, queueId)
        : await ctx.store.searchOffsetByTimestamp(topic, queueId, timestamp);
    const committed = ctx.offsets.query(group, topic, queueId);
    const offset = isForce || committed < 0 || found < committed ? found : committed;
    if (!ctx.offsets.commit(group, topic, queueId, offset)) {
      return failure(request, ResponseCode.SYSTEM_ERROR, 'the consumer offset table is full');
    }
    offsetTable.push({
      messageQueue: { topic, brokerName: ctx.config.brokerName, queueId },
      value: offset,
    });
  }
  const body = encodeResetOffsetBody({ offsetTable });
  for (const channel of ctx.clients.consumerChannels(group)) {
    if (!channel.isOpen) continue;
    const notice = createRequest(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, { ...h.header }, body);
    channel.invokeOneway(notice).catch(() => undefined);
  }
  ctx.logger.info('Consumer offsets reset', {
    topic,
    group,
    timestamp,
    queues: offsetTable.length,
  });
  return success(request, {}, body);
}

/**
 * The queues a reset covers: the topic's read queues, or on a slave that has not copied the topic
 * config yet, the queues it has messages or the group's offsets for.
 */
function resetQueueIds(ctx: BrokerContext, topic: string, group: string): number[] {
  const config = ctx.topics.get(topic);
  if (config !== undefined) return Array.from({ length: config.readQueueNums }, (_, i) => i);
  const ids = new Set(ctx.store.getQueueIdsOfTopic(topic));
  for (const id of Object.keys(ctx.offsets.snapshot()[`${topic}@${group}`] ?? {}))
    ids.add(Number(id));
  return [...ids].sort((a, b) => a - b);
}

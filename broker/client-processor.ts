// Client management and consumer offsets: HEART_BEAT (34), UNREGISTER_CLIENT (35),
// GET_CONSUMER_LIST_BY_GROUP (38), QUERY_CONSUMER_OFFSET (14), UPDATE_CONSUMER_OFFSET (15), and the
// NOTIFY_CONSUMER_IDS_CHANGED (40) requests the broker sends to a group's members when it changes
// (Java clients rebalance at once; ali-ons ignores them and rebalances every 10 s).
//
// RocketMQ: broker/.../processor/ClientManageProcessor.java (heartBeat, unregisterClient),
// ConsumerManageProcessor.java (getConsumerListByGroup, queryConsumerOffset,
// updateConsumerOffset), broker/.../client/DefaultConsumerIdsChangeListener.java.

import { MqError } from '../common/errors.js';
import { PermName, retryTopicOf } from '../common/topic-rules.js';
import {
  createRequest,
  decodeCheckClientRequestBody,
  decodeHeartbeatData,
  encodeConsumerList,
  GetConsumerListByGroupRequestHeader,
  type HeartbeatData,
  QueryConsumerOffsetRequestHeader,
  type RemotingCommand,
  type RemotingConnection,
  RequestCode,
  ResponseCode,
  UnregisterClientRequestHeader,
  UpdateConsumerOffsetRequestHeader,
} from '../protocol/index.js';
import {
  decodeRequestHeader,
  failure,
  type ProcessorRegistry,
  success,
} from '../server/request-kit.js';
import type { BrokerContext } from './broker-context.js';
import { rememberClientIdentity } from './client-identity.js';
import { refuseGroup } from './group-check.js';
import { checkSubscription, isRefusal } from './message-filter.js';

const RW = PermName.READ | PermName.WRITE;

export function registerClientProcessors(server: ProcessorRegistry, ctx: BrokerContext): void {
  server.registerProcessor(RequestCode.HEART_BEAT, (r, c) => heartbeat(ctx, r, c));
  server.registerProcessor(RequestCode.UNREGISTER_CLIENT, (r) => unregisterClient(ctx, r));
  server.registerProcessor(RequestCode.GET_CONSUMER_LIST_BY_GROUP, (r) => consumerList(ctx, r));
  server.registerProcessor(RequestCode.QUERY_CONSUMER_OFFSET, (r) => queryOffset(ctx, r));
  server.registerProcessor(RequestCode.UPDATE_CONSUMER_OFFSET, (r) => updateOffset(ctx, r));
  server.registerProcessor(RequestCode.CHECK_CLIENT_CONFIG, (r) => checkClientConfig(ctx, r));
}

/** CHECK_CLIENT_CONFIG (46): a consumer checks an SQL92 subscription before it subscribes. */
function checkClientConfig(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  let body: ReturnType<typeof decodeCheckClientRequestBody>;
  try {
    body = decodeCheckClientRequestBody(request.body);
  } catch (error) {
    if (!(error instanceof MqError)) throw error;
    return failure(request, ResponseCode.SYSTEM_ERROR, error.message);
  }
  const sub = body.subscriptionData;
  if (sub === undefined) return success(request);
  const checked = checkSubscription(
    sub.expressionType,
    sub.subString,
    ctx.config.enablePropertyFilter,
  );
  if (!isRefusal(checked)) return success(request);
  ctx.logger.warn('Consumer subscription refused', {
    client: body.clientId,
    group: body.group,
    topic: sub.topic,
    expression: sub.subString,
    reason: checked.remark,
  });
  return failure(request, checked.code, checked.remark);
}

/** Tells every member of `group` that the membership changed (oneway, best effort). */
export function notifyConsumerIdsChanged(ctx: BrokerContext, group: string): void {
  const config = ctx.groups.find(group);
  if (config !== undefined && !config.notifyConsumerIdsChangedEnable) return;
  for (const channel of ctx.clients.consumerChannels(group)) {
    if (!channel.isOpen) continue;
    const request = createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, {
      consumerGroup: group,
    });
    channel.invokeOneway(request).catch((error: unknown) => {
      ctx.logger.debug('NOTIFY_CONSUMER_IDS_CHANGED not sent', {
        group,
        client: channel.remoteAddress,
        error: error instanceof Error ? error.message : String(error),
      });
    });
  }
}

function heartbeat(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RemotingConnection,
): RemotingCommand {
  let data: HeartbeatData;
  try {
    data = decodeHeartbeatData(request.body);
  } catch (error) {
    if (!(error instanceof MqError)) throw error;
    return failure(request, ResponseCode.SYSTEM_ERROR, error.message);
  }
  // Checked whole before anything registers: a heartbeat is taken or refused as one.
  for (const { groupName } of data.consumerDataSet) {
    const refused = refuseGroup(request, 'consumer', groupName);
    if (refused !== undefined) return refused;
  }
  for (const { groupName } of data.producerDataSet) {
    const refused = refuseGroup(request, 'producer', groupName);
    if (refused !== undefined) return refused;
  }
  rememberClientIdentity(connection, request);
  for (const consumer of data.consumerDataSet) {
    const groupConfig = ctx.groups.find(consumer.groupName);
    if (groupConfig !== undefined && groupConfig.retryQueueNums > 0) {
      const retryTopic = retryTopicOf(consumer.groupName);
      if (ctx.topics.ensure(retryTopic, groupConfig.retryQueueNums, RW).created) {
        ctx.logger.info('Retry topic created for a consumer group', { topic: retryTopic });
        void ctx.topicsChanged([retryTopic]);
      }
    }
    const outcome = ctx.clients.registerConsumer(consumer.groupName, data.clientID, connection, {
      consumeType: consumer.consumeType,
      messageModel: consumer.messageModel,
      consumeFromWhere: consumer.consumeFromWhere,
      subscriptions: consumer.subscriptionDataSet,
    });
    if (!outcome.ok) return tooManyClients(ctx, request);
    if (outcome.membersChanged) {
      ctx.logger.info('Consumer joined', { group: consumer.groupName, clientId: data.clientID });
      notifyConsumerIdsChanged(ctx, consumer.groupName);
    }
  }
  for (const producer of data.producerDataSet) {
    if (!ctx.clients.registerProducer(producer.groupName, data.clientID, connection)) {
      return tooManyClients(ctx, request);
    }
  }
  return success(request);
}

function tooManyClients(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const remark = `[OVERLOAD]${ctx.clients.size} client registrations (maxClients), try again later`;
  return failure(request, ResponseCode.SYSTEM_BUSY, remark);
}

function unregisterClient(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, UnregisterClientRequestHeader);
  if (!h.ok) return h.response;
  const { clientID, producerGroup, consumerGroup } = h.header;
  if (producerGroup !== undefined) ctx.clients.unregisterProducer(producerGroup, clientID);
  if (consumerGroup !== undefined && ctx.clients.unregisterConsumer(consumerGroup, clientID)) {
    ctx.logger.info('Consumer left', { group: consumerGroup, clientId: clientID });
    notifyConsumerIdsChanged(ctx, consumerGroup);
  }
  return success(request);
}

function consumerList(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, GetConsumerListByGroupRequestHeader);
  if (!h.ok) return h.response;
  const ids = ctx.clients.consumerIds(h.header.consumerGroup);
  if (ids.length === 0) {
    const remark = `no consumer for this group, ${h.header.consumerGroup}`;
    return failure(request, ResponseCode.SYSTEM_ERROR, remark);
  }
  return success(request, {}, encodeConsumerList({ consumerIdList: ids }));
}

/**
 * QUERY_CONSUMER_OFFSET: the committed offset; else 0 when the queue never lost messages and its
 * first message is still in memory (so a new group on a young queue starts at the beginning,
 * as in RocketMQ); else QUERY_NOT_FOUND, and the client picks by consumeFromWhere.
 */
async function queryOffset(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand> {
  const h = decodeRequestHeader(request, QueryConsumerOffsetRequestHeader);
  if (!h.ok) return h.response;
  const { consumerGroup, topic, queueId } = h.header;
  const refused = refuseGroup(request, 'consumer', consumerGroup);
  if (refused !== undefined) return refused;
  const offset = ctx.offsets.query(consumerGroup, topic, queueId);
  if (offset >= 0) return success(request, { offset });
  if (
    ctx.store.getMinOffsetInQueue(topic, queueId) <= 0 &&
    (await isFirstInMemory(ctx, topic, queueId))
  ) {
    return success(request, { offset: 0 });
  }
  const remark = 'Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first';
  return failure(request, ResponseCode.QUERY_NOT_FOUND, remark);
}

async function isFirstInMemory(
  ctx: BrokerContext,
  topic: string,
  queueId: number,
): Promise<boolean> {
  if (ctx.store.getMaxOffsetInQueue(topic, queueId) === 0) return true;
  const first = await ctx.store.getMessage({
    topic,
    queueId,
    queueOffset: 0,
    maxMsgNums: 1,
    rawOnly: true,
  });
  if (first.status !== 'FOUND') return true;
  const inMemoryBytes = (ctx.memoryBytes * ctx.config.accessMessageInMemoryMaxRatio) / 100;
  return first.commitLogBytesBehind <= inMemoryBytes;
}

function updateOffset(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, UpdateConsumerOffsetRequestHeader);
  if (!h.ok) return h.response;
  const { consumerGroup, topic, queueId, commitOffset } = h.header;
  const refused = refuseGroup(request, 'consumer', consumerGroup);
  if (refused !== undefined) return refused;
  // ali-ons sends -1 for "no offset yet" (offset || -1): nothing to store.
  if (commitOffset < 0) return success(request);
  if (!ctx.offsets.commit(consumerGroup, topic, queueId, commitOffset)) {
    return failure(request, ResponseCode.SYSTEM_ERROR, 'The consumer offset table is full');
  }
  return success(request);
}

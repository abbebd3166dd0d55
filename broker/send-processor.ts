// Sends: SEND_MESSAGE (10, long header names), SEND_MESSAGE_V2 (310, one-letter names, every
// ali-ons send) and SEND_BATCH_MESSAGE (320). Checks the broker, the topic (auto-creating it from
// TBW102 when allowed) and the queue, routes retry-topic sends to the DLQ after too many retries
// and DELAY sends to SCHEDULE_TOPIC_XXXX, then stores through the engine and maps its status to
// a response code. A refused request appends nothing.
//
// RocketMQ: broker/.../processor/AbstractSendMessageProcessor.java (msgCheck, parseRequestHeader),
// SendMessageProcessor.java (asyncSendMessage, asyncSendBatchMessage, handleRetryAndDLQ,
// handlePutMessageResult), store/.../CommitLog.putMessage (delay-level redirect).

import { TRANSACTION_TYPE_MASK } from '../common/message-codec.js';
import {
  dlqTopicOf,
  isDlqTopic,
  isNotAllowedSendTopic,
  isRetryTopic,
  isWriteable,
  PermName,
  RETRY_GROUP_TOPIC_PREFIX,
  SystemTopic,
  topicNameProblem,
} from '../common/topic-rules.js';
import { isPutWritten, type PutMessageInput, type PutResult } from '../engine/index.js';
import {
  createHeaderErrorResponse,
  decodeMessageBatch,
  decodePropertiesObject,
  decodeSendMessageHeader,
  MessageProperty,
  MqVersion,
  type RemotingCommand,
  type RemotingConnection,
  RequestCode,
  ResponseCode,
  type SendMessageRequestHeader,
  type TopicConfig,
} from '../protocol/index.js';
import { failure, type ProcessorRegistry, success } from '../server/request-kit.js';
import type { BrokerContext } from './broker-context.js';
import { clampDelayLevel, delayLevelToQueueId } from './delay-levels.js';
import { MessageType } from './metrics/broker-traffic.js';
import { effectiveMaxReconsumeTimes, isRetrySendDeadLettered } from './retry-policy.js';
import { halfPlacement, isPreparedSend, withTransactionType } from './transaction/half-message.js';

const RW = PermName.READ | PermName.WRITE;

export function registerSendProcessors(server: ProcessorRegistry, ctx: BrokerContext): void {
  const handler = (request: RemotingCommand, connection: RemotingConnection) =>
    processSend(ctx, request, connection);
  server.registerProcessor(RequestCode.SEND_MESSAGE, handler);
  server.registerProcessor(RequestCode.SEND_MESSAGE_V2, handler);
  server.registerProcessor(RequestCode.SEND_BATCH_MESSAGE, handler);
}

/** A checked send target: the topic's config and the queue to write. */
export interface SendTarget {
  topic: string;
  queueId: number;
  config: TopicConfig;
}

/** The request's header and checked target, or the refusal to answer with. */
export function decodeSend(
  ctx: BrokerContext,
  request: RemotingCommand,
): { header: SendMessageRequestHeader; target: SendTarget } | RemotingCommand {
  const decoded = decodeSendMessageHeader(request.code, request.extFields);
  if (!decoded.ok) {
    return createHeaderErrorResponse(request, decoded.error, ResponseCode.MESSAGE_ILLEGAL);
  }
  const target = checkSendTarget(ctx, request, decoded.header);
  if (!('config' in target)) return target;
  return { header: decoded.header, target };
}

async function processSend(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RemotingConnection,
): Promise<RemotingCommand> {
  const send = decodeSend(ctx, request);
  if (!('target' in send)) return send;
  const { header, target } = send;
  const isBatch = header.batch === true || request.code === RequestCode.SEND_BATCH_MESSAGE;
  return isBatch
    ? sendBatch(ctx, request, connection, header, target)
    : sendOne(ctx, request, connection, header, target);
}

/** AbstractSendMessageProcessor.msgCheck: broker, topic and queue checks, with auto-create. */
export function checkSendTarget(
  ctx: BrokerContext,
  request: RemotingCommand,
  header: SendMessageRequestHeader,
): SendTarget | RemotingCommand {
  if (ctx.role.isSlave) {
    return failure(request, ResponseCode.SERVICE_NOT_AVAILABLE, 'the broker role is slave');
  }
  if (!isWriteable(ctx.config.brokerPermission)) {
    const remark = `the broker[${ctx.brokerAddr}] sending message is forbidden`;
    return failure(request, ResponseCode.NO_PERMISSION, remark);
  }
  const topic = header.topic;
  const problem = topicNameProblem(topic);
  if (problem !== undefined) return failure(request, ResponseCode.MESSAGE_ILLEGAL, problem);
  if (isNotAllowedSendTopic(topic)) {
    const remark = `Sending message to topic[${topic}] is forbidden.`;
    return failure(request, ResponseCode.NO_PERMISSION, remark);
  }
  const config = findOrCreateTopic(ctx, header);
  if (config === undefined) {
    const remark = `topic[${topic}] not exist, apply first please!`;
    return failure(request, ResponseCode.TOPIC_NOT_EXIST, remark);
  }
  if (!isWriteable(config.perm)) {
    const remark = `the topic[${topic}] sending message is forbidden`;
    return failure(request, ResponseCode.NO_PERMISSION, remark);
  }
  if (config.writeQueueNums <= 0) {
    return failure(request, ResponseCode.NO_PERMISSION, `the topic[${topic}] has no write queue`);
  }
  let queueId = header.queueId;
  if (queueId < 0) queueId = Math.floor(Math.random() * config.writeQueueNums);
  if (queueId >= config.writeQueueNums) {
    const remark = `request queueId[${queueId}] is illegal: topic[${topic}] has ${config.writeQueueNums} write queues (0..${config.writeQueueNums - 1})`;
    return failure(request, ResponseCode.MESSAGE_ILLEGAL, remark);
  }
  return { topic, queueId, config };
}

function findOrCreateTopic(
  ctx: BrokerContext,
  header: SendMessageRequestHeader,
): TopicConfig | undefined {
  const existing = ctx.topics.get(header.topic);
  if (existing !== undefined) return existing;
  const created = isRetryTopic(header.topic)
    ? ctx.topics.ensure(header.topic, 1, RW)
    : ctx.topics.createForSend(header.topic, header.defaultTopic, header.defaultTopicQueueNums);
  if (created?.created === true) {
    ctx.logger.info('Topic created by a send', {
      topic: header.topic,
      queues: created.config.writeQueueNums,
    });
    void ctx.topicsChanged([header.topic]);
  }
  return created?.config;
}

/** Where one message is stored: its topic and queue, redirected to the DLQ or for a delay. */
interface Placement {
  topic: string;
  queueId: number;
  properties: Record<string, string>;
  /** The queue the response names: the real one, also for a delayed message. */
  responseQueueId: number;
}

async function sendOne(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RemotingConnection,
  header: SendMessageRequestHeader,
  target: SendTarget,
): Promise<RemotingCommand> {
  const properties = decodePropertiesObject(header.properties ?? '');
  if (isTransactional(header.sysFlag, properties)) {
    return sendHalf(ctx, request, connection, header, target, properties);
  }
  const placed = placeMessage(ctx, request, header, target, properties);
  if (!('properties' in placed)) return placed;
  const put = await ctx.store.putMessage(
    messageInput(header, connection, placed.properties, request.body, placed),
  );
  if (isStored(putStatusCode(put.status))) {
    const delayed = placed.topic === SystemTopic.SCHEDULE_TOPIC;
    const topic = delayed
      ? (placed.properties[MessageProperty.REAL_TOPIC] ?? placed.topic)
      : placed.topic;
    const type = delayed ? MessageType.DELAY : MessageType.NORMAL;
    ctx.stats.traffic.recordPut(topic, type, put.wroteBytes ?? 0);
  }
  return putResponse(ctx, request, put, placed.responseQueueId);
}

/**
 * A prepared send is stored as a half message (RMQ_SYS_TRANS_HALF_TOPIC) until END_TRANSACTION;
 * the response names the real queue and the half queue offset, which the producer sends back.
 */
async function sendHalf(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RemotingConnection,
  header: SendMessageRequestHeader,
  target: SendTarget,
  properties: Record<string, string>,
): Promise<RemotingCommand> {
  if (ctx.config.rejectTransactionMessage || !isPreparedSend(properties)) {
    const remark = `the broker[${ctx.brokerAddr}] sending transaction message is forbidden`;
    return failure(request, ResponseCode.NO_PERMISSION, remark);
  }
  properties[MessageProperty.CLUSTER] = ctx.config.brokerClusterName;
  const half = halfPlacement(target.topic, target.queueId, properties);
  const put = await ctx.store.putMessage({
    ...messageInput(header, connection, half.properties, request.body, half),
    sysFlag: withTransactionType(header.sysFlag, 0),
  });
  return putResponse(ctx, request, put, target.queueId);
}

/** Any transaction type in the sysFlag (prepared, commit or rollback), or the TRAN_MSG property. */
function isTransactional(sysFlag: number, properties: Record<string, string>): boolean {
  return properties[MessageProperty.TRAN_MSG] === 'true' || (sysFlag & TRANSACTION_TYPE_MASK) !== 0;
}

/** handleRetryAndDLQ + the delay redirect: where the message is really stored. */
function placeMessage(
  ctx: BrokerContext,
  request: RemotingCommand,
  header: SendMessageRequestHeader,
  target: SendTarget,
  properties: Record<string, string>,
): Placement | RemotingCommand {
  let topic = target.topic;
  let queueId = target.queueId;
  if (isRetryTopic(topic)) {
    const group = topic.slice(RETRY_GROUP_TOPIC_PREFIX.length);
    const groupConfig = ctx.groups.find(group);
    if (groupConfig === undefined) {
      const remark = `subscription group not exist, ${group}`;
      return failure(request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, remark);
    }
    const max = effectiveMaxReconsumeTimes(
      header.maxReconsumeTimes,
      request.version,
      groupConfig.retryMaxTimes,
      MqVersion.V3_4_9,
    );
    if (isRetrySendDeadLettered(header.reconsumeTimes ?? 0, max)) {
      topic = dlqTopicOf(group);
      queueId = 0;
      if (ctx.topics.ensure(topic, 1, RW).created) void ctx.topicsChanged([topic]);
    }
  }
  properties[MessageProperty.CLUSTER] = ctx.config.brokerClusterName;
  const delay = properties[MessageProperty.DELAY];
  const placed = { topic, queueId, properties, responseQueueId: queueId };
  if (delay === undefined || isDlqTopic(topic)) return placed;
  const level = /^-?\d{1,9}$/.test(delay) ? Number(delay) : Number.NaN;
  if (Number.isNaN(level)) {
    const remark = `property DELAY "${delay.slice(0, 32)}" is not a delay level`;
    return failure(request, ResponseCode.MESSAGE_ILLEGAL, remark);
  }
  if (level <= 0) return placed;
  return toSchedule(ctx, topic, queueId, properties, level);
}

/** Stores a delayed message in SCHEDULE_TOPIC_XXXX, queue level-1, remembering where it goes. */
export function toSchedule(
  ctx: BrokerContext,
  topic: string,
  queueId: number,
  properties: Record<string, string>,
  level: number,
): Placement {
  const clamped = clampDelayLevel(level, ctx.delayLevels.length);
  properties[MessageProperty.DELAY] = String(clamped);
  properties[MessageProperty.REAL_TOPIC] = topic;
  properties[MessageProperty.REAL_QID] = String(queueId);
  return {
    topic: SystemTopic.SCHEDULE_TOPIC,
    queueId: delayLevelToQueueId(clamped),
    properties,
    responseQueueId: queueId,
  };
}

/** The engine's input for one message, built in one object (this runs for every message). */
export function messageInput(
  header: SendMessageRequestHeader,
  connection: RemotingConnection,
  properties: Record<string, string>,
  body: Buffer | null,
  where: { topic: string; queueId: number },
): PutMessageInput {
  return {
    topic: where.topic,
    queueId: where.queueId,
    body: body ?? Buffer.alloc(0),
    properties,
    flag: header.flag,
    sysFlag: header.sysFlag,
    bornTimestamp: header.bornTimestamp,
    bornHost: connection.remoteAddress,
    reconsumeTimes: header.reconsumeTimes ?? 0,
    waitStoreMsgOK: properties[MessageProperty.WAIT] !== 'false',
  };
}

/** The response code of a put status (SendMessageProcessor.handlePutMessageResult). */
export function putStatusCode(status: PutResult['status']): number {
  switch (status) {
    case 'PUT_OK':
      return ResponseCode.SUCCESS;
    case 'FLUSH_DISK_TIMEOUT':
      return ResponseCode.FLUSH_DISK_TIMEOUT;
    case 'FLUSH_SLAVE_TIMEOUT':
      return ResponseCode.FLUSH_SLAVE_TIMEOUT;
    case 'SLAVE_NOT_AVAILABLE':
      return ResponseCode.SLAVE_NOT_AVAILABLE;
    case 'MESSAGE_ILLEGAL':
    case 'PROPERTIES_SIZE_EXCEEDED':
      return ResponseCode.MESSAGE_ILLEGAL;
    case 'SERVICE_NOT_AVAILABLE':
    case 'ROLE_CHANGED':
      return ResponseCode.SERVICE_NOT_AVAILABLE;
    case 'OS_PAGE_CACHE_BUSY':
      return ResponseCode.SYSTEM_BUSY;
    case 'UNKNOWN_ERROR':
      return ResponseCode.SYSTEM_ERROR;
  }
}

/** Stored (perhaps not yet flushed or replicated): the response carries the message id. */
function isStored(code: number): boolean {
  return (
    code === ResponseCode.SUCCESS ||
    code === ResponseCode.FLUSH_DISK_TIMEOUT ||
    code === ResponseCode.FLUSH_SLAVE_TIMEOUT ||
    code === ResponseCode.SLAVE_NOT_AVAILABLE
  );
}

function putResponse(
  ctx: BrokerContext,
  request: RemotingCommand,
  put: PutResult,
  queueId: number,
): RemotingCommand {
  const code = putStatusCode(put.status);
  if (!isStored(code)) {
    const prefix = code === ResponseCode.SYSTEM_BUSY ? '[PC_SYNCHRONIZED]broker busy, ' : '';
    return failure(request, code, `${prefix}${put.reason ?? put.status}`);
  }
  // A stored code needs the message's ids and offsets in its header (clients decode them).
  if (put.msgId === undefined) {
    const remark = `${put.status}: stored, not confirmed, offsets unknown: ${put.reason}`;
    return failure(request, ResponseCode.SYSTEM_ERROR, remark);
  }
  ctx.stats.msgPutTotal++;
  const response = success(request, {
    msgId: put.msgId,
    queueId,
    queueOffset: put.queueOffset,
    MSG_REGION: 'DefaultRegion',
    TRACE_ON: 'true',
  });
  response.code = code;
  if (code !== ResponseCode.SUCCESS) response.remark = put.status;
  return response;
}

async function sendBatch(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RemotingConnection,
  header: SendMessageRequestHeader,
  target: SendTarget,
): Promise<RemotingCommand> {
  if (isRetryTopic(target.topic)) {
    const remark = `batch request does not support retry group ${target.topic}`;
    return failure(request, ResponseCode.MESSAGE_ILLEGAL, remark);
  }
  const bodyBytes = request.body?.length ?? 0;
  if (bodyBytes > ctx.config.maxMessageSize) {
    const remark = `the batch body is ${bodyBytes} bytes, above maxMessageSize ${ctx.config.maxMessageSize}`;
    return failure(request, ResponseCode.MESSAGE_ILLEGAL, remark);
  }
  const batch = decodeMessageBatch(request.body, ctx.config.maxMessagesPerBatch);
  if (!batch.ok) return failure(request, ResponseCode.MESSAGE_ILLEGAL, batch.reason);
  const inputs: PutMessageInput[] = [];
  for (const [index, m] of batch.messages.entries()) {
    const properties = decodePropertiesObject(m.properties);
    if (properties[MessageProperty.DELAY] !== undefined) {
      const remark = `message ${index} of the batch has a DELAY: batches cannot be delayed`;
      return failure(request, ResponseCode.MESSAGE_ILLEGAL, remark);
    }
    if (isTransactional(header.sysFlag, properties)) {
      const remark = `message ${index} of the batch is transactional: batches cannot carry half messages`;
      return failure(request, ResponseCode.MESSAGE_ILLEGAL, remark);
    }
    properties[MessageProperty.CLUSTER] = ctx.config.brokerClusterName;
    const input = messageInput(header, connection, properties, m.body, target);
    input.flag = m.flag;
    inputs.push(input);
  }
  const puts = await ctx.store.putMessages(inputs);
  const failed = puts.find((p) => !isStored(putStatusCode(p.status)));
  if (failed !== undefined) return putResponse(ctx, request, failed, target.queueId);
  const first = puts[0];
  if (first === undefined) return failure(request, ResponseCode.MESSAGE_ILLEGAL, 'empty batch');
  ctx.stats.msgPutTotal += puts.length - 1;
  for (const put of puts) {
    ctx.stats.traffic.recordPut(target.topic, MessageType.NORMAL, put.wroteBytes ?? 0);
  }
  const msgIds = puts.map((p) => p.msgId ?? '').join(',');
  const merged: PutResult = isPutWritten(first) ? { ...first, msgId: msgIds } : first;
  return putResponse(ctx, request, merged, target.queueId);
}

// Typed calls a client makes to brokers: send, pull, offsets, heartbeat, send-back, consumer
// list. Each builds the RemotingCommand from a typed header, sends it through the ClientInstance
// and turns the response into a value or an MqError naming the broker and the response code.
//
// RocketMQ: client/.../impl/MQClientAPIImpl.java (sendMessage, processSendResponse, pullMessage,
// processPullResponse, queryConsumerOffset, updateConsumerOffset, sendHearbeat,
// consumerSendMessageBack, getConsumerIdListByGroup, getMaxOffset, searchOffset);
// common/.../sysflag/PullSysFlag.java.

import { assert } from '../common/assert.js';
import { ErrorCode, MqError } from '../common/errors.js';
import {
  type CheckClientRequestBody,
  encodeCheckClientRequestBody,
  encodeHeartbeatData,
  type HeartbeatData,
} from '../protocol/bodies/heartbeat-data.js';
import {
  decodeLockBatchResponseBody,
  encodeLockBatchRequestBody,
  type LockBatchRequestBody,
} from '../protocol/bodies/offset-tables.js';
import { decodeConsumerList } from '../protocol/bodies/simple-bodies.js';
import { ConsumerSendMsgBackRequestHeader } from '../protocol/headers/consumer-send-msg-back-request-header.js';
import { GetConsumerListByGroupRequestHeader } from '../protocol/headers/get-consumer-list-by-group-request-header.js';
import { GetMaxOffsetRequestHeader } from '../protocol/headers/get-max-offset-request-header.js';
import { GetMaxOffsetResponseHeader } from '../protocol/headers/get-max-offset-response-header.js';
import { GetMinOffsetRequestHeader } from '../protocol/headers/get-min-offset-request-header.js';
import { GetMinOffsetResponseHeader } from '../protocol/headers/get-min-offset-response-header.js';
import { PullMessageRequestHeader } from '../protocol/headers/pull-message-request-header.js';
import { PullMessageResponseHeader } from '../protocol/headers/pull-message-response-header.js';
import { QueryConsumerOffsetRequestHeader } from '../protocol/headers/query-consumer-offset-request-header.js';
import { QueryConsumerOffsetResponseHeader } from '../protocol/headers/query-consumer-offset-response-header.js';
import { SearchOffsetRequestHeader } from '../protocol/headers/search-offset-request-header.js';
import { SearchOffsetResponseHeader } from '../protocol/headers/search-offset-response-header.js';
import { SendMessageRequestHeaderV2 } from '../protocol/headers/send-message-request-header-v2.js';
import { SendMessageResponseHeader } from '../protocol/headers/send-message-response-header.js';
import { UnregisterClientRequestHeader } from '../protocol/headers/unregister-client-request-header.js';
import { UpdateConsumerOffsetRequestHeader } from '../protocol/headers/update-consumer-offset-request-header.js';
import { createRequest, type RemotingCommand } from '../protocol/remoting-command.js';
import { RequestCode } from '../protocol/request-code.js';
import { ResponseCode } from '../protocol/response-code.js';
import { type ClientInstance, remoteError, type Target } from './client-instance.js';
import type { MessageQueue } from './message-queue.js';
import { type SendStatus, sendStatusOf } from './send-policy.js';

export const PullSysFlag = {
  COMMIT_OFFSET: 0x1,
  SUSPEND: 0x2,
  SUBSCRIPTION: 0x4,
  CLASS_FILTER: 0x8,
  LITE_PULL: 0x10,
} as const;

function decodeHeader<T>(
  codec: { decodeOrThrow(fields: RemotingCommand['extFields']): T },
  target: Target,
  response: RemotingCommand,
): T {
  try {
    return codec.decodeOrThrow(response.extFields);
  } catch (cause) {
    throw new MqError(
      ErrorCode.FRAME_MALFORMED,
      `Bad response header from broker ${target.brokerName} (${target.address})`,
      { brokerName: target.brokerName, address: target.address },
      { cause },
    );
  }
}

// ---- send ----

export interface SendRequestInput {
  producerGroup: string;
  topic: string;
  queueId: number;
  sysFlag: number;
  bornTimestamp: number;
  flag: number;
  properties: string;
  defaultTopic: string;
  defaultTopicQueueNums: number;
  isBatch: boolean;
  /** A reply to a request message: sent as SEND_REPLY_MESSAGE_V2. */
  isReply?: boolean;
  reconsumeTimes?: number;
  maxReconsumeTimes?: number;
}

export function buildSendRequest(input: SendRequestInput, body: Buffer): RemotingCommand {
  const header: SendMessageRequestHeaderV2 = {
    a: input.producerGroup,
    b: input.topic,
    c: input.defaultTopic,
    d: input.defaultTopicQueueNums,
    e: input.queueId,
    f: input.sysFlag,
    g: input.bornTimestamp,
    h: input.flag,
    i: input.properties,
    j: input.reconsumeTimes ?? 0,
    k: false,
  };
  if (input.maxReconsumeTimes !== undefined) header.l = input.maxReconsumeTimes;
  if (input.isBatch) header.m = true;
  const code = input.isBatch
    ? RequestCode.SEND_BATCH_MESSAGE
    : input.isReply === true
      ? RequestCode.SEND_REPLY_MESSAGE_V2
      : RequestCode.SEND_MESSAGE_V2;
  return createRequest(code, SendMessageRequestHeaderV2.encode(header), body);
}

export interface SendResponse {
  status: SendStatus;
  /** Offset message id(s); comma-joined for a batch. */
  offsetMsgId: string;
  queueId: number;
  queueOffset: number;
}

/** The stored status of a send response, or an MqError for an error code. */
export function parseSendResponse(
  target: Target,
  request: RemotingCommand,
  response: RemotingCommand,
): SendResponse {
  const status = sendStatusOf(response.code);
  if (status === null) throw remoteError(target, request, response);
  const header = decodeHeader(SendMessageResponseHeader, target, response);
  return {
    status,
    offsetMsgId: header.msgId,
    queueId: header.queueId,
    queueOffset: header.queueOffset,
  };
}

// ---- pull ----

export const PullStatus = {
  FOUND: 'FOUND',
  NO_NEW_MSG: 'NO_NEW_MSG',
  NO_MATCHED_MSG: 'NO_MATCHED_MSG',
  OFFSET_ILLEGAL: 'OFFSET_ILLEGAL',
} as const;
export type PullStatus = (typeof PullStatus)[keyof typeof PullStatus];

export interface PullRequestInput {
  consumerGroup: string;
  queue: MessageQueue;
  queueOffset: number;
  maxMsgNums: number;
  sysFlag: number;
  commitOffset: number;
  suspendTimeoutMs: number;
  subscription: string;
  subVersion: number;
  /** "TAG" unless given. */
  expressionType?: string;
}

export interface PullResponse {
  status: PullStatus;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  suggestWhichBrokerId: number;
  body: Buffer | null;
}

export function buildPullRequest(input: PullRequestInput): RemotingCommand {
  assert(input.queueOffset >= 0, 'pull offset not negative');
  return createRequest(
    RequestCode.PULL_MESSAGE,
    PullMessageRequestHeader.encode({
      consumerGroup: input.consumerGroup,
      topic: input.queue.topic,
      queueId: input.queue.queueId,
      queueOffset: input.queueOffset,
      maxMsgNums: input.maxMsgNums,
      sysFlag: input.sysFlag,
      commitOffset: input.commitOffset,
      suspendTimeoutMillis: input.suspendTimeoutMs,
      subscription: input.subscription,
      subVersion: input.subVersion,
      expressionType: input.expressionType ?? 'TAG',
    }),
  );
}

const PULL_STATUS_BY_CODE: ReadonlyMap<number, PullStatus> = new Map([
  [ResponseCode.SUCCESS, PullStatus.FOUND],
  [ResponseCode.PULL_NOT_FOUND, PullStatus.NO_NEW_MSG],
  [ResponseCode.PULL_RETRY_IMMEDIATELY, PullStatus.NO_MATCHED_MSG],
  [ResponseCode.PULL_OFFSET_MOVED, PullStatus.OFFSET_ILLEGAL],
]);

export function parsePullResponse(
  target: Target,
  request: RemotingCommand,
  response: RemotingCommand,
): PullResponse {
  const status = PULL_STATUS_BY_CODE.get(response.code);
  if (status === undefined) throw remoteError(target, request, response);
  const header = decodeHeader(PullMessageResponseHeader, target, response);
  return {
    status,
    nextBeginOffset: header.nextBeginOffset,
    minOffset: header.minOffset,
    maxOffset: header.maxOffset,
    suggestWhichBrokerId: header.suggestWhichBrokerId,
    body: status === PullStatus.FOUND ? response.body : null,
  };
}

// ---- offsets ----

/** The stored consumer offset, or null when the broker has none (QUERY_NOT_FOUND). */
export async function queryConsumerOffset(
  instance: ClientInstance,
  target: Target,
  group: string,
  queue: MessageQueue,
): Promise<number | null> {
  const request = createRequest(
    RequestCode.QUERY_CONSUMER_OFFSET,
    QueryConsumerOffsetRequestHeader.encode({
      consumerGroup: group,
      topic: queue.topic,
      queueId: queue.queueId,
    }),
  );
  const response = await instance.invoke(target, request, instance.options.requestTimeoutMs);
  if (response.code === ResponseCode.QUERY_NOT_FOUND) return null;
  if (response.code !== ResponseCode.SUCCESS) throw remoteError(target, request, response);
  return decodeHeader(QueryConsumerOffsetResponseHeader, target, response).offset;
}

export async function updateConsumerOffset(
  instance: ClientInstance,
  target: Target,
  group: string,
  queue: MessageQueue,
  offset: number,
): Promise<void> {
  const request = createRequest(
    RequestCode.UPDATE_CONSUMER_OFFSET,
    UpdateConsumerOffsetRequestHeader.encode({
      consumerGroup: group,
      topic: queue.topic,
      queueId: queue.queueId,
      commitOffset: offset,
    }),
  );
  await instance.invokeOk(target, request);
}

async function offsetCall(
  instance: ClientInstance,
  target: Target,
  request: RemotingCommand,
  codec: typeof GetMaxOffsetResponseHeader,
): Promise<number> {
  const response = await instance.invokeOk(target, request);
  return decodeHeader(codec, target, response).offset;
}

export function getMaxOffset(
  instance: ClientInstance,
  target: Target,
  queue: MessageQueue,
): Promise<number> {
  const header = GetMaxOffsetRequestHeader.encode({ topic: queue.topic, queueId: queue.queueId });
  const request = createRequest(RequestCode.GET_MAX_OFFSET, header);
  return offsetCall(instance, target, request, GetMaxOffsetResponseHeader);
}

export function getMinOffset(
  instance: ClientInstance,
  target: Target,
  queue: MessageQueue,
): Promise<number> {
  const header = GetMinOffsetRequestHeader.encode({ topic: queue.topic, queueId: queue.queueId });
  const request = createRequest(RequestCode.GET_MIN_OFFSET, header);
  return offsetCall(instance, target, request, GetMinOffsetResponseHeader);
}

export function searchOffset(
  instance: ClientInstance,
  target: Target,
  queue: MessageQueue,
  timestampMs: number,
): Promise<number> {
  const header = SearchOffsetRequestHeader.encode({
    topic: queue.topic,
    queueId: queue.queueId,
    timestamp: timestampMs,
  });
  const request = createRequest(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, header);
  return offsetCall(instance, target, request, SearchOffsetResponseHeader);
}

// ---- group membership ----

async function sendHeartbeat(
  instance: ClientInstance,
  target: Target,
  data: HeartbeatData,
): Promise<void> {
  const request = createRequest(RequestCode.HEART_BEAT, {}, encodeHeartbeatData(data));
  await instance.invokeOk(target, request);
}

/** Sends the heartbeat to every target at once; a target that fails is logged and skipped. */
export async function heartbeatAll(
  instance: ClientInstance,
  targets: readonly Target[],
  data: HeartbeatData,
): Promise<void> {
  await Promise.all(
    targets.map((target) =>
      sendHeartbeat(instance, target, data).catch((error: unknown) =>
        instance.options.logger.warn('Heartbeat failed', {
          address: target.address,
          error: String(error),
        }),
      ),
    ),
  );
}

/**
 * CHECK_CLIENT_CONFIG (46) to every target: resolves when all accept the subscription, throws the
 * first refusal (E_REMOTE_ERROR with the broker's remark, e.g. SUBSCRIPTION_PARSE_FAILED).
 */
export async function checkClientConfigAll(
  instance: ClientInstance,
  targets: readonly Target[],
  body: CheckClientRequestBody,
): Promise<void> {
  await Promise.all(
    targets.map(async (target) => {
      const request = createRequest(RequestCode.CHECK_CLIENT_CONFIG, {});
      request.body = encodeCheckClientRequestBody(body);
      await instance.invokeOk(target, request);
    }),
  );
}

/** LOCK_BATCH_MQ (41): locks (or renews) `mqSet` for the client; resolves with the queues it holds. */
export async function lockBatchMQ(
  instance: ClientInstance,
  target: Target,
  body: LockBatchRequestBody,
): Promise<MessageQueue[]> {
  const request = createRequest(RequestCode.LOCK_BATCH_MQ, {});
  request.body = encodeLockBatchRequestBody(body);
  const response = await instance.invoke(target, request, instance.options.requestTimeoutMs);
  if (response.code !== ResponseCode.SUCCESS) throw remoteError(target, request, response);
  return decodeLockBatchResponseBody(response.body).lockOKMQSet;
}

/** UNLOCK_BATCH_MQ (42): releases the client's locks on `mqSet`. */
export async function unlockBatchMQ(
  instance: ClientInstance,
  target: Target,
  body: LockBatchRequestBody,
): Promise<void> {
  const request = createRequest(RequestCode.UNLOCK_BATCH_MQ, {});
  request.body = encodeLockBatchRequestBody(body);
  await instance.invokeOk(target, request);
}

export type ClientGroup = { producerGroup: string } | { consumerGroup: string };

async function unregisterClient(
  instance: ClientInstance,
  target: Target,
  clientId: string,
  group: ClientGroup,
): Promise<void> {
  const request = createRequest(
    RequestCode.UNREGISTER_CLIENT,
    UnregisterClientRequestHeader.encode({ clientID: clientId, ...group }),
  );
  await instance.invokeOk(target, request);
}

/**
 * Unregisters the client from every target at once, on shutdown; a target that fails is only
 * logged, as it drops the client by itself once heartbeats stop.
 */
export async function unregisterAll(
  instance: ClientInstance,
  targets: readonly Target[],
  clientId: string,
  group: ClientGroup,
): Promise<void> {
  await Promise.all(
    targets.map((target) =>
      unregisterClient(instance, target, clientId, group).catch((error: unknown) =>
        instance.options.logger.debug('Unregister failed', {
          address: target.address,
          error: String(error),
        }),
      ),
    ),
  );
}

export async function getConsumerIdList(
  instance: ClientInstance,
  target: Target,
  group: string,
): Promise<string[]> {
  const request = createRequest(
    RequestCode.GET_CONSUMER_LIST_BY_GROUP,
    GetConsumerListByGroupRequestHeader.encode({ consumerGroup: group }),
  );
  const response = await instance.invokeOk(target, request);
  return decodeConsumerList(response.body).consumerIdList;
}

export interface SendBackInput {
  group: string;
  commitLogOffset: number;
  delayLevel: number;
  originMsgId: string;
  originTopic: string;
  maxReconsumeTimes: number;
}

export async function consumerSendMessageBack(
  instance: ClientInstance,
  target: Target,
  input: SendBackInput,
): Promise<void> {
  const request = createRequest(
    RequestCode.CONSUMER_SEND_MSG_BACK,
    ConsumerSendMsgBackRequestHeader.encode({
      offset: input.commitLogOffset,
      group: input.group,
      delayLevel: input.delayLevel,
      originMsgId: input.originMsgId,
      originTopic: input.originTopic,
      unitMode: false,
      maxReconsumeTimes: input.maxReconsumeTimes,
    }),
  );
  await instance.invokeOk(target, request);
}

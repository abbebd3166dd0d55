// SEND_REPLY_MESSAGE (324) / SEND_REPLY_MESSAGE_V2 (325): a consumer answers a request message.
// The broker pushes the reply to the requesting client (PUSH_REPLY_MESSAGE_TO_CLIENT, 326) over
// that client's own connection, found by its client id (REPLY_TO_CLIENT) among the producers
// connected here, and stores the reply too when storeReplyMessageEnable. The replier gets
// SYSTEM_ERROR when the requester is not connected here or did not take the reply.
//
// RocketMQ: broker/.../processor/ReplyMessageProcessor.java, ProducerManager.findChannel.

import {
  createRequest,
  decodePropertiesObject,
  encodeProperties,
  MessageProperty,
  type RemotingCommand,
  type RemotingConnection,
  RequestCode,
  ResponseCode,
  type SendMessageRequestHeader,
} from '../protocol/index.js';
import { failure, type ProcessorRegistry, success } from '../server/request-kit.js';
import type { BrokerContext } from './broker-context.js';
import { decodeSend, messageInput, putStatusCode } from './send-processor.js';

/** How long the broker waits for the requester to take a pushed reply. */
const PUSH_REPLY_TIMEOUT_MS = 3000;

export function registerReplyProcessors(server: ProcessorRegistry, ctx: BrokerContext): void {
  const handler = (request: RemotingCommand, connection: RemotingConnection) =>
    processReply(ctx, request, connection);
  server.registerProcessor(RequestCode.SEND_REPLY_MESSAGE, handler);
  server.registerProcessor(RequestCode.SEND_REPLY_MESSAGE_V2, handler);
}

async function processReply(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RemotingConnection,
): Promise<RemotingCommand> {
  const send = decodeSend(ctx, request);
  if (!('target' in send)) return send;
  const { header, target } = send;
  const properties = decodePropertiesObject(header.properties ?? '');
  const pushed = await pushReply(ctx, header, properties, request.body, connection);
  if (pushed !== undefined) return failure(request, ResponseCode.SYSTEM_ERROR, pushed);
  const fields = { msgId: '0', queueId: target.queueId, queueOffset: 0 };
  if (!ctx.config.storeReplyMessageEnable) return success(request, fields);
  const put = await ctx.store.putMessage(
    messageInput(header, connection, properties, request.body, target),
  );
  if (putStatusCode(put.status) !== ResponseCode.SUCCESS) {
    ctx.logger.warn('Reply pushed but not stored', { topic: target.topic, status: put.status });
    return success(request, fields);
  }
  return success(request, {
    msgId: put.msgId,
    queueId: target.queueId,
    queueOffset: put.queueOffset,
  });
}

/** Pushes the reply to its requester; returns why it failed, or undefined. */
async function pushReply(
  ctx: BrokerContext,
  header: SendMessageRequestHeader,
  properties: Record<string, string>,
  body: Buffer | null,
  connection: RemotingConnection,
): Promise<string | undefined> {
  const requester = properties[MessageProperty.REPLY_TO_CLIENT];
  if (requester === undefined) {
    return `reply message properties[${MessageProperty.REPLY_TO_CLIENT}] is null`;
  }
  const channel = ctx.clients.producerChannelOfClient(requester);
  if (channel === undefined || !channel.isOpen) {
    return `push reply message fail, channel of <${requester}> not found.`;
  }
  properties[MessageProperty.PUSH_REPLY_TIME] = String(Math.floor(ctx.clock.nowMs()));
  const push = createRequest(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT, {
    producerGroup: header.producerGroup,
    topic: header.topic,
    defaultTopic: header.defaultTopic,
    defaultTopicQueueNums: header.defaultTopicQueueNums,
    queueId: header.queueId,
    sysFlag: header.sysFlag,
    bornTimestamp: header.bornTimestamp,
    flag: header.flag,
    properties: encodeProperties(properties),
    reconsumeTimes: header.reconsumeTimes ?? 0,
    unitMode: header.unitMode ?? false,
    bornHost: connection.remoteAddress,
    storeHost: ctx.brokerAddr,
    storeTimestamp: Math.floor(ctx.clock.nowMs()),
  });
  push.body = body;
  try {
    const response = await channel.invoke(push, PUSH_REPLY_TIMEOUT_MS);
    if (response.code === ResponseCode.SUCCESS) return undefined;
    return `push reply message to ${requester} fail: ${response.remark ?? response.code}`;
  } catch (error) {
    return `push reply message to ${requester} fail: ${error instanceof Error ? error.message : String(error)}`;
  }
}

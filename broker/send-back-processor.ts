// CONSUMER_SEND_MSG_BACK (36): a consumer could not process a message and gives it back. The
// broker reads the original by its CommitLog offset and stores a copy in %RETRY%<group> after a
// delay (level 3 + retries so far, or the requested level), or in %DLQ%<group> once it has been
// retried maxReconsumeTimes times (or when the request asks for the DLQ with a negative level).
// The copy keeps body, flag, tags, keys and UNIQ_KEY, counts one more reconsume, and records the
// topic it came from (RETRY_TOPIC) and the first delivery's id (ORIGIN_MESSAGE_ID).
//
// RocketMQ: broker/.../processor/SendMessageProcessor.java (consumerSendMsgBack, 4.9.x).

import { encodeHostAddress } from '../common/host-address.js';
import { createOffsetMessageId, type DecodedMessage } from '../common/message-codec.js';
import { dlqTopicOf, isWriteable, PermName, retryTopicOf } from '../common/topic-rules.js';
import {
  ConsumerSendMsgBackRequestHeader,
  MessageProperty,
  MqVersion,
  type RemotingCommand,
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
import { refuseGroup } from './group-check.js';
import { effectiveMaxReconsumeTimes, routeSendBack } from './retry-policy.js';
import { putStatusCode, toSchedule } from './send-processor.js';

const RW = PermName.READ | PermName.WRITE;

export function registerSendBackProcessor(server: ProcessorRegistry, ctx: BrokerContext): void {
  server.registerProcessor(RequestCode.CONSUMER_SEND_MSG_BACK, (request) => sendBack(ctx, request));
}

/** The offset message id of a stored message (what clients saw as its msgId). */
function offsetMsgIdOf(m: DecodedMessage): string {
  return createOffsetMessageId(encodeHostAddress(m.storeHost), m.commitLogOffset);
}

async function sendBack(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand> {
  const h = decodeRequestHeader(request, ConsumerSendMsgBackRequestHeader);
  if (!h.ok) return h.response;
  const header = h.header;
  if (ctx.role.isSlave) {
    return failure(request, ResponseCode.SERVICE_NOT_AVAILABLE, 'the broker role is slave');
  }
  const refused = refuseGroup(request, 'consumer', header.group);
  if (refused !== undefined) return refused;
  const groupConfig = ctx.groups.find(header.group);
  if (groupConfig === undefined) {
    const remark = `subscription group not exist, ${header.group}`;
    return failure(request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, remark);
  }
  if (!isWriteable(ctx.config.brokerPermission)) {
    const remark = `the broker[${ctx.brokerAddr}] sending message is forbidden`;
    return failure(request, ResponseCode.NO_PERMISSION, remark);
  }
  if (groupConfig.retryQueueNums <= 0) return success(request);
  const retryTopic = retryTopicOf(header.group);
  if (ctx.topics.ensure(retryTopic, groupConfig.retryQueueNums, RW).created)
    void ctx.topicsChanged([retryTopic]);
  const original = await ctx.store.lookMessageByOffset(header.offset);
  if (original === undefined) {
    return failure(
      request,
      ResponseCode.SYSTEM_ERROR,
      `look message by offset failed, ${header.offset}`,
    );
  }
  const route = routeSendBack({
    group: header.group,
    reconsumeTimes: original.reconsumeTimes,
    delayLevel: header.delayLevel,
    maxReconsumeTimes: effectiveMaxReconsumeTimes(
      header.maxReconsumeTimes,
      request.version,
      groupConfig.retryMaxTimes,
      MqVersion.V3_4_9,
    ),
    delayLevelCount: ctx.delayLevels.length,
  });
  const properties = { ...original.properties };
  properties[MessageProperty.RETRY_TOPIC] ??= original.topic;
  properties[MessageProperty.ORIGIN_MESSAGE_ID] ??= offsetMsgIdOf(original);
  delete properties[MessageProperty.DELAY];
  let placement: { topic: string; queueId: number; properties: Record<string, string> };
  if (route.kind === 'DLQ') {
    const dlqTopic = dlqTopicOf(header.group);
    if (ctx.topics.ensure(dlqTopic, 1, RW).created) void ctx.topicsChanged([dlqTopic]);
    placement = { topic: route.topic, queueId: 0, properties };
  } else {
    const queueId = Math.floor(Math.random() * groupConfig.retryQueueNums);
    placement = toSchedule(ctx, route.topic, queueId, properties, route.delayLevel);
  }
  const put = await ctx.store.putMessage({
    topic: placement.topic,
    queueId: placement.queueId,
    body: original.body,
    properties: placement.properties,
    flag: original.flag,
    sysFlag: original.sysFlag,
    bornTimestamp: original.bornTimestamp,
    bornHost: original.bornHost,
    reconsumeTimes: original.reconsumeTimes + 1,
  });
  const code = putStatusCode(put.status);
  if (code === ResponseCode.SUCCESS) return success(request);
  return failure(request, code, put.reason ?? put.status);
}

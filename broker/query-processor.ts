// Read-only queries: queue offsets (GET_MAX_OFFSET 30, GET_MIN_OFFSET 31,
// SEARCH_OFFSET_BY_TIMESTAMP 29, GET_EARLIEST_MSG_STORETIME 32) and messages by key
// (QUERY_MESSAGE 12, UNIQ_KEY or one of the KEYS) or by CommitLog offset (VIEW_MESSAGE_BY_ID 33,
// the offset inside an offset message id). Message bodies are the stored records, as in a pull.
//
// RocketMQ: broker/.../processor/AdminBrokerProcessor.java (getMaxOffset, getMinOffset,
// searchOffsetByTimestamp, getEarliestMsgStoretime), QueryMessageProcessor.java (queryMessage,
// viewMessageById).

import { readInt64Buffer } from '../common/bytes.js';
import { type DecodedMessage, RecordField } from '../common/message-codec.js';
import {
  GetEarliestMsgStoretimeRequestHeader,
  GetMaxOffsetRequestHeader,
  GetMinOffsetRequestHeader,
  QueryMessageRequestHeader,
  type RemotingCommand,
  RequestCode,
  ResponseCode,
  SearchOffsetRequestHeader,
  ViewMessageRequestHeader,
} from '../protocol/index.js';
import {
  decodeRequestHeader,
  failure,
  type ProcessorRegistry,
  success,
} from '../server/request-kit.js';
import type { BrokerContext } from './broker-context.js';

export function registerQueryProcessors(server: ProcessorRegistry, ctx: BrokerContext): void {
  server.registerProcessor(RequestCode.GET_MAX_OFFSET, (r) => maxOffset(ctx, r));
  server.registerProcessor(RequestCode.GET_MIN_OFFSET, (r) => minOffset(ctx, r));
  server.registerProcessor(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, (r) => searchOffset(ctx, r));
  server.registerProcessor(RequestCode.GET_EARLIEST_MSG_STORETIME, (r) => earliestTime(ctx, r));
  server.registerProcessor(RequestCode.QUERY_MESSAGE, (r) => queryMessage(ctx, r));
  server.registerProcessor(RequestCode.VIEW_MESSAGE_BY_ID, (r) => viewMessage(ctx, r));
}

function maxOffset(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, GetMaxOffsetRequestHeader);
  if (!h.ok) return h.response;
  return success(request, {
    offset: ctx.store.getMaxOffsetInQueue(h.header.topic, h.header.queueId),
  });
}

function minOffset(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, GetMinOffsetRequestHeader);
  if (!h.ok) return h.response;
  return success(request, {
    offset: ctx.store.getMinOffsetInQueue(h.header.topic, h.header.queueId),
  });
}

async function searchOffset(
  ctx: BrokerContext,
  request: RemotingCommand,
): Promise<RemotingCommand> {
  const h = decodeRequestHeader(request, SearchOffsetRequestHeader);
  if (!h.ok) return h.response;
  const { topic, queueId, timestamp } = h.header;
  return success(request, {
    offset: await ctx.store.searchOffsetByTimestamp(topic, queueId, timestamp),
  });
}

async function earliestTime(
  ctx: BrokerContext,
  request: RemotingCommand,
): Promise<RemotingCommand> {
  const h = decodeRequestHeader(request, GetEarliestMsgStoretimeRequestHeader);
  if (!h.ok) return h.response;
  const { topic, queueId } = h.header;
  const result = await ctx.store.getMessage({
    topic,
    queueId,
    queueOffset: ctx.store.getMinOffsetInQueue(topic, queueId),
    maxMsgNums: 1,
  });
  return success(request, { timestamp: result.messages[0]?.storeTimestamp ?? -1 });
}

/** The stored record of a message found by key or offset (the bytes a pull would carry). */
async function recordOf(ctx: BrokerContext, m: DecodedMessage): Promise<Buffer | undefined> {
  const got = await ctx.store.getMessage({
    topic: m.topic,
    queueId: m.queueId,
    queueOffset: m.queueOffset,
    maxMsgNums: 1,
    rawOnly: true,
  });
  const record = got.records[0];
  if (record === undefined) return undefined;
  return readInt64Buffer(record, RecordField.PHYSICALOFFSET) === m.commitLogOffset
    ? record
    : undefined;
}

async function queryMessage(
  ctx: BrokerContext,
  request: RemotingCommand,
): Promise<RemotingCommand> {
  const h = decodeRequestHeader(request, QueryMessageRequestHeader);
  if (!h.ok) return h.response;
  const { topic, key, maxNum, beginTimestamp, endTimestamp } = h.header;
  const found = await ctx.store.queryMessage({
    topic,
    key,
    maxNum: Math.max(1, Math.min(maxNum, ctx.config.maxMsgsNumBatch)),
    beginTimestamp,
    endTimestamp,
  });
  const records: Buffer[] = [];
  for (const m of found.messages) {
    const record = await recordOf(ctx, m);
    if (record !== undefined) records.push(record);
  }
  if (records.length === 0) {
    const remark = 'can not find message, maybe time range not correct';
    return failure(request, ResponseCode.QUERY_NOT_FOUND, remark);
  }
  const header = {
    indexLastUpdateTimestamp: ctx.clock.nowMs(),
    indexLastUpdatePhyoffset: ctx.store.getMaxPhyOffset(),
  };
  return success(request, header, Buffer.concat(records));
}

async function viewMessage(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand> {
  const h = decodeRequestHeader(request, ViewMessageRequestHeader);
  if (!h.ok) return h.response;
  const message = await ctx.store.lookMessageByOffset(h.header.offset);
  const record = message === undefined ? undefined : await recordOf(ctx, message);
  if (record === undefined) {
    const remark = `can not find message by the offset, ${h.header.offset}`;
    return failure(request, ResponseCode.SYSTEM_ERROR, remark);
  }
  return success(request, {}, record);
}

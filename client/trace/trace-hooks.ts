// The trace entries a producer and a push consumer record when enableMsgTrace is on, filled as
// RocketMQ's SendMessageTraceHookImpl and ConsumeMessageTraceHookImpl fill them.

import { randomUUID } from 'node:crypto';
import { decodeOffsetMsgId } from '../../protocol/message-id.js';
import { MessageProperty } from '../../protocol/message-properties.js';
import type { Message, MessageExt } from '../message.js';
import type { SendResult } from '../producer.js';
import { type TraceEntry, TraceMessageType } from './trace-data.js';

const DEFAULT_REGION = 'DefaultRegion';

function keysText(keys: string | readonly string[] | undefined): string {
  if (keys === undefined) return 'null';
  return typeof keys === 'string' ? keys : keys.join(' ');
}

function storeHostOf(offsetMsgId: string): string {
  try {
    const { host, port } = decodeOffsetMsgId(offsetMsgId);
    return `${host}:${port}`;
  } catch {
    return '';
  }
}

/** A Pub entry for one send (result null when it failed). */
export function pubEntry(
  groupName: string,
  message: Message,
  uniqKey: string,
  result: SendResult | null,
  costTimeMs: number,
): TraceEntry {
  const isHalf = message.properties?.[MessageProperty.TRAN_MSG] === 'true';
  const isDelay = (message.delayTimeLevel ?? 0) > 0;
  return {
    type: 'Pub',
    timestamp: Date.now(),
    regionId: DEFAULT_REGION,
    groupName,
    requestId: '',
    costTimeMs: Math.round(costTimeMs),
    success: result?.sendStatus === 'SEND_OK',
    contextCode: 0,
    topic: message.topic,
    msgId: result?.msgId ?? uniqKey,
    offsetMsgId: result?.offsetMsgId ?? '',
    tags: message.tags ?? 'null',
    keys: keysText(message.keys),
    storeHost: result === null ? '' : storeHostOf(result.offsetMsgId),
    bodyLength:
      typeof message.body === 'string' ? Buffer.byteLength(message.body) : message.body.byteLength,
    msgType: isHalf
      ? TraceMessageType.TRANS_HALF
      : isDelay
        ? TraceMessageType.DELAY
        : TraceMessageType.NORMAL,
    retryTimes: 0,
  };
}

/** The SubBefore entries of one listener call, and a function giving its SubAfter entries. */
export function consumeEntries(
  groupName: string,
  messages: readonly MessageExt[],
): { before: TraceEntry[]; after(success: boolean, costTimeMs: number): TraceEntry[] } {
  const requestId = randomUUID().replaceAll('-', '').toUpperCase();
  const base = (m: MessageExt, type: 'SubBefore' | 'SubAfter'): TraceEntry => ({
    type,
    timestamp: Date.now(),
    regionId: m.properties[MessageProperty.MSG_REGION] ?? DEFAULT_REGION,
    groupName,
    requestId,
    costTimeMs: 0,
    success: true,
    contextCode: 0,
    topic: m.topic,
    msgId: m.msgId,
    offsetMsgId: m.offsetMsgId,
    tags: m.tags ?? 'null',
    keys: m.keys.length === 0 ? 'null' : m.keys.join(' '),
    storeHost: m.storeHost,
    bodyLength: m.body.length,
    msgType: TraceMessageType.NORMAL,
    retryTimes: m.reconsumeTimes,
  });
  return {
    before: messages.map((m) => base(m, 'SubBefore')),
    after: (success, costTimeMs) =>
      messages.map((m) => ({
        ...base(m, 'SubAfter'),
        success,
        costTimeMs: Math.round(costTimeMs),
        contextCode: success ? 0 : 4,
      })),
  };
}

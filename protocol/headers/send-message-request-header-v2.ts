// SendMessageRequestHeaderV2: the SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320) request
// header. Same fields as SendMessageRequestHeader under one-letter names, to keep frames small;
// every ali-ons send uses it (fields a..l). The broker converts it to the long form.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   SendMessageRequestHeaderV2.java (tag rocketmq-all-4.9.7; `n` brokerName from late 4.9.x).
// Values travel in extFields as strings; see header-codec.ts for the conversions.
//
//   a producerGroup   b topic        c defaultTopic   d defaultTopicQueueNums   e queueId
//   f sysFlag         g bornTimestamp h flag          i properties              j reconsumeTimes
//   k unitMode        l maxReconsumeTimes             m batch                   n brokerName

import type { ExtFields } from '../remoting-command.js';
import { RequestCode } from '../request-code.js';
import { defineHeader, field, type HeaderDecodeResult } from './header-codec.js';
import { SendMessageRequestHeader } from './send-message-request-header.js';

export interface SendMessageRequestHeaderV2 {
  a: string;
  b: string;
  c: string;
  d: number;
  e: number;
  f: number;
  g: number;
  h: number;
  i?: string;
  j?: number;
  k?: boolean;
  l?: number;
  m?: boolean;
  n?: string;
}

export const SendMessageRequestHeaderV2 = defineHeader<SendMessageRequestHeaderV2>(
  'SendMessageRequestHeaderV2',
  {
    a: field.string,
    b: field.string,
    c: field.string,
    d: field.int,
    e: field.int,
    f: field.int,
    g: field.long,
    h: field.int,
    i: field.optionalString,
    j: field.optionalInt,
    k: field.optionalBool,
    l: field.optionalInt,
    m: field.optionalBool,
    n: field.optionalString,
  },
);

/** The long form (SendMessageRequestHeaderV2.createSendMessageRequestHeaderV1). */
export function sendHeaderV2ToV1(v2: SendMessageRequestHeaderV2): SendMessageRequestHeader {
  const v1: SendMessageRequestHeader = {
    producerGroup: v2.a,
    topic: v2.b,
    defaultTopic: v2.c,
    defaultTopicQueueNums: v2.d,
    queueId: v2.e,
    sysFlag: v2.f,
    bornTimestamp: v2.g,
    flag: v2.h,
  };
  if (v2.i !== undefined) v1.properties = v2.i;
  if (v2.j !== undefined) v1.reconsumeTimes = v2.j;
  if (v2.k !== undefined) v1.unitMode = v2.k;
  if (v2.l !== undefined) v1.maxReconsumeTimes = v2.l;
  if (v2.m !== undefined) v1.batch = v2.m;
  return v1;
}

/** The one-letter form (SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2). */
export function sendHeaderV1ToV2(v1: SendMessageRequestHeader): SendMessageRequestHeaderV2 {
  const v2: SendMessageRequestHeaderV2 = {
    a: v1.producerGroup,
    b: v1.topic,
    c: v1.defaultTopic,
    d: v1.defaultTopicQueueNums,
    e: v1.queueId,
    f: v1.sysFlag,
    g: v1.bornTimestamp,
    h: v1.flag,
  };
  if (v1.properties !== undefined) v2.i = v1.properties;
  if (v1.reconsumeTimes !== undefined) v2.j = v1.reconsumeTimes;
  if (v1.unitMode !== undefined) v2.k = v1.unitMode;
  if (v1.maxReconsumeTimes !== undefined) v2.l = v1.maxReconsumeTimes;
  if (v1.batch !== undefined) v2.m = v1.batch;
  return v2;
}

/**
 * The send header of a request, in the long form, as AbstractSendMessageProcessor
 * .parseRequestHeader: SEND_MESSAGE and SEND_REPLY_MESSAGE use the long names, the V2 codes and
 * SEND_BATCH_MESSAGE the one-letter names.
 */
export function decodeSendMessageHeader(
  code: number,
  fields: Readonly<ExtFields>,
): HeaderDecodeResult<SendMessageRequestHeader> {
  if (code === RequestCode.SEND_MESSAGE || code === RequestCode.SEND_REPLY_MESSAGE) {
    return SendMessageRequestHeader.decode(fields);
  }
  const v2 = SendMessageRequestHeaderV2.decode(fields);
  if (!v2.ok) return v2;
  return { ok: true, header: sendHeaderV2ToV1(v2.header) };
}

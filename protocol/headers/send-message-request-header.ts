// SendMessageRequestHeader: SEND_MESSAGE (10) request header, long field names. SEND_MESSAGE_V2
// and SEND_BATCH_MESSAGE carry the same fields under one-letter names (send-message-request-
// header-v2.ts).
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   SendMessageRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface SendMessageRequestHeader {
  producerGroup: string;
  topic: string;
  /** Template topic for auto-creation, normally TBW102. */
  defaultTopic: string;
  /** Queue count of an auto-created topic. */
  defaultTopicQueueNums: number;
  /** Target queue; below 0 lets the broker pick. */
  queueId: number;
  /** MessageSysFlag: bit 0 compressed body, bits 2-3 transaction type. */
  sysFlag: number;
  /** Producer clock, ms since the epoch. */
  bornTimestamp: number;
  /** User flag, stored verbatim. */
  flag: number;
  /** Properties string (message-properties.ts). */
  properties?: string;
  reconsumeTimes?: number;
  unitMode?: boolean;
  /** True for SEND_BATCH_MESSAGE. */
  batch?: boolean;
  /** Honoured when the request version is at least V3_4_9 (121). */
  maxReconsumeTimes?: number;
}

export const SendMessageRequestHeader = defineHeader<SendMessageRequestHeader>(
  'SendMessageRequestHeader',
  {
    producerGroup: field.string,
    topic: field.string,
    defaultTopic: field.string,
    defaultTopicQueueNums: field.int,
    queueId: field.int,
    sysFlag: field.int,
    bornTimestamp: field.long,
    flag: field.int,
    properties: field.optionalString,
    reconsumeTimes: field.optionalInt,
    unitMode: field.optionalBool,
    batch: field.optionalBool,
    maxReconsumeTimes: field.optionalInt,
  },
);

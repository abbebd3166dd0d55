// ConsumerSendMsgBackRequestHeader: CONSUMER_SEND_MSG_BACK (36) request header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   ConsumerSendMsgBackRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface ConsumerSendMsgBackRequestHeader {
  /** Commit log (physical) offset of the original message. */
  offset: number;
  group: string;
  /** 0: the broker decides; -1: straight to the DLQ; n: delay level n. */
  delayLevel: number;
  originMsgId?: string;
  originTopic?: string;
  unitMode?: boolean;
  maxReconsumeTimes?: number;
}

export const ConsumerSendMsgBackRequestHeader = defineHeader<ConsumerSendMsgBackRequestHeader>(
  'ConsumerSendMsgBackRequestHeader',
  {
    offset: field.long,
    group: field.string,
    delayLevel: field.int,
    originMsgId: field.optionalString,
    originTopic: field.optionalString,
    unitMode: field.optionalBool,
    maxReconsumeTimes: field.optionalInt,
  },
);

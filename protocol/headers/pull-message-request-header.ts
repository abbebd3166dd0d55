// PullMessageRequestHeader: PULL_MESSAGE (11) request header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   PullMessageRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface PullMessageRequestHeader {
  consumerGroup: string;
  topic: string;
  queueId: number;
  /** Logical offset to read from. */
  queueOffset: number;
  /** Batch size (ali-ons: 32). */
  maxMsgNums: number;
  /** PullSysFlag: 1 commit offset, 2 suspend, 4 subscription, 8 class filter, 16 lite pull. */
  sysFlag: number;
  /** Consumer offset to store when sysFlag has bit 0. */
  commitOffset: number;
  /** Long-poll hold time (ali-ons: 15000). */
  suspendTimeoutMillis: number;
  /** Subscription expression, e.g. "*" or "TagA || TagB". */
  subscription?: string;
  subVersion: number;
  /** "TAG" (default) or "SQL92". */
  expressionType?: string;
}

export const PullMessageRequestHeader = defineHeader<PullMessageRequestHeader>(
  'PullMessageRequestHeader',
  {
    consumerGroup: field.string,
    topic: field.string,
    queueId: field.int,
    queueOffset: field.long,
    maxMsgNums: field.int,
    sysFlag: field.int,
    commitOffset: field.long,
    suspendTimeoutMillis: field.long,
    subscription: field.optionalString,
    subVersion: field.long,
    expressionType: field.optionalString,
  },
);

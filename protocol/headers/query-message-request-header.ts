// QueryMessageRequestHeader: QUERY_MESSAGE (12) request header: messages by key in a time range.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   QueryMessageRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface QueryMessageRequestHeader {
  topic: string;
  key: string;
  maxNum: number;
  beginTimestamp: number;
  endTimestamp: number;
}

export const QueryMessageRequestHeader = defineHeader<QueryMessageRequestHeader>(
  'QueryMessageRequestHeader',
  {
    topic: field.string,
    key: field.string,
    maxNum: field.int,
    beginTimestamp: field.long,
    endTimestamp: field.long,
  },
);

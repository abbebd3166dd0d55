// QueryConsumerOffsetRequestHeader: QUERY_CONSUMER_OFFSET (14) request header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   QueryConsumerOffsetRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface QueryConsumerOffsetRequestHeader {
  consumerGroup: string;
  topic: string;
  queueId: number;
}

export const QueryConsumerOffsetRequestHeader = defineHeader<QueryConsumerOffsetRequestHeader>(
  'QueryConsumerOffsetRequestHeader',
  {
    consumerGroup: field.string,
    topic: field.string,
    queueId: field.int,
  },
);

// QueryConsumerOffsetResponseHeader: QUERY_CONSUMER_OFFSET response header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   QueryConsumerOffsetResponseHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface QueryConsumerOffsetResponseHeader {
  offset: number;
}

export const QueryConsumerOffsetResponseHeader = defineHeader<QueryConsumerOffsetResponseHeader>(
  'QueryConsumerOffsetResponseHeader',
  {
    offset: field.long,
  },
);

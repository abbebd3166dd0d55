// QueryMessageResponseHeader: QUERY_MESSAGE response header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   QueryMessageResponseHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface QueryMessageResponseHeader {
  indexLastUpdateTimestamp: number;
  indexLastUpdatePhyoffset: number;
}

export const QueryMessageResponseHeader = defineHeader<QueryMessageResponseHeader>(
  'QueryMessageResponseHeader',
  {
    indexLastUpdateTimestamp: field.long,
    indexLastUpdatePhyoffset: field.long,
  },
);

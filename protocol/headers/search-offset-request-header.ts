// SearchOffsetRequestHeader: SEARCH_OFFSET_BY_TIMESTAMP (29) request header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   SearchOffsetRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface SearchOffsetRequestHeader {
  topic: string;
  queueId: number;
  /** ms since the epoch. */
  timestamp: number;
}

export const SearchOffsetRequestHeader = defineHeader<SearchOffsetRequestHeader>(
  'SearchOffsetRequestHeader',
  {
    topic: field.string,
    queueId: field.int,
    timestamp: field.long,
  },
);

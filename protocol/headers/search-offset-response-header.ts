// SearchOffsetResponseHeader: SEARCH_OFFSET_BY_TIMESTAMP response header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   SearchOffsetResponseHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface SearchOffsetResponseHeader {
  offset: number;
}

export const SearchOffsetResponseHeader = defineHeader<SearchOffsetResponseHeader>(
  'SearchOffsetResponseHeader',
  {
    offset: field.long,
  },
);

// GetMinOffsetResponseHeader: GET_MIN_OFFSET response header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   GetMinOffsetResponseHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetMinOffsetResponseHeader {
  offset: number;
}

export const GetMinOffsetResponseHeader = defineHeader<GetMinOffsetResponseHeader>(
  'GetMinOffsetResponseHeader',
  {
    offset: field.long,
  },
);

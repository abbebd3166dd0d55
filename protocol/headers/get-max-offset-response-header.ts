// GetMaxOffsetResponseHeader: GET_MAX_OFFSET response header: the next offset to be written (0 for
// an empty queue).
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   GetMaxOffsetResponseHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetMaxOffsetResponseHeader {
  offset: number;
}

export const GetMaxOffsetResponseHeader = defineHeader<GetMaxOffsetResponseHeader>(
  'GetMaxOffsetResponseHeader',
  {
    offset: field.long,
  },
);

// GetMinOffsetRequestHeader: GET_MIN_OFFSET (31) request header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   GetMinOffsetRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetMinOffsetRequestHeader {
  topic: string;
  queueId: number;
}

export const GetMinOffsetRequestHeader = defineHeader<GetMinOffsetRequestHeader>(
  'GetMinOffsetRequestHeader',
  {
    topic: field.string,
    queueId: field.int,
  },
);

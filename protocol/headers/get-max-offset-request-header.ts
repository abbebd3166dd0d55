// GetMaxOffsetRequestHeader: GET_MAX_OFFSET (30) request header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   GetMaxOffsetRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetMaxOffsetRequestHeader {
  topic: string;
  queueId: number;
}

export const GetMaxOffsetRequestHeader = defineHeader<GetMaxOffsetRequestHeader>(
  'GetMaxOffsetRequestHeader',
  {
    topic: field.string,
    queueId: field.int,
  },
);

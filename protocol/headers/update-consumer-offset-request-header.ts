// UpdateConsumerOffsetRequestHeader: UPDATE_CONSUMER_OFFSET (15) request header. ali-ons may send
// commitOffset -1 for "unknown".
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   UpdateConsumerOffsetRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface UpdateConsumerOffsetRequestHeader {
  consumerGroup: string;
  topic: string;
  queueId: number;
  commitOffset: number;
}

export const UpdateConsumerOffsetRequestHeader = defineHeader<UpdateConsumerOffsetRequestHeader>(
  'UpdateConsumerOffsetRequestHeader',
  {
    consumerGroup: field.string,
    topic: field.string,
    queueId: field.int,
    commitOffset: field.long,
  },
);

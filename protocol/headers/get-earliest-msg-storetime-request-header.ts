// GetEarliestMsgStoretimeRequestHeader: GET_EARLIEST_MSG_STORETIME (32) request header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   GetEarliestMsgStoretimeRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetEarliestMsgStoretimeRequestHeader {
  topic: string;
  queueId: number;
}

export const GetEarliestMsgStoretimeRequestHeader =
  defineHeader<GetEarliestMsgStoretimeRequestHeader>('GetEarliestMsgStoretimeRequestHeader', {
    topic: field.string,
    queueId: field.int,
  });

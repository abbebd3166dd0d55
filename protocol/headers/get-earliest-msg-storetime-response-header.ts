// GetEarliestMsgStoretimeResponseHeader: GET_EARLIEST_MSG_STORETIME response header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   GetEarliestMsgStoretimeResponseHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetEarliestMsgStoretimeResponseHeader {
  timestamp: number;
}

export const GetEarliestMsgStoretimeResponseHeader =
  defineHeader<GetEarliestMsgStoretimeResponseHeader>('GetEarliestMsgStoretimeResponseHeader', {
    timestamp: field.long,
  });

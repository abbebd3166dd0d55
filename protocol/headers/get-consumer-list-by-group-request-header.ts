// GetConsumerListByGroupRequestHeader: GET_CONSUMER_LIST_BY_GROUP (38) request header; the
// response body is ConsumerList (bodies/consumer-list.ts).
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   GetConsumerListByGroupRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetConsumerListByGroupRequestHeader {
  consumerGroup: string;
}

export const GetConsumerListByGroupRequestHeader =
  defineHeader<GetConsumerListByGroupRequestHeader>('GetConsumerListByGroupRequestHeader', {
    consumerGroup: field.string,
  });

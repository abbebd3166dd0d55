// GetConsumerRunningInfoRequestHeader: GET_CONSUMER_RUNNING_INFO (307) request header, sent by a
// broker to a client.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   GetConsumerRunningInfoRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetConsumerRunningInfoRequestHeader {
  consumerGroup: string;
  clientId: string;
  jstackEnable?: boolean;
}

export const GetConsumerRunningInfoRequestHeader =
  defineHeader<GetConsumerRunningInfoRequestHeader>('GetConsumerRunningInfoRequestHeader', {
    consumerGroup: field.string,
    clientId: field.string,
    jstackEnable: field.optionalBool,
  });

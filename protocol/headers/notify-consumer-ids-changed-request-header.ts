// NotifyConsumerIdsChangedRequestHeader: NOTIFY_CONSUMER_IDS_CHANGED (40) request header, sent
// oneway by a broker to the clients of a group.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   NotifyConsumerIdsChangedRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface NotifyConsumerIdsChangedRequestHeader {
  consumerGroup: string;
}

export const NotifyConsumerIdsChangedRequestHeader =
  defineHeader<NotifyConsumerIdsChangedRequestHeader>('NotifyConsumerIdsChangedRequestHeader', {
    consumerGroup: field.string,
  });

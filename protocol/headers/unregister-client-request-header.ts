// UnregisterClientRequestHeader: UNREGISTER_CLIENT (35) request header; ali-ons sends one of the
// two groups.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   UnregisterClientRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface UnregisterClientRequestHeader {
  clientID: string;
  producerGroup?: string;
  consumerGroup?: string;
}

export const UnregisterClientRequestHeader = defineHeader<UnregisterClientRequestHeader>(
  'UnregisterClientRequestHeader',
  {
    clientID: field.string,
    producerGroup: field.optionalString,
    consumerGroup: field.optionalString,
  },
);

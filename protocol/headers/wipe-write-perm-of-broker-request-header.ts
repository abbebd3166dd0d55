// WipeWritePermOfBrokerRequestHeader: WIPE_WRITE_PERM_OF_BROKER (205) request header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/namesrv/
//   WipeWritePermOfBrokerRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface WipeWritePermOfBrokerRequestHeader {
  brokerName: string;
}

export const WipeWritePermOfBrokerRequestHeader = defineHeader<WipeWritePermOfBrokerRequestHeader>(
  'WipeWritePermOfBrokerRequestHeader',
  {
    brokerName: field.string,
  },
);

// UnRegisterBrokerRequestHeader: UNREGISTER_BROKER (104) request header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/namesrv/
//   UnRegisterBrokerRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface UnRegisterBrokerRequestHeader {
  brokerName: string;
  brokerAddr: string;
  clusterName: string;
  brokerId: number;
}

export const UnRegisterBrokerRequestHeader = defineHeader<UnRegisterBrokerRequestHeader>(
  'UnRegisterBrokerRequestHeader',
  {
    brokerName: field.string,
    brokerAddr: field.string,
    clusterName: field.string,
    brokerId: field.long,
  },
);

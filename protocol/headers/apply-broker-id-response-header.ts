// ApplyBrokerIdResponseHeader: CONTROLLER_APPLY_BROKER_ID response header.
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/header/controller/register/ApplyBrokerIdResponseHeader.java
//   (tag rocketmq-all-5.1.4).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface ApplyBrokerIdResponseHeader {
  clusterName?: string;
  brokerName?: string;
}

export const ApplyBrokerIdResponseHeader = defineHeader<ApplyBrokerIdResponseHeader>(
  'ApplyBrokerIdResponseHeader',
  {
    clusterName: field.optionalString,
    brokerName: field.optionalString,
  },
);

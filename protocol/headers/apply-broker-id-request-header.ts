// ApplyBrokerIdRequestHeader: CONTROLLER_APPLY_BROKER_ID (1013) request header:
// the second step of registration, claiming an id. registerCheckCode is "brokerAddr;timestamp";
// the same broker applying again with the same check code gets its id back, anyone else is
// refused with CONTROLLER_BROKER_ID_INVALID. No body.
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/header/controller/register/ApplyBrokerIdRequestHeader.java
//   (tag rocketmq-all-5.1.4).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface ApplyBrokerIdRequestHeader {
  clusterName: string;
  brokerName: string;
  appliedBrokerId: number;
  registerCheckCode: string;
}

export const ApplyBrokerIdRequestHeader = defineHeader<ApplyBrokerIdRequestHeader>(
  'ApplyBrokerIdRequestHeader',
  {
    clusterName: field.string,
    brokerName: field.string,
    appliedBrokerId: field.long,
    registerCheckCode: field.string,
  },
);

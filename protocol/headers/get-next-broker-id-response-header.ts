// GetNextBrokerIdResponseHeader: CONTROLLER_GET_NEXT_BROKER_ID response header.
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/header/controller/register/GetNextBrokerIdResponseHeader.java
//   (tag rocketmq-all-5.1.4).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetNextBrokerIdResponseHeader {
  clusterName?: string;
  brokerName?: string;
  /** 1 for a group the controller has never seen (ids start at 1), else max assigned + 1. */
  nextBrokerId?: number;
}

export const GetNextBrokerIdResponseHeader = defineHeader<GetNextBrokerIdResponseHeader>(
  'GetNextBrokerIdResponseHeader',
  {
    clusterName: field.optionalString,
    brokerName: field.optionalString,
    nextBrokerId: field.optionalLong,
  },
);

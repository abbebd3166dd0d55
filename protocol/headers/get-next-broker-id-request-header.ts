// GetNextBrokerIdRequestHeader: CONTROLLER_GET_NEXT_BROKER_ID (1012) request
// header: the first step of a broker's registration, asking which id it may apply for. No body.
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/header/controller/register/GetNextBrokerIdRequestHeader.java
//   (tag rocketmq-all-5.1.4).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetNextBrokerIdRequestHeader {
  clusterName: string;
  brokerName: string;
}

export const GetNextBrokerIdRequestHeader = defineHeader<GetNextBrokerIdRequestHeader>(
  'GetNextBrokerIdRequestHeader',
  {
    clusterName: field.string,
    brokerName: field.string,
  },
);

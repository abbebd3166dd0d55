// RegisterBrokerToControllerResponseHeader: CONTROLLER_REGISTER_BROKER
// response header; the master fields are present only while an alive master exists. The body is
// the group's SyncStateSet (bodies/controller-bodies.ts).
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/header/controller/register/RegisterBrokerToControllerResponseHeader.java
//   (tag rocketmq-all-5.1.4).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface RegisterBrokerToControllerResponseHeader {
  clusterName?: string;
  brokerName?: string;
  masterBrokerId?: number;
  masterAddress?: string;
  masterEpoch?: number;
  syncStateSetEpoch?: number;
}

export const RegisterBrokerToControllerResponseHeader =
  defineHeader<RegisterBrokerToControllerResponseHeader>(
    'RegisterBrokerToControllerResponseHeader',
    {
      clusterName: field.optionalString,
      brokerName: field.optionalString,
      masterBrokerId: field.optionalLong,
      masterAddress: field.optionalString,
      masterEpoch: field.optionalInt,
      syncStateSetEpoch: field.optionalInt,
    },
  );

// RegisterBrokerToControllerRequestHeader: CONTROLLER_REGISTER_BROKER
// (1003) request header: the last step of registration, with the id the broker now owns and its
// current address (the controller records an address change). No body.
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/header/controller/register/RegisterBrokerToControllerRequestHeader.java
//   (tag rocketmq-all-5.1.4).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface RegisterBrokerToControllerRequestHeader {
  clusterName: string;
  brokerName: string;
  brokerId: number;
  brokerAddress: string;
}

export const RegisterBrokerToControllerRequestHeader =
  defineHeader<RegisterBrokerToControllerRequestHeader>('RegisterBrokerToControllerRequestHeader', {
    clusterName: field.string,
    brokerName: field.string,
    brokerId: field.long,
    brokerAddress: field.string,
  });

// GetReplicaInfoRequestHeader: CONTROLLER_GET_REPLICA_INFO (1004) request
// header. No body.
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/header/controller/GetReplicaInfoRequestHeader.java
//   (tag rocketmq-all-5.1.4).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetReplicaInfoRequestHeader {
  brokerName: string;
}

export const GetReplicaInfoRequestHeader = defineHeader<GetReplicaInfoRequestHeader>(
  'GetReplicaInfoRequestHeader',
  {
    brokerName: field.string,
  },
);

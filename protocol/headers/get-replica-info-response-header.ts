// GetReplicaInfoResponseHeader: CONTROLLER_GET_REPLICA_INFO response header
// (master fields absent while the group has no master); the body is the group's SyncStateSet.
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/header/controller/GetReplicaInfoResponseHeader.java
//   (tag rocketmq-all-5.1.4).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetReplicaInfoResponseHeader {
  masterBrokerId?: number;
  masterAddress?: string;
  masterEpoch?: number;
}

export const GetReplicaInfoResponseHeader = defineHeader<GetReplicaInfoResponseHeader>(
  'GetReplicaInfoResponseHeader',
  {
    masterBrokerId: field.optionalLong,
    masterAddress: field.optionalString,
    masterEpoch: field.optionalInt,
  },
);

// ElectMasterRequestHeader: CONTROLLER_ELECT_MASTER (1002) request header.
// A broker sends it after registering when the group has no master (designateElect=false, its
// own brokerId: the first election of a group picks the requester); mqadmin electMaster sends
// designateElect=true with the brokerId to elect. No body.
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/header/controller/ElectMasterRequestHeader.java
//   (tag rocketmq-all-5.1.4).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface ElectMasterRequestHeader {
  clusterName?: string;
  brokerName: string;
  brokerId?: number;
  designateElect?: boolean;
}

export const ElectMasterRequestHeader = defineHeader<ElectMasterRequestHeader>(
  'ElectMasterRequestHeader',
  {
    clusterName: field.optionalString,
    brokerName: field.string,
    brokerId: field.optionalLong,
    designateElect: field.optionalBool,
  },
);

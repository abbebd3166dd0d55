// ElectMasterResponseHeader: CONTROLLER_ELECT_MASTER response header; the
// body is ElectMasterResponseBody (bodies/controller-bodies.ts).
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/header/controller/ElectMasterResponseHeader.java
//   (tag rocketmq-all-5.1.4).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface ElectMasterResponseHeader {
  masterBrokerId?: number;
  masterAddress?: string;
  masterEpoch?: number;
  syncStateSetEpoch?: number;
}

export const ElectMasterResponseHeader = defineHeader<ElectMasterResponseHeader>(
  'ElectMasterResponseHeader',
  {
    masterBrokerId: field.optionalLong,
    masterAddress: field.optionalString,
    masterEpoch: field.optionalInt,
    syncStateSetEpoch: field.optionalInt,
  },
);

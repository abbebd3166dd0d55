// AlterSyncStateSetResponseHeader: CONTROLLER_ALTER_SYNC_STATE_SET response
// header; the body is the new SyncStateSet.
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/header/controller/AlterSyncStateSetResponseHeader.java
//   (tag rocketmq-all-5.1.4).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface AlterSyncStateSetResponseHeader {
  newSyncStateSetEpoch?: number;
}

export const AlterSyncStateSetResponseHeader = defineHeader<AlterSyncStateSetResponseHeader>(
  'AlterSyncStateSetResponseHeader',
  {
    newSyncStateSetEpoch: field.optionalInt,
  },
);

// AlterSyncStateSetRequestHeader: CONTROLLER_ALTER_SYNC_STATE_SET (1001)
// request header, sent by the master only. The body is the proposed SyncStateSet carrying the
// syncStateSetEpoch the master currently holds; a stale master id or epoch is fenced.
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/header/controller/AlterSyncStateSetRequestHeader.java
//   (tag rocketmq-all-5.1.4).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface AlterSyncStateSetRequestHeader {
  brokerName: string;
  masterBrokerId: number;
  masterEpoch: number;
}

export const AlterSyncStateSetRequestHeader = defineHeader<AlterSyncStateSetRequestHeader>(
  'AlterSyncStateSetRequestHeader',
  {
    brokerName: field.string,
    masterBrokerId: field.long,
    masterEpoch: field.int,
  },
);

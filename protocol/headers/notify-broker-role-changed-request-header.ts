// NotifyBrokerRoleChangedRequestHeader: NOTIFY_BROKER_ROLE_CHANGED (1008),
// sent one-way by the controller leader to every alive replica of a group after an election.
// The body is the new SyncStateSet.
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/header/NotifyBrokerRoleChangedRequestHeader.java
//   (tag rocketmq-all-5.1.4).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface NotifyBrokerRoleChangedRequestHeader {
  masterAddress?: string;
  masterEpoch?: number;
  syncStateSetEpoch?: number;
  masterBrokerId?: number;
}

export const NotifyBrokerRoleChangedRequestHeader =
  defineHeader<NotifyBrokerRoleChangedRequestHeader>('NotifyBrokerRoleChangedRequestHeader', {
    masterAddress: field.optionalString,
    masterEpoch: field.optionalInt,
    syncStateSetEpoch: field.optionalInt,
    masterBrokerId: field.optionalLong,
  });

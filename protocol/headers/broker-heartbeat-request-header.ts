// BrokerHeartbeatRequestHeader: BROKER_HEARTBEAT (904), a broker's heartbeat to the
// controller in controller mode (RocketMQ 5 also sends it to NameServers; Petrel's NameServer
// answers it only when it hosts the controller). No body.
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/header/namesrv/BrokerHeartbeatRequestHeader.java
//   (tag rocketmq-all-5.1.4).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface BrokerHeartbeatRequestHeader {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  /** The id the controller assigned; a heartbeat without it is CONTROLLER_INVALID_REQUEST. */
  brokerId?: number;
  /** The broker's last epoch (its epoch file's newest entry), -1 when unknown. */
  epoch?: number;
  /** The broker's CommitLog max offset. */
  maxOffset?: number;
  /** The broker's confirmed offset (acknowledged by the whole SyncStateSet). */
  confirmOffset?: number;
  /** How long the controller waits for the next heartbeat before it declares the broker dead. */
  heartbeatTimeoutMills?: number;
  /** Lower wins among equally fresh candidates (Integer.MAX_VALUE when unset). */
  electionPriority?: number;
}

export const BrokerHeartbeatRequestHeader = defineHeader<BrokerHeartbeatRequestHeader>(
  'BrokerHeartbeatRequestHeader',
  {
    clusterName: field.string,
    brokerAddr: field.string,
    brokerName: field.string,
    brokerId: field.optionalLong,
    epoch: field.optionalInt,
    maxOffset: field.optionalLong,
    confirmOffset: field.optionalLong,
    heartbeatTimeoutMills: field.optionalLong,
    electionPriority: field.optionalInt,
  },
);

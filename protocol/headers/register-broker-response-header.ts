// RegisterBrokerResponseHeader: REGISTER_BROKER response header: for a slave, where its master is.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/namesrv/
//   RegisterBrokerResponseHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface RegisterBrokerResponseHeader {
  /** The master's HA address. */
  haServerAddr?: string;
  /** The master's broker address. */
  masterAddr?: string;
}

export const RegisterBrokerResponseHeader = defineHeader<RegisterBrokerResponseHeader>(
  'RegisterBrokerResponseHeader',
  {
    haServerAddr: field.optionalString,
    masterAddr: field.optionalString,
  },
);

// RegisterBrokerRequestHeader: REGISTER_BROKER (103) request header; the body is
// RegisterBrokerBody (bodies/register-broker-body.ts).
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/namesrv/
//   RegisterBrokerRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface RegisterBrokerRequestHeader {
  brokerName: string;
  /** "ip:port" clients connect to. */
  brokerAddr: string;
  clusterName: string;
  /** "ip:haPort" slaves replicate from. */
  haServerAddr: string;
  /** 0 master, above 0 slave. */
  brokerId: number;
  /** The body uses the compressed layout. */
  compressed?: boolean;
  /** CRC32 of the body & 0x7FFFFFFF, 0 = not checked. */
  bodyCrc32?: number;
}

export const RegisterBrokerRequestHeader = defineHeader<RegisterBrokerRequestHeader>(
  'RegisterBrokerRequestHeader',
  {
    brokerName: field.string,
    brokerAddr: field.string,
    clusterName: field.string,
    haServerAddr: field.string,
    brokerId: field.long,
    compressed: field.optionalBool,
    bodyCrc32: field.optionalInt,
  },
);

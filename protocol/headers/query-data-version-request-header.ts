// QueryDataVersionRequestHeader: QUERY_DATA_VERSION (322) request header; the body is the broker's
// DataVersion JSON.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/namesrv/
//   QueryDataVersionRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface QueryDataVersionRequestHeader {
  brokerName: string;
  brokerAddr: string;
  clusterName: string;
  brokerId: number;
}

export const QueryDataVersionRequestHeader = defineHeader<QueryDataVersionRequestHeader>(
  'QueryDataVersionRequestHeader',
  {
    brokerName: field.string,
    brokerAddr: field.string,
    clusterName: field.string,
    brokerId: field.long,
  },
);

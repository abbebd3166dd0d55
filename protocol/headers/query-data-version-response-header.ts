// QueryDataVersionResponseHeader: QUERY_DATA_VERSION response header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/namesrv/
//   QueryDataVersionResponseHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface QueryDataVersionResponseHeader {
  changed: boolean;
}

export const QueryDataVersionResponseHeader = defineHeader<QueryDataVersionResponseHeader>(
  'QueryDataVersionResponseHeader',
  {
    changed: field.bool,
  },
);

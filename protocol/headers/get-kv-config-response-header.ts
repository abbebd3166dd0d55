// GetKVConfigResponseHeader: GET_KV_CONFIG response header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/namesrv/
//   GetKVConfigResponseHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetKVConfigResponseHeader {
  value?: string;
}

export const GetKVConfigResponseHeader = defineHeader<GetKVConfigResponseHeader>(
  'GetKVConfigResponseHeader',
  {
    value: field.optionalString,
  },
);

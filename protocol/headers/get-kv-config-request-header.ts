// GetKVConfigRequestHeader: GET_KV_CONFIG (101) request header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/namesrv/
//   GetKVConfigRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetKVConfigRequestHeader {
  namespace: string;
  key: string;
}

export const GetKVConfigRequestHeader = defineHeader<GetKVConfigRequestHeader>(
  'GetKVConfigRequestHeader',
  {
    namespace: field.string,
    key: field.string,
  },
);

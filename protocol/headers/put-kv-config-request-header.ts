// PutKVConfigRequestHeader: PUT_KV_CONFIG (100) request header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/namesrv/
//   PutKVConfigRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface PutKVConfigRequestHeader {
  namespace: string;
  key: string;
  value: string;
}

export const PutKVConfigRequestHeader = defineHeader<PutKVConfigRequestHeader>(
  'PutKVConfigRequestHeader',
  {
    namespace: field.string,
    key: field.string,
    value: field.string,
  },
);

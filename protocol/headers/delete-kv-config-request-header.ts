// DeleteKVConfigRequestHeader: DELETE_KV_CONFIG (102) request header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/namesrv/
//   DeleteKVConfigRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface DeleteKVConfigRequestHeader {
  namespace: string;
  key: string;
}

export const DeleteKVConfigRequestHeader = defineHeader<DeleteKVConfigRequestHeader>(
  'DeleteKVConfigRequestHeader',
  {
    namespace: field.string,
    key: field.string,
  },
);

// GetKVListByNamespaceRequestHeader: GET_KVLIST_BY_NAMESPACE (219) request header; the response
// body is KVTable.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/namesrv/
//   GetKVListByNamespaceRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetKVListByNamespaceRequestHeader {
  namespace: string;
}

export const GetKVListByNamespaceRequestHeader = defineHeader<GetKVListByNamespaceRequestHeader>(
  'GetKVListByNamespaceRequestHeader',
  {
    namespace: field.string,
  },
);

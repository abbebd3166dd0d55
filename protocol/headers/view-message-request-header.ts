// ViewMessageRequestHeader: VIEW_MESSAGE_BY_ID (33) request header; the response body is one
// stored message.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   ViewMessageRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface ViewMessageRequestHeader {
  /** Commit log offset of the message. */
  offset: number;
}

export const ViewMessageRequestHeader = defineHeader<ViewMessageRequestHeader>(
  'ViewMessageRequestHeader',
  {
    offset: field.long,
  },
);
